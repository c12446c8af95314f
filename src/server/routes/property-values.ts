import type { FastifyInstance } from 'fastify';
import { HedgerowError } from '../../errors.js';
import { propertyValues } from '../../query/property-values.js';
import type { ServerContext } from '../context.js';
import { requireProject } from '../auth.js';
import { queryContextBuilder } from './query.js';

type Params = { project_id: string };
type Query = Record<string, string | string[] | undefined>;

const MAX_KEY = 400;

function textParam(q: Query, name: string, required: boolean): string | undefined {
  const raw = q[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined || value === '') {
    if (required) throw new HedgerowError('invalid_input', `${name} is required: the property whose values to list`, name);
    return undefined;
  }
  if (value.length > MAX_KEY) throw new HedgerowError('invalid_input', `${name} is longer than ${MAX_KEY} characters`, name);
  return value;
}

/**
 * PostHog's value suggestions for property filters: `GET …/events/values/?key=$browser&value=chr
 * &event_name=$pageview` and `GET …/persons/values/?key=email&value=ada`, each `[{name, count}]`.
 */
export function propertyValueRoutes(ctx: ServerContext) {
  const queryContext = queryContextBuilder(ctx);
  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      app.get<{ Params: Params; Querystring: Query }>(`${prefix}/:project_id/events/values`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'event:read');
        const q = request.query;
        const raw = q.event_name;
        const eventNames = (Array.isArray(raw) ? raw : raw === undefined || raw === '' ? [] : [raw]).slice(0, 100);
        return propertyValues(await queryContext(project), { kind: 'event', key: textParam(q, 'key', true)!, search: textParam(q, 'value', false), eventNames });
      });
      app.get<{ Params: Params; Querystring: Query }>(`${prefix}/:project_id/persons/values`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'person:read');
        const q = request.query;
        return propertyValues(await queryContext(project), { kind: 'person', key: textParam(q, 'key', true)!, search: textParam(q, 'value', false) });
      });
    }
  };
}
