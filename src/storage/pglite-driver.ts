import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Postgres, Queryable } from './postgres.js';
import type { WorkerRequest, WorkerResponse } from './pglite-worker.js';

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export class PostgresQueryError extends Error {
  constructor(
    message: string,
    readonly sql: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'PostgresQueryError';
  }
}

/**
 * PGlite: Postgres compiled to WASM, in-process on a data directory, driven in a worker thread
 * (see pglite-worker.ts). One connection: a transaction holds it until it commits or rolls back.
 */
export class PgliteDriver implements Postgres {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (err: Error) => void; sql: string }>();
  /** Serializes transactions against everything else on the single connection. */
  private lock: Promise<void> = Promise.resolve();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: WorkerResponse) => {
      if (!('id' in msg)) return;
      const waiter = this.pending.get(msg.id);
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (msg.error) waiter.reject(new PostgresQueryError(`Postgres query failed: ${msg.error.message}`, waiter.sql, msg.error.code));
      else waiter.resolve(msg.rows ?? []);
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`the Postgres worker thread exited (code ${code})`)));
  }

  /** After the worker died, every waiting and later query fails at once instead of hanging. */
  private dead: Error | undefined;
  private fail(err: Error): void {
    this.dead ??= err;
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }

  static async open(dir: string): Promise<PgliteDriver> {
    fs.mkdirSync(dir, { recursive: true });
    const worker = new Worker(new URL('./pglite-worker.js', import.meta.url), { workerData: { dir } });
    await new Promise<void>((resolve, reject) => {
      const onMessage = (msg: WorkerResponse) => {
        if ('ready' in msg) resolve();
        else if ('failed' in msg) reject(new Error(`PGlite failed to open ${dir}: ${msg.failed}`));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
    });
    return new PgliteDriver(worker);
  }

  private send(req: DistributiveOmit<WorkerRequest, 'id'>): Promise<unknown[]> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, sql: 'sql' in req ? req.sql : '' });
      this.worker.postMessage({ ...req, id } as WorkerRequest);
    });
  }

  /** Runs `fn` while holding the connection. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private raw<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.send({ op: 'query', sql, params }) as Promise<T[]>;
  }

  query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.exclusive(() => this.raw<T>(sql, params));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.raw('BEGIN');
      try {
        const result = await fn({ query: <R>(sql: string, params: unknown[] = []) => this.raw<R>(sql, params) });
        await this.raw('COMMIT');
        return result;
      } catch (err) {
        await this.raw('ROLLBACK');
        throw err;
      }
    });
  }

  writeBatch(statements: Array<{ sql: string; params: unknown[] }>): Promise<void> {
    if (statements.length === 0) return Promise.resolve();
    return this.exclusive(async () => {
      await this.send({ op: 'batch', statements });
    });
  }

  execScript(sql: string): Promise<void> {
    return this.exclusive(async () => {
      await this.send({ op: 'exec', sql });
    });
  }

  async close(): Promise<void> {
    await this.exclusive(async () => {
      await this.send({ op: 'close' });
    });
    await this.worker.terminate();
  }
}
