/**
 * The listing queries behind `event_definitions/` and `property_definitions/`, written after
 * PostHog's (posthog/api/event_definition.py, posthog/taxonomy/property_definition_api.py):
 * same filters, same ordering, limit/offset paging with an exact count.
 */
import type { Queryable } from '../storage/postgres.js';
import { DEFINITION_TYPE } from './definitions-tracker.js';

export type Direction = 'ASC' | 'DESC';
/** The orderings PostHog's event definitions list accepts. */
export const EVENT_ORDERINGS = ['name', 'last_seen_at', 'last_seen_at::date', 'created_at', 'created_at::date'] as const;
export type EventOrdering = (typeof EVENT_ORDERINGS)[number];

const ORDER_SQL: Record<EventOrdering | 'length(name)', string> = {
  name: 'name',
  'length(name)': 'length(name)',
  last_seen_at: 'last_seen_at',
  'last_seen_at::date': "(last_seen_at AT TIME ZONE 'UTC')::date",
  created_at: 'created_at',
  'created_at::date': "(created_at AT TIME ZONE 'UTC')::date",
};

/** Event properties PostHog never lists (ingestion plumbing), unless core properties are excluded wholesale. */
const ALWAYS_EXCLUDED_EVENT_PROPERTIES = [
  'distinct_id', '$set', '$set_once', '$initial_referrer', '$initial_referring_domain',
  '$groups', '$group_type', '$group_key', '$group_set', '$group_0', '$group_1', '$group_2', '$group_3', '$group_4',
];
/** Core event properties without a `$` (PostHog's taxonomy): campaign parameters. */
const CORE_EVENT_PROPERTIES_WITHOUT_DOLLAR = [
  'distinct_id', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'utm_name', 'gclid', 'gad_source',
  'gclsrc', 'dclid', 'gbraid', 'wbraid', 'fbclid', 'msclkid', 'twclid', 'li_fat_id', 'mc_cid', 'igshid', 'ttclid',
  'rdt_cid', 'epik', 'qclid', 'sccid', 'irclid', '_kx',
];
/** Properties PostHog's web analytics pre-aggregates (`is_optimized`). */
const OPTIMIZED_PROPERTIES = new Set([
  '$host', '$device_type', '$browser', '$os', '$referring_domain', '$geoip_country_code', '$geoip_city_name',
  '$geoip_subdivision_1_code', '$geoip_subdivision_1_name', '$geoip_time_zone', '$pathname', '$entry_pathname',
  '$end_pathname', '$entry_utm_source', '$entry_utm_medium', '$entry_utm_campaign', '$entry_utm_term',
  '$entry_utm_content', '$channel_type',
]);

/** Collects positional parameters while a statement is assembled. */
class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** PostHog's term search: every space-separated term must occur in the name (ILIKE, no escaping, as PostHog). */
export function searchTerms(search: string | undefined): string[] {
  return (search ?? '').replaceAll('\u0000', '').split(' ').filter(Boolean);
}

function termFilter(p: Params, column: string, terms: string[]): string {
  return terms.map((t) => `${column} ILIKE ${p.add(`%${t}%`)}`).join(' AND ');
}

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());

// ---- event definitions ---------------------------------------------------------------------------

export interface EventDefinitionQuery {
  search?: string;
  eventType: 'event' | 'event_custom' | 'event_posthog';
  names?: string[];
  excluded?: string[];
  /** Requested ordering; empty means PostHog's default (`-last_seen_at::date`, `name`). */
  ordering: Array<[EventOrdering, Direction]>;
  limit: number;
  offset: number;
}

interface EventDefinitionRow {
  id: string;
  name: string;
  created_at: Date | string | null;
  last_seen_at: Date | string | null;
}

export function eventDefinitionView(r: EventDefinitionRow) {
  return {
    id: r.id,
    name: r.name,
    owner: null,
    description: null,
    tags: [],
    created_at: iso(r.created_at),
    updated_at: null,
    updated_by: null,
    last_seen_at: iso(r.last_seen_at),
    last_updated_at: null,
    verified: false,
    verified_at: null,
    verified_by: null,
    hidden: false,
    enforcement_mode: 'allow',
    primary_property: null,
    is_action: false,
    action_id: null,
    is_calculating: false,
    last_calculated_at: null,
    created_by: null,
    post_to_slack: false,
    default_columns: [],
    volume_30_day: null,
    query_usage_30_day: null,
  };
}

export async function listEventDefinitions(db: Queryable, teamId: number, q: EventDefinitionQuery) {
  const p = new Params();
  const where = [`team_id = ${p.add(teamId)}`];
  if (q.eventType === 'event_custom') where.push(`name NOT LIKE '$%'`);
  if (q.eventType === 'event_posthog') where.push(`name LIKE '$%'`);
  const terms = searchTerms(q.search);
  if (terms.length) where.push(termFilter(p, 'name', terms));
  if (q.names?.length) where.push(`name = ANY(${p.add(q.names)}::text[])`);
  if (q.excluded?.length) where.push(`NOT name = ANY(${p.add(q.excluded)}::text[])`);

  let order: Array<[EventOrdering | 'length(name)', Direction]> = q.ordering.length ? [...q.ordering] : [['last_seen_at::date', 'DESC'], ['name', 'ASC']];
  // name is unique per project: the tiebreaker that keeps offset pages stable.
  if (!order.some(([o]) => o === 'name')) order.push(['name', 'ASC']);
  // Searching without an explicit order puts the shortest (closest) matches first.
  if (terms.length && !q.ordering.length) order = [['length(name)', 'ASC'], ...order];
  const orderBy = order
    .map(([o, d]) => (o === 'name' || o === 'length(name)' ? `${ORDER_SQL[o]} ${d}` : `${ORDER_SQL[o]} ${d} NULLS ${d === 'ASC' ? 'FIRST' : 'LAST'}`))
    .join(', ');

  const filter = where.join(' AND ');
  const countParams = [...p.values];
  const [rows, [count]] = await Promise.all([
    db.query<EventDefinitionRow>(
      `SELECT id, name, created_at, last_seen_at FROM event_definitions WHERE ${filter} ORDER BY ${orderBy} LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`,
      p.values,
    ),
    db.query<{ count: number | string }>(`SELECT count(*) AS count FROM event_definitions WHERE ${filter}`, countParams),
  ]);
  return { count: Number(count?.count ?? 0), results: rows.map(eventDefinitionView) };
}

export async function eventDefinitionById(db: Queryable, teamId: number, id: string) {
  const [row] = await db.query<EventDefinitionRow>('SELECT id, name, created_at, last_seen_at FROM event_definitions WHERE team_id = $1 AND id = $2', [teamId, id]);
  return row ? eventDefinitionView(row) : undefined;
}

// ---- property definitions ------------------------------------------------------------------------

export type PropertyDefinitionKind = keyof typeof DEFINITION_TYPE;

export interface PropertyDefinitionQuery {
  type: PropertyDefinitionKind;
  groupTypeIndex?: number;
  search?: string;
  /** `properties=a,b`: only these names. */
  names?: string[];
  /** `is_numerical=true`: numeric ones only (PostHog ignores `false`). */
  numericalOnly: boolean;
  isFeatureFlag?: boolean;
  /** Sets `is_seen_on_filtered_events`; with `filterByEventNames`, keeps only those. */
  eventNames?: string[];
  filterByEventNames?: boolean;
  excluded?: string[];
  excludeCoreProperties: boolean;
  limit: number;
  offset: number;
}

interface PropertyDefinitionRow {
  id: string;
  name: string;
  type: number;
  group_type_index: number | null;
  property_type: string | null;
  is_numerical: boolean;
  is_seen_on_filtered_events: boolean | null;
}

const KIND_OF_CODE: Record<number, PropertyDefinitionKind> = { 1: 'event', 2: 'person', 3: 'group', 4: 'session' };

export function propertyDefinitionView(r: PropertyDefinitionRow) {
  return {
    id: r.id,
    name: r.name,
    description: null,
    tags: [],
    is_numerical: r.is_numerical,
    property_type: r.property_type,
    type: KIND_OF_CODE[r.type] ?? null,
    group_type_index: r.group_type_index,
    is_seen_on_filtered_events: r.is_seen_on_filtered_events,
    is_optimized: OPTIMIZED_PROPERTIES.has(r.name),
    updated_at: null,
    updated_by: null,
    verified: false,
    verified_at: null,
    verified_by: null,
    hidden: false,
  };
}

export async function listPropertyDefinitions(db: Queryable, teamId: number, q: PropertyDefinitionQuery) {
  const p = new Params();
  const team = p.add(teamId);
  const where = [`pd.team_id = ${team}`, `pd.type = ${p.add(DEFINITION_TYPE[q.type])}`, `coalesce(pd.group_type_index, -1) = ${p.add(q.groupTypeIndex ?? -1)}`];

  let join = '';
  let seen = 'NULL::boolean';
  // Only event properties are tied to events (event_properties), as in PostHog.
  const eventNames = q.eventNames?.length ? q.eventNames : undefined;
  if (q.type === 'event' && (eventNames || q.filterByEventNames)) {
    const onEvents = eventNames ? ` AND event = ANY(${p.add(eventNames)}::text[])` : '';
    join = `${q.filterByEventNames ? 'INNER' : 'LEFT'} JOIN (SELECT DISTINCT property FROM event_properties WHERE team_id = ${team}${onEvents}) seen ON seen.property = pd.name`;
    if (eventNames) seen = 'seen.property IS NOT NULL';
  }

  if (q.excluded?.length) where.push(`NOT pd.name = ANY(${p.add(q.excluded)}::text[])`);
  if (q.type === 'event' && !q.excludeCoreProperties) {
    where.push(`NOT pd.name = ANY(${p.add(ALWAYS_EXCLUDED_EVENT_PROPERTIES)}::text[])`, `pd.name NOT LIKE '$session\\_entry\\_%'`);
  } else if (q.type === 'event') {
    where.push(`pd.name NOT LIKE '$%'`, `NOT pd.name = ANY(${p.add(CORE_EVENT_PROPERTIES_WITHOUT_DOLLAR)}::text[])`);
  }
  if (q.names?.length) where.push(`pd.name = ANY(${p.add(q.names)}::text[])`);
  if (q.numericalOnly) where.push(`pd.is_numerical AND NOT pd.name = ANY(ARRAY['distinct_id', 'timestamp'])`);
  const terms = searchTerms(q.search);
  if (terms.length) {
    // PostHog's quirk, kept: on person properties a term within "latest" also matches every non-initial property.
    const latest = q.type === 'person' && terms.some((t) => 'latest'.includes(t.toLowerCase())) ? ` OR NOT pd.name ILIKE '%initial%'` : '';
    where.push(`((${termFilter(p, 'pd.name', terms)})${latest})`);
  }
  if (q.isFeatureFlag !== undefined) where.push(`pd.name ${q.isFeatureFlag ? '' : 'NOT '}LIKE '$feature/%'`);

  const from = `FROM property_definitions pd ${join} WHERE ${where.join(' AND ')}`;
  const countParams = [...p.values];
  const [rows, [count]] = await Promise.all([
    db.query<PropertyDefinitionRow>(
      `SELECT pd.id, pd.name, pd.type, pd.group_type_index, pd.property_type, pd.is_numerical, ${seen} AS is_seen_on_filtered_events
       ${from} ORDER BY is_seen_on_filtered_events DESC, pd.name ASC LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`,
      p.values,
    ),
    db.query<{ count: number | string }>(`SELECT count(*) AS count ${from}`, countParams),
  ]);
  return { count: Number(count?.count ?? 0), results: rows.map(propertyDefinitionView) };
}

export async function propertyDefinitionById(db: Queryable, teamId: number, id: string) {
  const [row] = await db.query<PropertyDefinitionRow>(
    `SELECT id, name, type, group_type_index, property_type, is_numerical, NULL::boolean AS is_seen_on_filtered_events
       FROM property_definitions WHERE team_id = $1 AND id = $2`,
    [teamId, id],
  );
  return row ? propertyDefinitionView(row) : undefined;
}

/** `seen_together`: for each event, whether the property was ever seen with it. */
export async function seenTogether(db: Queryable, teamId: number, eventNames: string[], property: string): Promise<Record<string, boolean>> {
  const rows = await db.query<{ event: string }>('SELECT event FROM event_properties WHERE team_id = $1 AND property = $2 AND event = ANY($3::text[])', [
    teamId,
    property,
    eventNames,
  ]);
  const seen = new Set(rows.map((r) => r.event));
  return Object.fromEntries(eventNames.map((e) => [e, seen.has(e)]));
}
