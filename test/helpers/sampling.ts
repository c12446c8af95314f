import { api, sendBatch } from './api.js';
import { hogql, waitForValue } from './query.js';
import type { TestServer } from './server.js';

/**
 * `samplingFactor` scenarios: many distinct ids (one person each), so a 10% sample is close to the
 * whole. Which ids a sample holds is ClickHouse's `SAMPLE BY cityHash64(distinct_id)`: the ids whose
 * hash is below factor × 2^64. `sampled()` asks for that set independently of the SAMPLE clause (a
 * plain hash filter), so tests can state the exact scaled answer as well as its closeness to the full one.
 */

export const SAMPLED_IDS = 2000;

/** `s0000` … `s1999`, with their index. */
export function sampledIds(): { id: string; i: number }[] {
  return Array.from({ length: SAMPLED_IDS }, (_, i) => ({ id: `s${String(i).padStart(4, '0')}`, i }));
}

/** A project holding `batch` (sent in chunks), returned once events and persons are all queryable. */
export async function samplingProject(server: TestServer, name: string, batch: Record<string, unknown>[], settings: Record<string, unknown> = {}): Promise<number> {
  const res = await api<{ id: number; api_token: string }>(server, '/api/projects/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, ...settings }),
  });
  if (res.status !== 201) throw new Error(`project create answered ${res.status}: ${JSON.stringify(res.body)}`);
  for (let i = 0; i < batch.length; i += 2000) await sendBatch(server, res.body.api_token, batch.slice(i, i + 2000));
  await waitForValue(server, res.body.id, 'SELECT count() FROM events', batch.length, 60_000);
  const persons = new Set(batch.map((e) => e.distinct_id)).size;
  await waitForValue(server, res.body.id, 'SELECT count() FROM persons', persons, 60_000);
  return res.body.id;
}

/** The indexes (as in `sampledIds`) of the distinct ids a `SAMPLE factor` reads, by their hash. */
export async function sampled(server: TestServer, projectId: number, factor = 0.1): Promise<Set<number>> {
  const res = await hogql(server, projectId, `SELECT DISTINCT distinct_id FROM events WHERE cityHash64(distinct_id) / pow(2, 64) < ${factor} LIMIT 10000`);
  if (res.status !== 200) throw new Error(`sampled ids query answered ${res.status}: ${JSON.stringify(res.body)}`);
  return new Set(res.body.results.map((r) => Number(String(r[0]).slice(1))));
}
