import type { FastifyInstance } from 'fastify';
import { HedgerowError } from '../../errors.js';
import type { ServerContext } from '../context.js';
import { z } from 'zod';
import { requireProject } from '../auth.js';
import { decodeCursor, nextUrl } from '../pagination.js';

interface GroupRow {
  group_type_index: number;
  group_key: string;
  group_properties: Record<string, unknown>;
  created_at: Date;
}

function view(r: GroupRow) {
  return { group_type_index: r.group_type_index, group_key: r.group_key, group_properties: r.group_properties, created_at: new Date(r.created_at).toISOString() };
}

function indexParam(value: string | undefined): number {
  if (value === undefined || !/^[0-4]$/.test(value)) throw new HedgerowError('invalid_input', 'group_type_index must be 0 to 4', 'group_type_index');
  return Number(value);
}

type Params = { project_id: string };
type Query = Record<string, string | undefined>;

/** `/api/projects/:id/groups/`, `/groups/find`, `/groups_types/`. */
export function groupRoutes(ctx: ServerContext) {
  return async function routes(app: FastifyInstance): Promise<void> {
    for (const prefix of ['/api/projects', '/api/environments']) {
      app.get<{ Params: Params }>(`${prefix}/:project_id/groups_types`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'group:read');
        const rows = await ctx.pg.query<{ group_type: string; group_type_index: number; name_singular: string | null; name_plural: string | null }>(
          'SELECT group_type, group_type_index, name_singular, name_plural FROM group_type_mappings WHERE team_id = $1 ORDER BY group_type_index',
          [project.id],
        );
        return rows;
      });

      app.get<{ Params: Params; Querystring: Query }>(`${prefix}/:project_id/groups`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'group:read');
        const index = indexParam(request.query.group_type_index);
        const search = request.query.search;
        const offset = request.query.cursor ? decodeCursor(request.query.cursor, z.number().int().nonnegative()) : 0;
        const limit = 100;
        const rows = await ctx.pg.query<GroupRow>(
          `SELECT group_type_index, group_key, group_properties, created_at FROM groups
            WHERE team_id = $1 AND group_type_index = $2
              AND ($3::text IS NULL OR group_key ILIKE '%' || $3 || '%' OR group_properties->>'name' ILIKE '%' || $3 || '%')
            ORDER BY created_at DESC, group_key LIMIT $4 OFFSET $5`,
          [project.id, index, search || null, limit + 1, offset],
        );
        const next = rows.length > limit ? nextUrl(request, offset + limit) : null;
        return { results: rows.slice(0, limit).map(view), next, previous: null };
      });

      app.get<{ Params: Params; Querystring: Query }>(`${prefix}/:project_id/groups/find`, async (request) => {
        const project = await requireProject(ctx, request, request.params.project_id, 'group:read');
        const index = indexParam(request.query.group_type_index);
        const key = request.query.group_key;
        if (!key) throw new HedgerowError('invalid_input', 'group_key is required', 'group_key');
        const [row] = await ctx.pg.query<GroupRow>(
          'SELECT group_type_index, group_key, group_properties, created_at FROM groups WHERE team_id = $1 AND group_type_index = $2 AND group_key = $3',
          [project.id, index, key],
        );
        if (!row) throw new HedgerowError('not_found', `Group ${key} not found.`);
        return view(row);
      });
    }
  };
}
