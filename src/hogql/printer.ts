import {
  HogQLError,
  type Call,
  type CompareOperation,
  type Constant,
  type CTE,
  type Expr,
  type Field,
  type JoinExpr,
  type OrderExpr,
  type RatioExpr,
  type SampleExpr,
  type SelectQuery,
  type SelectSetQuery,
  type Span,
  type WindowExpr,
  type WindowFrameExpr,
} from './ast.js';
import {
  guardedSubquery,
  lazyJoinTargets,
  lookupTable,
  virtualTables,
  type FieldDef,
  type FieldType,
  type LazyJoinName,
  type PropertiesField,
  type VirtualTableName,
} from './database.js';
import {
  closestFunctionName,
  COMPARISON_FUNCTIONS,
  lookupFunction,
  POSTHOG_SPECIAL_FUNCTIONS,
  renderFunctionCall,
  validateFunctionArgs,
  type ArgKind,
  type RenderArg,
} from './functions.js';
import { printHogQL } from './print-hogql.js';

export type PropertyType = 'String' | 'Numeric' | 'Boolean' | 'DateTime';

export interface PrinterOptions {
  teamId: number;
  timezone: string;
  /** The taxonomy's type of a property, when known (PostHog types property access by it). */
  propertyType?: (kind: 'event' | 'person' | 'group', key: string, groupTypeIndex?: number) => PropertyType | undefined;
  /** The materialized column holding an event property's text, if there is one (see `materialized-columns.ts`). */
  materializedProperty?: (key: string) => string | undefined;
  /** An action (by id or name) as a condition on events, for `matchesAction()`. */
  action?: (idOrName: number | string) => Expr | undefined;
  /** Told of every top-level event property a query reads (what decides which properties get materialized). */
  onPropertyRead?: (key: string) => void;
  /** A cohort (by id or name) and its current membership version, for `IN COHORT`; version null = not calculated yet. */
  cohort?: (idOrName: number | string) => { id: number; version: number | null } | undefined;
}

export interface OutputColumn {
  name: string;
  def: FieldDef;
}

interface Printed {
  sql: string;
  /** Whether the value can be NULL: comparisons on nullable operands get SQL-ish null semantics. */
  nullable: boolean;
  /** What is known of its type (picks function overloads such as toDate of a string or a date). */
  kind?: ArgKind;
  /** The literal value, when the expression is a constant. */
  constant?: string | number | boolean | null;
  /** For a date-time column: the column without the project-timezone conversion (see `instantOperands`). */
  utcColumn?: string;
}

/** HogQL functions known to return a date-time instant (so comparisons with a column can skip timezone wrapping). */
const DATETIME_FUNCTIONS = new Set([
  'now',
  'toDateTime',
  'toDateTime64',
  'toDateTimeUS',
  'parseDateTime',
  'parseDateTimeBestEffort',
  'parseDateTime64BestEffort',
  'parseDateTime64BestEffortOrNull',
  'toTimeZone',
  'toStartOfDay',
  'toStartOfHour',
  'toStartOfMinute',
  'toStartOfFiveMinutes',
  'toStartOfTenMinutes',
  'toStartOfFifteenMinutes',
  'toStartOfInterval',
  'dateTrunc',
  'date_trunc',
  'dateAdd',
  'dateSub',
  'date_add',
  'date_sub',
  'addSeconds',
  'addMinutes',
  'addHours',
  'addDays',
  'addWeeks',
  'addMonths',
  'subtractSeconds',
  'subtractMinutes',
  'subtractHours',
  'subtractDays',
  'subtractWeeks',
  'subtractMonths',
  'fromUnixTimestamp',
]);

const KIND_OF_FIELD: Partial<Record<FieldType, ArgKind>> = {
  string: 'string',
  datetime: 'datetime',
  uuid: 'uuid',
  integer: 'integer',
  float: 'float',
  boolean: 'boolean',
  array: 'array',
};

/** A table visible in a scope: a virtual table, a subquery, or a lazily joined table. */
interface Source {
  alias: string;
  fields: Record<string, FieldDef>;
  asterisk: string[];
  table?: VirtualTableName;
  groupTypeIndex?: number;
  /** Lazy joins requested on this source, printed right after it. */
  joins: Map<LazyJoinName, Source>;
  /** The physical events table read directly (so its materialized columns are there). */
  direct?: boolean;
  /**
   * For a lazily joined persons/groups table: the property paths read through it, each extracted
   * inside the join's subquery (so the join carries short values, not whole property sets), and
   * whether the whole `properties` is needed as well.
   */
  projection?: { paths: Map<string, { column: string; keys: (string | number)[] }>; wholeProperties: boolean; fields: Set<string> };
}

interface Scope {
  sources: Source[];
  /** Select-list aliases of this query. */
  aliases: Map<string, Expr>;
  /** Lambda arguments and ARRAY JOIN aliases: printed as bare identifiers. */
  names: Set<string>;
  ctes: Map<string, CTE>;
  parent?: Scope;
}

const MAX_DEPTH = 200;
const RESERVED_ALIASES = new Set(['team_id', 'true', 'false', 'null']);
const JOIN_TYPE = /^(?:(?:(?:INNER|LEFT|RIGHT|FULL)(?: OUTER)?(?: (?:ANY|ALL|ASOF|SEMI|ANTI))?|(?:ANY|ALL|ASOF|SEMI|ANTI)(?: (?:INNER|LEFT|RIGHT|FULL)(?: OUTER)?)?|CROSS|PASTE) )?JOIN$/;
const SET_OPERATORS = new Set(['UNION ALL', 'UNION DISTINCT', 'INTERSECT', 'INTERSECT DISTINCT', 'EXCEPT', 'EXCEPT DISTINCT']);
const NUMBER_LITERAL = /^(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)$/;

/** The text of a JSON property as PostHog reads it, given the printed key arguments (see `propertyText`). */
export function propertyTextSql(column: string, keyArgs: string[]): string {
  const token = `JSONExtractRaw(${column}, ${keyArgs.join(', ')})`;
  return `if(startsWith(${token}, '"'), substring(${token}, 2, length(${token}) - 2), nullIf(nullIf(${token}, ''), 'null'))`;
}

/** ClickHouse identifiers are always quoted: names come from users, and quoting makes them inert. */
export function chIdentifier(name: string): string {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

/** A ClickHouse string literal, for values the compiler itself produces (timezones, type names). */
export function chString(value: string): string {
  return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "'";
}

/** ` SAMPLE 1/10 [OFFSET 1/2]`: a ratio in (0, 1] (or a whole number of rows), on the events table only. */
function sampleClause(sample: SampleExpr, table: string): string {
  if (table !== 'events') fail(`SAMPLE is only supported on the events table, not '${table}'`, sample);
  const ratio = (r: RatioExpr, what: 'SAMPLE' | 'OFFSET'): { text: string; value: number } => {
    const num = (c: Constant): number => {
      if (typeof c.value !== 'number' || !Number.isFinite(c.value) || c.value < 0) fail(`${what} needs a non-negative number`, c);
      return c.value;
    };
    const left = num(r.left);
    const right = r.right ? num(r.right) : undefined;
    if (right === 0) fail(`${what} divides by zero`, r);
    return { text: right === undefined ? String(left) : `${left}/${right}`, value: right === undefined ? left : left / right };
  };
  const s = ratio(sample.sample_value, 'SAMPLE');
  if (s.value <= 0) fail('SAMPLE must be greater than 0', sample);
  if (s.value > 1 && (sample.sample_value.right || !Number.isInteger(s.value))) fail('SAMPLE takes a ratio between 0 and 1, or a whole number of rows', sample);
  let text = ` SAMPLE ${s.text}`;
  if (sample.offset_value) {
    const o = ratio(sample.offset_value, 'OFFSET');
    if (o.value >= 1) fail('SAMPLE … OFFSET takes a ratio below 1', sample.offset_value);
    text += ` OFFSET ${o.text}`;
  }
  return text;
}

function fail(message: string, at?: Span): never {
  throw new HogQLError('query', message, at?.start, at?.end);
}

const TYPE_CASTS: Record<string, string> = {
  int: 'toInt',
  integer: 'toInt',
  int64: 'toInt',
  bigint: 'toInt',
  float: 'toFloat',
  float64: 'toFloat',
  double: 'toFloat',
  real: 'toFloat',
  numeric: 'toFloat',
  string: 'toString',
  text: 'toString',
  varchar: 'toString',
  date: 'toDate',
  datetime: 'toDateTime',
  timestamp: 'toDateTime',
  bool: 'toBool',
  boolean: 'toBool',
  uuid: 'toUUID',
};

/**
 * Prints a resolved HogQL tree as ClickHouse SQL. Names are bound to the virtual database, every
 * table access gets the project guard, string constants become bound parameters, and comparisons
 * follow PostHog's null semantics. One instance prints one query.
 */
export class ClickHousePrinter {
  readonly params: Record<string, unknown> = {};
  private paramCount = 0;
  private depth = 0;
  private aggregateName: string | undefined;
  /** Aliases being printed right now (an alias may not refer to itself). */
  private readonly defining = new Set<string>();

  constructor(private readonly options: PrinterOptions) {}

  private get tz(): string {
    return chString(this.options.timezone);
  }

  private readonly paramNames = new Map<string, string>();

  /** One parameter per distinct string, so repeated property reads print identically and ClickHouse computes them once. */
  param(value: string): string {
    let name = this.paramNames.get(value);
    if (!name) {
      name = `hogql_val_${this.paramCount++}`;
      this.params[name] = value;
      this.paramNames.set(value, name);
    }
    return `{${name}:String}`;
  }

  /** Prints a SELECT or set query; `top` limits apply to the outermost query only (set by the caller). */
  select(node: SelectQuery | SelectSetQuery, parent?: Scope): { sql: string; columns: OutputColumn[] } {
    if (++this.depth > MAX_DEPTH) fail('query is nested too deeply', node);
    try {
      if (node.node === 'SelectSetQuery') return this.setQuery(node, parent);
      return this.selectQuery(node, parent);
    } finally {
      this.depth--;
    }
  }

  private setQuery(node: SelectSetQuery, parent?: Scope): { sql: string; columns: OutputColumn[] } {
    // Only nested set queries need parentheses (they may mix operators); ClickHouse rejects them around plain SELECTs.
    const operand = (q: SelectQuery | SelectSetQuery, sql: string) => (q.node === 'SelectSetQuery' ? `(${sql})` : sql);
    const first = this.select(node.initial_select_query, parent);
    const parts = [operand(node.initial_select_query, first.sql)];
    for (const next of node.subsequent_select_queries) {
      if (!SET_OPERATORS.has(next.set_operator)) fail(`unsupported set operator ${String(next.set_operator).slice(0, 40)}`, next);
      const printed = this.select(next.select_query, parent);
      if (printed.columns.length !== first.columns.length) {
        fail(`${next.set_operator} of queries with ${first.columns.length} and ${printed.columns.length} columns`, next);
      }
      parts.push(`${next.set_operator} ${operand(next.select_query, printed.sql)}`);
    }
    return { sql: parts.join(' '), columns: first.columns };
  }

  private selectQuery(node: SelectQuery, parent?: Scope): { sql: string; columns: OutputColumn[] } {
    const scope: Scope = { sources: [], aliases: new Map(), names: new Set(), ctes: new Map(), parent };
    for (const cte of node.ctes ?? []) {
      if (scope.ctes.has(cte.name)) fail(`CTE '${cte.name}' is defined twice`, cte);
      scope.ctes.set(cte.name, cte);
    }

    // FROM first: it decides what names mean. Lazy joins are printed last, once every
    // expression has said which ones it needs.
    const from: { source: Source | undefined; sql: string; joinType?: string; constraint?: JoinExpr['constraint'] }[] = [];
    const guards: string[] = [];
    for (let j: JoinExpr | null | undefined = node.select_from; j; j = j.next_join) {
      const first = from.length === 0;
      if (!first && (!j.join_type || !JOIN_TYPE.test(j.join_type))) fail(`unsupported join type ${String(j.join_type).slice(0, 40)}`, j);
      const { source, sql, guard } = this.fromTable(j, scope, first, node.where);
      if (source) {
        if (scope.sources.some((s) => s.alias === source.alias)) fail(`table alias '${source.alias}' is used twice in one FROM`, j);
        scope.sources.push(source);
      }
      if (guard) guards.push(guard);
      from.push({ source, sql, joinType: first ? undefined : j.join_type ?? undefined, constraint: j.constraint });
    }

    for (const e of node.select) {
      if (e.node === 'Alias') {
        if (RESERVED_ALIASES.has(e.alias.toLowerCase())) fail(`"${e.alias}" cannot be an alias or identifier, as it's a reserved keyword`, e);
        if (!e.hidden) scope.aliases.set(e.alias, e.expr);
      }
    }

    let arrayJoin = '';
    if (node.array_join_op) {
      if (node.array_join_op !== 'ARRAY JOIN' && node.array_join_op !== 'LEFT ARRAY JOIN' && node.array_join_op !== 'INNER ARRAY JOIN') {
        fail('unsupported ARRAY JOIN', node);
      }
      const items = (node.array_join_list ?? []).map((e) => {
        if (e.node !== 'Alias') fail('ARRAY JOIN needs an alias for each array (ARRAY JOIN arr AS x)', e);
        const sql = this.expr(e.expr, scope).sql;
        scope.names.add(e.alias);
        return `${sql} AS ${chIdentifier(e.alias)}`;
      });
      arrayJoin = ` ${node.array_join_op} ${items.join(', ')}`;
    }

    const columns: OutputColumn[] = [];
    const selectSql: string[] = [];
    const usedNames = new Set<string>();
    for (const e of node.select) this.selectItem(e, scope, columns, selectSql, usedNames);

    const joinConstraints = from.map((f) => (f.constraint ? this.joinConstraint(f.constraint, scope) : ''));
    const where = node.where ? this.expr(node.where, scope).sql : undefined;
    const prewhere = node.prewhere ? this.expr(node.prewhere, scope).sql : undefined;
    const groupBy = node.group_by?.map((e) => this.expr(e, scope).sql);
    const having = node.having ? this.expr(node.having, scope).sql : undefined;
    const windows = node.window_exprs ? Object.entries(node.window_exprs).map(([name, w]) => `${chIdentifier(name)} AS (${this.windowExpr(w, scope)})`) : [];
    const qualify = node.qualify ? this.expr(node.qualify, scope).sql : undefined;
    const orderBy = node.order_by?.map((o) => this.orderExpr(o, scope));
    const limitBy = node.limit_by
      ? `LIMIT ${this.expr(node.limit_by.n, scope).sql}${node.limit_by.offset_value ? ` OFFSET ${this.expr(node.limit_by.offset_value, scope).sql}` : ''} BY ${node.limit_by.exprs
          .map((e) => this.expr(e, scope).sql)
          .join(', ')}`
      : undefined;
    const limit = node.limit ? this.expr(node.limit, scope).sql : undefined;
    const offset = node.offset ? this.expr(node.offset, scope).sql : undefined;

    const parts: string[] = [`SELECT ${node.distinct ? 'DISTINCT ' : ''}${selectSql.join(', ')}`];
    if (from.length) {
      const fromSql = from
        .map((f, i) => {
          const head = i === 0 ? f.sql : `${f.joinType} ${f.sql}`;
          const lazy = f.source ? this.lazyJoins(f.source) : '';
          // A user join's ON may use lazy fields of earlier tables, so those joins come first.
          return `${head}${joinConstraints[i] ? ` ${joinConstraints[i]}` : ''}${lazy}`;
        })
        .join(' ');
      parts.push(`FROM ${fromSql}`);
    }
    if (arrayJoin) parts.push(arrayJoin.trim());
    if (prewhere) parts.push(`PREWHERE ${prewhere}`);
    const conditions = [...guards, ...(where ? [where] : [])];
    if (conditions.length) parts.push(`WHERE ${conditions.length === 1 ? conditions[0] : `and(${conditions.join(', ')})`}`);
    if (node.group_by_mode === 'all' && !groupBy?.length) parts.push('GROUP BY ALL');
    else if (groupBy?.length) {
      const mode = node.group_by_mode ? node.group_by_mode.toUpperCase() : '';
      if (mode && !['ROLLUP', 'CUBE', 'TOTALS'].includes(mode)) fail('unsupported GROUP BY mode', node);
      parts.push(`GROUP BY ${groupBy.join(', ')}${mode ? ` WITH ${mode}` : ''}`);
    }
    if (having) parts.push(`HAVING ${having}`);
    if (windows.length) parts.push(`WINDOW ${windows.join(', ')}`);
    if (qualify) parts.push(`QUALIFY ${qualify}`);
    if (orderBy?.length) parts.push(`ORDER BY ${orderBy.join(', ')}`);
    if (limitBy) parts.push(limitBy);
    if (limit) parts.push(`LIMIT ${limit}${node.limit_with_ties ? ' WITH TIES' : ''}`);
    if (offset) parts.push(`OFFSET ${offset}`);
    return { sql: parts.join(' '), columns };
  }

  private selectItem(e: Expr, scope: Scope, columns: OutputColumn[], out: string[], used: Set<string>): void {
    const star = e.node === 'Field' && e.chain[e.chain.length - 1] === '*' ? e : undefined;
    if (star || e.node === 'ColumnsExpr') {
      if (e.node === 'ColumnsExpr' && (!e.all_columns || e.exclude?.length || e.replace?.length || e.regex || e.columns?.length)) {
        fail('COLUMNS(), EXCLUDE and REPLACE are not supported', e);
      }
      const sources = star && star.chain.length > 1 ? [this.sourceByAlias(scope, String(star.chain[0]), star)] : scope.sources;
      if (sources.length === 0) fail('SELECT * needs a FROM clause', e);
      for (const source of sources) {
        for (const name of source.asterisk) this.selectItem({ node: 'Field', chain: [source.alias, name] }, scope, columns, out, used);
      }
      return;
    }
    if (e.node === 'Alias') {
      this.defining.add(e.alias);
      let printed: Printed;
      try {
        printed = this.expr(e.expr, scope);
      } finally {
        this.defining.delete(e.alias);
      }
      out.push(`${printed.sql} AS ${chIdentifier(e.alias)}`);
      used.add(e.alias);
      columns.push({ name: e.alias, def: this.outputDef(e.expr, scope, e.alias, printed.nullable) });
      return;
    }
    const printed = this.expr(e, scope);
    let name = e.node === 'Field' ? String(e.chain[e.chain.length - 1]) : printHogQL(e);
    // Fields keep their name as the column name; ClickHouse needs that spelled out as an alias.
    if (e.node === 'Field' && !used.has(name) && !scope.aliases.has(name)) {
      out.push(`${printed.sql} AS ${chIdentifier(name)}`);
      used.add(name);
    } else {
      if (e.node === 'Field') name = printHogQL(e);
      out.push(printed.sql);
    }
    columns.push({ name, def: this.outputDef(e, scope, name, printed.nullable) });
  }

  /** What an output column is to an outer query: JSON columns stay property-accessible. */
  private outputDef(e: Expr, scope: Scope, name: string, nullable: boolean): FieldDef {
    if (e.node === 'Field') {
      const def = this.peekField(e, scope);
      if (def?.kind === 'properties') return { ...def, column: name };
      if (def?.kind === 'column') return { kind: 'column', column: name, type: def.type, nullable };
    }
    return { kind: 'column', column: name, type: 'unknown', nullable };
  }

  /** The definition a field chain lands on, without printing (or joining) anything. */
  private peekField(e: Field, scope: Scope): FieldDef | undefined {
    const [head, ...rest] = e.chain;
    if (typeof head !== 'string' || scope.names.has(head)) return undefined;
    let source = scope.sources.find((s) => s.alias === head && rest.length > 0);
    let chain = source ? rest : e.chain;
    if (!source) source = scope.sources.find((s) => Object.hasOwn(s.fields, String(head)));
    if (!source) return undefined;
    let fields: Record<string, FieldDef> = source.fields;
    for (let i = 0; i < chain.length; i++) {
      const def = fields[String(chain[i])];
      if (!def) return undefined;
      if (i === chain.length - 1) return def;
      if (def.kind === 'struct') fields = def.fields;
      else if (def.kind === 'lazy') fields = virtualTables[lazyJoinTargets[def.join].table].fields;
      else return undefined;
    }
    return undefined;
  }

  /**
   * Sessions are aggregated from events, so a filter on `$start_timestamp` is pushed down as a window on
   * the events read: sessions last at most a day (posthog-js rotates them within 24 hours), so reading
   * events from a day before the lower bound to a day after the upper bound keeps every qualifying
   * session whole, and the sessions cut short by the window fail the outer filter anyway.
   */
  private sessionWindow(alias: string, where: Expr | null | undefined, scope: Scope): string | undefined {
    const conjuncts = !where ? [] : where.node === 'And' ? where.exprs : [where];
    const isStart = (e: Expr) => e.node === 'Field' && (e.chain.join('.') === '$start_timestamp' || e.chain.join('.') === `${alias}.$start_timestamp`);
    const hasField = (e: unknown): boolean =>
      Array.isArray(e) ? e.some(hasField) : typeof e === 'object' && e !== null && ((e as { node?: string }).node === 'Field' || Object.values(e).some(hasField));
    const conditions: string[] = [];
    for (const c of conjuncts) {
      if (c.node !== 'CompareOperation' || !['>', '>=', '<', '<=', '=='].includes(c.op)) continue;
      const flipped = isStart(c.right);
      if (!isStart(flipped ? c.right : c.left)) continue;
      const other = flipped ? c.left : c.right;
      if (hasField(other)) continue;
      const printed = this.expr(other, { sources: [], aliases: new Map(), names: new Set(), ctes: new Map(), parent: scope.parent });
      const instant = printed.kind === 'datetime' ? printed.sql : typeof printed.constant === 'string' ? `parseDateTime64BestEffort(${printed.sql}, 6, ${this.tz})` : undefined;
      if (!instant) continue;
      const op = flipped ? ({ '>': '<', '>=': '<=', '<': '>', '<=': '>=', '==': '==' } as const)[c.op as '>'] : c.op;
      if (op === '>' || op === '>=' || op === '==') conditions.push(`timestamp >= minus(${instant}, toIntervalDay(1))`);
      if (op === '<' || op === '<=' || op === '==') conditions.push(`timestamp <= plus(${instant}, toIntervalDay(1))`);
    }
    return conditions.length ? conditions.join(' AND ') : undefined;
  }

  private fromTable(j: JoinExpr, scope: Scope, first: boolean, where?: Expr | null): { source?: Source; sql: string; guard?: string } {
    const table = j.table;
    if (!table) fail('FROM needs a table', j);
    if (table.node === 'Placeholder') fail('placeholders are not allowed as tables', table);
    if (table.node === 'SelectQuery' || table.node === 'SelectSetQuery') {
      const printed = this.select(table, scope);
      const alias = j.alias ?? undefined;
      if (!alias) {
        // An unnamed subquery's columns are reachable by name only.
        return { source: this.derivedSource(`_subquery_${scope.sources.length}`, printed.columns), sql: `(${printed.sql}) AS ${chIdentifier(`_subquery_${scope.sources.length}`)}` };
      }
      return { source: this.derivedSource(alias, printed.columns), sql: `(${printed.sql}) AS ${chIdentifier(alias)}` };
    }
    if (table.chain.length !== 1) fail(`Unknown table '${table.chain.join('.')}'`, table);
    const name = String(table.chain[0]);
    const alias = j.alias ?? name;

    const found = j.table_args ? undefined : this.lookupCte(scope, name);
    if (found) {
      const { cte, scope: defining } = found;
      if (cte.cte_type !== 'subquery' || (cte.expr.node !== 'SelectQuery' && cte.expr.node !== 'SelectSetQuery')) fail(`'${name}' is not a table`, table);
      // A CTE sees the CTEs defined before it, never itself: `WITH events AS (SELECT … FROM events)` reads the table.
      const earlier = new Map<string, CTE>();
      for (const [k, v] of defining.ctes) {
        if (v === cte) break;
        earlier.set(k, v);
      }
      const printed = this.select(cte.expr, { sources: [], aliases: new Map(), names: new Set(), ctes: earlier, parent: defining.parent });
      return { source: this.derivedSource(alias, printed.columns), sql: `(${printed.sql}) AS ${chIdentifier(alias)}` };
    }

    if (j.table_args) {
      if (name !== 'numbers') fail(`Table function '${name}' is not allowed`, table);
      if (j.table_args.length < 1 || j.table_args.length > 2) fail("Table function 'numbers' expects 1 or 2 arguments", table);
      const args = j.table_args.map((a) => {
        if (a.node !== 'Constant' || typeof a.value !== 'number' || !Number.isInteger(a.value) || a.value < 0) fail('numbers() takes non-negative integer constants', a);
        return String(a.value);
      });
      return { source: this.tableSource(alias, 'numbers'), sql: `numbers(${args.join(', ')}) AS ${chIdentifier(alias)}` };
    }

    const virtual = lookupTable(name);
    if (!virtual || virtual.name === 'numbers') fail(`Unknown table '${name}'`, table);
    const source = this.tableSource(alias, virtual.name);
    // SAMPLE reads a deterministic share of distinct ids (events are SAMPLE BY cityHash64(distinct_id)).
    const sample = j.sample ? sampleClause(j.sample, virtual.name) : '';
    if (virtual.name === 'events' && first) {
      source.direct = true;
      // The fact table is read directly so ClickHouse can use its primary key; the guard goes into WHERE.
      return { source, sql: `events AS ${chIdentifier(alias)} FINAL${sample}`, guard: `equals(${chIdentifier(alias)}.team_id, ${Math.trunc(this.options.teamId)})` };
    }
    if (sample) {
      return { source, sql: `(SELECT * FROM events FINAL${sample} WHERE team_id = ${Math.trunc(this.options.teamId)}) AS ${chIdentifier(alias)}` };
    }
    const sessionEvents = virtual.name === 'sessions' ? this.sessionWindow(alias, where, scope) : undefined;
    return { source, sql: `(${guardedSubquery(virtual.name, this.options.teamId, { sessionEvents })}) AS ${chIdentifier(alias)}` };
  }

  private lookupCte(scope: Scope | undefined, name: string): { cte: CTE; scope: Scope } | undefined {
    for (let s = scope; s; s = s.parent) {
      const cte = s.ctes.get(name);
      if (cte) return { cte, scope: s };
    }
    return undefined;
  }

  private tableSource(alias: string, table: VirtualTableName, groupTypeIndex?: number): Source {
    const t = virtualTables[table];
    return { alias, fields: t.fields, asterisk: t.asterisk, table, groupTypeIndex, joins: new Map() };
  }

  private derivedSource(alias: string, columns: OutputColumn[]): Source {
    const fields: Record<string, FieldDef> = {};
    for (const c of columns) if (!Object.hasOwn(fields, c.name)) fields[c.name] = c.def;
    return { alias, fields, asterisk: Object.keys(fields), joins: new Map() };
  }

  private sourceByAlias(scope: Scope, alias: string, at: Span): Source {
    const source = scope.sources.find((s) => s.alias === alias);
    if (!source) fail(`Unknown table '${alias}'`, at);
    return source;
  }

  private joinConstraint(c: NonNullable<JoinExpr['constraint']>, scope: Scope): string {
    if (c.constraint_type === 'USING') {
      const names = (c.expr.node === 'Tuple' ? c.expr.exprs : [c.expr]).map((e) => {
        if (e.node !== 'Field' || e.chain.length !== 1) fail('USING takes column names', e);
        return chIdentifier(String(e.chain[0]));
      });
      return `USING (${names.join(', ')})`;
    }
    if (c.constraint_type !== 'ON') fail('unsupported join constraint', c);
    return `ON ${this.expr(c.expr, scope).sql}`;
  }

  /** LEFT JOINs for the lazy tables a source's fields reached; their ON may add more (the overrides). */
  private lazyJoins(source: Source): string {
    const conditions = new Map<LazyJoinName, string>();
    let pending = [...source.joins.keys()];
    while (pending.length) {
      for (const name of pending) conditions.set(name, this.lazyJoinCondition(source, name));
      pending = [...source.joins.keys()].filter((n) => !conditions.has(n));
    }
    const order = [...conditions.keys()].sort((a, b) => (a === 'override' ? -1 : b === 'override' ? 1 : 0));
    return order
      .map((name) => {
        const joined = source.joins.get(name)!;
        const projection = joined.projection;
        const sql = guardedSubquery(joined.table!, this.options.teamId, {
          groupTypeIndex: joined.groupTypeIndex,
          projection: projection && {
            wholeProperties: projection.wholeProperties,
            fields: projection.fields,
            columns: [...projection.paths.values()].map((p) => ({ name: chIdentifier(p.column), text: (properties: string) => this.propertyText(properties, p.keys) })),
          },
        });
        return ` LEFT JOIN (${sql}) AS ${chIdentifier(joined.alias)} ON ${conditions.get(name)}${this.lazyJoins(joined)}`;
      })
      .join('');
  }

  private lazyJoinCondition(source: Source, name: LazyJoinName): string {
    const from = chIdentifier(source.alias);
    const to = chIdentifier(source.joins.get(name)!.alias);
    switch (name) {
      case 'override':
      case 'pdi':
        return `equals(${from}.distinct_id, ${to}.distinct_id)`;
      case 'person':
        return `equals(${source.table === 'events' ? this.personId(source) : `${from}.person_id`}, ${to}.id)`;
      case 'session':
        return `equals(${from}.\`$session_id\`, ${to}.session_id)`;
      default:
        return `equals(${from}.${chIdentifier(`$${name}`)}, ${to}.key)`;
    }
  }

  private lazy(source: Source, name: LazyJoinName): Source {
    let joined = source.joins.get(name);
    if (!joined) {
      const target = lazyJoinTargets[name];
      joined = this.tableSource(`${source.alias}__${name}`, target.table, target.groupTypeIndex);
      if (target.table === 'persons' || target.table === 'groups') joined.projection = { paths: new Map(), wholeProperties: false, fields: new Set() };
      source.joins.set(name, joined);
    }
    return joined;
  }

  /** `events.person_id` as PostHog's default mode has it: the override when a merge moved the distinct id. */
  private personId(events: Source): string {
    const override = chIdentifier(this.lazy(events, 'override').alias);
    return `if(NOT empty(${override}.distinct_id), ${override}.person_id, ${chIdentifier(events.alias)}.person_id)`;
  }

  // ---------------------------------------------------------------- expressions

  expr(node: Expr, scope: Scope): Printed {
    if (++this.depth > MAX_DEPTH) fail('expression is nested too deeply', node);
    try {
      return this.exprInner(node, scope);
    } finally {
      this.depth--;
    }
  }

  private exprInner(node: Expr, scope: Scope): Printed {
    switch (node.node) {
      case 'Constant':
        return this.constant(node.value, node.literal, node);
      case 'Field':
        return this.field(node, scope);
      case 'Placeholder':
        return fail(`Unresolved placeholder {${printHogQL(node.expr)}}`, node);
      case 'Alias': {
        if (RESERVED_ALIASES.has(node.alias.toLowerCase())) fail(`"${node.alias}" cannot be an alias or identifier, as it's a reserved keyword`, node);
        const inner = this.expr(node.expr, scope);
        return { sql: `(${inner.sql} AS ${chIdentifier(node.alias)})`, nullable: inner.nullable };
      }
      case 'ArithmeticOperation': {
        const fn = { '+': 'plus', '-': 'minus', '*': 'multiply', '/': 'divide', '%': 'modulo' }[node.op];
        if (!fn) fail(`unknown operator ${String(node.op).slice(0, 10)}`, node);
        const l = this.expr(node.left, scope);
        const r = this.expr(node.right, scope);
        const kind = (node.op === '+' || node.op === '-') && l.kind === 'datetime' ? 'datetime' : undefined;
        return { sql: `${fn}(${l.sql}, ${r.sql})`, nullable: l.nullable || r.nullable, kind };
      }
      case 'CompareOperation':
        return this.compare(node, scope);
      case 'And':
      case 'Or': {
        const parts = node.exprs.map((e) => this.expr(e, scope));
        if (parts.length === 1) return parts[0]!;
        return { sql: `${node.node === 'And' ? 'and' : 'or'}(${parts.map((p) => p.sql).join(', ')})`, nullable: parts.some((p) => p.nullable) };
      }
      case 'Not': {
        const inner = this.expr(node.expr, scope);
        return { sql: `not(${inner.sql})`, nullable: inner.nullable };
      }
      case 'BetweenExpr': {
        const [e, lo, hi] = [this.expr(node.expr, scope), this.expr(node.low, scope), this.expr(node.high, scope)];
        const sql = `(${e.sql} ${node.negated ? 'NOT ' : ''}BETWEEN ${lo.sql} AND ${hi.sql})`;
        return e.nullable || lo.nullable || hi.nullable ? { sql: `ifNull(${sql}, ${node.negated ? 1 : 0})`, nullable: false } : { sql, nullable: false };
      }
      case 'ArrayAccess': {
        const chain = this.propertyChain(node);
        if (chain) return this.field({ node: 'Field', chain, start: node.start, end: node.end }, scope);
        const a = this.expr(node.array, scope);
        const p = this.expr(node.property, scope);
        return { sql: `arrayElement(${a.sql}, ${p.sql})`, nullable: true };
      }
      case 'TupleAccess': {
        const chain = this.propertyChain(node);
        if (chain) return this.field({ node: 'Field', chain, start: node.start, end: node.end }, scope);
        if (!Number.isInteger(node.index)) fail('tuple index must be an integer', node);
        const t = this.expr(node.tuple, scope);
        return { sql: `tupleElement(${t.sql}, ${node.index})`, nullable: true };
      }
      case 'Array':
        return { sql: `[${node.exprs.map((e) => this.expr(e, scope).sql).join(', ')}]`, nullable: false };
      case 'Tuple':
        return { sql: `tuple(${node.exprs.map((e) => this.expr(e, scope).sql).join(', ')})`, nullable: false };
      case 'Dict':
        return { sql: `map(${node.items.flatMap(([k, v]) => [this.expr(k, scope).sql, this.expr(v, scope).sql]).join(', ')})`, nullable: false };
      case 'Lambda': {
        const inner: Scope = { ...scope, names: new Set([...scope.names, ...node.args]) };
        const args = node.args.map(chIdentifier);
        const body = this.expr(node.expr, inner);
        return { sql: `${args.length === 1 ? args[0] : `(${args.join(', ')})`} -> ${body.sql}`, nullable: body.nullable };
      }
      case 'TypeCast': {
        const fn = TYPE_CASTS[node.type_name.toLowerCase()];
        if (!fn) fail(`Unsupported type cast to '${node.type_name.slice(0, 40)}'`, node);
        return this.call({ node: 'Call', name: fn, args: [node.expr], start: node.start, end: node.end }, scope);
      }
      case 'Call':
        return this.call(node, scope);
      case 'WindowFunction':
        return this.windowFunction(node, scope);
      case 'ColumnsExpr':
        return fail('COLUMNS() is only allowed in the select list', node);
      case 'SelectQuery':
      case 'SelectSetQuery':
        return { sql: `(${this.select(node, scope).sql})`, nullable: true };
    }
    return fail(`unknown node ${String((node as { node: unknown }).node).slice(0, 40)}`, node);
  }

  private constant(value: unknown, literal: string | undefined, at: Span): Printed {
    if (value === null) return { sql: 'NULL', nullable: true, constant: null };
    if (typeof value === 'boolean') return { sql: value ? 'true' : 'false', nullable: false, kind: 'boolean', constant: value };
    if (typeof value === 'string') return { sql: this.param(value), nullable: false, kind: 'string', constant: value };
    if (typeof value === 'number') {
      const kind: ArgKind = Number.isInteger(value) && !/[.eE]/.test(literal ?? '') ? 'integer' : 'float';
      if (Number.isNaN(value)) return { sql: 'nan', nullable: false, kind: 'float', constant: value };
      if (!Number.isFinite(value)) return { sql: value > 0 ? 'inf' : '-inf', nullable: false, kind: 'float', constant: value };
      // The source spelling keeps big integers and decimals exact; it is checked because trees can arrive as JSON.
      if (literal !== undefined && NUMBER_LITERAL.test(literal.replace(/^-/, ''))) return { sql: literal, nullable: false, kind, constant: value };
      return { sql: String(value), nullable: false, kind, constant: value };
    }
    return fail('unsupported constant', at);
  }

  /** `properties['a'][1]` and `properties.a.1` are the path `properties.a.1` when the base is a field chain. */
  private propertyChain(node: Expr): (string | number)[] | undefined {
    if (node.node === 'Field') return node.chain;
    let key: unknown;
    let base: (string | number)[] | undefined;
    if (node.node === 'ArrayAccess' && node.property.node === 'Constant') {
      key = node.property.value;
      base = this.propertyChain(node.array);
    } else if (node.node === 'TupleAccess') {
      key = node.index;
      base = this.propertyChain(node.tuple);
    } else return undefined;
    if ((typeof key !== 'string' && typeof key !== 'number') || !base || !base.includes('properties')) return undefined;
    if (key === 0) fail('SQL indexes start from one, not from zero. E.g: array[1]', node);
    return [...base, key];
  }

  private field(node: Field, scope: Scope): Printed {
    const chain = node.chain;
    const head = chain[0];
    if (typeof head !== 'string') fail(`Unable to resolve field: ${chain.join('.')}`, node);
    if (head === '*' || chain[chain.length - 1] === '*') fail('* is only allowed in SELECT lists and count(*)', node);

    if (scope.names.has(head)) {
      if (chain.length > 1) return { sql: `tupleElement(${chIdentifier(head)}, ${chIdentifier(String(chain[1]))})`, nullable: true };
      return { sql: chIdentifier(head), nullable: true };
    }
    const bySource = chain.length > 1 ? scope.sources.find((s) => s.alias === head) : undefined;
    if (bySource) return this.onSource(bySource, chain.slice(1), node);

    if (scope.aliases.has(head) && !this.defining.has(head)) {
      if (chain.length > 1) fail(`Cannot access '${chain.slice(1).join('.')}' on alias '${head}'`, node);
      return { sql: chIdentifier(head), nullable: true };
    }
    const candidates = scope.sources.filter((s) => Object.hasOwn(s.fields, head));
    if (candidates.length > 1) fail(`Ambiguous query. Found multiple sources for field: ${head}`, node);
    if (candidates.length === 1) return this.onSource(candidates[0]!, chain, node);

    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const cte = s.ctes.get(head);
      if (cte?.cte_type === 'column' && chain.length === 1) return this.expr(cte.expr, s);
    }
    if (scope.parent && this.resolvesIn(scope.parent, head)) fail(`Field '${head}' belongs to an outer query; correlated subqueries are not supported`, node);
    return fail(`Unable to resolve field: ${chain.join('.')}`, node);
  }

  private resolvesIn(scope: Scope, head: string): boolean {
    return scope.aliases.has(head) || scope.sources.some((s) => s.alias === head || Object.hasOwn(s.fields, head));
  }

  private onSource(source: Source, rest: (string | number)[], at: Span): Printed {
    const name = String(rest[0]);
    const def = Object.hasOwn(source.fields, name) ? source.fields[name] : undefined;
    if (!def) {
      const table = source.table ?? source.alias;
      fail(source.table === 'persons' ? `Unknown person field '${name}'` : `Unable to resolve field: ${name} (not a field of '${table}')`, at);
    }
    return this.onField(source, def, rest.slice(1), at);
  }

  private onField(source: Source, def: FieldDef, rest: (string | number)[], at: Span): Printed {
    const alias = chIdentifier(source.alias);
    switch (def.kind) {
      case 'column': {
        if (rest.length) fail(`Cannot access '${rest.join('.')}' on column '${def.column}'`, at);
        source.projection?.fields.add(def.column);
        const sql = `${alias}.${chIdentifier(def.column)}`;
        const kind = KIND_OF_FIELD[def.type];
        if (def.type === 'datetime') return { sql: `toTimeZone(${sql}, ${this.tz})`, nullable: def.nullable, kind, utcColumn: sql };
        return { sql, nullable: def.nullable, kind };
      }
      case 'properties': {
        const typedDef = def.propertyKind === 'group' ? { ...def, groupTypeIndex: def.groupTypeIndex ?? source.groupTypeIndex } : def;
        const projection = source.projection;
        if (projection && rest.length > 0) {
          const path = JSON.stringify(rest);
          let entry = projection.paths.get(path);
          if (!entry) {
            entry = { column: `${def.column}___${projection.paths.size}`, keys: rest };
            projection.paths.set(path, entry);
          }
          return this.typedProperty(`${alias}.${chIdentifier(entry.column)}`, typedDef, rest);
        }
        if (projection) projection.wholeProperties = true;
        if (source.table === 'events' && def.column === 'properties' && rest.length === 1 && typeof rest[0] === 'string') {
          this.options.onPropertyRead?.(rest[0]);
          const column = source.direct ? this.options.materializedProperty?.(rest[0]) : undefined;
          // A materialized column holds exactly the text `propertyText` would extract.
          if (column) return this.typedProperty(`${alias}.${chIdentifier(column)}`, typedDef, rest);
        }
        return this.properties(`${alias}.${chIdentifier(def.column)}`, typedDef, rest);
      }
      case 'computed':
        if (rest.length) fail(`Cannot access '${rest.join('.')}' on person_id`, at);
        return { sql: this.personId(source), nullable: false };
      case 'struct': {
        const name = String(rest[0] ?? '');
        const inner = Object.hasOwn(def.fields, name) ? def.fields[name] : undefined;
        if (!inner) fail(`Unable to resolve field: ${name || '(nothing)'}`, at);
        return this.onField(source, inner, rest.slice(1), at);
      }
      case 'lazy': {
        if (rest.length === 0) fail(`'${def.join}' is a table; select one of its fields`, at);
        // The person's id is already on the event row: no join needed.
        if (def.join === 'person' && rest.length === 1 && rest[0] === 'id' && source.table === 'events') return { sql: this.personId(source), nullable: false };
        const joined = this.lazy(source, def.join);
        const printed = this.onSource(joined, rest, at);
        // A LEFT JOIN miss yields defaults, not NULLs: values from lazy tables may be missing.
        return { sql: printed.sql, nullable: true };
      }
    }
  }

  /**
   * A property of a JSON column as PostHog prints it: the raw JSON token with quotes stripped, so
   * every property is a string (null and missing are NULL), then typed by the taxonomy if known.
   */
  private properties(column: string, def: PropertiesField, keys: (string | number)[]): Printed {
    if (keys.length === 0) return { sql: column, nullable: false };
    return this.typedProperty(this.propertyText(column, keys), def, keys);
  }

  /**
   * PostHog prints replaceRegexpAll(nullIf(nullIf(JSONExtractRaw(…), ''), 'null'), '^"|"$', ''). A raw JSON
   * token starts with a quote exactly when it is a string (and then also ends with one), so cutting the
   * quotes gives the same value at about half the cost of the regexp.
   */
  private propertyText(column: string, keys: (string | number)[]): string {
    return propertyTextSql(column, keys.map((k) => (typeof k === 'number' ? String(Math.trunc(k)) : this.param(k))));
  }

  /** A property's text typed as the taxonomy says (Numeric, Boolean, DateTime; String otherwise). */
  private typedProperty(raw: string, def: PropertiesField, keys: (string | number)[]): Printed {
    const type = keys.length === 1 && typeof keys[0] === 'string' ? this.options.propertyType?.(def.propertyKind, keys[0], def.groupTypeIndex) : undefined;
    switch (type) {
      case 'Numeric':
        return { sql: `accurateCastOrNull(${raw}, 'Float64')`, nullable: true, kind: 'float' };
      case 'Boolean':
        return { sql: `toBool(transform(toString(${raw}), ['true', 'false'], [1, 0], NULL))`, nullable: true, kind: 'boolean' };
      case 'DateTime':
        return { sql: `parseDateTime64BestEffortOrNull(${raw}, 6, ${this.tz})`, nullable: true, kind: 'datetime' };
      default:
        return { sql: raw, nullable: true, kind: 'string' };
    }
  }

  /**
   * `x IN COHORT 12` / `'name'`: membership from cohort_people at the cohort's current version, the
   * project guard included (a cohort of another project is not found by the resolver).
   */
  private inCohort(node: CompareOperation, scope: Scope): Printed {
    const target = node.right;
    if (target.node !== 'Constant' || (typeof target.value !== 'number' && typeof target.value !== 'string')) {
      fail('IN COHORT expects a cohort id or name as a constant', node);
    }
    const cohort = this.options.cohort?.(target.value);
    if (!cohort) fail(`Could not find a cohort with the id or name ${JSON.stringify(target.value)}`, node);
    const left = this.expr(node.left, scope);
    const members =
      `SELECT person_id FROM cohort_people WHERE equals(team_id, ${Math.trunc(this.options.teamId)}) AND equals(cohort_id, ${Math.trunc(cohort.id)})` +
      (cohort.version === null ? ' AND 0' : ` AND equals(version, ${Math.trunc(cohort.version)})`);
    const sql = `(${left.sql} ${node.op === 'in cohort' ? 'IN' : 'NOT IN'} (${members}))`;
    return left.nullable ? { sql: `ifNull(${sql}, ${node.op === 'in cohort' ? 0 : 1})`, nullable: false } : { sql, nullable: false };
  }

  private compare(node: CompareOperation, scope: Scope): Printed {
    const op = node.op;
    if (op === 'in cohort' || op === 'not in cohort') return this.inCohort(node, scope);
    const leftNull = node.left.node === 'Constant' && node.left.value === null;
    const rightNull = node.right.node === 'Constant' && node.right.value === null;
    // Against a NULL constant, equality-like operators test for NULL (PostHog: `null like null` is true).
    const positive = ['==', 'like', 'ilike', '=~', '=~*'].includes(op);
    const negative = ['!=', 'not like', 'not ilike', '!~', '!~*'].includes(op);
    if ((positive || negative) && (leftNull || rightNull)) {
      if (leftNull && rightNull) return { sql: positive ? '1' : '0', nullable: false };
      const other = this.expr(leftNull ? node.right : node.left, scope);
      return { sql: `${positive ? 'isNull' : 'isNotNull'}(${other.sql})`, nullable: false };
    }
    let l = this.expr(node.left, scope);
    if (op === 'in' || op === 'not in') {
      const right = node.right;
      let r: string;
      if (right.node === 'SelectQuery' || right.node === 'SelectSetQuery') r = `(${this.select(right, scope).sql})`;
      else if (right.node === 'Tuple') r = `(${right.exprs.map((e) => this.expr(e, scope).sql).join(', ')}${right.exprs.length === 1 ? ',' : ''})`;
      else r = this.expr(right, scope).sql;
      const sql = `(${l.sql} ${op === 'in' ? 'IN' : 'NOT IN'} ${r})`;
      return l.nullable ? { sql: `ifNull(${sql}, ${op === 'in' ? 0 : 1})`, nullable: false } : { sql, nullable: false };
    }
    let r = this.expr(node.right, scope);
    if (['==', '!=', '<', '<=', '>', '>='].includes(op)) [l, r] = this.instantOperands(l, r);
    const nullable = l.nullable || r.nullable;
    const simple: Record<string, [string, 0 | 1]> = {
      '==': ['equals', 0],
      '!=': ['notEquals', 1],
      '<': ['less', 0],
      '<=': ['lessOrEquals', 0],
      '>': ['greater', 0],
      '>=': ['greaterOrEquals', 0],
      'like': ['like', 0],
      'ilike': ['ilike', 0],
      'not like': ['notLike', 1],
      'not ilike': ['notILike', 1],
    };
    let sql: string;
    let ifNull: 0 | 1 | string;
    const fn = simple[op];
    if (fn) {
      sql = `${fn[0]}(${l.sql}, ${r.sql})`;
      ifNull = fn[1];
    } else if (op === '=~' || op === '!~') {
      sql = `${op === '!~' ? 'not(' : ''}match(toString(${l.sql}), ${r.sql})${op === '!~' ? ')' : ''}`;
      ifNull = op === '!~' ? 1 : 0;
    } else if (op === '=~*' || op === '!~*') {
      sql = `${op === '!~*' ? 'not(' : ''}match(toString(${l.sql}), concat('(?i)', ${r.sql}))${op === '!~*' ? ')' : ''}`;
      ifNull = op === '!~*' ? 1 : 0;
    } else {
      return fail(`unknown comparison ${String(op).slice(0, 20)}`, node);
    }
    // Two nullable sides: NULL = NULL is true and NULL != NULL false, as in PostHog.
    if (l.nullable && r.nullable && (op === '==' || op === '!=')) {
      ifNull = op === '==' ? `and(isNull(${l.sql}), isNull(${r.sql}))` : `or(isNotNull(${l.sql}), isNotNull(${r.sql}))`;
    }
    return nullable ? { sql: `ifNull(${sql}, ${ifNull})`, nullable: false } : { sql, nullable: false };
  }

  /**
   * `timestamp >= X` compares instants, so the column can be compared without its project-timezone
   * conversion when X is an instant too (a string is parsed in the project timezone first). ClickHouse
   * then uses the sorting key and partitions, which it cannot through `toTimeZone`.
   */
  private instantOperands(l: Printed, r: Printed): [Printed, Printed] {
    const asInstant = (p: Printed): Printed | undefined => {
      if (p.kind === 'datetime') return p;
      if (typeof p.constant === 'string') return { ...p, sql: `parseDateTime64BestEffort(${p.sql}, 6, ${this.tz})`, kind: 'datetime' };
      return undefined;
    };
    if (l.utcColumn) {
      const other = asInstant(r);
      if (other) return [{ ...l, sql: l.utcColumn }, other.utcColumn ? { ...other, sql: other.utcColumn } : other];
    } else if (r.utcColumn) {
      const other = asInstant(l);
      if (other) return [other, { ...r, sql: r.utcColumn }];
    }
    return [l, r];
  }

  private call(node: Call, scope: Scope): Printed {
    const lower = node.name.toLowerCase();
    if (lower === 'count' && node.args.length === 1 && node.args[0]!.node === 'Field' && node.args[0]!.chain.length === 1 && node.args[0]!.chain[0] === '*') {
      return this.aggregate('count', [], node.filter_expr ? [node.filter_expr] : [], node, scope);
    }
    const comparison = Object.hasOwn(COMPARISON_FUNCTIONS, node.name) ? COMPARISON_FUNCTIONS[node.name] : undefined;
    if (comparison && node.args.length === 2) {
      return this.compare({ node: 'CompareOperation', op: comparison, left: node.args[0]!, right: node.args[1]!, start: node.start, end: node.end }, scope);
    }
    if (node.name === '_caseWithExpression') return this.caseWithExpression(node, scope);
    if (node.name === 'matchesAction') {
      const arg = node.args[0];
      if (node.args.length !== 1 || arg?.node !== 'Constant' || (typeof arg.value !== 'number' && typeof arg.value !== 'string')) {
        fail("Function 'matchesAction' expects one constant: an action id or name", node);
      }
      const condition = this.options.action?.(arg.value);
      if (!condition) fail(`Action ${JSON.stringify(arg.value)} not found`, node);
      return this.expr(condition, scope);
    }
    if (node.name === 'not' && node.args.length === 1) return this.expr({ node: 'Not', expr: node.args[0]!, start: node.start, end: node.end }, scope);
    if (node.name === 'and' || node.name === 'or') {
      if (node.args.length < 2) fail(`Function '${node.name}' expects at least 2 arguments, found ${node.args.length}`, node);
      return this.expr({ node: node.name === 'and' ? 'And' : 'Or', exprs: node.args, start: node.start, end: node.end }, scope);
    }
    const found = lookupFunction(node.name);
    if (!found) {
      if (Object.hasOwn(POSTHOG_SPECIAL_FUNCTIONS, node.name)) fail(`Function '${node.name}' is not supported yet`, node);
      const suggestion = closestFunctionName(node.name);
      fail(`Unsupported function call '${node.name}(...)'${suggestion ? `. Perhaps you meant '${suggestion}(...)'?` : ''}`, node);
    }
    const { fn, name } = found;
    const invalid = validateFunctionArgs(name, fn, node.args.length, node.params ? node.params.length : undefined);
    if (invalid) fail(invalid, node);
    if (fn.window) fail(`Function '${name}' is a window function; it needs OVER (...)`, node);
    if (fn.aggregate) return this.aggregate(name, node.params ?? [], node.filter_expr ? [...node.args, node.filter_expr] : node.args, node, scope);
    if (node.distinct || node.filter_expr) fail(`DISTINCT and FILTER are only allowed in aggregations, not '${name}'`, node);
    const args = node.args.map((a) => this.expr(a, scope));
    return { sql: this.render(name, fn, args, node), nullable: true, kind: DATETIME_FUNCTIONS.has(name) ? 'datetime' : undefined };
  }

  /** `CASE x WHEN a THEN b … ELSE e END` (the parser's `_caseWithExpression(x, a, b, …, e)`) as a multiIf of equalities. */
  private caseWithExpression(node: Call, scope: Scope): Printed {
    const [subject, ...rest] = node.args;
    if (!subject || rest.length < 3 || rest.length % 2 === 0) fail('CASE x WHEN … needs WHEN/THEN pairs and an ELSE', node);
    const args: Expr[] = [];
    for (let i = 0; i + 1 < rest.length; i += 2) {
      args.push({ node: 'CompareOperation', op: '==', left: subject, right: rest[i]! }, rest[i + 1]!);
    }
    args.push(rest[rest.length - 1]!);
    return this.call({ node: 'Call', name: 'multiIf', args, start: node.start, end: node.end }, scope);
  }

  private render(name: string, fn: NonNullable<ReturnType<typeof lookupFunction>>['fn'], args: RenderArg[], at: Span, params?: string[], distinct?: boolean): string {
    try {
      return renderFunctionCall(name, fn, args, { timezone: this.options.timezone, params, distinct, quote: chString });
    } catch (err) {
      return fail((err as Error).message, at);
    }
  }

  /** `count(*)`, `f(DISTINCT x)`, `f(x) FILTER (WHERE c)` (printed as `fIf(x, c)`); aggregations may not nest. */
  private aggregate(name: string, params: Expr[], argExprs: Expr[], node: Call, scope: Scope): Printed {
    if (this.aggregateName) fail(`Aggregation '${name}' cannot be nested inside another aggregation '${this.aggregateName}'.`, node);
    let clickhouseName = name;
    if (node.filter_expr) {
      clickhouseName = `${name}If`;
      if (!lookupFunction(clickhouseName)?.fn.aggregate) fail(`FILTER is not supported with '${name}'`, node);
    }
    const found = lookupFunction(clickhouseName);
    if (!found) fail(`Unsupported function call '${clickhouseName}(...)'`, node);
    this.aggregateName = name;
    try {
      const args = argExprs.map((a) => this.expr(a, scope));
      const ps = params.map((p) => this.expr(p, scope).sql);
      const sql = this.render(found.name, found.fn, args, node, node.params ? ps : undefined, node.distinct ?? false);
      return { sql, nullable: !/^(count|uniq)/i.test(found.name), kind: /^(count|uniq)/i.test(found.name) ? 'integer' : undefined };
    } finally {
      this.aggregateName = undefined;
    }
  }

  private windowFunction(node: Extract<Expr, { node: 'WindowFunction' }>, scope: Scope): Printed {
    const found = lookupFunction(node.name);
    if (!found || (!found.fn.window && !found.fn.aggregate)) fail(`Unsupported window function '${node.name}(...)'`, node);
    // As in PostHog: `f(a)(b) OVER …` has the parameters in `exprs` and the arguments in `args`; `f(a) OVER` only `exprs`.
    const parametric = (node.args?.length ?? 0) > 0;
    const exprs = parametric ? node.args! : node.exprs ?? [];
    const paramExprs = parametric ? node.exprs ?? [] : undefined;
    const invalid = validateFunctionArgs(found.name, found.fn, exprs.length, paramExprs?.length);
    if (invalid) fail(invalid, node);
    const saved = this.aggregateName;
    this.aggregateName = undefined;
    try {
      const args = exprs.map((e) => this.expr(e, scope));
      const params = paramExprs?.map((e) => this.expr(e, scope).sql);
      const over = node.over_identifier ? chIdentifier(node.over_identifier) : `(${this.windowExpr(node.over_expr ?? { node: 'WindowExpr' }, scope)})`;
      return { sql: `${this.render(found.name, found.fn, args, node, params)} OVER ${over}`, nullable: true };
    } finally {
      this.aggregateName = saved;
    }
  }

  private windowExpr(w: WindowExpr, scope: Scope): string {
    const parts: string[] = [];
    if (w.partition_by?.length) parts.push(`PARTITION BY ${w.partition_by.map((e) => this.expr(e, scope).sql).join(', ')}`);
    if (w.order_by?.length) parts.push(`ORDER BY ${w.order_by.map((o) => this.orderExpr(o, scope)).join(', ')}`);
    if (w.frame_method) {
      if (w.frame_method !== 'ROWS' && w.frame_method !== 'RANGE') fail('window frames are ROWS or RANGE', w);
      if (!w.frame_start) fail('window frame needs a start', w);
      const start = this.frame(w.frame_start);
      parts.push(w.frame_end ? `${w.frame_method} BETWEEN ${start} AND ${this.frame(w.frame_end)}` : `${w.frame_method} ${start}`);
    }
    return parts.join(' ');
  }

  private frame(f: WindowFrameExpr): string {
    if (f.frame_type === 'CURRENT ROW') return 'CURRENT ROW';
    if (f.frame_type !== 'PRECEDING' && f.frame_type !== 'FOLLOWING') fail('unsupported window frame', f);
    if (f.frame_value === null || f.frame_value === undefined) return `UNBOUNDED ${f.frame_type}`;
    if (!Number.isInteger(f.frame_value) || f.frame_value < 0) fail('window frame offsets are non-negative integers', f);
    return `${f.frame_value} ${f.frame_type}`;
  }

  private orderExpr(o: OrderExpr, scope: Scope): string {
    if (o.order !== 'ASC' && o.order !== 'DESC') fail('ORDER BY direction is ASC or DESC', o);
    const nulls = o.nulls === 'FIRST' || o.nulls === 'LAST' ? ` NULLS ${o.nulls}` : '';
    return `${this.expr(o.expr, scope).sql} ${o.order}${nulls}`;
  }
}

export type { FieldType };
