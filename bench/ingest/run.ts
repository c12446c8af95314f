/**
 * Ingest benchmark (`npm run bench:ingest`): starts Hedgerow on 127.0.0.1 with a fresh data dir,
 * lets a separate client process post 100-event /batch/ requests for BENCH_SECONDS (default 20)
 * with BENCH_CONCURRENCY (default 64) in flight, then checks every acknowledged event is stored and
 * compares the rate with raw chDB inserts of the same rows. Not a test; `npm test` never runs it.
 */
import { SERVER_NODE_FLAGS } from '../../src/node-flags.js';
import { type ChildProcess, execFileSync, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { countStored, rawChdbBaseline } from './chdb.js';
import type { ClientConfig, ClientMessage, ClientResult } from './messages.js';
import { runBench } from '../lifecycle.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const POOL = Math.max(Number(process.env.BENCH_POOL ?? 1000), 2 * CONCURRENCY);
const PROJECT_KEY = 'phc_bench_ingest_project_key';
// The whole run is bounded: whatever hangs, the bench gives up after this.
const DEADLINE_MS = (3 * SECONDS + 360) * 1000; // up to three timed phases plus start-up, counting and the baseline

const here = path.dirname(fileURLToPath(import.meta.url));
const cliPath = path.join(here, '../../src/cli.js');
const clientPath = path.join(here, 'client.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hedgerow-bench-ingest-'));
const children: ChildProcess[] = [];

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (kb: number) => `${fmt(kb / 1024)} MB`;

/** A `VmRSS:`/`VmHWM:` line of /proc/<pid>/status, in kB. */
function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
/** User + system CPU seconds a process has used (all its threads, chDB's included), or one thread's with `statPath`. */
function procCpuSeconds(pid: number, statPath = `/proc/${pid}/stat`): number {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = fs.readFileSync(statPath, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

interface Server {
  proc: ChildProcess;
  pid: number;
  port: number;
  teamId: number;
  exited: Promise<number | null>;
}

async function startServer(dataDir: string): Promise<Server> {
  // BENCH_SERVER_NODE_FLAGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server under load.
  const nodeFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeFlags, cliPath, 'start'], {
    env: {
      ...process.env,
      PORT: '0',
      HEDGEROW_HOST: '127.0.0.1',
      HEDGEROW_DATA_DIR: dataDir,
      HEDGEROW_PROJECT_API_KEY: PROJECT_KEY,
      HEDGEROW_PERSONAL_API_KEY: 'phx_bench_ingest_personal_key',
      HEDGEROW_ADMIN_EMAIL: 'bench@hedgerow.local',
      HEDGEROW_ADMIN_PASSWORD: 'bench-password-not-secret',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(proc);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let port = 0;
  let teamId = 0;
  const ready = new Promise<void>((resolve, reject) => {
    exited.then((code) => reject(new Error(`server exited with code ${code} before it was ready`)));
    // Keep reading stdout for the whole run: a full pipe would stall the server. Past the banner,
    // only warnings and errors (LOG_LEVEL=warn) are printed.
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      const url = /Hedgerow is running at http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      const project = /Project id:\s+(\d+)/.exec(line);
      if (url) port = Number(url[1]);
      else if (project) teamId = Number(project[1]);
      else if (line.startsWith('{') || process.env.BENCH_SERVER_STDOUT) console.log(`  server: ${line}`);
      if (port && teamId) resolve();
    });
  });
  await ready;
  const health = await fetch(`http://127.0.0.1:${port}/_health`);
  if (health.status !== 200) throw new Error(`/_health answered ${health.status}`);
  return { proc, pid: proc.pid!, port, teamId, exited };
}

/** Runs the client process; resolves with its result once the timed window is over. */
function runClient(
  port: number,
  personShare: number,
  personless: boolean,
  onStart: () => void,
  onProgress: (m: Extract<ClientMessage, { type: 'progress' }>) => void,
): Promise<ClientResult> {
  const config: ClientConfig = { port, apiKey: PROJECT_KEY, seconds: SECONDS, concurrency: CONCURRENCY, pool: POOL, personShare, personless };
  const client = fork(clientPath, [JSON.stringify(config)], { stdio: 'inherit' });
  children.push(client);
  return new Promise((resolve, reject) => {
    client.on('message', (m: ClientMessage) => {
      if (m.type === 'ready') {
        console.log(`client: ${fmt(m.bodies)} request bodies of ~${fmt(m.bodyBytes / 1024)} KB pre-generated in ${fmt(m.genSeconds, 1)} s`);
        onStart();
        client.send('start');
      } else if (m.type === 'progress') onProgress(m);
      else resolve(m.result);
    });
    client.once('exit', (code) => reject(new Error(`client exited with code ${code} before reporting`)));
  });
}

interface Phase {
  label: string;
  result: ClientResult;
  stored: number;
  teamId: number;
  serverCpu: number;
  serverMainCpu: number;
  hwmKb: number;
  maxRssKb: number;
}

/** One timed run against a fresh server and data dir. */
async function runPhase(label: string, personShare: number, personless = false): Promise<Phase> {
  console.log(`\n--- ${label} (${personless ? 'every event $process_person_profile: false' : `${Math.round(personShare * 100)}% of events carry $set or identify`}) ---`);
  const dataDir = path.join(tmp, `server-${label}`);
  const server = await startServer(dataDir);
  console.log(`server: pid ${server.pid} on 127.0.0.1:${server.port}`);

  let maxRssKb = 0;
  const sampleRss = () => (maxRssKb = Math.max(maxRssKb, procStatusKb(server.pid, 'VmRSS')));
  const sampler = setInterval(sampleRss, 1000);
  let cpu0 = 0;
  let mainCpu0 = 0;
  // The JavaScript main thread's share tells whether JS or the engine's threads are the limit.
  const mainThreadCpu = () => procCpuSeconds(server.pid, `/proc/${server.pid}/task/${server.pid}/stat`);
  let last = { acked: 0, elapsedSeconds: 0 };
  const result = await runClient(
    server.port,
    personShare,
    personless,
    () => {
      cpu0 = procCpuSeconds(server.pid);
      mainCpu0 = mainThreadCpu();
    },
    (p) => {
      const rate = (p.acked - last.acked) / (p.elapsedSeconds - last.elapsedSeconds);
      last = p;
      console.log(
        `  ${fmt(p.elapsedSeconds).padStart(3)} s  ${fmt(rate).padStart(7)} events/s  (avg ${fmt(p.acked / p.elapsedSeconds)})` +
          `  acked ${fmt(p.acked)}  non-200 ${p.non200}  server RSS ${mb(procStatusKb(server.pid, 'VmRSS'))}`,
      );
    },
  );
  const serverCpu = procCpuSeconds(server.pid) - cpu0;
  const serverMainCpu = mainThreadCpu() - mainCpu0;
  clearInterval(sampler);
  sampleRss();
  const hwmKb = procStatusKb(server.pid, 'VmHWM');

  server.proc.kill('SIGTERM'); // the server flushes its writer and closes chDB before exiting
  const code = await server.exited;
  if (code !== 0) throw new Error(`server exited with code ${code} after SIGTERM`);
  const stored = await countStored(path.join(dataDir, 'clickhouse'), server.teamId);
  return { label, result, stored, teamId: server.teamId, serverCpu, serverMainCpu, hwmKb, maxRssKb };
}

function printPhase(phase: Phase): void {
  const { result, stored } = phase;
  const rows: Array<[string, string]> = [
    ['events acknowledged (200)', `${fmt(result.acked)} in ${fmt(result.elapsedSeconds, 1)} s = ${fmt(result.acked / result.elapsedSeconds)} events/s`],
    ['events stored (chDB count)', `${fmt(stored)} ${stored === result.acked ? '(= acknowledged)' : '(MISMATCH: not equal to acknowledged)'}`],
    ['requests / non-200', `${fmt(result.requests)} / ${fmt(result.non200)}`],
    ['request latency', `p50 ${fmt(result.p50Ms, 1)} ms, p99 ${fmt(result.p99Ms, 1)} ms, max ${fmt(result.maxMs, 1)} ms`],
    ['server peak RSS', `VmHWM ${mb(phase.hwmKb)}, max sampled VmRSS ${mb(phase.maxRssKb)}`],
    [
      'CPU during the run',
      `server ${fmt((100 * phase.serverCpu) / result.elapsedSeconds)}% (JS main thread ${fmt((100 * phase.serverMainCpu) / result.elapsedSeconds)}%), ` +
        `client ${fmt((100 * result.cpuSeconds) / result.elapsedSeconds)}% (100% = one core)`,
    ],
  ];
  console.log(`\n=== Ingest summary: ${phase.label} (${SECONDS} s, concurrency ${CONCURRENCY}, 100 events/request) ===`);
  for (const [label, value] of rows) console.log(`  ${label.padEnd(28)} ${value}`);
  for (const sample of result.samples) console.log(`  non-200 sample: ${sample}`);
}

/**
 * BENCH_MIX: `plain`, `persons`, `personless`, `both` (default: plain then persons) or `all`.
 * plain: no $set/identify traffic (persons still attributed and snapshotted on events);
 * persons: 30% of events carry $set or identify; personless: no person processing at all.
 */
const MIX = process.env.BENCH_MIX ?? 'both';
const PERSON_SHARE = 0.3;

async function main(): Promise<boolean> {
  console.log(`Hedgerow ingest benchmark: ${SECONDS} s, ${CONCURRENCY} requests in flight, ${os.cpus().length} CPUs, Node ${process.version}`);
  const phases: Phase[] = [];
  if (['plain', 'both', 'all'].includes(MIX)) phases.push(await runPhase('plain', 0));
  if (['persons', 'both', 'all'].includes(MIX)) phases.push(await runPhase('persons', PERSON_SHARE));
  if (['personless', 'all'].includes(MIX)) phases.push(await runPhase('personless', 0, true));
  if (phases.length === 0) throw new Error(`BENCH_MIX must be plain, persons, personless, both or all, not "${MIX}"`);

  const first = phases[0]!;
  console.log(`\nbaseline: inserting ${fmt(first.result.acked)} rows straight into chDB ...`);
  const baseline = await rawChdbBaseline(first.result.acked, first.teamId, path.join(tmp, 'baseline'));
  const rawPerSecond = baseline.rows / baseline.seconds;

  for (const phase of phases) printPhase(phase);
  const rate = (p: Phase) => p.result.acked / p.result.elapsedSeconds;
  console.log(`\n=== Comparisons ===`);
  console.log(
    `  raw chDB baseline            ${fmt(baseline.rows)} rows in ${fmt(baseline.seconds, 1)} s = ${fmt(rawPerSecond)} rows/s (10k-row JSONEachRow inserts), CPU ${fmt((100 * baseline.cpuSeconds) / baseline.seconds)}%`,
  );
  for (const phase of phases) console.log(`  ${`${phase.label} / raw chDB`.padEnd(28)} ${fmt(rate(phase) / rawPerSecond, 2)}`);
  const plain = phases.find((p) => p.label === 'plain');
  const persons = phases.find((p) => p.label === 'persons');
  const personless = phases.find((p) => p.label === 'personless');
  if (plain && persons) console.log(`  ${'persons / plain'.padEnd(28)} ${fmt(rate(persons) / rate(plain), 2)}`);
  if (personless && plain) console.log(`  ${'plain / personless'.padEnd(28)} ${fmt(rate(plain) / rate(personless), 2)}`);
  if (baseline.stored !== baseline.rows) console.log(`  baseline stored ${fmt(baseline.stored)} of ${fmt(baseline.rows)} rows`);
  return phases.every((p) => p.stored === p.result.acked && p.result.non200 === 0) && baseline.stored === baseline.rows;
}

runBench('bench:ingest', main, {
  deadlineMs: DEADLINE_MS,
  tmp,
  stop: () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  },
});

