/**
 * The ClickHouse-dialect interface every event-store driver implements (chDB in-process now;
 * a ClickHouse server over HTTP later). Queries are ClickHouse SQL with `{name:Type}` parameters
 * bound by the engine, never spliced into the text.
 */
export interface ClickHouse {
  /** Runs a query and returns its rows (JSONEachRow, 64-bit ints as strings). */
  query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  /** Runs a query and returns rows as arrays with the column names and ClickHouse types (JSONCompact). */
  queryCompact(sql: string, params?: Record<string, unknown>): Promise<CompactResult>;
  /** Runs a statement whose result is not needed (DDL, mutations). */
  exec(sql: string, params?: Record<string, unknown>): Promise<void>;
  /** Inserts newline-delimited JSONEachRow bytes in one INSERT. */
  insertJSONEachRow(table: string, rows: Buffer): Promise<void>;
  close(): Promise<void>;
}

export interface CompactResult {
  meta: { name: string; type: string }[];
  data: unknown[][];
}

export class ClickHouseQueryError extends Error {
  constructor(
    message: string,
    readonly sql: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ClickHouseQueryError';
  }
}
