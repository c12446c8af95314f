import type { Postgres } from '../storage/postgres.js';
import type { Props } from './property-updates.js';
import { containsPattern } from '../like-pattern.js';

/** A person as the API shows it (PostHog's person serializer fields). */
export interface PersonView {
  id: string;
  uuid: string;
  name: string;
  distinct_ids: string[];
  properties: Props;
  is_identified: boolean;
  created_at: string;
}

interface Row {
  uuid: string;
  properties: Props;
  is_identified: boolean;
  created_at: Date;
  distinct_ids: string[] | null;
}

/** A person-property filter as PostHog sends it (`properties=[{key, value, operator, type}]`). */
export interface PersonPropertyFilter {
  key: string;
  value?: unknown;
  operator?: string;
  type?: string;
}

function view(r: Row): PersonView {
  const ids = r.distinct_ids ?? [];
  const email = r.properties.email;
  return {
    id: r.uuid,
    uuid: r.uuid,
    name: typeof email === 'string' && email ? email : (ids[0] ?? r.uuid),
    distinct_ids: ids,
    properties: r.properties,
    is_identified: r.is_identified,
    created_at: new Date(r.created_at).toISOString(),
  };
}

const SELECT = `SELECT p.uuid, p.properties, p.is_identified, p.created_at,
  (SELECT array_agg(d.distinct_id ORDER BY d.version, d.distinct_id) FROM person_distinct_ids d WHERE d.person_uuid = p.uuid) AS distinct_ids
  FROM persons p`;

export class PersonQueries {
  constructor(private readonly pg: Postgres) {}

  async byUuids(teamId: number, uuids: string[]): Promise<Map<string, PersonView>> {
    if (uuids.length === 0) return new Map();
    const rows = await this.pg.query<Row>(`${SELECT} WHERE p.team_id = $1 AND p.uuid = ANY($2::uuid[])`, [teamId, uuids]);
    return new Map(rows.map((r) => [r.uuid, view(r)]));
  }

  /**
   * Person uuids for identifiers as people paste them into a static cohort's CSV: distinct ids, person
   * uuids or emails. Unknown identifiers are skipped.
   */
  async uuidsForIdentifiers(teamId: number, identifiers: string[]): Promise<string[]> {
    if (identifiers.length === 0) return [];
    const uuids = identifiers.filter((i) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(i));
    const rows = await this.pg.query<{ uuid: string }>(
      `SELECT person_uuid AS uuid FROM person_distinct_ids WHERE team_id = $1 AND distinct_id = ANY($2::text[])
       UNION SELECT uuid FROM persons WHERE team_id = $1 AND (uuid = ANY($3::uuid[]) OR properties->>'email' = ANY($2::text[]))`,
      [teamId, identifiers, uuids],
    );
    return rows.map((r) => r.uuid);
  }

  async byDistinctId(teamId: number, distinctId: string): Promise<PersonView | undefined> {
    const [row] = await this.pg.query<Row>(
      `${SELECT} JOIN person_distinct_ids pd ON pd.person_uuid = p.uuid WHERE pd.team_id = $1 AND pd.distinct_id = $2`,
      [teamId, distinctId],
    );
    return row ? view(row) : undefined;
  }

  /**
   * Newest first, keyset-paginated on (created_at, uuid). `search` matches email or name (substring,
   * case-insensitive), a distinct id or the uuid exactly, as PostHog's persons search does.
   */
  async list(
    teamId: number,
    opts: { search?: string; filters: PersonPropertyFilter[]; limit: number; cursor?: { createdAt: string; uuid: string }; uuids?: string[] },
  ): Promise<PersonView[]> {
    const params: unknown[] = [teamId];
    const where = ['p.team_id = $1'];
    const param = (v: unknown) => `$${params.push(v)}`;
    if (opts.search) {
      const like = param(containsPattern(opts.search));
      const exact = param(opts.search);
      where.push(
        `(p.properties->>'email' ILIKE ${like} OR p.properties->>'name' ILIKE ${like} OR p.uuid::text = ${exact}
          OR EXISTS (SELECT 1 FROM person_distinct_ids d WHERE d.person_uuid = p.uuid AND d.distinct_id = ${exact}))`,
      );
    }
    for (const f of opts.filters) where.push(propertyCondition(f, param));
    if (opts.uuids) where.push(`p.uuid = ANY(${param(opts.uuids)}::uuid[])`);
    if (opts.cursor) where.push(`(p.created_at, p.uuid) < (${param(opts.cursor.createdAt)}::timestamptz, ${param(opts.cursor.uuid)}::uuid)`);
    const rows = await this.pg.query<Row>(
      `${SELECT} WHERE ${where.join(' AND ')} ORDER BY p.created_at DESC, p.uuid DESC LIMIT ${param(opts.limit)}`,
      params,
    );
    return rows.map(view);
  }
}

/** SQL for one person-property filter; values are always bound parameters. */
function propertyCondition(f: PersonPropertyFilter, param: (v: unknown) => string): string {
  const key = param(f.key);
  const text = `(p.properties->>${key})`;
  const values = (Array.isArray(f.value) ? f.value : [f.value]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  switch (f.operator ?? 'exact') {
    case 'exact':
      return `${text} = ANY(${param(values)}::text[])`;
    case 'is_not':
      return `(${text} IS NULL OR NOT (${text} = ANY(${param(values)}::text[])))`;
    case 'icontains':
      return `${text} ILIKE ${param(`%${values[0] ?? ''}%`)}`;
    case 'not_icontains':
      return `(${text} IS NULL OR ${text} NOT ILIKE ${param(`%${values[0] ?? ''}%`)})`;
    case 'is_set':
      return `p.properties ? ${key}`;
    case 'is_not_set':
      return `NOT (p.properties ? ${key})`;
    case 'gt':
    case 'lt':
    case 'gte':
    case 'lte': {
      const op = { gt: '>', lt: '<', gte: '>=', lte: '<=' }[f.operator!];
      return `(CASE WHEN jsonb_typeof(p.properties->${key}) = 'number' THEN (p.properties->>${key})::numeric ${op} ${param(Number(values[0]))} ELSE false END)`;
    }
    default:
      throw new Error(`unsupported operator ${f.operator}`);
  }
}

export const SUPPORTED_PERSON_OPERATORS = ['exact', 'is_not', 'icontains', 'not_icontains', 'is_set', 'is_not_set', 'gt', 'lt', 'gte', 'lte'];
