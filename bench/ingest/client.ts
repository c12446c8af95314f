/**
 * Load generator, run by run.ts as a separate process so its CPU is not the server's.
 * Posts pre-generated 100-event /batch/ bodies over keep-alive connections, `concurrency`
 * requests in flight, for `seconds`; reports progress each second and a result at the end.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { EVENTS_PER_REQUEST, eventGenerator, freshIdsOf } from './events.js';
import type { ClientConfig, ClientMessage, ClientResult } from './messages.js';

interface Body {
  bytes: Buffer;
  /** Byte offsets of each event's uuid, overwritten before every send so no two events share one. */
  uuidOffsets: number[];
}

const config = JSON.parse(process.argv[2] ?? '') as ClientConfig;
const send = (message: ClientMessage) => process.send!(message);

/** All JSON work happens here, before the timed window. */
function makeBodies(): Body[] {
  const next = eventGenerator(42, config.personShare, config.personless);
  const bodies: Body[] = [];
  for (let b = 0; b < config.pool; b++) {
    const sentAt = Date.now();
    const batch = Array.from({ length: EVENTS_PER_REQUEST }, () => next(sentAt));
    const bytes = Buffer.from(JSON.stringify({ api_key: config.apiKey, batch, sent_at: new Date(sentAt).toISOString() }));
    const uuidOffsets: number[] = [];
    for (const e of batch) for (const id of freshIdsOf(e)) uuidOffsets.push(bytes.indexOf(id, uuidOffsets.at(-1) ?? 0, 'latin1'));
    bodies.push({ bytes, uuidOffsets });
  }
  return bodies;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: config.concurrency });

function post(body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: '127.0.0.1',
        port: config.port,
        path: '/batch/',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function run(bodies: Body[]): Promise<ClientResult> {
  // A FIFO of bodies not in flight; the pool is larger than the concurrency, so one is always free.
  const free = [...bodies];
  const latencies: number[] = [];
  const samples = new Set<string>();
  let requests = 0;
  let acked = 0;
  let non200 = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  const end = start + config.seconds * 1000;
  const elapsed = () => (performance.now() - start) / 1000;
  const progress = setInterval(() => send({ type: 'progress', acked, non200, elapsedSeconds: elapsed() }), 1000);

  async function worker(): Promise<void> {
    while (performance.now() < end) {
      const body = free.shift()!;
      for (const offset of body.uuidOffsets) body.bytes.write(crypto.randomUUID(), offset, 'latin1');
      const t0 = performance.now();
      requests++;
      try {
        const res = await post(body.bytes);
        latencies.push(performance.now() - t0);
        if (res.status === 200 && res.text === '{"status":1}') acked += EVENTS_PER_REQUEST;
        else {
          non200++;
          if (samples.size < 5) samples.add(`${res.status} ${res.text.slice(0, 200)}`);
        }
      } catch (err) {
        non200++;
        if (samples.size < 5) samples.add(`connection error: ${(err as Error).message}`);
      } finally {
        free.push(body);
      }
    }
  }
  await Promise.all(Array.from({ length: config.concurrency }, worker));
  // Elapsed includes draining the last in-flight requests, so events/s is not flattered.
  const elapsedSeconds = elapsed();
  clearInterval(progress);
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests,
    acked,
    non200,
    samples: [...samples],
    elapsedSeconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

const t0 = performance.now();
const bodies = makeBodies();
send({ type: 'ready', bodies: bodies.length, bodyBytes: bodies[0]!.bytes.length, genSeconds: (performance.now() - t0) / 1000 });
process.once('message', () => {
  run(bodies).then(
    (result) => {
      send({ type: 'done', result });
      process.disconnect();
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
