/**
 * Flags benchmark (`npm run bench:flags`): starts Hedgerow on 127.0.0.1 with a fresh data dir, loads
 * 20k persons, three cohorts and 20 flags through the API, checks a sample of answers, then drives
 * `POST /flags/?v=2` with posthog-node-like bodies over keep-alive connections (autocannon) while
 * ingestion is idle. Baselines in the same run: `/_health` on the same server under the same load,
 * and the evaluator alone in this process. Not a test; `npm test` never runs it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type FlagsBody, makeBodies, nodeBody } from './bodies.js';
import { checkSample } from './check.js';
import { makePersons } from './dataset.js';
import { evaluatorThroughput } from './evaluator.js';
import { type LoadOptions, type LoadResult, runLoad } from './load.js';
import { type BenchServer, machineBusySeconds, mainThreadCpuSeconds, procCpuSeconds, procStatusKb, startServer, threadCpuSeconds } from './server.js';
import { createCohorts, createFlags, createProject, loadPersons } from './setup.js';
import { runBench } from '../lifecycle.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? '1,8,32').split(',').map(Number);
const PERSONS = Number(process.env.BENCH_PERSONS ?? 20_000);
const BODIES = Number(process.env.BENCH_BODIES ?? 20_000);
const CHECK_SAMPLE = Number(process.env.BENCH_CHECK_SAMPLE ?? 300);
/** Share of requests from ids never seen before (a person lookup that misses, each time). */
const FRESH_SHARE = Number(process.env.BENCH_FRESH_SHARE ?? 0.02);
const EVAL_SECONDS = Number(process.env.BENCH_EVAL_SECONDS ?? 5);
const TARGET = { perSecond: 5000, p99Ms: 10 };
if (CONNECTIONS.some((c) => !Number.isInteger(c) || c < 1)) throw new Error(`BENCH_CONNECTIONS must be a list of positive integers, not "${process.env.BENCH_CONNECTIONS}"`);
// The whole run is bounded: whatever hangs, the bench gives up after this.
const DEADLINE_MS = ((2 * CONNECTIONS.length + 1) * (SECONDS + 10) + WARMUP_SECONDS + EVAL_SECONDS + 600) * 1000;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hedgerow-bench-flags-'));
let server: BenchServer | undefined;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (n: number) => fmt(n, n < 10 ? 2 : 1);

interface Phase {
  label: string;
  connections: number;
  load: LoadResult;
  serverCores: number;
  serverMainCores: number;
  /** CPU of the machine used by neither the server nor this process (other work on a shared machine). */
  otherCores: number;
  /** Server threads by name, cores used. */
  threads: Array<[string, number]>;
}

async function phase(label: string, s: BenchServer, opts: Omit<LoadOptions, 'url' | 'onSecond'>, quiet = false): Promise<Phase> {
  console.log(`\n--- ${label}: ${opts.connections} connections, ${opts.seconds} s ---`);
  const cpu0 = procCpuSeconds(s.pid);
  const main0 = mainThreadCpuSeconds(s.pid);
  const threads0 = threadCpuSeconds(s.pid);
  const machine0 = machineBusySeconds();
  const t0 = performance.now();
  const load = await runLoad({
    ...opts,
    url: s.url,
    onSecond: (second, requests) => {
      if (!quiet && (second % 5 === 0 || second === 1)) console.log(`  ${String(second).padStart(3)} s  ${fmt(requests).padStart(7)} requests/s`);
    },
  });
  const wall = (performance.now() - t0) / 1000;
  const serverCores = (procCpuSeconds(s.pid) - cpu0) / wall;
  const threads = [...threadCpuSeconds(s.pid)].map(([name, sec]): [string, number] => [name, (sec - (threads0.get(name) ?? 0)) / wall]).sort((a, b) => b[1] - a[1]);
  const result: Phase = {
    label,
    connections: opts.connections,
    load,
    serverCores,
    serverMainCores: (mainThreadCpuSeconds(s.pid) - main0) / wall,
    otherCores: Math.max(0, (machineBusySeconds() - machine0) / wall - serverCores - load.clientCores),
    threads,
  };
  const bad = load.non2xx + load.errors + load.timeouts + load.mismatches;
  console.log(
    `  ${fmt(load.perSecond)} requests/s, p50 ${ms(load.p50)} ms, p99 ${ms(load.p99)} ms, max ${ms(load.max)} ms, ~${fmt(load.answerBytes)} bytes per answer` +
      `${bad ? `, NOT OK: non-2xx ${load.non2xx}, errors ${load.errors}, timeouts ${load.timeouts}, body mismatches ${load.mismatches}` : ''}`,
  );
  if (!quiet) {
    console.log(`  CPU: server ${fmt(serverCores * 100)}%, load generator ${fmt(load.clientCores * 100)}%, other processes ${fmt(result.otherCores * 100)}% (100% = one core)`);
    console.log(`  server threads (% of one core): ${threads.filter(([, c]) => c >= 0.005).map(([n, c]) => `${n} ${fmt(c * 100)}%`).join(', ')}`);
  }
  return result;
}

async function main(): Promise<boolean> {
  console.log(`Hedgerow flags benchmark: ${SECONDS} s per phase, connections ${CONNECTIONS.join(', ')}, ${os.cpus().length} CPUs, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const s = (server = await startServer(path.join(tmp, 'data')));
  console.log(`server: pid ${s.pid} at ${s.url}`);

  console.log(`\n--- loading data ---`);
  const project = await createProject(s, 'flags bench');
  const persons = makePersons(PERSONS);
  await loadPersons(s, project, persons);
  const cohorts = await createCohorts(s, project, persons);
  const flags = await createFlags(s, project, cohorts);
  const flagKeys = flags.map((f) => f.key);
  const bodies: FlagsBody[] = makeBodies(project.api_token, persons, BODIES);
  const buffers = bodies.map((b) => Buffer.from(b.json));
  const meanBytes = buffers.reduce((n, b) => n + b.length, 0) / buffers.length;
  console.log(`  ${fmt(bodies.length)} request bodies, ~${fmt(meanBytes)} bytes each; ${fmt(FRESH_SHARE * 100, 1)}% of requests use a never-seen id`);

  console.log(`\n--- correctness check (${CHECK_SAMPLE} requests) ---`);
  const check = await checkSample(s.url, bodies.slice(0, CHECK_SAMPLE), flagKeys);
  console.log(`  enabled share per flag: ${[...check.enabledShare].map(([k, v]) => `${k} ${fmt(v * 100)}%`).join(', ')}`);
  if (check.problems.length > 0) {
    for (const p of check.problems.slice(0, 20)) console.log(`  PROBLEM ${p}`);
    throw new Error(`${check.problems.length} problems in the sample; nothing was timed`);
  }
  console.log(`  ${check.checked} answers: all ${flagKeys.length} flags, no errorsWhileComputingFlags, checked flags as expected`);

  const runTag = Date.now().toString(36);
  const flagsLoad = (connections: number, seconds: number): Omit<LoadOptions, 'url' | 'onSecond'> => ({
    method: 'POST',
    path: '/flags/?v=2',
    bodies: buffers,
    freshShare: FRESH_SHARE,
    fresh: (n) => nodeBody(project.api_token, `new-${runTag}-${n}`, {}, null),
    connections,
    seconds,
    verify: (body) => body.includes('"errorsWhileComputingFlags":false'),
  });
  const healthLoad = (connections: number, seconds: number): Omit<LoadOptions, 'url' | 'onSecond'> => ({
    method: 'GET',
    path: '/_health',
    connections,
    seconds,
    verify: (body) => body === '{"status":"ok"}',
  });

  await phase('warm-up /flags (not counted)', s, flagsLoad(Math.max(...CONNECTIONS), WARMUP_SECONDS), true);
  const rows: Array<{ flags: Phase; health: Phase }> = [];
  for (const c of CONNECTIONS) {
    const flagsPhase = await phase('POST /flags/?v=2', s, flagsLoad(c, SECONDS));
    await phase('warm-up /_health (not counted)', s, healthLoad(c, Math.min(3, WARMUP_SECONDS)), true);
    const healthPhase = await phase('GET /_health (baseline)', s, healthLoad(c, SECONDS));
    rows.push({ flags: flagsPhase, health: healthPhase });
  }

  console.log(`\n--- evaluator alone, in this process (${EVAL_SECONDS} s) ---`);
  const evaluator = evaluatorThroughput(flags, project.id, cohorts, bodies, EVAL_SECONDS);
  console.log(`  ${fmt(evaluator.perSecond)} requests/s (all ${flags.length} flags each), ${fmt(evaluator.meanMicros, 1)} µs per request`);

  const hwmKb = procStatusKb(s.pid, 'VmHWM');
  const code = await s.stop();
  if (code !== 0) console.log(`server exited with code ${code} after SIGTERM`);

  console.log(`\n=== Flags summary (${SECONDS} s per phase, ${fmt(PERSONS)} persons, ${flags.length} flags, ingestion idle) ===`);
  console.log('| phase | connections | requests/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx / errors | server CPU (JS main) | client CPU | other CPU |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const line = (p: Phase) =>
    console.log(
      `| ${p.label} | ${p.connections} | ${fmt(p.load.perSecond)} | ${ms(p.load.p50)} | ${ms(p.load.p90)} | ${ms(p.load.p99)} | ${ms(p.load.max)} | ` +
        `${p.load.non2xx + p.load.mismatches} / ${p.load.errors + p.load.timeouts} | ${fmt(p.serverCores * 100)}% (${fmt(p.serverMainCores * 100)}%) | ${fmt(p.load.clientCores * 100)}% | ${fmt(p.otherCores * 100)}% |`,
    );
  for (const r of rows) {
    line(r.flags);
    line(r.health);
  }
  console.log(`\n  evaluator alone (in-process, same 20 flags and bodies): ${fmt(evaluator.perSecond)} requests/s, ${fmt(evaluator.meanMicros, 1)} µs each`);
  for (const r of rows) {
    const f = r.flags.load;
    console.log(
      `  ${r.flags.connections} connections: /flags ÷ /_health = ${fmt(f.perSecond / r.health.load.perSecond, 2)}; ` +
        `/flags ÷ evaluator alone = ${fmt(f.perSecond / evaluator.perSecond, 2)}; ` +
        `server time per /flags request ≈ ${fmt((r.flags.serverMainCores * 1e6) / f.perSecond)} µs JS main thread (${fmt((r.health.serverMainCores * 1e6) / r.health.load.perSecond)} µs for /_health)`,
    );
  }
  console.log(`  server peak RSS (VmHWM): ${fmt(hwmKb / 1024)} MB`);
  const meeting = rows.filter((r) => r.flags.load.perSecond >= TARGET.perSecond && r.flags.load.p99 < TARGET.p99Ms);
  console.log(
    meeting.length > 0
      ? `  target (≥ ${fmt(TARGET.perSecond)} requests/s with p99 < ${TARGET.p99Ms} ms): MET at ${meeting.map((r) => `${r.flags.connections} connections`).join(', ')}`
      : `  target (≥ ${fmt(TARGET.perSecond)} requests/s with p99 < ${TARGET.p99Ms} ms): NOT MET`,
  );
  return rows.every((r) => [r.flags, r.health].every((p) => p.load.non2xx + p.load.errors + p.load.timeouts + p.load.mismatches === 0));
}

runBench('bench:flags', main, {
  deadlineMs: DEADLINE_MS,
  tmp,
  stop: () => {
    if (server && server.proc.exitCode === null && server.proc.signalCode === null) server.proc.kill('SIGKILL');
  },
});

