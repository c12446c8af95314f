import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Postgres, Queryable } from './postgres.js';

/** PGlite: Postgres compiled to WASM, running inside this process on a data directory. */
export class PgliteDriver implements Postgres {
  private constructor(private readonly db: PGlite) {}

  static async open(dir: string): Promise<PgliteDriver> {
    fs.mkdirSync(dir, { recursive: true });
    const db = new PGlite(dir);
    await db.waitReady;
    return new PgliteDriver(db);
  }

  async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const result = await this.db.query<T>(sql, params);
    return result.rows;
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({
        query: async <R>(sql: string, params: unknown[] = []) => (await tx.query<R>(sql, params)).rows,
      }),
    );
  }

  async execScript(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
