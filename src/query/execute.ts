import { HogQLError, type SelectQuery, type SelectSetQuery } from '../hogql/ast.js';
import { compileHogQL, type CompileOptions, type CompiledQuery } from '../hogql/compile.js';
import { shapeRows } from '../hogql/results.js';
import { HedgerowError } from '../errors.js';
import type { Logger } from '../log.js';
import { ClickHouseQueryError, type ClickHouse } from '../storage/clickhouse.js';

export interface QueryLimits {
  maxExecutionSeconds: number;
  maxMemoryBytes: number;
}

export interface ExecutedQuery {
  compiled: CompiledQuery;
  results: unknown[][];
  types: [string, string][];
  /** null when the query set its own LIMIT (PostHog does not paginate those). */
  hasMore: boolean | null;
  timings: { k: string; t: number }[];
}

/** ClickHouse error names that describe the query, not the server: shown to the user as 400s. */
const USER_ERRORS = new Set([
  'UNKNOWN_IDENTIFIER',
  'ILLEGAL_TYPE_OF_ARGUMENT',
  'TYPE_MISMATCH',
  'NO_COMMON_TYPE',
  'NUMBER_OF_ARGUMENTS_DOESNT_MATCH',
  'ILLEGAL_AGGREGATION',
  'NOT_AN_AGGREGATE',
  'BAD_ARGUMENTS',
  'CANNOT_CONVERT_TYPE',
  'ILLEGAL_COLUMN',
  'AMBIGUOUS_IDENTIFIER',
  'AMBIGUOUS_COLUMN_NAME',
  'INVALID_JOIN_ON_EXPRESSION',
  'ILLEGAL_DIVISION',
  'ARGUMENT_OUT_OF_BOUND',
  'CANNOT_PARSE_TEXT',
  'CANNOT_PARSE_DATE',
  'CANNOT_PARSE_DATETIME',
  'CANNOT_PARSE_NUMBER',
  'CANNOT_PARSE_UUID',
  'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  'CANNOT_COMPILE_REGEXP',
  'TOO_DEEP_RECURSION',
  'TOO_BIG_AST',
  'TOO_DEEP_AST',
  'TOO_LARGE_ARRAY_SIZE',
  'TOO_MANY_ROWS_OR_BYTES',
  'UNSUPPORTED_METHOD',
  'UNKNOWN_AGGREGATED_DATA_VARIANT',
  'ILLEGAL_FINAL',
  'DECIMAL_OVERFLOW',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  'INCORRECT_DATA',
  'NOT_FOUND_COLUMN_IN_BLOCK',
  'UNKNOWN_TYPE',
  'ILLEGAL_PREWHERE',
  'ILLEGAL_INDEX',
  'SIZES_OF_ARRAYS_DONT_MATCH',
  'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO',
  'UNEXPECTED_EXPRESSION',
  'CANNOT_CLOCK_GETTIME',
  'NO_SUCH_COLUMN_IN_TABLE',
  'TOO_MANY_ARGUMENTS_FOR_FUNCTION',
  'TOO_FEW_ARGUMENTS_FOR_FUNCTION',
  'INCORRECT_QUERY',
  'INVALID_SETTING_VALUE',
  'NOT_IMPLEMENTED',
]);
const LIMIT_ERRORS = new Set(['TIMEOUT_EXCEEDED', 'MEMORY_LIMIT_EXCEEDED', 'TOO_MANY_ROWS', 'TOO_MANY_BYTES', 'QUERY_WAS_CANCELLED']);

export function hogqlErrorToHttp(err: HogQLError): HedgerowError {
  return new HedgerowError(err.kind === 'syntax' ? 'hogql_syntax_error' : 'hogql_query_error', err.message, null, {
    start: err.start ?? null,
    end: err.end ?? null,
  });
}

/** A ClickHouse failure as the API reports it: the query's fault → 400 with ClickHouse's reason; otherwise 500. */
function clickHouseErrorToHttp(err: ClickHouseQueryError, log: Logger, limits: QueryLimits): HedgerowError {
  const message = err.message;
  const name = /\(([A-Z_]+)\)\s*(?:\.|$)/m.exec(message)?.[1];
  const reason = message
    .replace(/^ClickHouse (query|statement) failed: /, '')
    .replace(/^Code: \d+\. DB::Exception: /, '')
    .replace(/ \([A-Z_]+\)\s*$/s, '')
    .split('\n')[0]!
    .slice(0, 1000);
  if (name && LIMIT_ERRORS.has(name)) {
    const what = name === 'TIMEOUT_EXCEEDED' ? `the time limit of ${limits.maxExecutionSeconds} s` : name === 'MEMORY_LIMIT_EXCEEDED' ? `the memory limit of ${Math.round(limits.maxMemoryBytes / 1024 ** 2)} MB` : 'a query limit';
    return new HedgerowError('query_limit_exceeded', `Query exceeded ${what}; narrow the date range or filters. (${name})`);
  }
  if (name && USER_ERRORS.has(name)) return new HedgerowError('hogql_query_error', `${reason} (${name})`);
  log.error({ err, sql: err.sql }, 'ClickHouse error while executing query');
  return new HedgerowError('internal_error', 'ClickHouse error while executing query.');
}

/** Compiles (through the one HogQL compiler) and runs a query, returning rows shaped for the API. */
export async function executeHogQL(
  ch: ClickHouse,
  log: Logger,
  query: string | SelectQuery | SelectSetQuery,
  options: CompileOptions & QueryLimits,
): Promise<ExecutedQuery> {
  const timings: { k: string; t: number }[] = [];
  let started = performance.now();
  let compiled: CompiledQuery;
  try {
    compiled = compileHogQL(query, { ...options, fetchExtraRow: true });
  } catch (err) {
    if (err instanceof HogQLError) throw hogqlErrorToHttp(err);
    throw err;
  }
  timings.push({ k: './compile', t: (performance.now() - started) / 1000 });
  started = performance.now();
  let result;
  try {
    result = await ch.queryCompact(compiled.sql, compiled.params);
  } catch (err) {
    if (err instanceof ClickHouseQueryError) throw clickHouseErrorToHttp(err, log, options);
    throw err;
  }
  timings.push({ k: './clickhouse_execute', t: (performance.now() - started) / 1000 });
  let data = result.data;
  const hasMore = compiled.paginateAt === undefined ? null : data.length > compiled.paginateAt;
  if (hasMore) data = data.slice(0, compiled.paginateAt);
  return {
    compiled,
    results: shapeRows(result.meta, data, options.timezone),
    types: result.meta.map((m, i) => [compiled.columns[i] ?? m.name, m.type]),
    hasMore,
    timings,
  };
}
