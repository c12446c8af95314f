/**
 * The PGlite engine, in a worker thread. PGlite runs Postgres as WebAssembly synchronously on the
 * thread that calls it, so on the main thread every person write stalled HTTP handling; here it
 * runs beside it. Messages are handled strictly in order (one connection, like Postgres itself).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params: unknown[] }
  | { id: number; op: 'batch'; statements: Array<{ sql: string; params: unknown[] }> }
  | { id: number; op: 'exec'; sql: string }
  | { id: number; op: 'close' };
export type WorkerResponse = { id: number; rows?: unknown[]; error?: { message: string; code?: string; detail?: string } } | { ready: true } | { failed: string };

const port = parentPort!;
let db: PGlite;
try {
  db = new PGlite((workerData as { dir: string }).dir);
  await db.waitReady;
  port.postMessage({ ready: true } satisfies WorkerResponse);
} catch (err) {
  port.postMessage({ failed: (err as Error).stack ?? String(err) } satisfies WorkerResponse);
  process.exit(1);
}

let chain: Promise<void> = Promise.resolve();
port.on('message', (req: WorkerRequest) => {
  chain = chain.then(async () => {
    try {
      if (req.op === 'query') port.postMessage({ id: req.id, rows: (await db.query(req.sql, req.params)).rows } satisfies WorkerResponse);
      else if (req.op === 'batch') {
        await db.transaction(async (tx) => {
          for (const st of req.statements) await tx.query(st.sql, st.params);
        });
        port.postMessage({ id: req.id, rows: [] } satisfies WorkerResponse);
      } else if (req.op === 'exec') {
        await db.exec(req.sql);
        port.postMessage({ id: req.id, rows: [] } satisfies WorkerResponse);
      } else {
        await db.close();
        port.postMessage({ id: req.id, rows: [] } satisfies WorkerResponse);
      }
    } catch (err) {
      const e = err as { message: string; code?: string; detail?: string };
      port.postMessage({ id: req.id, error: { message: e.message, code: e.code, detail: e.detail } } satisfies WorkerResponse);
    }
  });
});
