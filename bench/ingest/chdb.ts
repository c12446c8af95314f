/**
 * The chDB side of the benchmark, run in the bench process after the server has exited:
 * counting what the server stored, and the raw-insert baseline. chDB binds one data dir at a
 * time per process, so each Session is closed, and its native work drained, before the next opens;
 * draining also keeps background merges of the server's parts from competing with the baseline.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Session, drainPending } from 'chdb';
import { toIngestEvent } from '../../src/capture/events.js';
import { personlessPart } from '../../src/persons/person-processor.js';
import { clickHouseTime, eventRowLine } from '../../src/ingest/ingest-event.js';
import { clickhouseMigrations } from '../../src/storage/clickhouse-migrations.js';
import { EVENTS_PER_REQUEST, eventGenerator } from './events.js';

const ROWS_PER_INSERT = 10_000;

function count(session: Session, teamId: number): number {
  return Number(session.query(`SELECT count() FROM events FINAL WHERE team_id = ${teamId}`, 'TSV').trim());
}

/** Rows the server stored, counted as readers see them (FINAL collapses retried uuids). */
export async function countStored(clickhouseDir: string, teamId: number): Promise<number> {
  const session = new Session(clickhouseDir);
  try {
    return count(session, teamId);
  } finally {
    session.close();
    await drainPending();
  }
}

export interface BaselineResult {
  rows: number;
  stored: number;
  seconds: number;
  /** CPU the inserts used (this process: chDB's threads), in seconds. */
  cpuSeconds: number;
}

/**
 * Inserts `rows` events straight into a fresh chDB with the server's schema: same generator,
 * same row conversion (the server's own toIngestEvent and eventRowLine), 10k rows per insert. Rows are
 * built before the clock starts, so only chDB's work is timed.
 */
export async function rawChdbBaseline(rows: number, teamId: number, dir: string): Promise<BaselineResult> {
  const next = eventGenerator(7);
  const inserts: Buffer[] = [];
  let lines = '';
  for (let done = 0; done < rows; ) {
    const sentAt = Date.now();
    const n = Math.min(EVENTS_PER_REQUEST, rows - done);
    const ctx = { teamId, ip: '127.0.0.1', now: sentAt, createdAt: clickHouseTime(sentAt), sentAt, defaultEventName: undefined };
    for (let i = 0; i < n; i++) {
      const e = toIngestEvent(next(sentAt) as unknown as Record<string, unknown>, i, ctx);
      lines += eventRowLine(e, personlessPart(teamId, e.distinctId));
    }
    done += n;
    if (done % ROWS_PER_INSERT === 0 || done === rows) {
      inserts.push(Buffer.from(lines, 'utf8'));
      lines = '';
    }
  }

  fs.mkdirSync(dir, { recursive: true });
  const session = new Session(path.join(dir, 'clickhouse'));
  try {
    for (const m of clickhouseMigrations) for (const statement of m.statements) session.query(statement);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    for (const values of inserts) await session.insert({ table: 'events', values, format: 'JSONEachRow' });
    const cpu = process.cpuUsage(cpu0);
    const seconds = (performance.now() - t0) / 1000;
    return { rows, stored: count(session, teamId), seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
  } finally {
    session.close();
    await drainPending();
  }
}
