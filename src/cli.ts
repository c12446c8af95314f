#!/usr/bin/env node
import { loadConfig } from './config.js';
import { startHedgerow } from './hedgerow.js';

const USAGE = `usage: hedgerow start

Starts Hedgerow: one process, embedded engines, data in $HEDGEROW_DATA_DIR (default ./data).
See README.md for the configuration variables.`;

async function start(): Promise<void> {
  const config = loadConfig();
  const hedgerow = await startHedgerow(config);
  const c = hedgerow.credentials;
  const lines = [
    '',
    `  Hedgerow is running at ${hedgerow.url}`,
    '',
    `  Project API key (SDKs):   ${c.projectApiKey}`,
    `  Personal API key (API):   ${c.personalApiKey}`,
    `  Project id:               ${c.projectId}`,
    `  Log in as:                ${c.adminEmail}` +
      (c.adminPassword ? ` / password ${c.adminPassword}` : ' (password from HEDGEROW_ADMIN_PASSWORD at first start)'),
    `  Data directory:           ${config.dataDir}`,
    '',
    `  posthog-js:   posthog.init('${c.projectApiKey}', { api_host: '${hedgerow.url}' })`,
    `  posthog-node: new PostHog('${c.projectApiKey}', { host: '${hedgerow.url}' })`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    hedgerow.log.info({ signal }, 'shutting down');
    hedgerow.close().then(
      () => process.exit(0),
      (err: unknown) => {
        hedgerow.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const command = process.argv[2] ?? 'start';
if (command === 'start') {
  start().catch((err: unknown) => {
    process.stderr.write(`hedgerow failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write(USAGE + '\n');
  process.exit(2);
}
