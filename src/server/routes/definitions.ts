import type { FastifyInstance } from 'fastify';
import {
  EVENT_ORDERINGS,
  type Direction,
  type EventDefinitionQuery,
  type EventOrdering,
  eventDefinitionById,
  listEventDefinitions,
  listPropertyDefinitions,
  type PropertyDefinitionKind,
  propertyDefinitionById,
  seenTogether,
} from '../../definitions/definition-queries.js';
import { HedgerowError } from '../../errors.js';
import { requireProject } from '../auth.js';
import type { ServerContext } from '../context.js';
import { limitOffsetPage, limitOffsetParams } from '../pagination.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GROUP_TYPES_LIMIT = 5;

type Params = { project_id: string; id: string };
type Query = Record<string, string | string[] | undefined>;

/** One query parameter; when repeated, the last one (Django's `QueryDict.get`). */
function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Every value of a repeated parameter (Django's `getlist`). */
function all(q: Query, name: string): string[] {
  const v = q[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** DRF's BooleanField over a query string; empty or `null` means unset. */
function boolParam(q: Query, name: string): boolean | undefined {
  const v = one(q, name);
  if (v === undefined || v === '' || v.toLowerCase() === 'null') return undefined;
  const lower = v.toLowerCase();
  if (['true', 't', 'yes', 'y', 'on', '1'].includes(lower)) return true;
  if (['false', 'f', 'no', 'n', 'off', '0'].includes(lower)) return false;
  throw new HedgerowError('invalid_input', `${name}: Must be a valid boolean.`, name);
}

/** A JSON-encoded list of strings (PostHog's `event_names`, `excluded_properties`). */
function jsonListParam(q: Query, name: string): string[] | undefined {
  const v = one(q, name);
  if (v === undefined || v === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(v);
  } catch {
    throw new HedgerowError('invalid_input', `${name} must be a JSON-encoded list, e.g. ["$pageview"]`, name);
  }
  if (!Array.isArray(value)) throw new HedgerowError('invalid_input', `${name} must be a JSON-encoded list, e.g. ["$pageview"]`, name);
  return value.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}

function eventTypeParam(q: Query): EventDefinitionQuery['eventType'] {
  const v = one(q, 'event_type') ?? 'event';
  // `all` and `action_event` never returned actions here either: they list plain event definitions.
  if (v === 'event' || v === 'all' || v === 'action_event') return 'event';
  if (v === 'event_custom' || v === 'event_posthog') return v;
  throw new HedgerowError('invalid_input', 'event_type: Not a valid event type. Use one of: event, event_custom, event_posthog.', 'event_type');
}

/** `ordering=-last_seen_at,name` (or repeated); fields this list cannot order by are ignored, as in PostHog. */
function orderingParam(q: Query): Array<[EventOrdering, Direction]> {
  const out: Array<[EventOrdering, Direction]> = [];
  for (const raw of all(q, 'ordering')) {
    for (const term of raw.split(',')) {
      const field = term.replaceAll('-', '');
      if ((EVENT_ORDERINGS as readonly string[]).includes(field)) out.push([field as EventOrdering, term.includes('-') ? 'DESC' : 'ASC']);
    }
  }
  return out;
}

function propertyKindParam(q: Query): PropertyDefinitionKind {
  const v = one(q, 'type') ?? 'event';
  if (v === 'event' || v === 'person' || v === 'group' || v === 'session') return v;
  throw new HedgerowError('invalid_input', `type: "${v.slice(0, 100)}" is not a valid choice (event, person, group, session).`, 'type');
}

function groupTypeIndexParam(q: Query, kind: PropertyDefinitionKind): number | undefined {
  const v = one(q, 'group_type_index');
  const index = v === undefined || v === '' ? undefined : /^-?\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (Number.isNaN(index)) throw new HedgerowError('invalid_input', 'group_type_index: A valid integer is required.', 'group_type_index');
  if (kind === 'group' && index === undefined) throw new HedgerowError('invalid_input', '`group_type_index` must be set for `group` type', 'group_type_index');
  if (kind !== 'group' && index !== undefined) throw new HedgerowError('invalid_input', '`group_type_index` can only set for `group` type', 'group_type_index');
  if (index !== undefined && !(index >= 0 && index < GROUP_TYPES_LIMIT)) throw new HedgerowError('invalid_input', 'Invalid value for `group_type_index`', 'group_type_index');
  return index;
}

/**
 * `/api/projects/:id/event_definitions/` and `/property_definitions/` (PostHog's taxonomy, filled by
 * ingestion; read-only here). Each read first writes what ingestion has buffered, so a client
 * sees the definitions of every event it has had acknowledged.
 */
export function definitionRoutes(ctx: ServerContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      app.get<{ Params: Params; Querystring: Query }>(`${prefix}/:project_id/event_definitions`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'event_definition:read');
        const q = request.query;
        const page = limitOffsetParams({ limit: one(q, 'limit'), offset: one(q, 'offset') });
        const query: EventDefinitionQuery = {
          search: one(q, 'search'),
          eventType: eventTypeParam(q),
          names: all(q, 'names').flatMap((v) => v.split(',').filter(Boolean)),
          excluded: jsonListParam(q, 'excluded_properties'),
          ordering: orderingParam(q),
          ...page,
        };
        await ctx.definitions.flush();
        const { count, results } = await listEventDefinitions(ctx.pg, project.id, query);
        return limitOffsetPage(request, { ...page, count, results });
      });

      app.get<{ Params: Params }>(`${prefix}/:project_id/event_definitions/:id`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'event_definition:read');
        await ctx.definitions.flush();
        const found = UUID.test(request.params.id) ? await eventDefinitionById(ctx.pg, project.id, request.params.id.toLowerCase()) : undefined;
        if (!found) throw new HedgerowError('not_found', 'Not found.');
        return found;
      });

      app.get<{ Params: Params; Querystring: Query }>(`${prefix}/:project_id/property_definitions`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'property_definition:read');
        const q = request.query;
        const page = limitOffsetParams({ limit: one(q, 'limit'), offset: one(q, 'offset') });
        const type = propertyKindParam(q);
        const groupTypeIndex = groupTypeIndexParam(q, type);
        const eventNames = jsonListParam(q, 'event_names');
        if (type !== 'event' && eventNames?.length) throw new HedgerowError('invalid_input', '`event_names` can only be set for `event` type', 'event_names');
        const properties = one(q, 'properties');
        const query = {
          type,
          groupTypeIndex,
          search: one(q, 'search'),
          names: properties ? properties.split(',') : undefined,
          numericalOnly: boolParam(q, 'is_numerical') === true,
          isFeatureFlag: boolParam(q, 'is_feature_flag'),
          eventNames,
          filterByEventNames: boolParam(q, 'filter_by_event_names'),
          excluded: jsonListParam(q, 'excluded_properties'),
          excludeCoreProperties: boolParam(q, 'exclude_core_properties') === true,
          ...page,
        };
        boolParam(q, 'exclude_hidden'); // validated only: nothing is hidden here
        await ctx.definitions.flush();
        const { count, results } = await listPropertyDefinitions(ctx.pg, project.id, query);
        return limitOffsetPage(request, { ...page, count, results });
      });

      app.get<{ Params: Params; Querystring: Query }>(`${prefix}/:project_id/property_definitions/seen_together`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'property_definition:read');
        const q = request.query;
        const eventNames = all(q, 'event_names');
        const property = one(q, 'property_name');
        if (eventNames.length === 0) throw new HedgerowError('invalid_input', 'event_names: This field is required.', 'event_names');
        if (!property) throw new HedgerowError('invalid_input', 'property_name: This field is required.', 'property_name');
        await ctx.definitions.flush();
        return seenTogether(ctx.pg, project.id, eventNames, property);
      });

      app.get<{ Params: Params }>(`${prefix}/:project_id/property_definitions/:id`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'property_definition:read');
        await ctx.definitions.flush();
        const found = UUID.test(request.params.id) ? await propertyDefinitionById(ctx.pg, project.id, request.params.id.toLowerCase()) : undefined;
        if (!found) throw new HedgerowError('not_found', 'Not found.');
        return found;
      });
    }
  };
}
