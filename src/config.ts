import path from 'node:path';

/** Everything Hedgerow reads from the environment, with defaults that work on a laptop. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** Public URL printed at start and used in `next` links. */
  siteUrl: string;
  /** Fastify trustProxy value: false (default), true, or a list of addresses/CIDRs whose X-Forwarded-For we believe. */
  trustedProxies: boolean | string[];
  logLevel: string;
  /** Per-query limits for HogQL and insight queries. */
  query: { maxExecutionSeconds: number; maxMemoryBytes: number; materializeMax: number; materializeAfterReads: number };
  /** How often dynamic cohorts are recalculated in the background (0 = only when they change). */
  cohortRefreshSeconds: number;
  bootstrap: {
    adminEmail?: string;
    adminPassword?: string;
    projectApiKey?: string;
    personalApiKey?: string;
  };
}

function trustedProxiesFrom(value: string | undefined): boolean | string[] {
  if (!value || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const host = env.HEDGEROW_HOST ?? '127.0.0.1';
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    port,
    host,
    dataDir: path.resolve(env.HEDGEROW_DATA_DIR ?? './data'),
    siteUrl: (env.HEDGEROW_SITE_URL ?? `http://${shownHost}:${port}`).replace(/\/$/, ''),
    trustedProxies: trustedProxiesFrom(env.HEDGEROW_TRUSTED_PROXIES),
    logLevel: env.LOG_LEVEL ?? 'info',
    query: {
      maxExecutionSeconds: positiveNumber(env, 'HEDGEROW_QUERY_TIMEOUT_SECONDS', 60),
      maxMemoryBytes: positiveNumber(env, 'HEDGEROW_QUERY_MAX_MEMORY_MB', 4096) * 1024 * 1024,
      // 0 turns automatic materialization of hot event properties off.
      materializeMax: env.HEDGEROW_MATERIALIZE_MAX === '0' ? 0 : positiveNumber(env, 'HEDGEROW_MATERIALIZE_MAX', 20),
      materializeAfterReads: positiveNumber(env, 'HEDGEROW_MATERIALIZE_AFTER_READS', 3),
    },
    cohortRefreshSeconds: env.HEDGEROW_COHORT_REFRESH_SECONDS === '0' ? 0 : positiveNumber(env, 'HEDGEROW_COHORT_REFRESH_SECONDS', 3600),
    bootstrap: {
      adminEmail: env.HEDGEROW_ADMIN_EMAIL || undefined,
      adminPassword: env.HEDGEROW_ADMIN_PASSWORD || undefined,
      projectApiKey: env.HEDGEROW_PROJECT_API_KEY || undefined,
      personalApiKey: env.HEDGEROW_PERSONAL_API_KEY || undefined,
    },
  };
}
