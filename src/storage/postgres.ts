/**
 * The PostgreSQL-dialect interface every metadata driver implements (PGlite in-process now;
 * a PostgreSQL server via `pg` later). Parameters are `$1, $2, …`.
 */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Postgres extends Queryable {
  /** Runs `fn` in one transaction; it commits when `fn` resolves and rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs parameterized statements in one transaction, in one round trip: for writes that need no reads in between. */
  writeBatch(statements: Array<{ sql: string; params: unknown[] }>): Promise<void>;
  /** Runs several statements (migrations); no parameters. */
  execScript(sql: string): Promise<void>;
  close(): Promise<void>;
}
