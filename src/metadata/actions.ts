import { z } from 'zod';
import { propertiesSchema } from '../hogql/property-filters.js';
import type { Postgres } from '../storage/postgres.js';

/** PostHog's action step: every given condition must hold (AND); an action matches if any step does. */
export const actionStepSchema = z.object({
  event: z.string().max(400).nullish(),
  url: z.string().max(2000).nullish(),
  url_matching: z.enum(['contains', 'regex', 'exact']).nullish(),
  text: z.string().max(2000).nullish(),
  text_matching: z.enum(['contains', 'regex', 'exact']).nullish(),
  href: z.string().max(2000).nullish(),
  href_matching: z.enum(['contains', 'regex', 'exact']).nullish(),
  tag_name: z.string().max(200).nullish(),
  selector: z.string().max(2000).nullish(),
  properties: propertiesSchema.nullish(),
});
export type ActionStep = z.infer<typeof actionStepSchema>;

export interface Action {
  id: number;
  teamId: number;
  name: string;
  description: string;
  steps: ActionStep[];
  tags: string[];
  deleted: boolean;
  createdAt: string;
  updatedAt: string;
}

interface Row {
  id: number;
  team_id: number;
  name: string;
  description: string;
  steps: ActionStep[];
  tags: string[];
  deleted: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, team_id, name, description, steps, tags, deleted, created_at, updated_at';

function fromRow(r: Row): Action {
  return {
    id: r.id,
    teamId: r.team_id,
    name: r.name,
    description: r.description,
    steps: r.steps,
    tags: r.tags,
    deleted: r.deleted,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

/**
 * Actions of a project, in Postgres. Every query needs its project's actions (ActionsNode series,
 * `matchesAction()`), so they are kept in memory per project; this process is their only writer.
 */
export class ActionStore {
  private readonly byTeam = new Map<number, Promise<Map<number, Action>>>();

  constructor(private readonly pg: Postgres) {}

  /** All actions of the project by id, deleted ones included (saved insights may still name them). */
  all(teamId: number): Promise<Map<number, Action>> {
    let loaded = this.byTeam.get(teamId);
    if (!loaded) {
      loaded = this.pg.query<Row>(`SELECT ${COLUMNS} FROM actions WHERE team_id = $1 ORDER BY id`, [teamId]).then((rows) => new Map(rows.map((r) => [r.id, fromRow(r)])));
      this.byTeam.set(teamId, loaded);
      loaded.catch(() => this.byTeam.delete(teamId));
    }
    return loaded;
  }

  async list(teamId: number, opts: { includeDeleted?: boolean } = {}): Promise<Action[]> {
    return [...(await this.all(teamId)).values()].filter((a) => opts.includeDeleted || !a.deleted);
  }

  async get(teamId: number, id: number): Promise<Action | undefined> {
    return (await this.all(teamId)).get(id);
  }

  private async remember(action: Action): Promise<Action> {
    (await this.all(action.teamId)).set(action.id, action);
    return action;
  }

  async create(teamId: number, input: { name: string; description?: string; steps: ActionStep[]; tags?: string[]; createdBy?: number }): Promise<Action> {
    const [row] = await this.pg.query<Row>(
      `INSERT INTO actions (team_id, name, description, steps, tags, created_by) VALUES ($1, $2, $3, $4::jsonb, $5, $6) RETURNING ${COLUMNS}`,
      [teamId, input.name, input.description ?? '', JSON.stringify(input.steps), input.tags ?? [], input.createdBy ?? null],
    );
    return this.remember(fromRow(row!));
  }

  async update(teamId: number, id: number, changes: { name?: string; description?: string; steps?: ActionStep[]; tags?: string[]; deleted?: boolean }): Promise<Action | undefined> {
    const [row] = await this.pg.query<Row>(
      `UPDATE actions SET name = COALESCE($3, name), description = COALESCE($4, description), steps = COALESCE($5::jsonb, steps),
              tags = COALESCE($6, tags), deleted = COALESCE($7, deleted), updated_at = clock_timestamp()
        WHERE team_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [teamId, id, changes.name ?? null, changes.description ?? null, changes.steps ? JSON.stringify(changes.steps) : null, changes.tags ?? null, changes.deleted ?? null],
    );
    return row && this.remember(fromRow(row));
  }
}
