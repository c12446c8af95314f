/**
 * Parser benchmark (`npm run bench:parse`): parses a set of typical HogQL queries with our hand-written
 * parser and with PostHog's reference parser (`@posthog/hogql-parser`, C++/ANTLR compiled to wasm,
 * timed including the JSON.parse needed to get a tree) and prints mean / p50 per parse and the ratio.
 * Not a test; `npm test` never runs it.
 */
import createHogQLParser from '@posthog/hogql-parser';
import { parseSelect } from '../../src/hogql/parser.js';

const QUERIES: { name: string; sql: string }[] = [
  { name: 'tiny', sql: 'SELECT 1' },
  { name: 'count', sql: "SELECT count() FROM events WHERE event = '$pageview'" },
  {
    name: 'trend (~200 chars)',
    sql:
      "SELECT toStartOfDay(timestamp) AS day, count() AS c, uniq(person_id) FROM events WHERE event = '$pageview' " +
      "AND timestamp > now() - INTERVAL 7 DAY AND properties.$browser ILIKE '%chrome%' GROUP BY day ORDER BY day DESC LIMIT 100",
  },
  {
    name: 'breakdown + join',
    sql:
      'SELECT e.properties.$browser AS browser, p.properties.email, countIf(e.event = \'signup\') / count() AS rate ' +
      'FROM events AS e LEFT JOIN persons AS p ON e.person_id = p.id WHERE e.timestamp >= toStartOfDay(now() - INTERVAL 30 DAY) ' +
      "AND e.properties.$current_url NOT ILIKE '%localhost%' GROUP BY browser, p.properties.email HAVING count() > 10 ORDER BY rate DESC LIMIT 50",
  },
  {
    name: 'funnel-ish (CTE, window, CASE)',
    sql:
      'WITH steps AS (SELECT person_id, timestamp, multiIf(event = \'$pageview\', 1, event = \'signup\', 2, 0) AS step, ' +
      'lagInFrame(timestamp) OVER (PARTITION BY person_id ORDER BY timestamp ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS prev ' +
      "FROM events WHERE event IN ('$pageview', 'signup') AND timestamp > now() - INTERVAL '14 days') " +
      'SELECT step, count(DISTINCT person_id) AS users, quantile(0.5)(dateDiff(\'second\', prev, timestamp)) AS median ' +
      'FROM steps GROUP BY step ORDER BY step',
  },
  {
    name: 'wide (100 columns)',
    sql: `SELECT ${Array.from({ length: 100 }, (_, i) => `properties.prop_${i} AS p${i}`).join(', ')} FROM events LIMIT 10`,
  },
];

const OURS_BUDGET_MS = 300;
const ORACLE_BUDGET_MS = 1500;

function stats(samplesNs: number[]): { mean: number; p50: number } {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  const mean = samplesNs.reduce((s, x) => s + x, 0) / samplesNs.length;
  return { mean: mean / 1e6, p50: sorted[Math.floor(sorted.length / 2)]! / 1e6 };
}

/** Times `fn` for about `budgetMs` (at least `min` runs) after `warmup` runs; returns per-call ms. */
function time(fn: () => void, budgetMs: number, warmup: number, min: number): { mean: number; p50: number; runs: number } {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const deadline = performance.now() + budgetMs;
  while (samples.length < min || performance.now() < deadline) {
    const t0 = process.hrtime.bigint();
    fn();
    samples.push(Number(process.hrtime.bigint() - t0));
    if (samples.length >= 200_000) break;
  }
  return { ...stats(samples), runs: samples.length };
}

const fmtMs = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);

async function main(): Promise<void> {
  let oracle = await createHogQLParser();
  const rows: string[][] = [['query', 'chars', 'ours mean', 'ours p50', 'reference mean', 'reference p50', 'ratio (mean)']];
  for (const { name, sql } of QUERIES) {
    const ours = time(() => parseSelect(sql), OURS_BUDGET_MS, 200, 100);
    let ref: { mean: number; p50: number } | null = null;
    try {
      ref = time(() => JSON.parse(oracle.parseSelect(sql, false)), ORACLE_BUDGET_MS, 3, 5);
    } catch (err) {
      console.error(`reference parser failed on ${name}: ${String(err)}`);
      oracle = await createHogQLParser(); // a trapped wasm instance is not reusable
    }
    rows.push([
      name,
      String(sql.length),
      fmtMs(ours.mean),
      fmtMs(ours.p50),
      ref ? fmtMs(ref.mean) : 'n/a',
      ref ? fmtMs(ref.p50) : 'n/a',
      ref ? `${Math.round(ref.mean / ours.mean)}x` : 'n/a',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
}

await main();
