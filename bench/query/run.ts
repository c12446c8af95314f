/**
 * HogQL query benchmark (`npm run bench:query`): on a generated dataset (BENCH_EVENTS, default
 * 10M events; see dataset.ts), runs each query of queries.ts both as compiled HogQL and as the
 * hand-written ClickHouse SQL, alternately BENCH_RUNS times (default 7) after one warm-up each,
 * checks both return the same rows, and prints p50 times and their ratio. Exits non-zero on any
 * mismatch or error. Not a test; `npm test` never runs it.
 *
 * BENCH_QUERIES=a,b runs only those queries; BENCH_RAW_ONLY=1 runs only the hand-written side
 * (to check the dataset and the reference queries without the compiler).
 */
import { performance } from 'node:perf_hooks';
import type { ChdbDriver } from '../../src/storage/chdb-driver.js';
import { compareResults, type Row } from './compare.js';
import { ensureDataset, fmt, printTableSizes, requestedEvents, tableSizes } from './dataset.js';
import { type BenchQuery, QUERIES } from './queries.js';
import { propertyType, TEAM_ID, TIMEZONE } from './spec.js';

type Compile = typeof import('../../src/hogql/compile.js').compileHogQL;

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 7));
const RAW_ONLY = process.env.BENCH_RAW_ONLY === '1';
const ONLY = process.env.BENCH_QUERIES?.split(',').map((s) => s.trim()).filter(Boolean);
const COMPILE_REPEATS = 20;
/** BENCH_MATERIALIZE=$browser,$pathname: give these event properties materialized columns first (before/after runs). */
const MATERIALIZE = process.env.BENCH_MATERIALIZE?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
let materializedProperty: ((key: string) => string | undefined) | undefined;

interface Outcome {
  name: string;
  status: 'ok' | 'MISMATCH' | 'ERROR' | 'raw only';
  rows: number;
  rawP50: number;
  compiledP50?: number;
  compileFirstMs?: number;
  compileP50Ms?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function timedQuery(ch: ChdbDriver, sql: string, params?: Record<string, unknown>): Promise<{ ms: number; rows: Row[] }> {
  const t0 = performance.now();
  const rows = await ch.query<Row>(sql, params);
  return { ms: performance.now() - t0, rows };
}

async function loadCompiler(): Promise<Compile | undefined> {
  try {
    const mod = await import('../../src/hogql/compile.js');
    if (typeof mod.compileHogQL !== 'function') throw new Error('src/hogql/compile.js does not export compileHogQL');
    return mod.compileHogQL;
  } catch (err) {
    console.error(`HogQL compiler not available: ${(err as Error).message}`);
    return undefined;
  }
}

const indent = (text: string) => text.replace(/^\s*/gm, '    ');

async function runQuery(ch: ChdbDriver, q: BenchQuery, compile: Compile | undefined): Promise<Outcome> {
  const label = `[${q.name}]`;
  if (!compile) {
    const warm = await timedQuery(ch, q.raw);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push((await timedQuery(ch, q.raw)).ms);
    console.log(`${label} raw p50 ${fmt(median(times), 1)} ms, ${warm.rows.length} rows; first rows: ${JSON.stringify(warm.rows.slice(0, 3))}`);
    return { name: q.name, status: 'raw only', rows: warm.rows.length, rawP50: median(times) };
  }

  const options = { teamId: TEAM_ID, timezone: TIMEZONE, propertyType, materializedProperty };
  let compiled: ReturnType<Compile>;
  const t0 = performance.now();
  try {
    compiled = compile(q.hogql, options);
  } catch (err) {
    console.log(`${label} ERROR: compileHogQL threw: ${(err as Error).message}\n  HogQL:\n${indent(q.hogql)}`);
    const raw = await timedQuery(ch, q.raw);
    return { name: q.name, status: 'ERROR', rows: raw.rows.length, rawP50: raw.ms };
  }
  const compileFirstMs = performance.now() - t0;
  const compileTimes: number[] = [];
  for (let i = 0; i < COMPILE_REPEATS; i++) {
    const t = performance.now();
    compile(q.hogql, options);
    compileTimes.push(performance.now() - t);
  }

  // Warm-up (caches, first-use allocations) and the result check.
  let warmCompiled: Row[];
  try {
    warmCompiled = (await timedQuery(ch, compiled.sql, compiled.params)).rows;
  } catch (err) {
    console.log(`${label} ERROR: the compiled SQL failed: ${String((err as Error).cause ?? err).slice(0, 1500)}`);
    console.log(`  compiled SQL:\n${indent(compiled.sql)}\n  params: ${JSON.stringify(compiled.params)}`);
    const raw = await timedQuery(ch, q.raw);
    return { name: q.name, status: 'ERROR', rows: raw.rows.length, rawP50: raw.ms, compileFirstMs, compileP50Ms: median(compileTimes) };
  }
  const warmRaw = (await timedQuery(ch, q.raw)).rows;
  const comparison = compareResults(warmCompiled, warmRaw, TIMEZONE);

  // Alternate the two sides, and which goes first, so drift and cache effects fall on both.
  const compiledTimes: number[] = [];
  const rawTimes: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const runCompiled = async () => compiledTimes.push((await timedQuery(ch, compiled.sql, compiled.params)).ms);
    const runRaw = async () => rawTimes.push((await timedQuery(ch, q.raw)).ms);
    if (i % 2 === 0) {
      await runCompiled();
      await runRaw();
    } else {
      await runRaw();
      await runCompiled();
    }
  }
  const outcome: Outcome = {
    name: q.name,
    status: comparison.equal ? 'ok' : 'MISMATCH',
    rows: warmRaw.length,
    rawP50: median(rawTimes),
    compiledP50: median(compiledTimes),
    compileFirstMs,
    compileP50Ms: median(compileTimes),
  };
  console.log(
    `${label} compiled p50 ${fmt(outcome.compiledP50!, 1)} ms, raw p50 ${fmt(outcome.rawP50, 1)} ms, ` +
      `ratio ${fmt(outcome.compiledP50! / outcome.rawP50, 2)}, ${warmRaw.length} rows${comparison.equal ? '' : '  *** MISMATCH ***'}`,
  );
  if (process.env.BENCH_PRINT_SQL === '1' || !comparison.equal) {
    if (!comparison.equal) console.log(`  ${comparison.detail.replace(/\n/g, '\n  ')}`);
    console.log(`  HogQL:\n${indent(q.hogql)}\n  compiled SQL:\n${indent(compiled.sql)}\n  params: ${JSON.stringify(compiled.params)}`);
    console.log(`  hand-written SQL:\n${indent(q.raw)}`);
  }
  return outcome;
}

function printSummary(outcomes: Outcome[], withCompiler: boolean): void {
  console.log(`\n=== HogQL query benchmark: p50 of ${RUNS} runs each, ms ===`);
  const head = ['query'.padEnd(28), 'compiled'.padStart(9), 'raw'.padStart(9), 'ratio'.padStart(6), 'rows'.padStart(5), 'compile 1st/p50'.padStart(16), '  status'];
  console.log(head.join(' '));
  for (const o of outcomes) {
    const ms = (x?: number) => (x === undefined ? '-' : fmt(x, 1));
    const ratio = o.compiledP50 !== undefined && o.status !== 'ERROR' ? fmt(o.compiledP50 / o.rawP50, 2) : '-';
    const compile = o.compileFirstMs === undefined ? '-' : `${fmt(o.compileFirstMs, 2)}/${fmt(o.compileP50Ms!, 2)}`;
    console.log(
      [o.name.padEnd(28), ms(o.compiledP50).padStart(9), ms(o.rawP50).padStart(9), ratio.padStart(6), String(o.rows).padStart(5), compile.padStart(16), `  ${o.status}`].join(' '),
    );
  }
  const ratios = outcomes.filter((o) => o.compiledP50 !== undefined && o.status !== 'ERROR').map((o) => o.compiledP50! / o.rawP50);
  if (withCompiler && ratios.length) {
    const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
    console.log(`geometric mean of compiled/raw over ${ratios.length} queries: ${fmt(geo, 2)}`);
  }
}

/** Materializes properties with the product's own MaterializedColumns and waits until every part has them. */
async function materialize(ch: ChdbDriver, keys: string[]): Promise<(key: string) => string | undefined> {
  const { MaterializedColumns } = await import('../../src/query/materialized-columns.js');
  const { createLogger } = await import('../../src/log.js');
  const columns = new MaterializedColumns(ch, createLogger('warn'), { max: 100, threshold: 1 });
  await columns.load();
  const t0 = performance.now();
  for (const key of keys) await columns.materialize(key);
  for (;;) {
    const [row] = await ch.query<{ n: string }>("SELECT count() AS n FROM system.mutations WHERE table = 'events' AND is_done = 0");
    if (Number(row?.n ?? 0) === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  console.log(`materialized ${keys.join(', ')} in ${fmt((performance.now() - t0) / 1000, 1)} s`);
  return (key) => columns.column(key);
}

async function main(): Promise<boolean> {
  const events = requestedEvents();
  console.log(`HogQL query benchmark: ${fmt(events)} events, ${RUNS} runs per side, project ${TEAM_ID}, timezone ${TIMEZONE}, Node ${process.version}`);
  const dataset = await ensureDataset(events);
  printTableSizes(await tableSizes(dataset.ch));
  const compile = RAW_ONLY ? undefined : await loadCompiler();
  if (MATERIALIZE.length) materializedProperty = await materialize(dataset.ch, MATERIALIZE);
  const queries = ONLY ? QUERIES.filter((q) => ONLY.includes(q.name)) : QUERIES;
  if (ONLY && queries.length !== ONLY.length) throw new Error(`unknown query in BENCH_QUERIES; known: ${QUERIES.map((q) => q.name).join(', ')}`);
  console.log('');
  const outcomes: Outcome[] = [];
  for (const q of queries) outcomes.push(await runQuery(dataset.ch, q, compile));
  printSummary(outcomes, compile !== undefined);
  await dataset.ch.close();

  const bad = outcomes.filter((o) => o.status === 'MISMATCH' || o.status === 'ERROR');
  if (bad.length) console.log(`\n*** ${bad.length} of ${outcomes.length} queries failed: ${bad.map((o) => `${o.name} (${o.status})`).join(', ')} ***`);
  if (!compile && !RAW_ONLY) console.log('\n*** the HogQL compiler was not available: only the hand-written side ran ***');
  return bad.length === 0 && (compile !== undefined || RAW_ONLY);
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err: unknown) => {
    console.error(String((err as Error).cause ?? err).slice(0, 3000));
    process.exit(1);
  },
);
