/**
 * The server under test for the flags bench: `node dist/src/cli.js start` on 127.0.0.1 (free port)
 * with a fresh data dir, plus the /proc readings (CPU, RSS) the report prints.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVER_NODE_FLAGS } from '../../src/node-flags.js';

const cliPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/cli.js');

export interface BenchServer {
  proc: ChildProcess;
  pid: number;
  url: string;
  personalApiKey: string;
  exited: Promise<number | null>;
  /** SIGTERM, then wait for the exit (the server closes its engines first). */
  stop(): Promise<number | null>;
}

const PERSONAL_API_KEY = 'phx_bench_flags_personal_key_not_secret';

/** pino's numeric level of a log line; lines that are not JSON count as errors, so they are shown. */
function logLevelOf(line: string): number {
  try {
    return Number((JSON.parse(line) as { level?: unknown }).level ?? 50);
  } catch {
    return 50;
  }
}

export async function startServer(dataDir: string): Promise<BenchServer> {
  // BENCH_SERVER_NODE_FLAGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server under load.
  const nodeFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeFlags, cliPath, 'start'], {
    env: {
      ...process.env,
      PORT: '0',
      HEDGEROW_HOST: '127.0.0.1',
      HEDGEROW_DATA_DIR: dataDir,
      HEDGEROW_PERSONAL_API_KEY: PERSONAL_API_KEY,
      HEDGEROW_ADMIN_EMAIL: 'bench@hedgerow.local',
      HEDGEROW_ADMIN_PASSWORD: 'bench-password-not-secret',
      // The server's default level: whatever it logs per request at `info` is part of the cost.
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let url = '';
  await new Promise<void>((resolve, reject) => {
    exited.then((code) => reject(new Error(`server exited with code ${code} before it was ready`)));
    // Keep reading stdout for the whole run (a full pipe would stall the server); print warnings and errors.
    readline.createInterface({ input: proc.stdout! }).on('line', (line) => {
      const m = /Hedgerow is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) {
        url = m[1]!;
        resolve();
      } else if (process.env.BENCH_SERVER_STDOUT) console.log(`  server: ${line}`);
      else if (line.startsWith('{') && logLevelOf(line) >= 40) console.log(`  server: ${line}`);
    });
  });
  const health = await fetch(`${url}/_health`);
  if (health.status !== 200) throw new Error(`/_health answered ${health.status}`);
  return {
    proc,
    pid: proc.pid!,
    url,
    personalApiKey: PERSONAL_API_KEY,
    exited,
    stop: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** User + system CPU seconds of a process (all threads), or of one thread with `statPath`. */
export function procCpuSeconds(pid: number, statPath = `/proc/${pid}/stat`): number {
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = fs.readFileSync(statPath, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** CPU seconds of the JavaScript main thread (its thread id is the pid). */
export const mainThreadCpuSeconds = (pid: number) => procCpuSeconds(pid, `/proc/${pid}/task/${pid}/stat`);

/** A `VmRSS:`/`VmHWM:` line of /proc/<pid>/status, in kB. */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** CPU seconds per thread name (`comm`) of a process, summed over threads of the same name. */
export function threadCpuSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let comm: string;
    let seconds: number;
    try {
      comm = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      seconds = procCpuSeconds(pid, `/proc/${pid}/task/${tid}/stat`);
    } catch {
      continue; // the thread ended between listing and reading: its time is gone with it
    }
    const name = tid === String(pid) ? 'JS main thread' : comm;
    out.set(name, (out.get(name) ?? 0) + seconds);
  }
  return out;
}

/** Busy CPU seconds of the whole machine (every CPU, from /proc/stat), to tell other load apart. */
export function machineBusySeconds(): number {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
  const busy = fields.slice(0, 8).reduce((a, b) => a + b, 0) - fields[3]! - fields[4]!;
  return busy / CLK_TCK;
}
