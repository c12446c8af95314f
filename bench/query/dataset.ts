/**
 * The query benchmark's dataset: generated directly inside chDB (`INSERT … SELECT … FROM numbers`)
 * into a data dir migrated with the product's own ClickHouse migrations, so the tables are exactly
 * the ones Hedgerow reads. Cached in `bench/.data/query-<events>/` behind a completion marker that
 * records the generator version; a dir without a matching marker is rebuilt.
 *
 * `node dist/bench/query/dataset.js` only generates (or reuses) it; BENCH_EVENTS sets the size.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/log.js';
import { ChdbDriver } from '../../src/storage/chdb-driver.js';
import { migrateClickHouse } from '../../src/storage/clickhouse-migrations.js';
import {
  insertDistinctIdsSql,
  insertEventsSql,
  insertGroupsSql,
  insertOverridesSql,
  insertPersonsSql,
} from './generator-sql.js';
import {
  EVENTS_PER_CHUNK,
  EVENTS_PER_SESSION_PAIR,
  GENERATOR_VERSION,
  OTHER_TEAM_ID,
  OTHER_TEAM_PERSONS,
  PERSONS,
  TEAM_ID,
} from './spec.js';

export const TABLES = ['events', 'person', 'person_distinct_id2', 'person_distinct_id_overrides', 'groups'] as const;

export interface Dataset {
  ch: ChdbDriver;
  dir: string;
  events: number;
  reused: boolean;
}

interface Marker {
  generatorVersion: number;
  events: number;
  persons: number;
  generatedAt: string;
  seconds: number;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** The repository root: the nearest ancestor with a package.json (works from bench/ and dist/bench/). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root');
    dir = up;
  }
  return dir;
}

/** BENCH_EVENTS (default 10M), rounded down to whole session pairs so the count is exact. */
export function requestedEvents(): number {
  const raw = Number(process.env.BENCH_EVENTS ?? 10_000_000);
  if (!Number.isFinite(raw) || raw < EVENTS_PER_SESSION_PAIR) throw new Error(`BENCH_EVENTS must be a number ≥ ${EVENTS_PER_SESSION_PAIR}`);
  return Math.floor(raw / EVENTS_PER_SESSION_PAIR) * EVENTS_PER_SESSION_PAIR;
}

function readMarker(file: string): Marker | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

export async function ensureDataset(events: number): Promise<Dataset> {
  const dir = path.join(repoRoot(), 'bench', '.data', `query-${events}`);
  const markerFile = path.join(dir, 'complete.json');
  const marker = readMarker(markerFile);
  if (marker && marker.generatorVersion === GENERATOR_VERSION && marker.events === events) {
    console.log(
      `dataset: reusing ${path.relative(process.cwd(), dir)} (${fmt(events)} events, generator v${GENERATOR_VERSION}, ` +
        `generated ${marker.generatedAt} in ${fmt(marker.seconds, 1)} s)`,
    );
    return { ch: new ChdbDriver(path.join(dir, 'clickhouse')), dir, events, reused: true };
  }
  if (fs.existsSync(dir)) {
    console.log(`dataset: ${path.relative(process.cwd(), dir)} is incomplete or from another generator version; rebuilding`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const t0 = performance.now();
  const ch = new ChdbDriver(path.join(dir, 'clickhouse'));
  await migrateClickHouse(ch, createLogger('warn'));
  await generate(ch, events);
  const total = seconds(t0);
  const done: Marker = { generatorVersion: GENERATOR_VERSION, events, persons: PERSONS, generatedAt: new Date().toISOString(), seconds: total };
  fs.writeFileSync(markerFile, JSON.stringify(done, null, 2) + '\n');
  console.log(`dataset: generated in ${fmt(total, 1)} s`);
  return { ch, dir, events, reused: false };
}

async function timed(label: string, run: () => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await run();
  console.log(`  ${label.padEnd(50)} ${fmt(seconds(t0), 1).padStart(6)} s`);
}

async function generate(ch: ChdbDriver, events: number): Promise<void> {
  console.log(`dataset: generating ${fmt(events)} events, ${fmt(PERSONS)} persons (+ project ${OTHER_TEAM_ID}: ${fmt(OTHER_TEAM_PERSONS)} persons, ~1% of events)`);
  for (const [team, persons, mergeEvery] of [
    [TEAM_ID, PERSONS, 50],
    [OTHER_TEAM_ID, OTHER_TEAM_PERSONS, 20],
  ] as const) {
    await timed(`project ${team}: person`, () => ch.exec(insertPersonsSql(team, persons)));
    await timed(`project ${team}: person_distinct_id2`, () => ch.exec(insertDistinctIdsSql(team, persons, mergeEvery)));
    await timed(`project ${team}: person_distinct_id_overrides`, () => ch.exec(insertOverridesSql(team, persons, mergeEvery)));
  }
  await timed(`project ${TEAM_ID}: groups`, () => ch.exec(insertGroupsSql(TEAM_ID)));

  // Chunks of ~1M events (sessions average 10 events); each chunk is one INSERT … SELECT.
  const sessionsTotal = (events / EVENTS_PER_SESSION_PAIR) * 2;
  const sessionsPerChunk = (EVENTS_PER_CHUNK / EVENTS_PER_SESSION_PAIR) * 2;
  const chunks = Math.ceil(sessionsTotal / sessionsPerChunk);
  const t0 = performance.now();
  let inserted = 0;
  for (let c = 0; c < chunks; c++) {
    const first = c * sessionsPerChunk;
    const sessions = Math.min(sessionsPerChunk, sessionsTotal - first);
    const rows = (sessions / 2) * EVENTS_PER_SESSION_PAIR;
    const tc = performance.now();
    await ch.exec(insertEventsSql(first, sessions, PERSONS, OTHER_TEAM_PERSONS));
    inserted += rows;
    const chunkSeconds = seconds(tc);
    console.log(
      `  events chunk ${String(c + 1).padStart(String(chunks).length)}/${chunks}: ${fmt(rows)} rows in ${fmt(chunkSeconds, 1)} s ` +
        `(${fmt(rows / chunkSeconds)} rows/s); ${fmt(inserted)} of ${fmt(events)}, ${fmt(inserted / seconds(t0))} rows/s overall`,
    );
  }

  // Merged parts, as a long-running install has them; queries still read with FINAL.
  for (const table of TABLES) await timed(`OPTIMIZE TABLE ${table} FINAL`, () => ch.exec(`OPTIMIZE TABLE ${table} FINAL`));
}

export interface TableSize {
  table: string;
  rows: number;
  parts: number;
  compressed: number;
  uncompressed: number;
}

export async function tableSizes(ch: ChdbDriver): Promise<TableSize[]> {
  const rows = await ch.query<{ table: string; rows: string; parts: string; compressed: string; uncompressed: string }>(
    `SELECT table, sum(rows) AS rows, count() AS parts, sum(data_compressed_bytes) AS compressed, sum(data_uncompressed_bytes) AS uncompressed
       FROM system.parts WHERE active AND database = currentDatabase() AND table IN ({tables:Array(String)})
      GROUP BY table ORDER BY rows DESC`,
    { tables: [...TABLES] },
  );
  return rows.map((r) => ({ table: r.table, rows: Number(r.rows), parts: Number(r.parts), compressed: Number(r.compressed), uncompressed: Number(r.uncompressed) }));
}

export function printTableSizes(sizes: TableSize[]): void {
  const mb = (b: number) => `${fmt(b / 1048576, 1)} MB`;
  console.log(`  ${'table'.padEnd(30)} ${'rows'.padStart(12)} ${'parts'.padStart(5)} ${'compressed'.padStart(11)} ${'uncompressed'.padStart(12)}`);
  for (const s of sizes) {
    console.log(`  ${s.table.padEnd(30)} ${fmt(s.rows).padStart(12)} ${String(s.parts).padStart(5)} ${mb(s.compressed).padStart(11)} ${mb(s.uncompressed).padStart(12)}`);
  }
}

// Run directly: generate (or reuse) and describe the dataset.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const dataset = await ensureDataset(requestedEvents());
    printTableSizes(await tableSizes(dataset.ch));
    await dataset.ch.close();
  } catch (err) {
    // ClickHouse echoes the whole generated statement; the head of the message is what matters.
    console.error(String((err as Error).cause ?? err).slice(0, 3000));
    process.exit(1);
  }
}
