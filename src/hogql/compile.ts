import type { Expr, SelectQuery, SelectSetQuery } from './ast.js';
import { HogQLError } from './ast.js';
import { parseSelect } from './parser.js';
import { replacePlaceholders, type PlaceholderValue } from './placeholders.js';
import { printHogQLSelect } from './print-hogql.js';
import { ClickHousePrinter, type PrinterOptions } from './printer.js';
import { settingsClause, type QuerySettings } from './compile-settings.js';

/** PostHog's limits: a top-level SELECT without LIMIT returns 100 rows, and never more than 50,000. */
export const DEFAULT_RETURNED_ROWS = 100;
export const MAX_SELECT_RETURNED_ROWS = 50_000;

export interface CompileOptions extends PrinterOptions, QuerySettings {
  values?: Record<string, PlaceholderValue>;
  /** Rows when the query has no LIMIT (default 100). */
  defaultLimit?: number;
  /** For a top-level SELECT without LIMIT, fetch one row more than the default so the runner can tell whether more rows exist. */
  fetchExtraRow?: boolean;
}

export interface CompiledQuery {
  sql: string;
  params: Record<string, unknown>;
  /** Output column names (aliases, field names, or the HogQL text of the expression). */
  columns: string[];
  /** The normalized HogQL that was compiled. */
  hogql: string;
  /** Set when the query was paginated: rows past this many mean `hasMore`. */
  paginateAt?: number;
}

/**
 * PostHog's top-level limits: a SELECT without LIMIT gets the default and is paginated (one extra row
 * tells `hasMore`); an explicit LIMIT is clamped to the maximum and not paginated. In a set query each
 * SELECT is limited on its own.
 */
function topLimit(query: SelectQuery | SelectSetQuery, defaultLimit: number, fetchExtraRow: boolean): { printed: SelectQuery | SelectSetQuery; shown: SelectQuery | SelectSetQuery; paginateAt?: number } {
  if (query.node === 'SelectSetQuery') {
    const each = (q: SelectQuery | SelectSetQuery) => topLimit(q, defaultLimit, false);
    const first = each(query.initial_select_query);
    const rest = query.subsequent_select_queries.map((n) => ({ node: n, limited: each(n.select_query) }));
    const build = (pick: 'printed' | 'shown'): SelectSetQuery => ({
      ...query,
      initial_select_query: first[pick],
      subsequent_select_queries: rest.map(({ node, limited }) => ({ ...node, select_query: limited[pick] })),
    });
    return { printed: build('printed'), shown: build('shown') };
  }
  const given = query.limit;
  if (!given) {
    const shown = { ...query, limit: { node: 'Constant', value: defaultLimit } } as SelectQuery;
    if (!fetchExtraRow) return { printed: shown, shown };
    return { printed: { ...query, limit: { node: 'Constant', value: defaultLimit + 1 } }, shown, paginateAt: defaultLimit };
  }
  let limit: Expr;
  if (given.node === 'Constant' && typeof given.value === 'number' && Number.isInteger(given.value) && given.value >= 0) {
    limit = { node: 'Constant', value: Math.min(given.value, MAX_SELECT_RETURNED_ROWS) };
  } else {
    limit = { node: 'Call', name: 'min2', args: [{ node: 'Constant', value: MAX_SELECT_RETURNED_ROWS }, given] };
  }
  const limited = { ...query, limit };
  return { printed: limited, shown: limited };
}

/**
 * A SELECT compiled for use inside a statement Hedgerow writes itself (cohort membership is
 * `INSERT … SELECT`): the same compiler and guards, but no row limit and no SETTINGS clause, which
 * the caller appends (it cannot be `readonly`).
 */
export function compileHogQLSelectBody(query: SelectQuery | SelectSetQuery, options: CompileOptions): { sql: string; params: Record<string, unknown>; columns: string[] } {
  const tree = replacePlaceholders(query, options.values ?? {});
  const printer = new ClickHousePrinter(options);
  const printed = printer.select(tree);
  return { sql: printed.sql, params: printer.params, columns: printed.columns.map((c) => c.name) };
}

/**
 * The one HogQL compiler: parse, fill placeholders, bind names to the virtual database with the
 * project guard on every table, print ClickHouse SQL with bound parameters and per-query limits.
 * Every HogQL text and every insight query goes through here.
 */
export function compileHogQL(query: string | SelectQuery | SelectSetQuery, options: CompileOptions): CompiledQuery {
  let tree = typeof query === 'string' ? parseSelect(query) : query;
  if (tree.node !== 'SelectQuery' && tree.node !== 'SelectSetQuery') throw new HogQLError('query', 'the query must be a SELECT');
  tree = replacePlaceholders(tree, options.values ?? {});
  const limited = topLimit(tree, options.defaultLimit ?? DEFAULT_RETURNED_ROWS, options.fetchExtraRow ?? false);
  const printer = new ClickHousePrinter(options);
  const printed = printer.select(limited.printed);
  return {
    sql: `${printed.sql} ${settingsClause(options)}`,
    params: printer.params,
    columns: printed.columns.map((c) => c.name),
    hogql: printHogQLSelect(limited.shown),
    paginateAt: limited.paginateAt,
  };
}

