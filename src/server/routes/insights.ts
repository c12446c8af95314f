import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HedgerowError } from '../../errors.js';
import { DashboardStore } from '../../insights/dashboard-store.js';
import {
  type DashboardFilters,
  dashboardFiltersSchema,
  InsightCache,
  type InsightResult,
  parseRefresh,
  type RefreshMode,
  validateInsightQuery,
} from '../../insights/insight-cache.js';
import { type InsightInput, type InsightListFilter, type InsightRow, InsightStore, type TileRef, type UserBasic } from '../../insights/insight-store.js';
import type { Project } from '../../metadata/projects.js';
import { zodToHttp } from '../../query/validate.js';
import type { ServerContext } from '../context.js';
import { actorOf, jsonBody, requireProject } from '../auth.js';
import { jsonParam, limitOffsetPage, limitOffsetParams } from '../pagination.js';
import { queryContextBuilder } from './query.js';
import { basicUsers } from '../../metadata/user-basic.js';

/** PostHog's `tagify`: trimmed, lower-cased, unique. */
export function tagify(tags: string[]): string[] {
  return [...new Set(tags.map((t) => t.trim().toLowerCase()).filter(Boolean))];
}

const tagsSchema = z.array(z.string().max(255)).max(100);

const insightBodySchema = z.object({
  name: z.string().max(400).nullish(),
  derived_name: z.string().max(400).nullish(),
  description: z.string().max(400).nullish(),
  query: z.unknown().optional(),
  filters: z.record(z.string(), z.unknown()).nullish(),
  tags: tagsSchema.optional(),
  favorited: z.boolean().optional(),
  saved: z.boolean().optional(),
  deleted: z.boolean().optional(),
  order: z.number().int().min(-2_147_483_648).max(2_147_483_647).nullish(),
  dashboards: z.array(z.number().int().min(1).max(2_147_483_647)).max(1000).optional(),
});

const BOOL: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };
function boolParam(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  const v = BOOL[raw.toLowerCase()];
  if (v === undefined) throw new HedgerowError('invalid_input', `${name} must be true or false`, name);
  return v;
}

/** Numeric ids only; anything else cannot name a row. */
export function idParam(raw: string, what: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new HedgerowError('not_found', `${what} ${raw.slice(0, 40)} not found.`);
  return Number(raw);
}

const ORDERS = ['last_modified_at', '-last_modified_at', 'created_at', '-created_at', 'name', '-name', 'last_viewed_at', '-last_viewed_at', 'order', '-order'] as const;

/** Everything the insight and dashboard routes share: stores, cache, and PostHog's insight serializer. */
export class InsightService {
  readonly insights: InsightStore;
  readonly dashboards: DashboardStore;
  readonly cache: InsightCache;

  constructor(readonly ctx: ServerContext) {
    this.insights = new InsightStore(ctx.pg);
    this.dashboards = new DashboardStore(ctx.pg);
    this.cache = new InsightCache(ctx.pg, queryContextBuilder(ctx));
  }

  /** Validated writable fields of an insight body (POST or PATCH). */
  parseBody(body: Record<string, unknown>): InsightInput & { dashboards?: number[] } {
    const parsed = insightBodySchema.safeParse(body);
    if (!parsed.success) throw zodToHttp(parsed.error, 'body');
    const b = parsed.data;
    const out: InsightInput & { dashboards?: number[] } = {};
    if (b.name !== undefined) out.name = b.name;
    if (b.derived_name !== undefined) out.derived_name = b.derived_name;
    if (b.description !== undefined) out.description = b.description;
    if (b.query !== undefined) out.query = b.query === null ? null : validateInsightQuery(b.query);
    if (b.filters && Object.keys(b.filters).length > 0 && !out.query) {
      throw new HedgerowError('invalid_input', 'legacy insight filters are not supported: send the insight as a query node in "query"', 'filters');
    }
    if (b.tags !== undefined) out.tags = tagify(b.tags);
    if (b.favorited !== undefined) out.favorited = b.favorited;
    if (b.saved !== undefined) out.saved = b.saved;
    if (b.deleted !== undefined) out.deleted = b.deleted;
    if (b.order !== undefined) out.order = b.order;
    if (b.dashboards !== undefined) out.dashboards = [...new Set(b.dashboards)];
    return out;
  }

  async checkDashboards(teamId: number, ids: number[] | undefined): Promise<void> {
    if (!ids?.length) return;
    const found = await this.dashboards.existing(teamId, ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) throw new HedgerowError('invalid_input', `Dashboard ${missing.join(', ')} not found in this project.`, 'dashboards');
  }

  /**
   * PostHog's insight representation. `mode` decides whether results are computed or read from the
   * cache; `filters` are dashboard filters applied to the query (a tile, `from_dashboard`, `filters_override`).
   */
  async serialize(
    project: Project,
    rows: InsightRow[],
    mode: RefreshMode,
    /** `basic`: no result at all (PostHog's `basic=true` list: nothing is read from the cache or computed). */
    opts: { filters?: DashboardFilters | null; swallowErrors?: boolean; basic?: boolean } = {},
  ): Promise<Record<string, unknown>[]> {
    const [tiles, users] = await Promise.all([this.insights.tilesOf(project.id, rows.map((r) => r.id)), basicUsers(this.ctx.pg, rows.flatMap((r) => [r.created_by, r.last_modified_by]))]);
    const out: Record<string, unknown>[] = [];
    for (const row of rows) {
      if (opts.basic) {
        out.push(insightMeta(row, tiles.get(row.id) ?? [], users));
        continue;
      }
      let result: InsightResult;
      let error: Record<string, unknown> | null = null;
      try {
        result = await this.cache.resultFor(project, row, mode, opts.filters);
      } catch (err) {
        if (!opts.swallowErrors || !(err instanceof HedgerowError) || err.status >= 500) throw err;
        result = await this.cache.resultFor(project, row, 'force_cache', opts.filters);
        error = { error: true, error_message: err.message, code: err.code };
      }
      out.push(insightJson(row, result, tiles.get(row.id) ?? [], users, error));
    }
    return out;
  }
}

function iso(d: Date | null): string | null {
  return d ? new Date(d).toISOString() : null;
}

/** An insight's own fields (PostHog's basic serializer: no result). */
function insightMeta(row: InsightRow, tiles: TileRef[], users: Map<number, UserBasic>): Record<string, unknown> {
  return {
    id: row.id,
    short_id: row.short_id,
    name: row.name,
    derived_name: row.derived_name,
    query: row.query,
    filters: row.filters ?? {},
    order: row.order,
    deleted: row.deleted,
    dashboards: [...new Set(tiles.map((t) => t.dashboard_id))],
    dashboard_tiles: tiles,
    created_at: iso(row.created_at),
    created_by: row.created_by === null ? null : (users.get(row.created_by) ?? null),
    description: row.description,
    updated_at: iso(row.last_modified_at),
    tags: row.tags,
    favorited: row.favorited,
    saved: row.saved,
    last_modified_at: iso(row.last_modified_at),
    last_modified_by: row.last_modified_by === null ? null : (users.get(row.last_modified_by) ?? null),
    last_viewed_at: iso(row.last_viewed_at),
    is_sample: false,
    effective_restriction_level: 21,
    effective_privilege_level: 37,
    user_access_level: 'editor',
    alerts: [],
  };
}

function insightJson(row: InsightRow, result: InsightResult, tiles: TileRef[], users: Map<number, UserBasic>, error: Record<string, unknown> | null): Record<string, unknown> {
  return {
    ...insightMeta(row, tiles, users),
    last_refresh: result.last_refresh,
    cache_target_age: result.cache_target_age,
    next_allowed_client_refresh: result.next_allowed_client_refresh,
    result: result.result,
    hasMore: result.hasMore,
    columns: result.columns,
    types: result.types,
    hogql: result.hogql,
    resolved_date_range: result.resolved_date_range,
    is_cached: result.is_cached,
    cache_key: result.cache_key,
    query_status: error ? { complete: true, ...error } : result.query_status,
    timezone: result.timezone,
  };
}

type Params = { project_id: string; id: string };
type Query = Record<string, string | undefined>;

/** `/api/projects/:id/insights/` (and `/api/environments/…`): PostHog's saved insights. */
export function insightRoutes(ctx: ServerContext, service = new InsightService(ctx)) {
  async function filtersFor(project: Project, q: Query): Promise<DashboardFilters | null> {
    let filters: DashboardFilters | null = null;
    if (q.from_dashboard !== undefined && q.from_dashboard !== '') {
      const dashboard = await service.dashboards.find(project.id, idParam(q.from_dashboard, 'Dashboard'));
      if (!dashboard) throw new HedgerowError('invalid_input', `Dashboard ${q.from_dashboard} not found in this project.`, 'from_dashboard');
      filters = dashboard.filters as DashboardFilters;
    }
    const override = jsonParam(q.filters_override, dashboardFiltersSchema, 'filters_override', 'a JSON object of dashboard filters');
    if (override) filters = { ...(filters ?? {}), ...override };
    return filters;
  }

  async function load(project: Project, raw: string, includeDeleted = false): Promise<InsightRow> {
    const row = await service.insights.find(project.id, idParam(raw, 'Insight'), { includeDeleted });
    if (!row) throw new HedgerowError('not_found', `Insight ${raw} not found.`);
    return row;
  }

  async function one(project: Project, row: InsightRow, mode: RefreshMode, filters?: DashboardFilters | null) {
    return (await service.serialize(project, [row], mode, { filters }))[0]!;
  }

  async function update(request: FastifyRequest<{ Params: Params; Querystring: Query }>) {
    const project = await requireProject(ctx, request, request.params.project_id, 'insight:write');
    const actor = actorOf(request);
    const existing = await load(project, request.params.id, true);
    const input = service.parseBody(jsonBody(request));
    await service.checkDashboards(project.id, input.dashboards);
    const { dashboards, ...fields } = input;
    const queryChanged = fields.query !== undefined && JSON.stringify(fields.query) !== JSON.stringify(existing.query);
    const row = await service.insights.transaction(async (tx) => {
      const updated = await service.insights.update(project.id, existing.id, actor.userId, fields, tx);
      if (dashboards) await service.insights.setDashboards(tx, project.id, existing.id, dashboards);
      return updated;
    });
    if (!row) throw new HedgerowError('not_found', `Insight ${request.params.id} not found.`);
    if (queryChanged) await service.cache.invalidate(project.id, row.id);
    return one(project, row, parseRefresh(request.query.refresh, 'force_cache'));
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      const base = `${prefix}/:project_id/insights`;

      app.get<{ Params: Params; Querystring: Query }>(base, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'insight:read');
        const q = request.query;
        const { limit, offset } = limitOffsetParams(q);
        const order = (q.order || '-last_modified_at') as InsightListFilter['order'];
        if (!ORDERS.includes(order)) throw new HedgerowError('invalid_input', `order must be one of ${ORDERS.join(', ')}`, 'order');
        const dashboards = jsonParam(q.dashboards, z.array(z.number().int().min(1).max(2_147_483_647)).max(100), 'dashboards', 'a JSON array of dashboard ids');
        const tags = jsonParam(q.tags, tagsSchema, 'tags', 'a JSON array of tag names');
        let createdBy: number | undefined;
        if (q.created_by !== undefined && q.created_by !== '') {
          if (!/^\d{1,9}$/.test(q.created_by)) throw new HedgerowError('invalid_input', 'created_by must be a user id', 'created_by');
          createdBy = Number(q.created_by);
        }
        const filter: InsightListFilter = {
          saved: boolParam('saved', q.saved),
          favorited: boolParam('favorited', q.favorited),
          search: q.search || undefined,
          shortId: q.short_id || undefined,
          dashboards,
          createdBy,
          kind: q.kind || undefined,
          tags: tags ? tagify(tags) : undefined,
          order,
          limit: Math.min(limit, 1000),
          offset,
        };
        const { count, rows } = await service.insights.list(project.id, filter);
        // Lists never compute (PostHog's default too): cached results only, unless asked.
        const basic = boolParam('basic', q.basic) === true;
        const results = await service.serialize(project, rows, parseRefresh(q.refresh, 'force_cache'), { swallowErrors: true, basic });
        return limitOffsetPage(request, { limit: filter.limit, offset, count, results });
      });

      app.post<{ Params: Params; Querystring: Query }>(base, async (request, reply) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'insight:write');
        const actor = actorOf(request);
        const { dashboards, ...fields } = service.parseBody(jsonBody(request));
        await service.checkDashboards(project.id, dashboards);
        let row = await service.insights.create(project.id, actor.userId, fields);
        if (dashboards?.length) {
          await service.insights.transaction((tx) => service.insights.setDashboards(tx, project.id, row.id, dashboards));
          row = (await service.insights.find(project.id, row.id, { includeDeleted: true }))!;
        }
        return reply.status(201).send(await one(project, row, parseRefresh(request.query.refresh, 'force_cache')));
      });

      app.get<{ Params: Params; Querystring: Query }>(`${base}/:id`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'insight:read');
        const row = await load(project, request.params.id);
        const mode = parseRefresh(request.query.refresh, 'blocking');
        return one(project, row, mode, await filtersFor(project, request.query));
      });

      app.patch<{ Params: Params; Querystring: Query }>(`${base}/:id`, update);
      app.put<{ Params: Params; Querystring: Query }>(`${base}/:id`, update);

      app.delete<{ Params: Params }>(`${base}/:id`, async (request) => {
        await requireProject(ctx, request, request.params.project_id, 'insight:write');
        throw new HedgerowError('method_not_allowed', 'DELETE is not allowed on insights: soft-delete with PATCH {"deleted": true}.');
      });

      app.post<{ Params: Params }>(`${base}/:id/viewed`, async (request, reply) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'insight:read');
        const row = await load(project, request.params.id);
        await service.insights.markViewed(project.id, row.id);
        return reply.status(201).send();
      });
    }
  };
}
