/**
 * The web bench's data: 1M events sent through the server's own `/batch/` endpoint (so persons,
 * definitions and events are exactly what the server reads), spread evenly over the last 30 days
 * so "last 30 days" insights cover all of them. Event bodies come from the ingest bench's generator
 * (10k users, ~50 event names, realistic web properties); only the timestamps are moved.
 */
import { performance } from 'node:perf_hooks';
import { eventGenerator } from '../ingest/events.js';

const DAY_MS = 86_400_000;
/** Events per /batch/ body: large bodies keep the request overhead out of the load time. */
const BATCH = 2_000;
const CONCURRENCY = 4;

export async function loadEvents(url: string, apiToken: string, total: number): Promise<{ seconds: number }> {
  const next = eventGenerator(7);
  const now = Date.now();
  const start = now - 30 * DAY_MS;
  const t0 = performance.now();
  let made = 0;
  let sent = 0;
  let lastLog = t0;

  const body = (): { text: string; count: number } | undefined => {
    if (made >= total) return undefined;
    const n = Math.min(BATCH, total - made);
    const batch = [];
    for (let i = 0; i < n; i++, made++) {
      const e = next(now);
      // Even spread, oldest first, with jitter so events of one batch are not in one instant.
      e.timestamp = new Date(start + ((made + Math.random()) / total) * (30 * DAY_MS - 60_000)).toISOString();
      batch.push(e);
    }
    return { text: JSON.stringify({ api_key: apiToken, batch, sent_at: new Date(now).toISOString() }), count: n };
  };

  async function worker(): Promise<void> {
    for (let b = body(); b !== undefined; b = body()) {
      const res = await fetch(`${url}/batch/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: b.text });
      if (res.status !== 200) throw new Error(`/batch/ answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      await res.arrayBuffer();
      sent += b.count;
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        const s = (lastLog - t0) / 1000;
        console.log(`  loaded ${sent.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} events (${Math.round(sent / s).toLocaleString('en-US')} events/s)`);
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { seconds: (performance.now() - t0) / 1000 };
}
