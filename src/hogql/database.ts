/**
 * The virtual database HogQL queries see: PostHog's table and field names, mapped onto our
 * ClickHouse tables. Every physical scan printed from here carries the project guard
 * (`team_id = <project>`); nothing else in the compiler names a physical table.
 */

export type FieldType = 'string' | 'datetime' | 'uuid' | 'integer' | 'float' | 'boolean' | 'json' | 'array' | 'unknown';

/** A column of the printed source (a physical column or a column of a printed subquery). */
export interface ColumnField {
  kind: 'column';
  column: string;
  type: FieldType;
  nullable: boolean;
}

/** A JSON-text column whose keys are reachable as `properties.key.sub`. */
export interface PropertiesField {
  kind: 'properties';
  column: string;
  propertyKind: 'event' | 'person' | 'group';
  groupTypeIndex?: number;
}

/** A field printed from other fields (e.g. `events.person_id` through the overrides join). */
export interface ComputedField {
  kind: 'computed';
  name: 'person_id';
}

/** A field that is a whole other table, joined only when referenced. */
export interface LazyJoinField {
  kind: 'lazy';
  join: LazyJoinName;
}

/** A namespace of fields on the same row (`poe.properties`). */
export interface StructField {
  kind: 'struct';
  fields: Record<string, FieldDef>;
}

export type FieldDef = ColumnField | PropertiesField | ComputedField | LazyJoinField | StructField;

export type LazyJoinName = 'override' | 'person' | 'pdi' | 'session' | `group_${0 | 1 | 2 | 3 | 4}`;

export type VirtualTableName =
  | 'events'
  | 'persons'
  | 'person_distinct_ids'
  | 'person_distinct_id_overrides'
  | 'groups'
  | 'sessions'
  | 'numbers';

export interface VirtualTable {
  name: VirtualTableName;
  fields: Record<string, FieldDef>;
  /** What `SELECT *` expands to. */
  asterisk: string[];
}

const col = (column: string, type: FieldType, nullable = false): ColumnField => ({ kind: 'column', column, type, nullable });

const eventFields: Record<string, FieldDef> = {
  uuid: col('uuid', 'uuid'),
  event: col('event', 'string'),
  properties: { kind: 'properties', column: 'properties', propertyKind: 'event' },
  timestamp: col('timestamp', 'datetime'),
  team_id: col('team_id', 'integer'),
  distinct_id: col('distinct_id', 'string'),
  elements_chain: col('elements_chain', 'string'),
  created_at: col('created_at', 'datetime'),
  $session_id: col('$session_id', 'string'),
  $window_id: col('$window_id', 'string'),
  person_id: { kind: 'computed', name: 'person_id' },
  person: { kind: 'lazy', join: 'person' },
  pdi: { kind: 'lazy', join: 'pdi' },
  session: { kind: 'lazy', join: 'session' },
  override: { kind: 'lazy', join: 'override' },
  poe: {
    kind: 'struct',
    fields: {
      id: col('person_id', 'uuid'),
      created_at: col('person_created_at', 'datetime'),
      properties: { kind: 'properties', column: 'person_properties', propertyKind: 'person' },
    },
  },
};
for (const i of [0, 1, 2, 3, 4] as const) {
  eventFields[`$group_${i}`] = col(`$group_${i}`, 'string');
  eventFields[`group_${i}`] = { kind: 'lazy', join: `group_${i}` };
}

/** Output columns of the session aggregate (see `sessionsSource`). */
const sessionFields: Record<string, FieldDef> = {
  session_id: col('session_id', 'string'),
  id: col('session_id', 'string'),
  team_id: col('team_id', 'integer'),
  distinct_id: col('distinct_id', 'string'),
  $start_timestamp: col('$start_timestamp', 'datetime'),
  $end_timestamp: col('$end_timestamp', 'datetime'),
  $session_duration: col('$session_duration', 'integer'),
  duration: col('$session_duration', 'integer'),
  $urls: col('$urls', 'array'),
  $num_uniq_urls: col('$num_uniq_urls', 'integer'),
  $entry_current_url: col('$entry_current_url', 'string', true),
  $entry_pathname: col('$entry_pathname', 'string', true),
  $entry_hostname: col('$entry_hostname', 'string', true),
  $end_current_url: col('$end_current_url', 'string', true),
  $exit_current_url: col('$end_current_url', 'string', true),
  $end_pathname: col('$end_pathname', 'string', true),
  $exit_pathname: col('$end_pathname', 'string', true),
  $entry_referring_domain: col('$entry_referring_domain', 'string', true),
  $entry_utm_source: col('$entry_utm_source', 'string', true),
  $entry_utm_medium: col('$entry_utm_medium', 'string', true),
  $entry_utm_campaign: col('$entry_utm_campaign', 'string', true),
  $entry_utm_term: col('$entry_utm_term', 'string', true),
  $entry_utm_content: col('$entry_utm_content', 'string', true),
  $pageview_count: col('$pageview_count', 'integer'),
  $autocapture_count: col('$autocapture_count', 'integer'),
  $screen_count: col('$screen_count', 'integer'),
  $is_bounce: col('$is_bounce', 'boolean', true),
};

/** distinct id → person tables (the mapping and its overrides) share one shape. */
function distinctIdTable(name: 'person_distinct_ids' | 'person_distinct_id_overrides'): VirtualTable {
  return {
    name,
    fields: {
      team_id: col('team_id', 'integer'),
      distinct_id: col('distinct_id', 'string'),
      person_id: col('person_id', 'uuid'),
      person: { kind: 'lazy', join: 'person' },
    },
    asterisk: ['distinct_id', 'person_id'],
  };
}

export const virtualTables: Record<VirtualTableName, VirtualTable> = {
  events: {
    name: 'events',
    fields: eventFields,
    asterisk: ['uuid', 'event', 'properties', 'timestamp', 'team_id', 'distinct_id', 'elements_chain', 'created_at'],
  },
  persons: {
    name: 'persons',
    fields: {
      id: col('id', 'uuid'),
      team_id: col('team_id', 'integer'),
      created_at: col('created_at', 'datetime'),
      properties: { kind: 'properties', column: 'properties', propertyKind: 'person' },
      is_identified: col('is_identified', 'boolean'),
    },
    asterisk: ['id', 'created_at', 'team_id', 'properties', 'is_identified'],
  },
  person_distinct_ids: distinctIdTable('person_distinct_ids'),
  person_distinct_id_overrides: distinctIdTable('person_distinct_id_overrides'),
  groups: {
    name: 'groups',
    fields: {
      team_id: col('team_id', 'integer'),
      index: col('index', 'integer'),
      key: col('key', 'string'),
      created_at: col('created_at', 'datetime'),
      properties: { kind: 'properties', column: 'properties', propertyKind: 'group' },
    },
    asterisk: ['index', 'key', 'created_at', 'team_id', 'properties'],
  },
  sessions: {
    name: 'sessions',
    fields: sessionFields,
    asterisk: ['session_id', 'distinct_id', '$start_timestamp', '$end_timestamp', '$session_duration', '$entry_current_url', '$end_current_url', '$pageview_count', '$is_bounce'],
  },
  numbers: {
    name: 'numbers',
    fields: { number: col('number', 'integer') },
    asterisk: ['number'],
  },
};

/** Tables users may name in FROM/JOIN. `raw_*` names are PostHog's un-deduplicated variants; ours dedupe. */
export function lookupTable(name: string): VirtualTable | undefined {
  const aliases: Record<string, VirtualTableName> = {
    raw_persons: 'persons',
    raw_person_distinct_ids: 'person_distinct_ids',
    raw_groups: 'groups',
    raw_sessions: 'sessions',
  };
  const key = (aliases[name] ?? name) as VirtualTableName;
  return Object.hasOwn(virtualTables, key) ? virtualTables[key] : undefined;
}

/** The table a lazy join reaches, and how its rows match the source row. */
export const lazyJoinTargets: Record<LazyJoinName, { table: VirtualTableName; groupTypeIndex?: number }> = {
  override: { table: 'person_distinct_id_overrides' },
  person: { table: 'persons' },
  pdi: { table: 'person_distinct_ids' },
  session: { table: 'sessions' },
  group_0: { table: 'groups', groupTypeIndex: 0 },
  group_1: { table: 'groups', groupTypeIndex: 1 },
  group_2: { table: 'groups', groupTypeIndex: 2 },
  group_3: { table: 'groups', groupTypeIndex: 3 },
  group_4: { table: 'groups', groupTypeIndex: 4 },
};

const urlProp = (key: string) => `JSONExtractString(properties, '${key}')`;

/** What a lazily joined persons/groups table has to provide. */
export interface PropertyProjection {
  /** Whether the whole property set is read; otherwise only `columns` are selected. */
  wholeProperties: boolean;
  /** Other fields read through the join (`created_at`, `is_identified`); the rest are not selected. */
  fields: Set<string>;
  /** Extracted properties: a column name and the SQL that extracts the value from a property set. */
  columns: { name: string; text: (properties: string) => string }[];
}

/** The columns a persons/groups subquery selects: everything, or (when joined lazily) what the query reads. */
function selected(properties: string, projection: PropertyProjection | undefined, fields: Record<string, string>): string {
  const parts: string[] = [];
  if (!projection || projection.wholeProperties) parts.push(`argMax(${properties}, version) AS properties`);
  // Wrapped in a tuple: argMax skips NULL values, and a property unset in the latest version must read as NULL.
  for (const c of projection?.columns ?? []) parts.push(`tupleElement(argMax(tuple(${c.text(properties)}), version), 1) AS ${c.name}`);
  for (const [field, sql] of Object.entries(fields)) if (!projection || projection.fields.has(field)) parts.push(`${sql} AS ${field}`);
  return parts.map((p) => `, ${p}`).join('');
}

export interface SubqueryOptions {
  groupTypeIndex?: number;
  projection?: PropertyProjection;
  /** For `sessions`: an extra condition on the events aggregated (a time window). */
  sessionEvents?: string;
}

/**
 * The deduplicated, project-guarded rows of a virtual table as ClickHouse SQL. `events` is the one
 * physical table read directly (the guard then goes into the WHERE of the query that reads it).
 */
export function guardedSubquery(table: VirtualTableName, teamId: number, options: SubqueryOptions = {}): string {
  const { groupTypeIndex, projection } = options;
  const team = `team_id = ${Math.trunc(teamId)}`;
  switch (table) {
    case 'events':
      return `SELECT * FROM events FINAL WHERE ${team}`;
    case 'persons': {
      const columns = selected('properties', projection, { created_at: 'argMax(created_at, version)', is_identified: 'argMax(is_identified, version) = 1' });
      return `SELECT team_id, id${columns} FROM person WHERE ${team} GROUP BY team_id, id HAVING argMax(is_deleted, version) = 0`;
    }
    case 'person_distinct_ids':
      return distinctIds('person_distinct_id2', team);
    case 'person_distinct_id_overrides':
      return distinctIds('person_distinct_id_overrides', team);
    case 'groups': {
      const index = groupTypeIndex === undefined ? '' : ` AND group_type_index = ${Math.trunc(groupTypeIndex)}`;
      const columns = selected('group_properties', projection, { created_at: 'argMax(created_at, version)' });
      return `SELECT team_id, group_type_index AS index, group_key AS key${columns} FROM groups WHERE ${team}${index} GROUP BY team_id, group_type_index, group_key`;
    }
    case 'sessions':
      // Session aggregates computed from events (PostHog keeps a pre-aggregated table instead). FINAL has
      // already collapsed retried events, so plain counts equal PostHog's uniq(uuid) counts.
      // Bounce follows PostHog: none without pageviews/screens; otherwise not a bounce with more
      // than one pageview, any autocapture, or 10+ seconds.
      return `SELECT team_id, \`$session_id\` AS session_id, argMax(distinct_id, timestamp) AS distinct_id,
  min(timestamp) AS \`$start_timestamp\`, max(timestamp) AS \`$end_timestamp\`,
  dateDiff('second', min(timestamp), max(timestamp)) AS \`$session_duration\`,
  groupUniqArrayIf(${urlProp('$current_url')}, ${urlProp('$current_url')} != '') AS \`$urls\`, length(\`$urls\`) AS \`$num_uniq_urls\`,
  nullIf(argMin(${urlProp('$current_url')}, timestamp), '') AS \`$entry_current_url\`,
  nullIf(argMin(${urlProp('$pathname')}, timestamp), '') AS \`$entry_pathname\`,
  nullIf(argMin(${urlProp('$host')}, timestamp), '') AS \`$entry_hostname\`,
  nullIf(argMax(${urlProp('$current_url')}, timestamp), '') AS \`$end_current_url\`,
  nullIf(argMax(${urlProp('$pathname')}, timestamp), '') AS \`$end_pathname\`,
  nullIf(argMin(${urlProp('$referring_domain')}, timestamp), '') AS \`$entry_referring_domain\`,
  ${['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content']
    .map((k) => `nullIf(argMin(${urlProp(k)}, timestamp), '') AS \`$entry_${k}\``)
    .join(',\n  ')},
  countIf(event = '$pageview') AS \`$pageview_count\`,
  countIf(event = '$autocapture') AS \`$autocapture_count\`,
  countIf(event = '$screen') AS \`$screen_count\`,
  if(\`$pageview_count\` + \`$screen_count\` = 0, NULL, NOT (\`$pageview_count\` > 1 OR \`$autocapture_count\` > 0 OR \`$session_duration\` >= 10)) AS \`$is_bounce\`
FROM events FINAL WHERE ${team} AND \`$session_id\` != ''${options.sessionEvents ? ` AND ${options.sessionEvents}` : ''} GROUP BY team_id, \`$session_id\``;
    case 'numbers':
      throw new Error('numbers() is a table function, not a guarded table');
  }
}

function distinctIds(physical: string, team: string): string {
  return `SELECT team_id, distinct_id, argMax(person_id, version) AS person_id FROM ${physical} WHERE ${team} GROUP BY team_id, distinct_id HAVING argMax(is_deleted, version) = 0`;
}
