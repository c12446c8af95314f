import { type ChildProcess, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVER_NODE_FLAGS } from '../../src/node-flags.js';

const CLI = path.resolve(import.meta.dirname, '../../dist/src/cli.js');

export interface TestServer {
  url: string;
  dataDir: string;
  projectApiKey: string;
  personalApiKey: string;
  adminEmail: string;
  adminPassword: string;
  /** Everything the process printed, for assertions and post-mortems. */
  output: () => string;
  pid: () => number;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: no shutdown code runs. */
  kill(): Promise<void>;
  /** Start again on the same data dir (and port). */
  restart(extraEnv?: Record<string, string>): Promise<void>;
  /** Stop and remove the data dir. */
  dispose(): Promise<void>;
}

function token(prefix: string): string {
  return prefix + crypto.randomBytes(32).toString('base64url');
}

/**
 * Starts the real Hedgerow CLI (built by `npm test`) in its own process, with its own data dir:
 * chDB binds one data dir per process, so each test file gets one server and isolates by project.
 */
export async function startServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hedgerow-test-'));
  const creds = {
    projectApiKey: token('phc_'),
    personalApiKey: token('phx_'),
    adminEmail: 'admin@example.com',
    adminPassword: 'correct horse battery staple',
  };
  let child: ChildProcess | undefined;
  let log = '';
  let port = 0;

  async function launch(env: Record<string, string>): Promise<string> {
    child = spawn(process.execPath, [...SERVER_NODE_FLAGS, CLI, 'start'], {
      env: {
        ...process.env,
        PORT: String(port),
        HEDGEROW_DATA_DIR: dataDir,
        HEDGEROW_PROJECT_API_KEY: creds.projectApiKey,
        HEDGEROW_PERSONAL_API_KEY: creds.personalApiKey,
        HEDGEROW_ADMIN_EMAIL: creds.adminEmail,
        HEDGEROW_ADMIN_PASSWORD: creds.adminPassword,
        LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = child;
    return new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        const m = /Hedgerow is running at (http:\/\/\S+)/.exec(log.slice(-4000));
        if (m) resolve(m[1]!);
      };
      proc.stdout!.on('data', onData);
      proc.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
      proc.on('exit', (code, signal) => reject(new Error(`hedgerow exited early (${code ?? signal}):\n${log}`)));
      setTimeout(() => reject(new Error(`hedgerow did not start within 60 s:\n${log}`)), 60_000).unref();
    });
  }

  function waitExit(): Promise<void> {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => proc.once('exit', () => resolve()));
  }

  let url = await launch(extraEnv);
  port = Number(new URL(url).port);

  const server: TestServer = {
    get url() {
      return url;
    },
    dataDir,
    ...creds,
    output: () => log,
    pid: () => child!.pid!,
    async stop() {
      const exited = waitExit();
      child?.kill('SIGTERM');
      await exited;
    },
    async kill() {
      const exited = waitExit();
      child?.kill('SIGKILL');
      await exited;
    },
    async restart(env: Record<string, string> = {}) {
      await server.stop();
      url = await launch({ ...extraEnv, ...env });
    },
    async dispose() {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
