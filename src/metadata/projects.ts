import crypto from 'node:crypto';
import type { Postgres, Queryable } from '../storage/postgres.js';
import { generateToken } from './secrets.js';

export interface Project {
  id: number;
  uuid: string;
  organizationId: string;
  name: string;
  apiToken: string;
  timezone: string;
  /** PostHog property filters that mark internal/test traffic (`filterTestAccounts`). */
  testAccountFilters: unknown[];
  /** PostHog's `week_start_day`: 0 = Sunday (default), 1 = Monday; where insight weeks start. */
  weekStartDay?: 0 | 1;
  /** PostHog's `path_cleaning_filters`: `{alias, regex}` rules for PathsQuery's `pathReplacements`. */
  pathCleaningFilters?: { alias?: string | null; regex?: string | null }[];
  createdAt: string;
}

interface ProjectRow {
  id: number;
  uuid: string;
  organization_id: string;
  name: string;
  api_token: string;
  timezone: string;
  test_account_filters: unknown[];
  week_start_day: number;
  path_cleaning_filters: unknown;
  created_at: Date;
}

const COLUMNS = 'id, uuid, organization_id, name, api_token, timezone, test_account_filters, week_start_day, path_cleaning_filters, created_at';

function fromRow(row: ProjectRow): Project {
  return {
    id: row.id,
    uuid: row.uuid,
    organizationId: row.organization_id,
    name: row.name,
    apiToken: row.api_token,
    timezone: row.timezone,
    testAccountFilters: Array.isArray(row.test_account_filters) ? row.test_account_filters : [],
    weekStartDay: Number(row.week_start_day) === 1 ? 1 : 0,
    pathCleaningFilters: Array.isArray(row.path_cleaning_filters) ? row.path_cleaning_filters : [],
    createdAt: new Date(row.created_at).toISOString(),
  };
}

/**
 * Projects (PostHog's teams). Capture resolves a token on every request, so tokens are served
 * from memory; a miss falls through to the database in case another node created the project.
 */
export class ProjectStore {
  private readonly byToken = new Map<string, Project>();

  constructor(private readonly pg: Postgres) {}

  async load(): Promise<void> {
    const rows = await this.pg.query<ProjectRow>(`SELECT ${COLUMNS} FROM projects`);
    this.byToken.clear();
    for (const row of rows) this.remember(fromRow(row));
  }

  private remember(project: Project): Project {
    this.byToken.set(project.apiToken, project);
    return project;
  }

  async findByToken(token: string): Promise<Project | undefined> {
    const cached = this.byToken.get(token);
    if (cached) return cached;
    const [row] = await this.pg.query<ProjectRow>(`SELECT ${COLUMNS} FROM projects WHERE api_token = $1`, [token]);
    return row ? this.remember(fromRow(row)) : undefined;
  }

  async findById(id: number): Promise<Project | undefined> {
    const [row] = await this.pg.query<ProjectRow>(`SELECT ${COLUMNS} FROM projects WHERE id = $1`, [id]);
    return row ? fromRow(row) : undefined;
  }

  async listForOrganization(organizationId: string): Promise<Project[]> {
    const rows = await this.pg.query<ProjectRow>(`SELECT ${COLUMNS} FROM projects WHERE organization_id = $1 ORDER BY id`, [organizationId]);
    return rows.map(fromRow);
  }

  /** Changes settings; returns the updated project (or undefined if it does not exist). */
  async update(
    id: number,
    changes: { name?: string; timezone?: string; testAccountFilters?: unknown[]; weekStartDay?: 0 | 1; pathCleaningFilters?: Project['pathCleaningFilters'] },
  ): Promise<Project | undefined> {
    const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
    const [row] = await this.pg.query<ProjectRow>(
      `UPDATE projects SET name = COALESCE($2, name), timezone = COALESCE($3, timezone), test_account_filters = COALESCE($4::jsonb, test_account_filters),
        week_start_day = COALESCE($5::smallint, week_start_day), path_cleaning_filters = COALESCE($6::jsonb, path_cleaning_filters)
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, changes.name ?? null, changes.timezone ?? null, json(changes.testAccountFilters), changes.weekStartDay ?? null, json(changes.pathCleaningFilters)],
    );
    return row ? this.remember(fromRow(row)) : undefined;
  }

  async create(
    input: { organizationId: string; name: string; timezone?: string; apiToken?: string; weekStartDay?: 0 | 1 },
    db: Queryable = this.pg,
  ): Promise<Project> {
    const [row] = await db.query<ProjectRow>(
      `INSERT INTO projects (uuid, organization_id, name, api_token, timezone, week_start_day) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [crypto.randomUUID(), input.organizationId, input.name, input.apiToken ?? generateToken('phc_'), input.timezone ?? 'UTC', input.weekStartDay ?? 0],
    );
    return this.remember(fromRow(row!));
  }
}
