import type { Postgres, Queryable } from '../storage/postgres.js';
import { containsPattern } from '../like-pattern.js';

/** Dashboards (PostHog's `posthog_dashboard`) and their tiles (`posthog_dashboardtile`), project-scoped. */

export interface DashboardRow {
  id: number;
  team_id: number;
  name: string | null;
  description: string;
  pinned: boolean;
  filters: Record<string, unknown>;
  variables: Record<string, unknown>;
  tags: string[];
  deleted: boolean;
  creation_mode: string;
  restriction_level: number;
  created_at: Date;
  created_by: number | null;
  last_accessed_at: Date | null;
}

export interface Layout {
  x?: number;
  y?: number;
  w?: number;
  h?: number;
  minW?: number;
  minH?: number;
  moved?: boolean;
  static?: boolean;
}

export interface TileRow {
  id: number;
  dashboard_id: number;
  insight_id: number | null;
  text: { body: string } | null;
  layouts: Record<string, Layout>;
  color: string | null;
  show_description: boolean | null;
  created_at: Date;
  last_modified_at: Date;
}

export interface DashboardInput {
  name?: string | null;
  description?: string | null;
  pinned?: boolean;
  filters?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  tags?: string[];
  deleted?: boolean;
  restriction_level?: number;
}

export interface TileChange {
  id?: number;
  layouts?: Record<string, Layout>;
  color?: string | null;
  show_description?: boolean | null;
  text?: { body: string } | null;
  deleted?: boolean;
}

const COLUMNS = 'id, team_id, name, description, pinned, filters, variables, tags, deleted, creation_mode, restriction_level, created_at, created_by, last_accessed_at';
const TILE_COLUMNS = 'id, dashboard_id, insight_id, text, layouts, color, show_description, created_at, last_modified_at';

export class DashboardStore {
  constructor(private readonly pg: Postgres) {}

  async create(teamId: number, userId: number, input: DashboardInput): Promise<DashboardRow> {
    const [row] = await this.pg.query<DashboardRow>(
      `INSERT INTO dashboards (team_id, name, description, pinned, filters, variables, tags, restriction_level, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [
        teamId,
        input.name ?? null,
        input.description ?? '',
        input.pinned ?? false,
        JSON.stringify(input.filters ?? {}),
        JSON.stringify(input.variables ?? {}),
        input.tags ?? [],
        input.restriction_level ?? 21,
        userId,
      ],
    );
    return row!;
  }

  async update(tx: Queryable, teamId: number, id: number, input: DashboardInput): Promise<DashboardRow | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [teamId, id];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (input.name !== undefined) set('name', input.name);
    if (input.description !== undefined) set('description', input.description ?? '');
    if (input.pinned !== undefined) set('pinned', input.pinned);
    if (input.filters !== undefined) set('filters', JSON.stringify(input.filters));
    if (input.variables !== undefined) set('variables', JSON.stringify(input.variables));
    if (input.tags !== undefined) set('tags', input.tags);
    if (input.deleted !== undefined) set('deleted', input.deleted);
    if (input.restriction_level !== undefined) set('restriction_level', input.restriction_level);
    if (sets.length === 0) return (await tx.query<DashboardRow>(`SELECT ${COLUMNS} FROM dashboards WHERE team_id = $1 AND id = $2`, params))[0];
    const [row] = await tx.query<DashboardRow>(`UPDATE dashboards SET ${sets.join(', ')} WHERE team_id = $1 AND id = $2 RETURNING ${COLUMNS}`, params);
    return row;
  }

  async find(teamId: number, id: number, opts: { includeDeleted?: boolean } = {}): Promise<DashboardRow | undefined> {
    const [row] = await this.pg.query<DashboardRow>(
      `SELECT ${COLUMNS} FROM dashboards WHERE team_id = $1 AND id = $2 ${opts.includeDeleted ? '' : 'AND NOT deleted'}`,
      [teamId, id],
    );
    return row;
  }

  /** Which of these ids are live dashboards of the project. */
  async existing(teamId: number, ids: number[]): Promise<Set<number>> {
    if (ids.length === 0) return new Set();
    const rows = await this.pg.query<{ id: number }>('SELECT id FROM dashboards WHERE team_id = $1 AND NOT deleted AND id = ANY($2::int[])', [teamId, ids]);
    return new Set(rows.map((r) => r.id));
  }

  async touch(teamId: number, id: number): Promise<void> {
    await this.pg.query('UPDATE dashboards SET last_accessed_at = clock_timestamp() WHERE team_id = $1 AND id = $2', [teamId, id]);
  }

  async list(teamId: number, f: { pinned?: boolean; search?: string; limit: number; offset: number }): Promise<{ count: number; rows: DashboardRow[] }> {
    const where = ['team_id = $1', 'NOT deleted'];
    const params: unknown[] = [teamId];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (f.pinned !== undefined) where.push(`pinned = ${p(f.pinned)}`);
    if (f.search) {
      const like = p(containsPattern(f.search));
      where.push(`(name ILIKE ${like} OR description ILIKE ${like})`);
    }
    const clause = where.join(' AND ');
    const [{ count }] = (await this.pg.query<{ count: number }>(`SELECT count(*)::int AS count FROM dashboards WHERE ${clause}`, params)) as [{ count: number }];
    const rows = await this.pg.query<DashboardRow>(
      `SELECT ${COLUMNS} FROM dashboards WHERE ${clause} ORDER BY pinned DESC, lower(coalesce(name, '')) ASC, id ASC LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
      params,
    );
    return { count, rows };
  }

  /** Tiles of a dashboard whose insight (if any) is not deleted, in creation order. */
  async tiles(dashboardId: number): Promise<TileRow[]> {
    return this.pg.query<TileRow>(
      `SELECT ${TILE_COLUMNS.split(', ').map((c) => 't.' + c).join(', ')} FROM dashboard_tiles t LEFT JOIN insights i ON i.id = t.insight_id
        WHERE t.dashboard_id = $1 AND (t.insight_id IS NULL OR NOT i.deleted) ORDER BY t.id`,
      [dashboardId],
    );
  }

  /** PATCH `tiles`: move/resize/recolour existing tiles, remove (`deleted: true`), add text tiles (no id). */
  async applyTileChanges(tx: Queryable, dashboardId: number, changes: TileChange[]): Promise<{ unknownTile?: number }> {
    for (const c of changes) {
      if (c.id === undefined) {
        if (c.deleted) continue;
        await tx.query(`INSERT INTO dashboard_tiles (dashboard_id, text, layouts, color, show_description) VALUES ($1, $2, $3, $4, $5)`, [
          dashboardId,
          JSON.stringify(c.text ?? { body: '' }),
          JSON.stringify(c.layouts ?? {}),
          c.color ?? null,
          c.show_description ?? null,
        ]);
        continue;
      }
      const [tile] = await tx.query<TileRow>(`SELECT ${TILE_COLUMNS} FROM dashboard_tiles WHERE dashboard_id = $1 AND id = $2`, [dashboardId, c.id]);
      if (!tile) return { unknownTile: c.id };
      if (c.deleted) {
        await tx.query('DELETE FROM dashboard_tiles WHERE id = $1', [c.id]);
        continue;
      }
      const sets: string[] = [];
      const params: unknown[] = [c.id];
      const set = (column: string, value: unknown) => {
        params.push(value);
        sets.push(`${column} = $${params.length}`);
      };
      if (c.layouts !== undefined) set('layouts', JSON.stringify(c.layouts));
      if (c.color !== undefined) set('color', c.color);
      if (c.show_description !== undefined) set('show_description', c.show_description);
      if (c.text !== undefined && tile.insight_id === null) set('text', JSON.stringify(c.text ?? { body: '' }));
      if (sets.length) await tx.query(`UPDATE dashboard_tiles SET ${sets.join(', ')}, last_modified_at = clock_timestamp() WHERE id = $1`, params);
    }
    return {};
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction(fn);
  }
}
