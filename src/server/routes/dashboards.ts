import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HedgerowError } from '../../errors.js';
import type { DashboardInput, DashboardRow, TileChange, TileRow } from '../../insights/dashboard-store.js';
import { type DashboardFilters, dashboardFiltersSchema, parseRefresh, type RefreshMode } from '../../insights/insight-cache.js';
import type { Project } from '../../metadata/projects.js';
import { zodToHttp } from '../../query/validate.js';
import type { ServerContext } from '../context.js';
import { actorOf, jsonBody, requireProject } from '../auth.js';
import { limitOffsetPage, limitOffsetParams } from '../pagination.js';
import { idParam, InsightService, tagify } from './insights.js';
import { basicUsers } from '../../metadata/user-basic.js';

const layoutSchema = z.object({
  x: z.number().int().min(0).max(10_000).optional(),
  y: z.number().int().min(0).max(1_000_000).optional(),
  w: z.number().int().min(1).max(10_000).optional(),
  h: z.number().int().min(1).max(10_000).optional(),
  minW: z.number().int().min(0).max(10_000).optional(),
  minH: z.number().int().min(0).max(10_000).optional(),
  moved: z.boolean().optional(),
  static: z.boolean().optional(),
});

const tileSchema = z.object({
  id: z.number().int().min(1).max(2_147_483_647).optional(),
  layouts: z.partialRecord(z.enum(['sm', 'xs', 'md', 'lg', 'xl']), layoutSchema).optional(),
  color: z.string().max(400).nullish(),
  show_description: z.boolean().nullish(),
  text: z.object({ body: z.string().max(4000) }).passthrough().nullish(),
  deleted: z.boolean().optional(),
  insight: z.unknown().optional(),
});

const dashboardBodySchema = z.object({
  name: z.string().max(400).nullish(),
  description: z.string().max(10_000).nullish(),
  pinned: z.boolean().optional(),
  filters: dashboardFiltersSchema.nullish(),
  variables: z.record(z.string(), z.unknown()).nullish(),
  tags: z.array(z.string().max(255)).max(100).optional(),
  deleted: z.boolean().optional(),
  restriction_level: z.union([z.literal(21), z.literal(37)]).optional(),
  tiles: z.array(tileSchema).max(1000).optional(),
  use_template: z.string().nullish(),
  use_dashboard: z.number().int().nullish(),
});

function parseBody(body: Record<string, unknown>): DashboardInput & { tiles?: TileChange[] } {
  const parsed = dashboardBodySchema.safeParse(body);
  if (!parsed.success) throw zodToHttp(parsed.error, 'body');
  const b = parsed.data;
  if (b.use_template) throw new HedgerowError('invalid_input', 'dashboard templates are not supported', 'use_template');
  if (b.use_dashboard) throw new HedgerowError('invalid_input', 'duplicating dashboards (use_dashboard) is not supported', 'use_dashboard');
  const out: DashboardInput & { tiles?: TileChange[] } = {};
  if (b.name !== undefined) out.name = b.name;
  if (b.description !== undefined) out.description = b.description;
  if (b.pinned !== undefined) out.pinned = b.pinned;
  if (b.filters !== undefined) out.filters = stripNulls(b.filters ?? {});
  if (b.variables !== undefined) out.variables = b.variables ?? {};
  if (b.tags !== undefined) out.tags = tagify(b.tags);
  if (b.deleted !== undefined) out.deleted = b.deleted;
  if (b.restriction_level !== undefined) out.restriction_level = b.restriction_level;
  if (b.tiles !== undefined) out.tiles = b.tiles.map(({ insight: _insight, ...t }) => t as TileChange);
  return out;
}

function stripNulls(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));
}

function iso(d: Date | null): string | null {
  return d ? new Date(d).toISOString() : null;
}

type Params = { project_id: string; id: string };
type Query = Record<string, string | undefined>;

/** `/api/projects/:id/dashboards/` (and `/api/environments/…`): dashboards with insight and text tiles. */
export function dashboardRoutes(ctx: ServerContext, service = new InsightService(ctx)) {
  async function basic(rows: DashboardRow[]): Promise<Record<string, unknown>[]> {
    const users = await basicUsers(ctx.pg, rows.map((r) => r.created_by));
    return rows.map((d) => ({
      id: d.id,
      name: d.name,
      description: d.description,
      pinned: d.pinned,
      created_at: iso(d.created_at),
      created_by: d.created_by === null ? null : (users.get(d.created_by) ?? null),
      last_accessed_at: iso(d.last_accessed_at),
      last_viewed_at: null,
      is_shared: false,
      deleted: d.deleted,
      creation_mode: d.creation_mode,
      tags: d.tags,
      restriction_level: d.restriction_level,
      effective_restriction_level: d.restriction_level,
      effective_privilege_level: 37,
      user_access_level: 'editor',
      access_control_version: 'v2',
      last_refresh: null as string | null,
      team_id: d.team_id,
    }));
  }

  /** The full dashboard: filters, variables and tiles, each insight with its result under the dashboard's filters. */
  async function full(project: Project, d: DashboardRow, mode: RefreshMode): Promise<Record<string, unknown>> {
    const [head] = await basic([d]);
    const tiles = await service.dashboards.tiles(d.id);
    const insightRows = await service.insights.findMany(project.id, tiles.flatMap((t) => (t.insight_id === null ? [] : [t.insight_id])));
    const filters = d.filters as DashboardFilters;
    const out: Record<string, unknown>[] = [];
    let lastRefresh: string | null = null;
    for (const t of tiles) {
      const row = t.insight_id === null ? undefined : insightRows.get(t.insight_id);
      const insight = row ? (await service.serialize(project, [row], mode, { filters, swallowErrors: true }))[0]! : null;
      const tileRefresh = (insight?.last_refresh as string | null | undefined) ?? null;
      if (tileRefresh && (lastRefresh === null || tileRefresh < lastRefresh)) lastRefresh = tileRefresh;
      out.push(tileJson(t, insight));
    }
    return { ...head, last_refresh: lastRefresh, filters: d.filters, persisted_filters: d.filters, variables: d.variables, persisted_variables: d.variables, breakdown_colors: [], data_color_theme_id: null, tiles: out };
  }

  function tileJson(t: TileRow, insight: Record<string, unknown> | null): Record<string, unknown> {
    return {
      id: t.id,
      layouts: t.layouts ?? {},
      color: t.color,
      insight,
      text: t.text ? { id: t.id, body: t.text.body, last_modified_at: iso(t.last_modified_at) } : null,
      show_description: t.show_description,
      filters_overrides: null,
      deleted: false,
      is_cached: insight ? insight.is_cached : null,
      last_refresh: insight ? insight.last_refresh : null,
      order: null,
    };
  }

  async function load(project: Project, raw: string, includeDeleted = false): Promise<DashboardRow> {
    const row = await service.dashboards.find(project.id, idParam(raw, 'Dashboard'), { includeDeleted });
    if (!row) throw new HedgerowError('not_found', `Dashboard ${raw} not found.`);
    return row;
  }

  async function update(request: FastifyRequest<{ Params: Params; Querystring: Query }>) {
    const project = await requireProject(ctx, request, request.params.project_id, 'dashboard:write');
    const existing = await load(project, request.params.id, true);
    const { tiles, ...fields } = parseBody(jsonBody(request));
    const row = await service.dashboards.transaction(async (tx) => {
      const updated = await service.dashboards.update(tx, project.id, existing.id, fields);
      if (tiles?.length) {
        const { unknownTile } = await service.dashboards.applyTileChanges(tx, existing.id, tiles);
        if (unknownTile !== undefined) throw new HedgerowError('invalid_input', `Tile ${unknownTile} is not on dashboard ${existing.id}.`, 'tiles');
      }
      return updated;
    });
    if (!row) throw new HedgerowError('not_found', `Dashboard ${request.params.id} not found.`);
    return full(project, row, parseRefresh(request.query.refresh, 'force_cache'));
  }

  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      const base = `${prefix}/:project_id/dashboards`;

      app.get<{ Params: Params; Querystring: Query }>(base, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'dashboard:read');
        const q = request.query;
        const { limit, offset } = limitOffsetParams(q);
        let pinned: boolean | undefined;
        if (q.pinned !== undefined && q.pinned !== '') {
          if (!['true', 'false'].includes(q.pinned)) throw new HedgerowError('invalid_input', 'pinned must be true or false', 'pinned');
          pinned = q.pinned === 'true';
        }
        const { count, rows } = await service.dashboards.list(project.id, { pinned, search: q.search || undefined, limit: Math.min(limit, 1000), offset });
        return limitOffsetPage(request, { limit: Math.min(limit, 1000), offset, count, results: await basic(rows) });
      });

      app.post<{ Params: Params; Querystring: Query }>(base, async (request, reply) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'dashboard:write');
        const { tiles, deleted: _deleted, ...fields } = parseBody(jsonBody(request));
        const row = await service.dashboards.create(project.id, actorOf(request).userId, fields);
        if (tiles?.some((t) => t.id === undefined && t.text)) {
          await service.dashboards.transaction((tx) => service.dashboards.applyTileChanges(tx, row.id, tiles.filter((t) => t.id === undefined)));
        }
        return reply.status(201).send(await full(project, row, 'force_cache'));
      });

      app.get<{ Params: Params; Querystring: Query }>(`${base}/:id`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'dashboard:read');
        const row = await load(project, request.params.id);
        const mode = parseRefresh(request.query.refresh, 'blocking');
        await service.dashboards.touch(project.id, row.id);
        return full(project, (await service.dashboards.find(project.id, row.id))!, mode);
      });

      app.patch<{ Params: Params; Querystring: Query }>(`${base}/:id`, update);
      app.put<{ Params: Params; Querystring: Query }>(`${base}/:id`, update);

      app.delete<{ Params: Params }>(`${base}/:id`, async (request) => {
        await requireProject(ctx, request, request.params.project_id, 'dashboard:write');
        throw new HedgerowError('method_not_allowed', 'DELETE is not allowed on dashboards: soft-delete with PATCH {"deleted": true}.');
      });
    }
  };
}
