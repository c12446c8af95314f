import fs from 'node:fs';
import { Session } from 'chdb';
import { type ClickHouse, ClickHouseQueryError } from './clickhouse.js';

/** chDB: ClickHouse running inside this process on a data directory (one per process). */
export class ChdbDriver implements ClickHouse {
  private readonly session: Session;

  constructor(dir: string) {
    fs.mkdirSync(dir, { recursive: true });
    this.session = new Session(dir);
  }

  async query<T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> {
    try {
      const result = await this.session.queryBindAsync(sql, params, { format: 'JSONEachRow' });
      const text = result.text();
      if (text.length === 0) return [];
      return text
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as T);
    } catch (err) {
      throw new ClickHouseQueryError(`ClickHouse query failed: ${(err as Error).message}`, sql, { cause: err });
    }
  }

  async exec(sql: string, params: Record<string, unknown> = {}): Promise<void> {
    try {
      await this.session.queryBindAsync(sql, params, { format: 'JSONEachRow' });
    } catch (err) {
      throw new ClickHouseQueryError(`ClickHouse statement failed: ${(err as Error).message}`, sql, { cause: err });
    }
  }

  async insertJSONEachRow(table: string, rows: Buffer): Promise<void> {
    try {
      await this.session.insert({ table, values: rows, format: 'JSONEachRow' });
    } catch (err) {
      throw new ClickHouseQueryError(`ClickHouse insert into ${table} failed: ${(err as Error).message}`, `INSERT INTO ${table} FORMAT JSONEachRow`, {
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    this.session.close();
  }
}
