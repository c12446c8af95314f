import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseTimestamp } from '../../capture/timestamps.js';
import { HedgerowError } from '../../errors.js';
import { listEvents } from '../../events/list-events.js';
import { HogQLError } from '../../hogql/ast.js';
import { propertiesSchema } from '../../hogql/property-filters.js';
import { hogqlErrorToHttp } from '../../query/execute.js';
import { PersonQueries } from '../../persons/person-queries.js';
import type { ServerContext } from '../context.js';
import { cohortResolver } from '../../cohorts/cohort-store.js';
import { requireProject } from '../auth.js';
import { decodeCursor, jsonParam, limitParam, nextUrl } from '../pagination.js';

const cursorSchema = z.object({ t: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/), u: z.uuid() });

function timeParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const t = parseTimestamp(value);
  if (t === undefined) throw new HedgerowError('invalid_input', `${name} must be an ISO 8601 date-time, got "${value.slice(0, 100)}"`, name);
  return t;
}

/** `/api/projects/:id/events/`: PostHog's `{results, next}` listing, newest first. */
export function eventRoutes(ctx: ServerContext) {
  const persons = new PersonQueries(ctx.pg);
  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      app.get<{ Params: { project_id: string }; Querystring: Record<string, string | undefined> }>(
        `${prefix}/:project_id/events`,
        async (request) => {
          const project = await requireProject(ctx, request, request.params.project_id, 'event:read');
          const q = request.query;
          const limit = limitParam(q.limit);
          const cursor = q.cursor ? decodeCursor(q.cursor, cursorSchema) : undefined;
          const properties = jsonParam(q.properties, propertiesSchema, 'properties', 'a JSON array of property filters {key, value, operator, type}');
          await ctx.definitions.ensureLoaded(project.id);
          const events = await listEvents(ctx.ch, {
            properties,
            cohort: cohortResolver(await ctx.cohorts.all(project.id)),
            propertyType: (kind, key, index) => ctx.definitions.propertyType(project.id, kind, key, index),
            teamId: project.id,
            event: q.event || undefined,
            distinctId: q.distinct_id || undefined,
            after: timeParam('after', q.after),
            before: timeParam('before', q.before),
            cursor: cursor && { timestamp: cursor.t, uuid: cursor.u },
            limit: limit + 1,
          }).catch((err: unknown) => {
            throw err instanceof HogQLError ? hogqlErrorToHttp(err) : err;
          });
          const page = events.slice(0, limit);
          const people = await persons.byUuids(project.id, [...new Set(page.map((e) => e.person_id))]);
          const last = page[page.length - 1];
          const next = events.length > limit && last ? nextUrl(request, { t: last.timestamp, u: last.id }) : null;
          return {
            next,
            results: page.map((e) => ({
              id: e.id,
              distinct_id: e.distinct_id,
              properties: e.properties,
              event: e.event,
              timestamp: e.timestamp.replace(' ', 'T') + '+00:00',
              person: people.get(e.person_id) ?? null,
              elements: [],
              elements_chain: e.elements_chain,
            })),
          };
        },
      );
    }
  };
}
