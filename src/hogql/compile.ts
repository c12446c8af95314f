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
  /** Print one row more than the limit so the runner can tell whether more rows exist. */
  fetchExtraRow?: boolean;
}

export interface CompiledQuery {
  sql: string;
  params: Record<string, unknown>;
  /** Output column names (aliases, field names, or the HogQL text of the expression). */
  columns: string[];
  /** The normalized HogQL that was compiled. */
  hogql: string;
  /** The effective top-level limit when it is a constant. */
  limit?: number;
}

function topLimit(query: SelectQuery | SelectSetQuery, defaultLimit: number): { query: SelectQuery | SelectSetQuery; limit?: number } {
  if (query.node === 'SelectSetQuery') {
    // A set query is limited as a whole: wrap it.
    return topLimit({ node: 'SelectQuery', select: [{ node: 'Field', chain: ['*'] }], select_from: { node: 'JoinExpr', table: query } }, defaultLimit);
  }
  const given = query.limit;
  if (!given) return { query: { ...query, limit: { node: 'Constant', value: defaultLimit } }, limit: defaultLimit };
  if (given.node === 'Constant' && typeof given.value === 'number' && Number.isInteger(given.value) && given.value >= 0) {
    const limit = Math.min(given.value, MAX_SELECT_RETURNED_ROWS);
    return { query: { ...query, limit: { node: 'Constant', value: limit } }, limit };
  }
  const clamped: Expr = { node: 'Call', name: 'min2', args: [{ node: 'Constant', value: MAX_SELECT_RETURNED_ROWS }, given] };
  return { query: { ...query, limit: clamped } };
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
  const limited = topLimit(tree, options.defaultLimit ?? DEFAULT_RETURNED_ROWS);
  let printedTree = limited.query;
  if (options.fetchExtraRow && limited.limit !== undefined && printedTree.node === 'SelectQuery') {
    printedTree = { ...printedTree, limit: { node: 'Constant', value: limited.limit + 1 } };
  }
  const printer = new ClickHousePrinter(options);
  const printed = printer.select(printedTree);
  return {
    sql: `${printed.sql} ${settingsClause(options)}`,
    params: printer.params,
    columns: printed.columns.map((c) => c.name),
    hogql: printHogQLSelect(limited.query),
    limit: limited.limit,
  };
}

