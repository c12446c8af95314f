/**
 * One timed load phase with autocannon: `connections` keep-alive connections, each sending its next
 * request as soon as the previous answer arrived (closed loop), for `seconds`. Latencies are kept
 * exactly (autocannon's own histogram has 1 ms resolution, too coarse for sub-millisecond answers).
 */
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  /** Request bodies picked at random for each request (POST). */
  bodies?: readonly Buffer[];
  /** Share of requests sent with `fresh(n)` instead: ids never seen before. */
  freshShare?: number;
  fresh?: (n: number) => string;
  connections: number;
  seconds: number;
  /** Checks each answer's body; failures count as mismatches. */
  verify?: (body: string) => boolean;
  /** Called once a second with the requests answered in that second. */
  onSecond?: (second: number, requests: number) => void;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  /** Mean bytes read per answer, headers included. */
  answerBytes: number;
  /** CPU the load generator (this process) used per second of the run: 1 = one core. */
  clientCores: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const bodies = opts.bodies ?? [];
  const freshShare = opts.freshShare ?? 0;
  let freshCount = 0;
  const request: autocannon.Request = {
    method: opts.method,
    path: opts.path,
    headers: opts.method === 'POST' ? { 'content-type': 'application/json' } : {},
  };
  if (bodies.length > 0) {
    request.setupRequest = (req) => {
      const body = freshShare > 0 && opts.fresh && Math.random() < freshShare ? Buffer.from(opts.fresh(freshCount++)) : bodies[Math.floor(Math.random() * bodies.length)]!;
      return { ...req, body };
    };
  }
  let latencies = new Float64Array(1 << 18);
  let n = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let finished!: (err: unknown, result?: autocannon.Result) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => (finished = (err, result) => (err ? reject(err) : resolve(result!))));
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    requests: [request],
    ...(opts.verify ? { verifyBody: (body: string | Buffer | undefined) => opts.verify!(String(body ?? '')) } : {}),
  }, finished);
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    if (n === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[n++] = responseTime;
  });
  let second = 0;
  let counted = 0;
  const ticker = setInterval(() => {
    opts.onSecond?.(++second, n - counted);
    counted = n;
  }, 1000);
  const result = await done.finally(() => clearInterval(ticker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const sorted = latencies.subarray(0, n).sort();
  const requests = result.requests.total;
  return {
    requests,
    seconds: result.duration,
    perSecond: requests / result.duration,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? 0,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    answerBytes: requests > 0 ? result.throughput.total / requests : 0,
    clientCores: (cpu.user + cpu.system) / 1e6 / seconds,
  };
}
