import Busboy from 'busboy';
import { parse as parseCsv } from 'csv-parse/sync';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cohortFiltersSchema, cohortQuerySchema, isCohortGroup, type Cohort, type CohortGroup } from '../../cohorts/cohort-types.js';
import { HedgerowError } from '../../errors.js';
import type { Project } from '../../metadata/projects.js';
import { PersonQueries } from '../../persons/person-queries.js';
import { actorsQuerySchema, runActorsQuery, type ActorsQuery } from '../../query/actors-query.js';
import { zodToHttp } from '../../query/validate.js';
import type { ServerContext } from '../context.js';
import { actorOf, jsonBody, requireProject } from '../auth.js';
import { limitOffsetPage, limitOffsetParams } from '../pagination.js';
import { queryContextBuilder } from './query.js';

const cohortBody = z.object({
  name: z.string().trim().max(400).optional(),
  description: z.string().max(10_000).optional(),
  filters: cohortFiltersSchema.nullish(),
  query: cohortQuerySchema.nullish(),
  is_static: z.boolean().optional(),
  deleted: z.boolean().optional(),
  /** PostHog: person uuids to put in a new static cohort. */
  _create_static_person_ids: z.array(z.string().uuid()).max(100_000).optional(),
});
type CohortBody = z.infer<typeof cohortBody>;

/** Most members a static cohort takes from one request (CSV aside): as `_create_static_person_ids`. */
const STATIC_MEMBERS_LIMIT = 100_000;

/** Largest CSV a static cohort accepts (PostHog has no documented limit; this keeps one request bounded). */
const CSV_LIMIT = 20 * 1024 * 1024;

function cohortType(c: Cohort): string {
  if (c.isStatic) return 'static';
  if (c.query) return 'analytical';
  const behavioral = (g: CohortGroup): boolean => g.values.some((v) => (isCohortGroup(v) ? behavioral(v) : v.type === 'behavioral'));
  return c.filters && behavioral(c.filters.properties) ? 'behavioral' : 'person_property';
}

/** PostHog's cohort fields (the ones Hedgerow has; the rest with PostHog's defaults). */
function serializeCohort(c: Cohort): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    groups: [],
    filters: c.filters,
    query: c.query,
    is_static: c.isStatic,
    is_calculating: c.isCalculating,
    last_calculation: c.lastCalculation,
    errors_calculating: c.errorsCalculating,
    last_error_message: c.lastError,
    count: c.count,
    created_by: null,
    created_at: c.createdAt,
    deleted: c.deleted,
    version: c.version,
    pending_version: c.pendingVersion,
    cohort_type: cohortType(c),
    experiment_set: [],
  };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw zodToHttp(parsed.error, 'body');
  return parsed.data;
}

/** A multipart body (PostHog's cohort form: fields plus a `csv` file), read from the raw bytes. */
function readMultipart(request: FastifyRequest): Promise<{ fields: Record<string, string>; csv?: Buffer }> {
  const raw = request.body;
  if (!Buffer.isBuffer(raw)) return Promise.reject(new HedgerowError('invalid_input', 'request body could not be read'));
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let csv: Buffer | undefined;
    let parser: Busboy.Busboy;
    try {
      parser = Busboy({ headers: request.headers, limits: { fileSize: CSV_LIMIT, files: 1, fields: 50 } });
    } catch (err) {
      reject(new HedgerowError('invalid_input', `multipart body could not be read: ${(err as Error).message}`));
      return;
    }
    parser.on('field', (name, value) => (fields[name] = value));
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      stream.on('limit', () => reject(new HedgerowError('payload_too_large', `the CSV file exceeds ${CSV_LIMIT} bytes`)));
      stream.on('end', () => {
        if (name === 'csv') csv = Buffer.concat(chunks);
      });
    });
    parser.on('error', (err: Error) => reject(new HedgerowError('invalid_input', `multipart body could not be read: ${err.message}`)));
    parser.on('close', () => resolve({ fields, csv }));
    parser.end(raw);
  });
}

/** A multipart form's text fields as the JSON body would have them (`filters`/`query` are JSON text, `is_static` a word). */
function formToBody(fields: Record<string, string>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'filters' || k === 'query') {
      try {
        body[k] = JSON.parse(v);
      } catch {
        throw new HedgerowError('invalid_input', `${k} must be JSON`, k);
      }
    } else if (k === 'is_static' || k === 'deleted') body[k] = v === 'true' || v === 'True' || v === '1';
    else body[k] = v;
  }
  return body;
}

/**
 * Identifiers from a static cohort CSV, as PostHog reads it: a header naming `person_id`/`distinct_id`/
 * `email` picks that column, otherwise every row's first cell is a distinct id (or uuid or email).
 */
export function identifiersFromCsv(csv: Buffer): string[] {
  let rows: string[][];
  try {
    rows = parseCsv(csv, { relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as string[][];
  } catch (err) {
    throw new HedgerowError('invalid_input', `the CSV file could not be parsed: ${(err as Error).message}`, 'csv');
  }
  if (rows.length === 0) return [];
  const header = rows[0]!.map((h) => h.toLowerCase());
  const named = ['person_id', 'distinct_id', 'email', 'distinct_ids'].map((n) => header.indexOf(n)).find((i) => i >= 0);
  const column = named ?? 0;
  return (named === undefined ? rows : rows.slice(1)).map((r) => r[column] ?? '').filter((v) => v !== '');
}

/** `/api/projects/:id/cohorts/`: PostHog's cohort CRUD, static cohorts (CSV / person ids) and members. */
export function cohortRoutes(ctx: ServerContext) {
  const store = ctx.cohorts;
  const calculator = ctx.cohortCalculator;
  const persons = new PersonQueries(ctx.pg);
  const queryContext = queryContextBuilder(ctx);

  async function readBody(request: FastifyRequest): Promise<{ body: Record<string, unknown>; csv?: Buffer }> {
    if (String(request.headers['content-type'] ?? '').startsWith('multipart/form-data')) {
      const { fields, csv } = await readMultipart(request);
      return { body: formToBody(fields), csv };
    }
    return { body: jsonBody(request) };
  }

  function checkDefinition(body: CohortBody, isStatic: boolean): void {
    if (isStatic && (body.filters || body.query)) throw new HedgerowError('invalid_input', 'A static cohort has members, not filters or a query.', body.filters ? 'filters' : 'query');
    if (!isStatic && body.filters && body.query) throw new HedgerowError('invalid_input', 'A cohort is defined by filters or by a query, not both.', 'query');
  }

  /**
   * PostHog's "Save as cohort" from an insight's persons: a static cohort created with an
   * ActorsQuery (usually with an InsightActorsQuery source) is filled once, now, with the persons
   * the query returns. Taken out of the body before validation: stored cohort queries are HogQL.
   */
  function takeActorsQuery(raw: Record<string, unknown>): ActorsQuery | undefined {
    const query = raw.query as { kind?: unknown } | null | undefined;
    if (raw.is_static !== true || !query || query.kind !== 'ActorsQuery') return undefined;
    delete raw.query;
    const parsed = actorsQuerySchema.safeParse(query);
    if (!parsed.success) throw zodToHttp(parsed.error, 'query');
    return parsed.data;
  }

  async function personsOfQuery(project: Project, query: ActorsQuery): Promise<string[]> {
    const qc = await queryContext(project);
    const ids: string[] = [];
    const page = 50_000;
    for (let offset = 0; ; offset += page) {
      const result = await runActorsQuery({ ...query, select: ['id'], search: query.search, orderBy: ['id'], limit: page, offset }, qc);
      ids.push(...result.results.map((r) => String(r[0])));
      if (ids.length > STATIC_MEMBERS_LIMIT) throw new HedgerowError('invalid_input', `The query returns more than ${STATIC_MEMBERS_LIMIT} persons; narrow it to save them as a static cohort.`, 'query');
      if (!result.hasMore) return ids;
    }
  }

  async function addFromCsv(cohort: Cohort, csv: Buffer): Promise<Cohort> {
    const ids = await persons.uuidsForIdentifiers(cohort.teamId, identifiersFromCsv(csv));
    return (await store.setCount(cohort.teamId, cohort.id, await calculator.addStaticMembers(cohort, ids)))!;
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      const base = `${prefix}/:project_id/cohorts`;
      type Params = { project_id: string; id: string };
      const cohortId = (raw: string) => {
        if (!/^\d{1,9}$/.test(raw)) throw new HedgerowError('invalid_input', `cohort id must be a number, got "${raw.slice(0, 40)}"`, 'id');
        return Number(raw);
      };
      async function find(request: FastifyRequest<{ Params: Params }>, scope: string): Promise<Cohort> {
        const project = await requireProject(ctx, request, request.params.project_id, scope);
        const cohort = await store.get(project.id, cohortId(request.params.id));
        if (!cohort || cohort.deleted) throw new HedgerowError('not_found', 'Cohort not found.');
        return cohort;
      }

      app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>(base, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'cohort:read');
        const { limit, offset } = limitOffsetParams(request.query);
        const all = await store.list(project.id);
        return limitOffsetPage(request, { limit, offset, count: all.length, results: all.slice(offset, offset + limit).map(serializeCohort) });
      });

      app.get<{ Params: Params }>(`${base}/:id`, async (request) => serializeCohort(await find(request, 'cohort:read')));

      app.post<{ Params: Params }>(base, { bodyLimit: CSV_LIMIT + 1024 * 1024 }, async (request, reply) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'cohort:write');
        const { body: raw, csv } = await readBody(request);
        const fromQuery = takeActorsQuery(raw);
        const body = parse(cohortBody, raw);
        const isStatic = body.is_static ?? (csv !== undefined || body._create_static_person_ids !== undefined);
        // Run before the cohort exists, so a bad query is a 400 and leaves nothing behind.
        const queried = fromQuery && (await personsOfQuery(project, fromQuery));
        checkDefinition(body, isStatic);
        if (!isStatic && !body.filters && !body.query) throw new HedgerowError('invalid_input', 'A dynamic cohort needs filters or a query.', 'filters');
        const draft = { name: body.name ?? '', description: body.description ?? '', filters: body.filters ?? null, query: body.query ?? null, isStatic };
        if (!isStatic) {
          // Compile before saving, so a bad definition is a 400 now rather than a failed background job.
          await calculator.validate({ ...unsaved(project.id), ...draft });
        }
        let cohort = await store.create(project.id, { ...draft, createdBy: actorOf(request).userId });
        if (isStatic) {
          if (csv) cohort = await addFromCsv(cohort, csv);
          if (body._create_static_person_ids) {
            const ids = await persons.uuidsForIdentifiers(project.id, body._create_static_person_ids);
            cohort = (await store.setCount(project.id, cohort.id, await calculator.addStaticMembers(cohort, ids)))!;
          }
          if (queried) cohort = (await store.setCount(project.id, cohort.id, await calculator.addStaticMembers(cohort, queried)))!;
          if (!csv && !body._create_static_person_ids && !queried) cohort = (await store.setCount(project.id, cohort.id, 0))!;
        } else {
          void calculator.recalculate(cohort);
          // The calculation has started (or is queued): say so, as PostHog does, before its version is claimed.
          cohort = { ...cohort, isCalculating: true };
        }
        return reply.status(201).send(serializeCohort(cohort));
      });

      app.patch<{ Params: Params }>(`${base}/:id`, { bodyLimit: CSV_LIMIT + 1024 * 1024 }, async (request) => {
        let cohort = await find(request, 'cohort:write');
        const { body: raw, csv } = await readBody(request);
        const body = parse(cohortBody, raw);
        if (body.is_static !== undefined && body.is_static !== cohort.isStatic) throw new HedgerowError('invalid_input', 'is_static cannot be changed after creation.', 'is_static');
        checkDefinition(body, cohort.isStatic);
        const definitionChanged = body.filters !== undefined || body.query !== undefined;
        if (definitionChanged && !cohort.isStatic) {
          const filters = body.filters !== undefined ? body.filters : cohort.filters;
          const query = body.query !== undefined ? body.query : cohort.query;
          if (!filters && !query) throw new HedgerowError('invalid_input', 'A dynamic cohort needs filters or a query.', 'filters');
          await calculator.validate({ ...cohort, filters: filters ?? null, query: query ?? null });
        }
        cohort = (await store.update(cohort.teamId, cohort.id, { name: body.name, description: body.description, filters: body.filters, query: body.query, deleted: body.deleted }))!;
        if (cohort.isStatic && csv) cohort = await addFromCsv(cohort, csv);
        if (definitionChanged && !cohort.isStatic && !cohort.deleted) {
          void calculator.recalculate(cohort);
          cohort = { ...cohort, isCalculating: true };
        }
        return serializeCohort(cohort);
      });

      app.delete<{ Params: Params }>(`${base}/:id`, async (request) => {
        await find(request, 'cohort:write');
        throw new HedgerowError('method_not_allowed', 'DELETE is not allowed on cohorts: soft-delete with PATCH {"deleted": true}.');
      });

      app.patch<{ Params: Params }>(`${base}/:id/add_persons_to_static_cohort`, async (request) => {
        const cohort = await find(request, 'cohort:write');
        if (!cohort.isStatic) throw new HedgerowError('invalid_input', 'Only static cohorts have people added to them.');
        const body = parse(z.object({ person_ids: z.array(z.string().uuid()).min(1).max(100_000) }), jsonBody(request));
        const ids = await persons.uuidsForIdentifiers(cohort.teamId, body.person_ids);
        return serializeCohort((await store.setCount(cohort.teamId, cohort.id, await calculator.addStaticMembers(cohort, ids)))!);
      });

      app.patch<{ Params: Params }>(`${base}/:id/remove_person_from_static_cohort`, async (request) => {
        const cohort = await find(request, 'cohort:write');
        if (!cohort.isStatic) throw new HedgerowError('invalid_input', 'Only static cohorts have people removed from them.');
        const body = parse(z.object({ person_id: z.string().uuid() }), jsonBody(request));
        return serializeCohort((await store.setCount(cohort.teamId, cohort.id, await calculator.removeStaticMember(cohort, body.person_id)))!);
      });

      app.get<{ Params: Params; Querystring: Record<string, string | undefined> }>(`${base}/:id/persons`, async (request) => {
        const cohort = await find(request, 'cohort:read');
        await requireProject(ctx, request, request.params.project_id, 'person:read');
        const { limit, offset } = limitOffsetParams(request.query);
        const page = await calculator.memberPage(cohort, limit, offset);
        const people = await persons.byUuids(cohort.teamId, page.ids);
        const results = page.ids.map((id) => people.get(id)).filter((p) => p !== undefined);
        return limitOffsetPage(request, { limit, offset, count: page.total, results });
      });

      app.post<{ Params: Params }>(`${base}/:id/duplicate_as_static_cohort`, async (request, reply) => {
        const source = await find(request, 'cohort:write');
        let cohort = await store.create(source.teamId, { name: `${source.name} (static copy)`, description: source.description, isStatic: true, createdBy: actorOf(request).userId });
        const members = [...(await calculator.memberIds(source))];
        cohort = (await store.setCount(cohort.teamId, cohort.id, await calculator.addStaticMembers(cohort, members)))!;
        return reply.status(201).send(serializeCohort(cohort));
      });
    }
  };

  /** A not-yet-saved cohort to validate a definition with (negative id: refers to no stored cohort). */
  function unsaved(teamId: number): Cohort {
    const now = new Date().toISOString();
    return {
      id: -1,
      teamId,
      name: '',
      description: '',
      filters: null,
      query: null,
      isStatic: false,
      deleted: false,
      version: null,
      pendingVersion: 0,
      isCalculating: false,
      lastCalculation: null,
      errorsCalculating: 0,
      lastError: null,
      count: null,
      createdBy: null,
      createdAt: now,
      updatedAt: now,
    };
  }
}
