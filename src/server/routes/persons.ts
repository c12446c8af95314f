import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { HedgerowError } from '../../errors.js';
import { PersonQueries, SUPPORTED_PERSON_OPERATORS, type PersonPropertyFilter } from '../../persons/person-queries.js';
import { applyPersonUpdate } from '../../persons/property-updates.js';
import type { ServerContext } from '../context.js';
import { jsonBody, requireProject } from '../auth.js';
import { decodeCursor, jsonParam, limitParam, nextUrl } from '../pagination.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const filterSchema = z.array(
  z.object({
    key: z.string().min(1),
    value: z.unknown().optional(),
    operator: z.enum(SUPPORTED_PERSON_OPERATORS as [string, ...string[]]).optional(),
    type: z.string().optional(),
  }),
);
const cursorSchema = z.object({ c: z.string(), u: z.string().regex(UUID) });

function parseFilters(raw: string | undefined): PersonPropertyFilter[] {
  return jsonParam(raw, filterSchema, 'properties', 'a JSON array of {key, value, operator}') ?? [];
}

type Params = { project_id: string; uuid: string };
type Query = Record<string, string | undefined>;

/** `/api/projects/:id/persons/`: list, search, detail, property updates, delete. */
export function personRoutes(ctx: ServerContext) {
  const queries = new PersonQueries(ctx.pg);

  /** The cached person, current when this returns: changes made right after it cannot be lost to a cache eviction. */
  async function personFor(teamId: number, uuid: string) {
    if (!UUID.test(uuid)) throw new HedgerowError('not_found', `Person ${uuid} not found.`);
    for (;;) {
      const person = await ctx.persons.findPerson(teamId, uuid.toLowerCase());
      if (!person) throw new HedgerowError('not_found', `Person ${uuid} not found.`);
      if (ctx.persons.isCached(person)) return person;
    }
  }

  /** Applies a change to a person through the ingestion state, then waits until it is durable. */
  async function changeProperties(teamId: number, uuid: string, update: { set?: Record<string, unknown>; unset?: string[] }) {
    const person = await personFor(teamId, uuid);
    if (applyPersonUpdate(person.properties, { set: update.set ?? {}, setOnce: {}, unset: update.unset ?? [] })) ctx.persons.touch(person);
    if (update.set) ctx.definitions.observePersonProperties(teamId, update.set);
    await ctx.writer.barrier();
    return (await queries.byUuids(teamId, [person.uuid])).get(person.uuid)!;
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      app.get<{ Params: Params; Querystring: Query }>(`${prefix}/:project_id/persons`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'person:read');
        const q = request.query;
        if (q.distinct_id !== undefined) {
          const person = await queries.byDistinctId(project.id, q.distinct_id);
          return { results: person ? [person] : [], next: null, previous: null };
        }
        const limit = limitParam(q.limit);
        const c = q.cursor ? decodeCursor(q.cursor, cursorSchema) : undefined;
        const cursor = c ? { createdAt: c.c, uuid: c.u } : undefined;
        let members: string[] | undefined;
        if (q.cohort !== undefined && q.cohort !== '') {
          // PostHog's `?cohort=<id>`: only the cohort's current members.
          const cohort = /^\d{1,9}$/.test(q.cohort) ? await ctx.cohorts.get(project.id, Number(q.cohort)) : undefined;
          if (!cohort || cohort.deleted) throw new HedgerowError('invalid_input', `cohort ${JSON.stringify(q.cohort.slice(0, 40))} does not exist in this project`, 'cohort');
          members = [...(await ctx.cohortCalculator.memberIds(cohort))];
        }
        const rows = await queries.list(project.id, { search: q.search || undefined, filters: parseFilters(q.properties), limit: limit + 1, cursor, uuids: members });
        const page = rows.slice(0, limit);
        const last = page[page.length - 1];
        const next = rows.length > limit && last ? nextUrl(request, { c: last.created_at, u: last.uuid }) : null;
        return { results: page, next, previous: null };
      });

      app.get<{ Params: Params }>(`${prefix}/:project_id/persons/:uuid`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'person:read');
        const person = await personFor(project.id, request.params.uuid);
        return (await queries.byUuids(project.id, [person.uuid])).get(person.uuid) ?? Promise.reject(new HedgerowError('not_found', 'Person not found.'));
      });

      app.patch<{ Params: Params }>(`${prefix}/:project_id/persons/:uuid`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'person:write');
        const body = z.object({ properties: z.record(z.string(), z.unknown()) }).safeParse(jsonBody(request));
        if (!body.success) throw new HedgerowError('invalid_input', 'body must be {"properties": {...}}', 'properties');
        return changeProperties(project.id, request.params.uuid, { set: body.data.properties });
      });

      app.post<{ Params: Params }>(`${prefix}/:project_id/persons/:uuid/update_property`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'person:write');
        const body = z.object({ key: z.string().min(1), value: z.unknown() }).safeParse(jsonBody(request));
        if (!body.success || !('value' in body.data)) throw new HedgerowError('invalid_input', 'body must be {"key": "...", "value": ...}', 'key');
        return changeProperties(project.id, request.params.uuid, { set: { [body.data.key]: body.data.value } });
      });

      app.post<{ Params: Params }>(`${prefix}/:project_id/persons/:uuid/delete_property`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'person:write');
        const body = z.object({ $unset: z.string().min(1) }).safeParse(jsonBody(request));
        if (!body.success) throw new HedgerowError('invalid_input', 'body must be {"$unset": "<key>"}', '$unset');
        return changeProperties(project.id, request.params.uuid, { unset: [body.data.$unset] });
      });

      app.delete<{ Params: Params; Querystring: Query }>(`${prefix}/:project_id/persons/:uuid`, async (request, reply) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'person:write');
        const person = await personFor(project.id, request.params.uuid);
        const distinctIds = [...person.distinctIds];
        ctx.persons.deletePerson(person, { forgetDistinctIds: true });
        await ctx.writer.barrier();
        if (request.query.delete_events === 'true' || request.query.delete_events === '1') {
          // Lightweight delete: rows disappear from reads at once; parts are rewritten in the background.
          await ctx.ch.exec('DELETE FROM events WHERE team_id = {team:Int64} AND distinct_id IN {ids:Array(String)}', { team: project.id, ids: distinctIds });
        }
        return reply.status(204).send();
      });
    }
  };
}
