/**
 * `npm run bench:web`: how fast the web app's pages show their first chart on a project with 1M
 * events (issue 7: under 1 s on this machine), and the size of the initial JS.
 *
 * Starts Hedgerow on 127.0.0.1 with a fresh data dir (the flags bench's server), loads BENCH_EVENTS
 * (default 1,000,000) events through `/batch/`, saves a trends, a funnel and a retention insight on a
 * dashboard, then times each page in real Chromium (see measure.ts for what "drawn" means): cold =
 * a fresh browser profile per run (no HTTP cache), warm = one browser whose cache holds the app.
 * Each figure is the p50 of BENCH_RUNS (default 5) runs. The baseline is the same query through
 * `/query/` from Node, so "chart − query" is what the browser and the app add.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../test/web/browser.js';
import { startServer } from '../flags/server.js';
import { loadEvents } from './dataset.js';
import { logInContext, p50, type Target, timeDashboardRefresh, timeLoad } from './measure.js';

// The admin bench/flags/server.ts bootstraps the instance with.
const EMAIL = 'bench@hedgerow.local';
const PASSWORD = 'bench-password-not-secret';
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGET_MS = 1000;

const last30 = { date_from: '-30d' };
const QUERIES = {
  trends: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: '$pageview', name: '$pageview', math: 'total' }], interval: 'day', dateRange: last30 },
  funnel: {
    kind: 'FunnelsQuery',
    series: [
      { kind: 'EventsNode', event: '$pageview', name: '$pageview' },
      { kind: 'EventsNode', event: 'insight_viewed', name: 'insight_viewed' },
      { kind: 'EventsNode', event: 'insight_saved', name: 'insight_saved' },
    ],
    dateRange: last30,
  },
  retention: {
    kind: 'RetentionQuery',
    retentionFilter: {
      period: 'Day',
      totalIntervals: 8,
      retentionType: 'retention_first_time',
      targetEntity: { id: '$pageview', name: '$pageview', type: 'events' },
      returningEntity: { id: '$pageview', name: '$pageview', type: 'events' },
    },
    dateRange: { date_from: '-8d' },
  },
} as const;
type InsightName = keyof typeof QUERIES;
const READY: Record<InsightName, Target> = { trends: { ready: 'echart' }, funnel: { ready: 'funnel', steps: 3 }, retention: { ready: 'retention' } };

interface Row {
  page: string;
  cold: number;
  warm: number;
  query?: number;
}

const ms = (n: number | undefined) => (n === undefined ? '—' : `${Math.round(n).toLocaleString('en-US')} ms`);

function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hedgerow-bench-web-'));
  const server = await startServer(dataDir);
  console.log(`server: ${server.url} (data dir ${dataDir})`);
  try {
    const api = async <T>(method: string, pathname: string, body?: unknown): Promise<T> => {
      const res = await fetch(server.url + pathname, {
        method,
        headers: { authorization: `Bearer ${server.personalApiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${method} ${pathname} answered ${res.status}: ${text.slice(0, 500)}`);
      return JSON.parse(text) as T;
    };
    const projects = await api<{ results: Array<{ id: number; api_token: string }> }>('GET', '/api/projects/');
    const project = projects.results[0]!;
    const root = `/api/projects/${project.id}`;

    console.log(`loading ${EVENTS.toLocaleString('en-US')} events through /batch/ …`);
    const load = await loadEvents(server.url, project.api_token, EVENTS);
    console.log(`  sent in ${load.seconds.toFixed(1)} s (${Math.round(EVENTS / load.seconds).toLocaleString('en-US')} events/s)`);
    // Capture acknowledges before the background insert; wait until every event is queryable.
    const count = async () => (await api<{ results: number[][] }>('POST', `${root}/query/`, { query: { kind: 'HogQLQuery', query: 'SELECT count() FROM events' } })).results[0]![0]!;
    for (let stored = await count(); stored < EVENTS; stored = await count()) await new Promise((r) => setTimeout(r, 500));
    console.log(`  ${EVENTS.toLocaleString('en-US')} events stored`);

    // Server-side baseline: the same query through /query/, computed (not cached) each time.
    const queryMs: Partial<Record<InsightName, number>> = {};
    for (const name of Object.keys(QUERIES) as InsightName[]) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await api('POST', `${root}/query/`, { query: QUERIES[name], refresh: 'force_blocking' });
        times.push(performance.now() - t0);
      }
      queryMs[name] = p50(times);
    }

    // The saved insights and their dashboard.
    const dashboard = await api<{ id: number }>('POST', `${root}/dashboards/`, { name: 'Web bench' });
    for (const name of Object.keys(QUERIES) as InsightName[]) {
      await api('POST', `${root}/insights/`, { name: `Bench ${name}`, query: { kind: 'InsightVizNode', source: QUERIES[name] }, saved: true, dashboards: [dashboard.id] });
    }

    // The other screens' data: a person, a cohort and a flag.
    const person = (await api<{ results: string[][] }>('POST', `${root}/query/`, { query: { kind: 'HogQLQuery', query: 'SELECT id FROM persons ORDER BY created_at DESC LIMIT 1' } })).results[0]![0]!;
    await api('POST', `${root}/cohorts/`, { name: 'Bench viewers', filters: { properties: { type: 'OR', values: [{ type: 'AND', values: [{ type: 'behavioral', value: 'performed_event', key: '$pageview', event_type: 'events', time_value: 7, time_interval: 'day' }] }] } } });
    await api('POST', `${root}/feature_flags/`, { key: 'bench-flag', filters: { groups: [{ properties: [], rollout_percentage: 50 }] } });
    const sql = 'SELECT event, count() AS n FROM events WHERE timestamp > now() - INTERVAL 7 DAY GROUP BY event ORDER BY n DESC';

    const base = `${server.url}/project/${project.id}`;
    const insightUrl = (name: InsightName) => `${base}/insights/new#q=${encodeURIComponent(JSON.stringify({ kind: 'InsightVizNode', source: QUERIES[name] }))}`;
    const pages: Array<{ page: string; url: string; target: Target; query?: InsightName }> = [
      ...(Object.keys(QUERIES) as InsightName[]).map((name) => ({ page: `insight: ${name}`, url: insightUrl(name), target: READY[name], query: name })),
      { page: 'dashboard (3 tiles, cached)', url: `${base}/dashboard/${dashboard.id}`, target: { ready: 'dashboard' as const, tiles: 3 } },
      { page: 'activity (first rows)', url: `${base}/activity/explore`, target: { ready: 'table' as const } },
      { page: 'persons (first rows)', url: `${base}/persons`, target: { ready: 'table' as const } },
      { page: 'person (properties)', url: `${base}/persons/${person}`, target: { ready: 'table' as const } },
      { page: 'SQL (7-day events by name, results)', url: `${base}/sql?q=${encodeURIComponent(sql)}`, target: { ready: 'table' as const } },
      { page: 'home (24-hour count)', url: `${base}/home`, target: { ready: 'selector' as const, selector: '[data-testid="events-24h"]' } },
      { page: 'cohorts (list)', url: `${base}/cohorts`, target: { ready: 'table' as const } },
      { page: 'feature flags (list)', url: `${base}/feature_flags`, target: { ready: 'table' as const } },
    ];

    // First open of the dashboard computes its tiles (nothing cached yet): timed once, on its own.
    const first = await launchChromium();
    let firstDashboard: number;
    try {
      await logInContext(first.context, server.url, EMAIL, PASSWORD);
      firstDashboard = await timeLoad(first.context.pages()[0] ?? (await first.context.newPage()), pages[3]!.url, pages[3]!.target);
    } finally {
      await first.close();
    }

    const cold: Record<string, number[]> = {};
    const warm: Record<string, number[]> = {};
    const refresh: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Cold: a fresh profile per page, so nothing of the app is in the HTTP cache.
      for (const p of pages) {
        const browser = await launchChromium();
        try {
          await logInContext(browser.context, server.url, EMAIL, PASSWORD);
          const page = browser.context.pages()[0] ?? (await browser.context.newPage());
          (cold[p.page] ??= []).push(await timeLoad(page, p.url, p.target));
        } finally {
          await browser.close();
        }
      }
    }
    // Warm: one browser that has loaded every page once.
    const browser = await launchChromium();
    try {
      await logInContext(browser.context, server.url, EMAIL, PASSWORD);
      const page: Page = browser.context.pages()[0] ?? (await browser.context.newPage());
      for (const p of pages) await timeLoad(page, p.url, p.target);
      for (let run = 0; run < RUNS; run++) {
        for (const p of pages) (warm[p.page] ??= []).push(await timeLoad(page, p.url, p.target));
        await timeLoad(page, pages[3]!.url, pages[3]!.target);
        refresh.push(await timeDashboardRefresh(page, 3));
      }
    } finally {
      await browser.close();
    }

    const rows: Row[] = pages.map((p) => ({ page: p.page, cold: p50(cold[p.page]!), warm: p50(warm[p.page]!), query: p.query && queryMs[p.query] }));
    const size = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'dist/web/size-report.json'), 'utf8')) as { initialJsBytes: number; initialJsGzipBytes: number; initialCssGzipBytes: number };

    console.log(`\nWeb app on ${EVENTS.toLocaleString('en-US')} events, p50 of ${RUNS} runs (ms from navigation start to first chart / rows drawn)\n`);
    const header = ['page', 'cold browser', 'warm browser', '/query/ alone', 'warm − query', `< ${TARGET_MS} ms`];
    const lines = rows.map((r) => [r.page, ms(r.cold), ms(r.warm), ms(r.query), r.query === undefined ? '—' : ms(r.warm - r.query), r.cold < TARGET_MS && r.warm < TARGET_MS ? 'yes' : 'no']);
    lines.push(['dashboard, first open (computes 3 tiles)', ms(firstDashboard), '—', '—', '—', firstDashboard < TARGET_MS ? 'yes' : 'no']);
    const refreshP50 = p50(refresh);
    lines.push(['dashboard, Refresh (click → 3 tiles)', '—', ms(refreshP50), '—', '—', refreshP50 < TARGET_MS ? 'yes' : 'no']);
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
    const fmtLine = (l: string[]) => '| ' + l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
    console.log(fmtLine(header));
    console.log('|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|');
    for (const l of lines) console.log(fmtLine(l));
    console.log(`\nall runs (ms): ${JSON.stringify({ cold, warm, refresh })}`);
    console.log(`\ninitial JS: ${(size.initialJsGzipBytes / 1024).toFixed(1)} KiB gzip (${(size.initialJsBytes / 1024).toFixed(1)} KiB raw), initial CSS ${(size.initialCssGzipBytes / 1024).toFixed(1)} KiB gzip`);
  } finally {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
