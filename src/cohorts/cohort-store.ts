import type { Postgres } from '../storage/postgres.js';
import type { Cohort, CohortFilters, CohortQuery } from './cohort-types.js';

interface Row {
  id: number;
  team_id: number;
  name: string;
  description: string;
  filters: CohortFilters | null;
  query: CohortQuery | null;
  is_static: boolean;
  deleted: boolean;
  version: number | null;
  pending_version: number;
  is_calculating: boolean;
  last_calculation: Date | null;
  errors_calculating: number;
  last_error: string | null;
  count: number | null;
  created_by: number | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'id, team_id, name, description, filters, query, is_static, deleted, version, pending_version, is_calculating, last_calculation, errors_calculating, last_error, count, created_by, created_at, updated_at';

function fromRow(r: Row): Cohort {
  return {
    id: r.id,
    teamId: r.team_id,
    name: r.name,
    description: r.description,
    filters: r.filters,
    query: r.query,
    isStatic: r.is_static,
    deleted: r.deleted,
    version: r.version,
    pendingVersion: r.pending_version,
    isCalculating: r.is_calculating,
    lastCalculation: r.last_calculation ? new Date(r.last_calculation).toISOString() : null,
    errorsCalculating: r.errors_calculating,
    lastError: r.last_error,
    count: r.count,
    createdBy: r.created_by,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/** The compiler's view of a cohort named in a query (by id or name): its id and current membership version. */
export function cohortResolver(cohorts: ReadonlyMap<number, Cohort>): (idOrName: number | string) => { id: number; version: number | null } | undefined {
  return (idOrName) => {
    const cohort = typeof idOrName === 'number' ? cohorts.get(idOrName) : [...cohorts.values()].find((c) => c.name === idOrName && !c.deleted);
    return cohort && !cohort.deleted ? { id: cohort.id, version: cohort.version } : undefined;
  };
}

export interface CohortInput {
  name?: string;
  description?: string;
  filters?: CohortFilters | null;
  query?: CohortQuery | null;
  deleted?: boolean;
}

/**
 * Cohorts of a project, in Postgres. Every query and flag request may name cohorts, so they are kept
 * in memory per project; this process is their only writer.
 */
export class CohortStore {
  private readonly byTeam = new Map<number, Promise<Map<number, Cohort>>>();

  constructor(private readonly pg: Postgres) {}

  /** All cohorts of the project by id, deleted ones included (saved insights may still name them). */
  all(teamId: number): Promise<Map<number, Cohort>> {
    let loaded = this.byTeam.get(teamId);
    if (!loaded) {
      loaded = this.pg.query<Row>(`SELECT ${COLUMNS} FROM cohorts WHERE team_id = $1 ORDER BY id`, [teamId]).then((rows) => new Map(rows.map((r) => [r.id, fromRow(r)])));
      this.byTeam.set(teamId, loaded);
      loaded.catch(() => this.byTeam.delete(teamId));
    }
    return loaded;
  }

  async list(teamId: number): Promise<Cohort[]> {
    return [...(await this.all(teamId)).values()].filter((c) => !c.deleted).sort((a, b) => b.id - a.id);
  }

  async get(teamId: number, id: number): Promise<Cohort | undefined> {
    return (await this.all(teamId)).get(id);
  }

  /** Every project with a cohort that is recalculated periodically (dynamic, not deleted). */
  async dynamicCohorts(): Promise<Cohort[]> {
    const rows = await this.pg.query<Row>(`SELECT ${COLUMNS} FROM cohorts WHERE NOT deleted AND NOT is_static ORDER BY id`);
    return rows.map(fromRow);
  }

  private async remember(row: Row | undefined): Promise<Cohort | undefined> {
    if (!row) return undefined;
    const cohort = fromRow(row);
    (await this.all(cohort.teamId)).set(cohort.id, cohort);
    return cohort;
  }

  async create(teamId: number, input: CohortInput & { isStatic: boolean; createdBy: number | null }): Promise<Cohort> {
    const [row] = await this.pg.query<Row>(
      `INSERT INTO cohorts (team_id, name, description, filters, query, is_static, created_by, version)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8) RETURNING ${COLUMNS}`,
      [
        teamId,
        input.name ?? '',
        input.description ?? '',
        input.filters ? JSON.stringify(input.filters) : null,
        input.query ? JSON.stringify(input.query) : null,
        input.isStatic,
        input.createdBy,
        // Static membership is written at version 1 as people are added.
        input.isStatic ? 1 : null,
      ],
    );
    return (await this.remember(row))!;
  }

  async update(teamId: number, id: number, changes: CohortInput): Promise<Cohort | undefined> {
    const [row] = await this.pg.query<Row>(
      `UPDATE cohorts SET name = COALESCE($3, name), description = COALESCE($4, description),
              filters = CASE WHEN $5::boolean THEN $6::jsonb ELSE filters END,
              query = CASE WHEN $7::boolean THEN $8::jsonb ELSE query END,
              deleted = COALESCE($9, deleted), updated_at = clock_timestamp()
        WHERE team_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [
        teamId,
        id,
        changes.name ?? null,
        changes.description ?? null,
        changes.filters !== undefined,
        changes.filters ? JSON.stringify(changes.filters) : null,
        changes.query !== undefined,
        changes.query ? JSON.stringify(changes.query) : null,
        changes.deleted ?? null,
      ],
    );
    return this.remember(row);
  }

  /** Claims the next membership version for a calculation. */
  async startCalculation(teamId: number, id: number): Promise<number> {
    const [row] = await this.pg.query<Row>(
      `UPDATE cohorts SET pending_version = pending_version + 1, is_calculating = true WHERE team_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [teamId, id],
    );
    const cohort = await this.remember(row);
    return cohort!.pendingVersion;
  }

  /** Moves the cohort to a finished version unless a newer calculation finished first. */
  async finishCalculation(teamId: number, id: number, version: number, count: number): Promise<Cohort | undefined> {
    const [row] = await this.pg.query<Row>(
      `UPDATE cohorts SET version = $3, count = $4, last_calculation = clock_timestamp(), errors_calculating = 0, last_error = NULL,
              is_calculating = (pending_version > $3)
        WHERE team_id = $1 AND id = $2 AND (version IS NULL OR version < $3) RETURNING ${COLUMNS}`,
      [teamId, id, version, count],
    );
    return this.remember(row);
  }

  async failCalculation(teamId: number, id: number, version: number, error: string): Promise<void> {
    const [row] = await this.pg.query<Row>(
      `UPDATE cohorts SET errors_calculating = errors_calculating + 1, last_error = $4, is_calculating = (pending_version > $3)
        WHERE team_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [teamId, id, version, error.slice(0, 2000)],
    );
    await this.remember(row);
  }

  /** Static cohorts: the member count after people were added or removed. */
  async setCount(teamId: number, id: number, count: number): Promise<Cohort | undefined> {
    const [row] = await this.pg.query<Row>(
      `UPDATE cohorts SET count = $3, last_calculation = clock_timestamp(), updated_at = clock_timestamp() WHERE team_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [teamId, id, count],
    );
    return this.remember(row);
  }
}
