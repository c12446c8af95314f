import { HedgerowError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Postgres } from '../storage/postgres.js';
import type { FeatureFlag, FlagFilters } from './flag-types.js';

/** A flag as the API serves it: the evaluator's fields plus who last changed it. */
export interface StoredFlag extends FeatureFlag {
  lastModifiedBy: number | null;
}

/** An experiment row that names a flag (PostHog's `experiment_set`); deleted ones included. */
export interface ExperimentRef {
  id: number;
  name: string;
  deleted: boolean;
}

/** What `/flags` and local evaluation read, per project; rebuilt after every write. */
export interface ActiveFlags {
  /** Active, non-deleted flags, in id order. */
  readonly flags: readonly FeatureFlag[];
  /** Every non-deleted flag, inactive ones too: what flag dependencies resolve against. */
  readonly evaluable: readonly FeatureFlag[];
}

/** Writable columns; `undefined` leaves a column as it is. */
export interface FlagWrite {
  key?: string;
  name?: string;
  filters?: FlagFilters;
  active?: boolean;
  deleted?: boolean;
  ensureExperienceContinuity?: boolean;
  evaluationRuntime?: string;
  evaluationTags?: string[];
  bucketingIdentifier?: string | null;
  tags?: string[];
}


interface Row {
  id: number;
  team_id: number;
  key: string;
  name: string;
  filters: FlagFilters;
  active: boolean;
  deleted: boolean;
  ensure_experience_continuity: boolean;
  version: number;
  evaluation_runtime: string;
  evaluation_tags: string[];
  bucketing_identifier: string | null;
  tags: string[];
  created_by: number | null;
  created_at: Date;
  updated_at: Date;
  last_modified_by: number | null;
}

const COLUMNS = `id, team_id, key, name, filters, active, deleted, ensure_experience_continuity, version, evaluation_runtime,
  evaluation_tags, bucketing_identifier, tags, created_by, created_at, updated_at, last_modified_by`;

/** Column and SQL cast of each writable field. */
const WRITE_COLUMNS: Record<keyof FlagWrite, [column: string, cast: string]> = {
  key: ['key', ''],
  name: ['name', ''],
  filters: ['filters', '::jsonb'],
  active: ['active', ''],
  deleted: ['deleted', ''],
  ensureExperienceContinuity: ['ensure_experience_continuity', ''],
  evaluationRuntime: ['evaluation_runtime', ''],
  evaluationTags: ['evaluation_tags', '::text[]'],
  bucketingIdentifier: ['bucketing_identifier', ''],
  tags: ['tags', '::text[]'],
};

/** `[column, cast, value]` of every field the write sets. */
function assignments(write: FlagWrite): Array<[string, string, unknown]> {
  const out: Array<[string, string, unknown]> = [];
  for (const field of Object.keys(WRITE_COLUMNS) as Array<keyof FlagWrite>) {
    const value = write[field];
    if (value === undefined) continue;
    const [column, cast] = WRITE_COLUMNS[field];
    out.push([column, cast, field === 'filters' ? JSON.stringify(value) : value]);
  }
  return out;
}

interface Snapshot {
  /** Every non-deleted flag (active or not), by id. */
  flags: Map<number, StoredFlag>;
  experiments: Map<number, ExperimentRef[]>;
  active: ActiveFlags;
}

function fromRow(r: Row, experiments: ExperimentRef[] | undefined): StoredFlag {
  return {
    id: r.id,
    teamId: r.team_id,
    key: r.key,
    name: r.name,
    filters: r.filters,
    active: r.active,
    deleted: r.deleted,
    ensureExperienceContinuity: r.ensure_experience_continuity,
    version: r.version,
    evaluationRuntime: r.evaluation_runtime,
    evaluationTags: r.evaluation_tags,
    bucketingIdentifier: r.bucketing_identifier,
    tags: r.tags,
    hasExperiment: (experiments ?? []).some((e) => !e.deleted),
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    createdBy: r.created_by,
    lastModifiedBy: r.last_modified_by,
  };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/**
 * Feature flags (PostHog's posthog_featureflag) in Postgres. `/flags` reads a project's active flags
 * thousands of times a second, so each project's flags live in memory; this process is their only
 * writer, so every write drops the project's snapshot and the next read rebuilds it. Experiments
 * decide `hasExperiment`: whoever writes experiments calls `invalidate`.
 */
export class FlagStore {
  private readonly byTeam = new Map<number, Promise<Snapshot>>();
  /** Validation reads other flags (keys, dependencies) before writing: writes go one at a time. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly pg: Postgres,
    private readonly log: Logger,
  ) {}

  private snapshot(teamId: number): Promise<Snapshot> {
    let loaded = this.byTeam.get(teamId);
    if (!loaded) {
      loaded = this.load(teamId);
      this.byTeam.set(teamId, loaded);
      loaded.catch((err: unknown) => {
        this.log.error({ err, teamId }, 'loading feature flags failed');
        if (this.byTeam.get(teamId) === loaded) this.byTeam.delete(teamId);
      });
    }
    return loaded;
  }

  private async load(teamId: number): Promise<Snapshot> {
    const [rows, experimentRows] = await Promise.all([
      this.pg.query<Row>(`SELECT ${COLUMNS} FROM feature_flags WHERE team_id = $1 AND NOT deleted ORDER BY id`, [teamId]),
      this.pg.query<{ id: number; feature_flag_id: number; name: string; deleted: boolean }>(
        `SELECT e.id, e.feature_flag_id, e.name, e.deleted FROM experiments e JOIN feature_flags f ON f.id = e.feature_flag_id
          WHERE f.team_id = $1 ORDER BY e.id`,
        [teamId],
      ),
    ]);
    const experiments = new Map<number, ExperimentRef[]>();
    for (const e of experimentRows) {
      const list = experiments.get(e.feature_flag_id) ?? [];
      list.push({ id: e.id, name: e.name, deleted: e.deleted });
      experiments.set(e.feature_flag_id, list);
    }
    const flags = new Map(rows.map((r) => [r.id, fromRow(r, experiments.get(r.id))]));
    const active = [...flags.values()].filter((f) => f.active);
    return {
      flags,
      experiments,
      active: { flags: active, evaluable: [...flags.values()] },
    };
  }

  /** The project's active, non-deleted flags: the hot path of `/flags` and local evaluation. */
  async active(teamId: number): Promise<ActiveFlags> {
    return (await this.snapshot(teamId)).active;
  }

  /** Drops the project's snapshot: call after writing anything flags are computed from (experiments). */
  invalidate(teamId: number): void {
    this.byTeam.delete(teamId);
  }

  /** Every non-deleted flag of the project (active or not), by id. */
  async all(teamId: number): Promise<ReadonlyMap<number, StoredFlag>> {
    return (await this.snapshot(teamId)).flags;
  }

  /** Experiments naming the flag, deleted ones included. */
  async experimentsOf(teamId: number, flagId: number): Promise<ExperimentRef[]> {
    return (await this.snapshot(teamId)).experiments.get(flagId) ?? [];
  }

  /** One flag, soft-deleted ones included (PostHog retrieves those too). */
  async get(teamId: number, id: number): Promise<StoredFlag | undefined> {
    const live = (await this.snapshot(teamId)).flags.get(id);
    if (live) return live;
    const [row] = await this.pg.query<Row>(`SELECT ${COLUMNS} FROM feature_flags WHERE team_id = $1 AND id = $2`, [teamId, id]);
    return row && fromRow(row, await this.experimentsOf(teamId, id));
  }

  /** Runs `fn` with no other flag write in between (validate, then write). */
  serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writing.then(fn);
    this.writing = run.catch(() => undefined);
    return run;
  }

  async create(teamId: number, input: FlagWrite & { key: string; filters: FlagFilters }, userId: number | null): Promise<StoredFlag> {
    const columns = ['team_id', 'created_by', 'last_modified_by'];
    const values: unknown[] = [teamId, userId, userId];
    const placeholders = ['$1', '$2', '$3'];
    for (const [column, cast, value] of assignments(input)) {
      columns.push(column);
      values.push(value);
      placeholders.push(`$${values.length}${cast}`);
    }
    try {
      const [row] = await this.pg.query<Row>(
        `INSERT INTO feature_flags (${columns.join(', ')}) VALUES (${placeholders.join(', ')}) RETURNING ${COLUMNS}`,
        values,
      );
      return fromRow(row!, []);
    } catch (err) {
      throw isUniqueViolation(err) ? new HedgerowError('invalid_input', 'There is already a feature flag with this key.', 'key') : err;
    } finally {
      this.invalidate(teamId);
    }
  }

  /** Applies the changes and bumps `version` (PostHog counts every saved update). */
  async update(teamId: number, id: number, changes: FlagWrite, userId: number | null): Promise<StoredFlag | undefined> {
    const values: unknown[] = [teamId, id, userId];
    const sets = ['version = version + 1', 'updated_at = clock_timestamp()', 'last_modified_by = $3'];
    for (const [column, cast, value] of assignments(changes)) {
      values.push(value);
      sets.push(`${column} = $${values.length}${cast}`);
    }
    try {
      const [row] = await this.pg.query<Row>(`UPDATE feature_flags SET ${sets.join(', ')} WHERE team_id = $1 AND id = $2 RETURNING ${COLUMNS}`, values);
      if (!row) return undefined;
      return fromRow(row, await this.experimentsOf(teamId, id));
    } catch (err) {
      throw isUniqueViolation(err) ? new HedgerowError('invalid_input', 'There is already a feature flag with this key.', 'key') : err;
    } finally {
      this.invalidate(teamId);
    }
  }




}
