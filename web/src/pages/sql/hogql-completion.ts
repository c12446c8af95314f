import { snippetCompletion, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
// The server's own table list, so the editor offers exactly what queries can read (it has no imports
// and tree-shakes to the table definitions).
import { lazyJoinTargets, virtualTables, type FieldDef, type VirtualTableName } from '../../../../src/hogql/database.js';

export type PropertyKind = 'event' | 'person';
export interface PropertyName {
  name: string;
  /** String, Numeric, DateTime, Boolean… when the taxonomy knows it. */
  type: string | null;
}
/** Property names of a kind (the page fetches and caches them). */
export type LoadPropertyNames = (kind: PropertyKind) => Promise<PropertyName[]>;

export const HOGQL_KEYWORDS = [
  'SELECT', 'FROM', 'WHERE', 'GROUP BY', 'ORDER BY', 'HAVING', 'LIMIT', 'OFFSET', 'AS', 'DISTINCT', 'AND', 'OR', 'NOT', 'IN', 'LIKE', 'ILIKE',
  'BETWEEN', 'IS NULL', 'IS NOT NULL', 'JOIN', 'LEFT JOIN', 'INNER JOIN', 'ON', 'USING', 'WITH', 'UNION ALL', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END',
  'INTERVAL', 'ASC', 'DESC', 'NULLS FIRST', 'NULLS LAST', 'TRUE', 'FALSE', 'NULL',
];

/** Common HogQL functions (each checked against the server's function list). */
export const HOGQL_FUNCTION_NAMES = [
  'count', 'countIf', 'uniq', 'uniqExact', 'sum', 'sumIf', 'avg', 'avgIf', 'min', 'max', 'argMax', 'argMin', 'any', 'groupArray', 'groupUniqArray',
  'quantile', 'median', 'toDate', 'toDateTime', 'toStartOfMinute', 'toStartOfHour', 'toStartOfDay', 'toStartOfWeek', 'toStartOfMonth',
  'toStartOfYear', 'toYear', 'toMonth', 'toDayOfWeek', 'toHour', 'now', 'today', 'yesterday', 'dateDiff', 'dateAdd', 'dateSub', 'dateTrunc',
  'toTimeZone', 'formatDateTime', 'if', 'multiIf', 'coalesce', 'ifNull', 'nullIf', 'isNull', 'isNotNull', 'lower', 'upper', 'length', 'concat',
  'substring', 'trim', 'splitByChar', 'replaceAll', 'replaceRegexpAll', 'extract', 'match', 'position', 'startsWith', 'endsWith', 'toString',
  'toInt', 'toFloat', 'toBool', 'toUUID', 'round', 'floor', 'ceil', 'abs', 'greatest', 'least', 'arrayJoin', 'has', 'indexOf',
  'JSONExtractString', 'JSONExtractInt', 'JSONExtractRaw', 'domain', 'path', 'cutQueryString',
];

const TABLE_NAMES = (Object.keys(virtualTables) as VirtualTableName[]).filter((t) => t !== 'numbers');
const NOT_ALIASES = new Set(['where', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'on', 'using', 'group', 'order', 'limit', 'having', 'as', 'final', 'sample', 'array', 'union', 'settings', 'prewhere', 'window', 'offset']);
const PLAIN_IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** An identifier as HogQL reads it: backquoted when it is not a plain word (`my prop`). */
export function quoteIdentifier(name: string): string {
  return PLAIN_IDENTIFIER.test(name) ? name : '`' + name.replaceAll('\\', '\\\\').replaceAll('`', '\\`') + '`';
}

/** Tables named after FROM/JOIN, by the name or alias the query uses for them. */
export function tablesInQuery(doc: string): Map<string, VirtualTableName> {
  const out = new Map<string, VirtualTableName>();
  for (const m of doc.matchAll(/\b(?:from|join)\s+([A-Za-z_][\w]*)(?:\s+(?:as\s+)?([A-Za-z_][\w]*))?/gi)) {
    const table = m[1]!.toLowerCase() as VirtualTableName;
    if (!Object.hasOwn(virtualTables, table)) continue;
    out.set(table, table);
    const alias = m[2];
    if (alias && !NOT_ALIASES.has(alias.toLowerCase())) out.set(alias, table);
  }
  return out;
}

type Resolved = { kind: 'fields'; fields: Record<string, FieldDef> } | { kind: 'properties'; propertyKind: 'event' | 'person' | 'group' } | null;

function resolveField(def: FieldDef): Resolved {
  if (def.kind === 'lazy') return { kind: 'fields', fields: virtualTables[lazyJoinTargets[def.join].table].fields };
  if (def.kind === 'struct') return { kind: 'fields', fields: def.fields };
  if (def.kind === 'properties') return { kind: 'properties', propertyKind: def.propertyKind };
  return null;
}

/** What `a.b.` reaches: a table's fields (through aliases, lazy joins, structs) or a property set. */
export function resolvePath(path: string[], tables: Map<string, VirtualTableName>): Resolved {
  const [first, ...rest] = path;
  if (first === undefined) return null;
  let current: Resolved = null;
  const named = tables.get(first) ?? (Object.hasOwn(virtualTables, first) ? (first as VirtualTableName) : undefined);
  if (named) current = { kind: 'fields', fields: virtualTables[named].fields };
  else {
    // A field of a table in FROM (events when the query names none yet).
    const sources = tables.size ? [...new Set(tables.values())] : (['events'] as VirtualTableName[]);
    const def = sources.map((t) => virtualTables[t].fields[first]).find((d) => d !== undefined);
    current = def ? resolveField(def) : null;
  }
  for (const part of rest) {
    if (current?.kind !== 'fields') return null;
    const def = current.fields[part];
    current = def ? resolveField(def) : null;
  }
  return current;
}

function fieldDetail(def: FieldDef): string {
  if (def.kind === 'column') return def.type;
  if (def.kind === 'lazy') return `→ ${lazyJoinTargets[def.join].table}`;
  if (def.kind === 'properties') return `${def.propertyKind} properties`;
  if (def.kind === 'struct') return 'fields';
  return 'computed';
}

function fieldCompletions(fields: Record<string, FieldDef>): Completion[] {
  return Object.entries(fields)
    .filter(([name]) => name !== 'team_id')
    .map(([name, def]) => ({ label: name, apply: quoteIdentifier(name), type: def.kind === 'column' || def.kind === 'computed' ? 'property' : 'namespace', detail: fieldDetail(def) }));
}

const keywordCompletions: Completion[] = HOGQL_KEYWORDS.map((k) => ({ label: k, type: 'keyword', boost: -1 }));
const functionCompletions: Completion[] = HOGQL_FUNCTION_NAMES.map((f) => snippetCompletion(`${f}(\${})`, { label: f, type: 'function', detail: 'function' }));
const tableCompletions: Completion[] = TABLE_NAMES.map((t) => ({ label: t, type: 'class', detail: 'table', boost: 1 }));
const IDENT_PART = /^[\w$]*$/;

/**
 * Completes HogQL: tables after FROM/JOIN; columns of the tables in the query; `x.` by what `x`
 * is (an alias, a lazy join such as `person.`, `session.`, `poe.`); `properties.` with the
 * project's event property names and `person.properties.` with person property names.
 */
export function hogqlCompletionSource(loadProperties: LoadPropertyNames) {
  return async (context: CompletionContext): Promise<CompletionResult | null> => {
    const token = context.matchBefore(/[\w$]*(?:\.[\w$]*)*/);
    if (!token) return null;
    const parts = token.text.split('.');
    const prefix = parts.pop() ?? '';
    const from = token.to - prefix.length;
    const doc = context.state.doc.toString();
    const tables = tablesInQuery(doc);

    if (parts.length === 0) {
      if (prefix === '' && !context.explicit) return null;
      const before = context.state.sliceDoc(Math.max(0, token.from - 40), token.from);
      if (/\b(from|join)\s+$/i.test(before)) return { from, options: tableCompletions, validFor: IDENT_PART };
      const sources = tables.size ? [...new Set(tables.values())] : (['events'] as VirtualTableName[]);
      const columns = sources.flatMap((t) => fieldCompletions(virtualTables[t].fields));
      return { from, options: [...columns, ...tableCompletions, ...functionCompletions, ...keywordCompletions], validFor: IDENT_PART };
    }

    const resolved = resolvePath(parts, tables);
    if (!resolved) return null;
    if (resolved.kind === 'fields') return { from, options: fieldCompletions(resolved.fields), validFor: IDENT_PART };
    if (resolved.propertyKind === 'group') return null; // group property names depend on the group type index
    const names = await loadProperties(resolved.propertyKind).catch(() => [] as PropertyName[]);
    if (context.aborted) return null;
    return {
      from,
      options: names.map((p) => ({ label: p.name, apply: quoteIdentifier(p.name), type: 'variable', detail: p.type ? `${resolved.propertyKind} · ${p.type}` : resolved.propertyKind })),
      validFor: IDENT_PART,
    };
  };
}
