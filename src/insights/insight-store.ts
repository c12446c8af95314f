import crypto from 'node:crypto';
import type { Postgres, Queryable } from '../storage/postgres.js';
import { containsPattern } from '../like-pattern.js';

/**
 * Saved insights (PostHog's `posthog_dashboarditem`) and their dashboard tiles, in Postgres.
 * Rows are project-scoped: every read and write names the team, so another project's ids are "not found".
 */

export interface InsightRow {
  id: number;
  short_id: string;
  team_id: number;
  name: string | null;
  derived_name: string | null;
  description: string;
  query: Record<string, unknown> | null;
  filters: Record<string, unknown>;
  tags: string[];
  favorited: boolean;
  saved: boolean;
  deleted: boolean;
  order: number | null;
  created_at: Date;
  created_by: number | null;
  last_modified_at: Date;
  last_modified_by: number | null;
  last_viewed_at: Date | null;
}

export type { UserBasic } from '../metadata/user-basic.js';

export interface TileRef {
  id: number;
  dashboard_id: number;
  deleted: boolean;
}

/** Writable insight fields (PostHog names); `undefined` leaves a field as it is. */
export interface InsightInput {
  name?: string | null;
  derived_name?: string | null;
  description?: string | null;
  query?: Record<string, unknown> | null;
  tags?: string[];
  favorited?: boolean;
  saved?: boolean;
  deleted?: boolean;
  order?: number | null;
}

export interface InsightListFilter {
  saved?: boolean;
  favorited?: boolean;
  search?: string;
  shortId?: string;
  /** Insights on every one of these dashboards. */
  dashboards?: number[];
  createdBy?: number;
  /** The query kind of the insight (its source's kind for a wrapper node). */
  kind?: string;
  tags?: string[];
  order: 'last_modified_at' | '-last_modified_at' | 'created_at' | '-created_at' | 'name' | '-name' | 'last_viewed_at' | '-last_viewed_at' | 'order' | '-order';
  limit: number;
  offset: number;
}

const SHORT_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** PostHog's `generate_short_id`: 8 random alphanumerics. */
export function generateShortId(): string {
  const bytes = crypto.randomBytes(8);
  let out = '';
  for (const b of bytes) out += SHORT_ID_ALPHABET[b % SHORT_ID_ALPHABET.length];
  return out;
}

const COLUMNS = `id, short_id, team_id, name, derived_name, description, query, filters, tags, favorited, saved, deleted, "order",
  created_at, created_by, last_modified_at, last_modified_by, last_viewed_at`;

const ORDER_SQL: Record<InsightListFilter['order'], string> = {
  last_modified_at: 'last_modified_at ASC, id ASC',
  '-last_modified_at': 'last_modified_at DESC, id DESC',
  created_at: 'created_at ASC, id ASC',
  '-created_at': 'created_at DESC, id DESC',
  name: "coalesce(nullif(name, ''), derived_name) ASC NULLS LAST, id ASC",
  '-name': "coalesce(nullif(name, ''), derived_name) DESC NULLS LAST, id DESC",
  last_viewed_at: 'last_viewed_at ASC NULLS FIRST, id ASC',
  '-last_viewed_at': 'last_viewed_at DESC NULLS LAST, id DESC',
  order: '"order" ASC NULLS LAST, id ASC',
  '-order': '"order" DESC NULLS LAST, id DESC',
};

export class InsightStore {
  constructor(private readonly pg: Postgres) {}

  async create(teamId: number, userId: number, input: InsightInput): Promise<InsightRow> {
    for (let attempt = 0; ; attempt++) {
      try {
        const [row] = await this.pg.query<InsightRow>(
          `INSERT INTO insights (short_id, team_id, name, derived_name, description, query, tags, favorited, saved, deleted, "order", created_by, last_modified_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING ${COLUMNS}`,
          [
            generateShortId(),
            teamId,
            input.name ?? null,
            input.derived_name ?? null,
            input.description ?? '',
            input.query === undefined || input.query === null ? null : JSON.stringify(input.query),
            input.tags ?? [],
            input.favorited ?? false,
            input.saved ?? false,
            input.deleted ?? false,
            input.order ?? null,
            userId,
          ],
        );
        return row!;
      } catch (err) {
        // a short_id collision (62^8 ids): try another
        if (attempt < 3 && /short_id/.test(String((err as Error).message))) continue;
        throw err;
      }
    }
  }

  async update(teamId: number, id: number, userId: number, input: InsightInput, tx: Queryable = this.pg): Promise<InsightRow | undefined> {
    const sets: string[] = [];
    const params: unknown[] = [teamId, id];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (input.name !== undefined) set('name', input.name);
    if (input.derived_name !== undefined) set('derived_name', input.derived_name);
    if (input.description !== undefined) set('description', input.description ?? '');
    if (input.query !== undefined) set('query', input.query === null ? null : JSON.stringify(input.query));
    if (input.tags !== undefined) set('tags', input.tags);
    if (input.favorited !== undefined) set('favorited', input.favorited);
    if (input.saved !== undefined) set('saved', input.saved);
    if (input.deleted !== undefined) set('deleted', input.deleted);
    if (input.order !== undefined) set('"order"', input.order);
    set('last_modified_by', userId);
    const [row] = await tx.query<InsightRow>(
      `UPDATE insights SET ${sets.join(', ')}, last_modified_at = clock_timestamp() WHERE team_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      params,
    );
    return row;
  }

  async find(teamId: number, id: number, opts: { includeDeleted?: boolean } = {}): Promise<InsightRow | undefined> {
    const [row] = await this.pg.query<InsightRow>(
      `SELECT ${COLUMNS} FROM insights WHERE team_id = $1 AND id = $2 ${opts.includeDeleted ? '' : 'AND NOT deleted'}`,
      [teamId, id],
    );
    return row;
  }

  async findMany(teamId: number, ids: number[]): Promise<Map<number, InsightRow>> {
    if (ids.length === 0) return new Map();
    const rows = await this.pg.query<InsightRow>(`SELECT ${COLUMNS} FROM insights WHERE team_id = $1 AND id = ANY($2::int[])`, [teamId, ids]);
    return new Map(rows.map((r) => [r.id, r]));
  }

  async markViewed(teamId: number, id: number): Promise<void> {
    await this.pg.query('UPDATE insights SET last_viewed_at = clock_timestamp() WHERE team_id = $1 AND id = $2', [teamId, id]);
  }

  async list(teamId: number, f: InsightListFilter): Promise<{ count: number; rows: InsightRow[] }> {
    const where = ['team_id = $1', 'NOT deleted'];
    const params: unknown[] = [teamId];
    const p = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (f.saved !== undefined) where.push(`saved = ${p(f.saved)}`);
    if (f.favorited !== undefined) where.push(`favorited = ${p(f.favorited)}`);
    if (f.shortId !== undefined) where.push(`short_id = ${p(f.shortId)}`);
    if (f.createdBy !== undefined) where.push(`created_by = ${p(f.createdBy)}`);
    if (f.search) {
      const like = p(containsPattern(f.search));
      where.push(`(name ILIKE ${like} OR derived_name ILIKE ${like} OR description ILIKE ${like})`);
    }
    if (f.kind) where.push(`coalesce(query->'source'->>'kind', query->>'kind') = ${p(f.kind)}`);
    if (f.tags?.length) where.push(`tags && ${p(f.tags)}::text[]`);
    if (f.dashboards?.length) {
      where.push(`(SELECT count(DISTINCT t.dashboard_id) FROM dashboard_tiles t JOIN dashboards d ON d.id = t.dashboard_id
                   WHERE t.insight_id = insights.id AND NOT d.deleted AND t.dashboard_id = ANY(${p(f.dashboards)}::int[])) = ${p(new Set(f.dashboards).size)}`);
    }
    const clause = where.join(' AND ');
    const [{ count }] = (await this.pg.query<{ count: number }>(`SELECT count(*)::int AS count FROM insights WHERE ${clause}`, params)) as [{ count: number }];
    const rows = await this.pg.query<InsightRow>(
      `SELECT ${COLUMNS} FROM insights WHERE ${clause} ORDER BY ${ORDER_SQL[f.order]} LIMIT ${p(f.limit)} OFFSET ${p(f.offset)}`,
      params,
    );
    return { count, rows };
  }

  /** Tiles of these insights on dashboards that are not deleted, by insight id. */
  async tilesOf(teamId: number, insightIds: number[]): Promise<Map<number, TileRef[]>> {
    const out = new Map<number, TileRef[]>();
    if (insightIds.length === 0) return out;
    const rows = await this.pg.query<TileRef & { insight_id: number }>(
      `SELECT t.id, t.dashboard_id, t.insight_id, false AS deleted FROM dashboard_tiles t JOIN dashboards d ON d.id = t.dashboard_id
        WHERE d.team_id = $1 AND NOT d.deleted AND t.insight_id = ANY($2::int[]) ORDER BY t.id`,
      [teamId, insightIds],
    );
    for (const r of rows) {
      const list = out.get(r.insight_id) ?? [];
      list.push({ id: r.id, dashboard_id: r.dashboard_id, deleted: false });
      out.set(r.insight_id, list);
    }
    return out;
  }

  /**
   * PostHog's way of adding an insight to dashboards and removing it: PATCH `dashboards: [ids]`.
   * Tiles on dashboards not listed are removed; new ones are added (at the bottom, 6×5). Deleted
   * dashboards are left alone.
   */
  async setDashboards(tx: Queryable, teamId: number, insightId: number, dashboardIds: number[]): Promise<void> {
    await tx.query(
      `DELETE FROM dashboard_tiles t USING dashboards d
        WHERE d.id = t.dashboard_id AND d.team_id = $1 AND NOT d.deleted AND t.insight_id = $2 AND NOT (t.dashboard_id = ANY($3::int[]))`,
      [teamId, insightId, dashboardIds],
    );
    for (const dashboardId of new Set(dashboardIds)) {
      await tx.query(
        `INSERT INTO dashboard_tiles (dashboard_id, insight_id, layouts)
         SELECT $1, $2, '{}'::jsonb WHERE NOT EXISTS (SELECT 1 FROM dashboard_tiles WHERE dashboard_id = $1 AND insight_id = $2)`,
        [dashboardId, insightId],
      );
    }
  }



  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction(fn);
  }
}
