import type { Postgres } from '../storage/postgres.js';

/** PostHog's experiment (posthog_experiment): a multivariate flag, its metrics and its window. */
export interface Experiment {
  id: number;
  teamId: number;
  name: string;
  description: string;
  featureFlagId: number;
  startDate: string | null;
  endDate: string | null;
  parameters: Record<string, unknown>;
  filters: Record<string, unknown>;
  metrics: Record<string, unknown>[];
  metricsSecondary: Record<string, unknown>[];
  exposureCriteria: Record<string, unknown> | null;
  statsConfig: Record<string, unknown> | null;
  type: string;
  conclusion: string | null;
  conclusionComment: string | null;
  archived: boolean;
  deleted: boolean;
  createdBy: number | null;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: number;
  team_id: number;
  name: string;
  description: string;
  feature_flag_id: number;
  start_date: Date | null;
  end_date: Date | null;
  parameters: Record<string, unknown>;
  filters: Record<string, unknown>;
  metrics: Record<string, unknown>[];
  metrics_secondary: Record<string, unknown>[];
  exposure_criteria: Record<string, unknown> | null;
  stats_config: Record<string, unknown> | null;
  type: string;
  conclusion: string | null;
  conclusion_comment: string | null;
  archived: boolean;
  deleted: boolean;
  created_by: number | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, team_id, name, description, feature_flag_id, start_date, end_date, parameters, filters, metrics, metrics_secondary,
  exposure_criteria, stats_config, type, conclusion, conclusion_comment, archived, deleted, created_by, created_at, updated_at`;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function fromRow(r: Row): Experiment {
  return {
    id: r.id,
    teamId: r.team_id,
    name: r.name,
    description: r.description,
    featureFlagId: r.feature_flag_id,
    startDate: iso(r.start_date),
    endDate: iso(r.end_date),
    parameters: r.parameters,
    filters: r.filters,
    metrics: r.metrics,
    metricsSecondary: r.metrics_secondary,
    exposureCriteria: r.exposure_criteria,
    statsConfig: r.stats_config,
    type: r.type,
    conclusion: r.conclusion,
    conclusionComment: r.conclusion_comment,
    archived: r.archived,
    deleted: r.deleted,
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

/** Writable fields; `undefined` leaves a column as it is, `null` clears a nullable one. */
export interface ExperimentWrite {
  name?: string;
  description?: string;
  startDate?: string | null;
  endDate?: string | null;
  parameters?: Record<string, unknown>;
  filters?: Record<string, unknown>;
  metrics?: Record<string, unknown>[];
  metricsSecondary?: Record<string, unknown>[];
  exposureCriteria?: Record<string, unknown> | null;
  statsConfig?: Record<string, unknown> | null;
  type?: string;
  conclusion?: string | null;
  conclusionComment?: string | null;
  archived?: boolean;
  deleted?: boolean;
}

const WRITE_COLUMNS: Record<keyof ExperimentWrite, [column: string, json: boolean]> = {
  name: ['name', false],
  description: ['description', false],
  startDate: ['start_date', false],
  endDate: ['end_date', false],
  parameters: ['parameters', true],
  filters: ['filters', true],
  metrics: ['metrics', true],
  metricsSecondary: ['metrics_secondary', true],
  exposureCriteria: ['exposure_criteria', true],
  statsConfig: ['stats_config', true],
  type: ['type', false],
  conclusion: ['conclusion', false],
  conclusionComment: ['conclusion_comment', false],
  archived: ['archived', false],
  deleted: ['deleted', false],
};

export class ExperimentStore {
  constructor(private readonly pg: Postgres) {}

  async list(teamId: number): Promise<Experiment[]> {
    const rows = await this.pg.query<Row>(`SELECT ${COLUMNS} FROM experiments WHERE team_id = $1 AND NOT deleted ORDER BY id DESC`, [teamId]);
    return rows.map(fromRow);
  }

  async get(teamId: number, id: number): Promise<Experiment | undefined> {
    const [row] = await this.pg.query<Row>(`SELECT ${COLUMNS} FROM experiments WHERE team_id = $1 AND id = $2 AND NOT deleted`, [teamId, id]);
    return row && fromRow(row);
  }

  async create(teamId: number, featureFlagId: number, input: ExperimentWrite & { name: string }, createdBy: number | null): Promise<Experiment> {
    const sets = this.assignments(input);
    const columns = ['team_id', 'feature_flag_id', 'created_by', ...sets.map((s) => s[0])];
    const values = [teamId, featureFlagId, createdBy, ...sets.map((s) => s[2])];
    const placeholders = columns.map((_, i) => `$${i + 1}${i >= 3 && sets[i - 3]![1] ? '::jsonb' : ''}`);
    const [row] = await this.pg.query<Row>(`INSERT INTO experiments (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING ${COLUMNS}`, values);
    return fromRow(row!);
  }

  async update(teamId: number, id: number, changes: ExperimentWrite): Promise<Experiment | undefined> {
    const sets = this.assignments(changes);
    if (sets.length === 0) return this.get(teamId, id);
    const assignments = sets.map(([column, json], i) => `${column} = $${i + 3}${json ? '::jsonb' : ''}`);
    const [row] = await this.pg.query<Row>(
      `UPDATE experiments SET ${assignments.join(', ')}, updated_at = clock_timestamp() WHERE team_id = $1 AND id = $2 AND NOT deleted RETURNING ${COLUMNS}`,
      [teamId, id, ...sets.map((s) => s[2])],
    );
    return row && fromRow(row);
  }

  private assignments(write: ExperimentWrite): Array<[string, boolean, unknown]> {
    const out: Array<[string, boolean, unknown]> = [];
    for (const field of Object.keys(WRITE_COLUMNS) as Array<keyof ExperimentWrite>) {
      const value = write[field];
      if (value === undefined) continue;
      const [column, json] = WRITE_COLUMNS[field];
      out.push([column, json, json && value !== null ? JSON.stringify(value) : value]);
    }
    return out;
  }
}
