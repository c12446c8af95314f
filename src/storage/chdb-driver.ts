import fs from 'node:fs';
import { Session } from 'chdb';
import { type ClickHouse, ClickHouseQueryError, type CompactResult } from './clickhouse.js';

/**
 * chDB: ClickHouse running inside this process on a data directory (one per process).
 *
 * Statements go through one queue. chDB runs a session's statements one at a time anyway, and the
 * queue lets us repair a chDB quirk right after the failing statement: a query stopped by a limit
 * (e.g. max_execution_time) leaves its partial output in the session, and the next statement's
 * result would begin with it. A throwaway statement after every failed query absorbs that output.
 */
export class ChdbDriver implements ClickHouse {
  private readonly session: Session;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.session = new Session(dir);
  }

  private serialized<T>(run: () => Promise<T>): Promise<T> {
    const next = this.tail.then(run, run);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Runs a query and returns its text; on failure, drains leftover output before the next statement. */
  private text(sql: string, params: Record<string, unknown>, format: string, what: 'query' | 'statement'): Promise<string> {
    return this.serialized(async () => {
      try {
        return (await this.session.queryBindAsync(sql, params, { format })).text();
      } catch (err) {
        await this.session.queryBindAsync('SELECT 1', {}, { format: 'JSONEachRow' }).catch(() => undefined);
        throw new ClickHouseQueryError(`ClickHouse ${what} failed: ${(err as Error).message}`, sql, { cause: err });
      }
    });
  }

  async query<T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const text = await this.text(sql, params, 'JSONEachRow', 'query');
    if (text.length === 0) return [];
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as T);
  }

  async queryCompact(sql: string, params: Record<string, unknown> = {}): Promise<CompactResult> {
    const parsed = JSON.parse(await this.text(sql, params, 'JSONCompact', 'query')) as CompactResult;
    return { meta: parsed.meta, data: parsed.data };
  }

  async exec(sql: string, params: Record<string, unknown> = {}): Promise<void> {
    await this.text(sql, params, 'JSONEachRow', 'statement');
  }

  async insertJSONEachRow(table: string, rows: Buffer): Promise<void> {
    return this.serialized(async () => {
      try {
        await this.session.insert({ table, values: rows, format: 'JSONEachRow' });
      } catch (err) {
        throw new ClickHouseQueryError(`ClickHouse insert into ${table} failed: ${(err as Error).message}`, `INSERT INTO ${table} FORMAT JSONEachRow`, {
          cause: err,
        });
      }
    });
  }

  async close(): Promise<void> {
    await this.tail;
    this.session.close();
  }
}
