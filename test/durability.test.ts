import crypto from 'node:crypto';
import path from 'node:path';
import { drainPending, Session } from 'chdb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allEvents, api } from './helpers/api.js';
import { startServer, type TestServer } from './helpers/server.js';

/**
 * A 200 means durable: kill -9 the server under load, restart it, and every acknowledged event is
 * there exactly once. Retrying the unacknowledged batches afterwards (same uuids) fills the gap
 * without duplicating anything that did land.
 */
describe('durability under SIGKILL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.dispose());

  it('every acknowledged event survives kill -9 exactly once', async () => {
    const acked = new Set<string>();
    const unacked: Array<Array<{ uuid: string }>> = [];
    let stop = false;
    let seq = 0;

    function makeBatch() {
      return Array.from({ length: 100 }, () => ({
        event: 'durable',
        distinct_id: `u${seq % 97}`,
        uuid: crypto.randomUUID(),
        properties: { seq: seq++, payload: 'x'.repeat(200) },
      }));
    }

    async function post(batch: Array<{ uuid: string }>): Promise<boolean> {
      try {
        const res = await fetch(server.url + '/batch/', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ api_key: server.projectApiKey, batch }),
        });
        return res.status === 200 && (await res.text()) === '{"status":1}';
      } catch {
        return false; // the connection died with the server: not acknowledged
      }
    }

    async function client(): Promise<void> {
      while (!stop) {
        const batch = makeBatch();
        if (await post(batch)) for (const e of batch) acked.add(e.uuid);
        else unacked.push(batch);
      }
    }

    const clients = Array.from({ length: 8 }, client);
    // Let acknowledged load build up, then kill while requests are in flight.
    while (acked.size < 20_000) await new Promise((r) => setTimeout(r, 50));
    await server.kill();
    stop = true;
    await Promise.all(clients);
    expect(acked.size).toBeGreaterThanOrEqual(20_000);

    await server.restart();
    const stored = await allEvents(server, '@current', 'event=durable');
    const counts = new Map<string, number>();
    for (const e of stored) counts.set(e.id, (counts.get(e.id) ?? 0) + 1);
    const missing = [...acked].filter((uuid) => !counts.has(uuid));
    const duplicated = [...counts].filter(([, n]) => n > 1);
    expect({ missing: missing.length, duplicated: duplicated.length }).toEqual({ missing: 0, duplicated: 0 });

    // The SDK's retry of what was not acknowledged: nothing doubles, everything is there.
    for (const batch of unacked) expect(await post(batch)).toBe(true);
    const after = await allEvents(server, '@current', 'event=durable');
    const expected = acked.size + unacked.reduce((n, b) => n + b.filter((e) => !acked.has(e.uuid)).length, 0);
    expect(after.length).toBe(expected);
    expect(new Set(after.map((e) => e.id)).size).toBe(after.length);
  });

  it('after kill -9 the ClickHouse person copy is rebuilt from Postgres', async () => {
    // Person changes whose ClickHouse copy is written in the background, then an immediate kill.
    const batch = Array.from({ length: 50 }, (_, i) => ({ event: '$set', distinct_id: `copy-${i}`, properties: { $set: { n: i } } }));
    const res = await fetch(server.url + '/batch/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ api_key: server.projectApiKey, batch }),
    });
    expect(res.status).toBe(200);
    await server.kill();
    await server.restart();
    const persons = await api<{ results: unknown[]; next: string | null }>(server, '/api/projects/@current/persons/?limit=1000');
    const expected = persons.body.results.length;
    expect(expected).toBeGreaterThanOrEqual(50);
    await server.stop();
    const session = new Session(path.join(server.dataDir, 'clickhouse'));
    try {
      const copied = session.query('SELECT count() FROM person FINAL WHERE is_deleted = 0', 'TSV').trim();
      expect(Number(copied)).toBe(expected);
    } finally {
      session.close();
      await drainPending();
    }
    await server.restart();
  });
});
