import { HogQLError } from '../hogql/ast.js';

/**
 * Calendar arithmetic in a project's timezone (PostHog resolves relative dates such as `-7d`,
 * `-1mStart` or `dStart` from "now" in the project timezone, and bare dates as local midnight).
 */

interface LocalParts {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(tz, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export function localParts(epochMs: number, tz: string): LocalParts {
  const p: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(epochMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p.year!, month: p.month!, day: p.day!, hour: p.hour!, minute: p.minute!, second: p.second!, ms: ((epochMs % 1000) + 1000) % 1000 };
}

function offsetAt(epochMs: number, tz: string): number {
  const p = localParts(epochMs, tz);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms) - epochMs;
}

/** The instant a local wall-clock time names (normalising overflowing fields like month 13). */
export function fromLocal(p: LocalParts, tz: string): number {
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms);
  const first = wall - offsetAt(wall, tz);
  return wall - offsetAt(first, tz);
}

export type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** Start of the interval containing `epoch`, in local time. Weeks start on Sunday unless `weekStartDay` is 1. */
export function startOf(epochMs: number, unit: Unit, tz: string, weekStartDay: 0 | 1 = 0): number {
  const p = localParts(epochMs, tz);
  const z = { ...p, ms: 0 };
  switch (unit) {
    case 'second':
      return fromLocal(z, tz);
    case 'minute':
      return fromLocal({ ...z, second: 0 }, tz);
    case 'hour':
      return fromLocal({ ...z, minute: 0, second: 0 }, tz);
    case 'day':
      return fromLocal({ ...z, hour: 0, minute: 0, second: 0 }, tz);
    case 'week': {
      const dow = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
      const back = (dow - weekStartDay + 7) % 7;
      return fromLocal({ ...z, day: p.day - back, hour: 0, minute: 0, second: 0 }, tz);
    }
    case 'month':
      return fromLocal({ ...z, day: 1, hour: 0, minute: 0, second: 0 }, tz);
    case 'quarter':
      return fromLocal({ ...z, month: p.month - ((p.month - 1) % 3), day: 1, hour: 0, minute: 0, second: 0 }, tz);
    case 'year':
      return fromLocal({ ...z, month: 1, day: 1, hour: 0, minute: 0, second: 0 }, tz);
  }
}

/** Adds calendar units in local time (a day is 23 or 25 hours across DST). */
export function addUnits(epochMs: number, unit: Unit, n: number, tz: string): number {
  if (unit === 'second') return epochMs + n * 1000;
  if (unit === 'minute') return epochMs + n * 60_000;
  if (unit === 'hour') return epochMs + n * 3_600_000;
  const p = localParts(epochMs, tz);
  if (unit === 'day') return fromLocal({ ...p, day: p.day + n }, tz);
  if (unit === 'week') return fromLocal({ ...p, day: p.day + 7 * n }, tz);
  const months = unit === 'month' ? n : unit === 'quarter' ? 3 * n : 12 * n;
  const target = new Date(Date.UTC(p.year, p.month - 1 + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  return fromLocal({ ...p, year: target.getUTCFullYear(), month: target.getUTCMonth() + 1, day: Math.min(p.day, lastDay) }, tz);
}

const RELATIVE = /^(-?\d+)?([hdwmqyMs])(Start|End)?$/;
const UNIT_OF: Record<string, Unit> = { s: 'second', M: 'minute', h: 'hour', d: 'day', w: 'week', m: 'month', q: 'quarter', y: 'year' };

export interface ParsedDate {
  epochMs: number;
  /** A bare date (`2024-01-31`): as an upper bound it means the end of that day. */
  dateOnly: boolean;
  relative: boolean;
}

/**
 * PostHog date strings: relative (`-7d`, `-24h`, `-1mStart`, `dStart`, `-2wEnd`; `M` is minutes,
 * `q` quarters) or absolute (ISO date or date-time; without an offset it is local to the project).
 */
export function parseDate(text: string, now: number, tz: string, what = 'date'): ParsedDate {
  const s = text.trim();
  const rel = RELATIVE.exec(s);
  if (rel) {
    const n = Number(rel[1] ?? 0);
    const unit = UNIT_OF[rel[2]!]!;
    // PostHog treats "-7d" and "7d" alike: both look back.
    let t = addUnits(now, unit, -Math.abs(n), tz);
    if (rel[3] === 'Start') t = startOf(t, unit, tz);
    if (rel[3] === 'End') t = addUnits(startOf(t, unit, tz), unit, 1, tz) - 1;
    return { epochMs: t, dateOnly: false, relative: true };
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (date) {
    return { epochMs: fromLocal({ year: +date[1]!, month: +date[2]!, day: +date[3]!, hour: 0, minute: 0, second: 0, ms: 0 }, tz), dateOnly: true, relative: false };
  }
  const dt = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (dt) {
    const ms = dt[7] ? Math.round(Number(`0.${dt[7]}`) * 1000) : 0;
    const parts = { year: +dt[1]!, month: +dt[2]!, day: +dt[3]!, hour: +dt[4]!, minute: +dt[5]!, second: +(dt[6] ?? 0), ms };
    if (dt[8]) {
      const t = Date.parse(`${dt[1]}-${dt[2]}-${dt[3]}T${dt[4]}:${dt[5]}:${dt[6] ?? '00'}${dt[7] ? `.${dt[7].slice(0, 3)}` : ''}${dt[8] === 'Z' ? 'Z' : dt[8].length === 5 ? `${dt[8].slice(0, 3)}:${dt[8].slice(3)}` : dt[8]}`);
      if (!Number.isNaN(t)) return { epochMs: t, dateOnly: false, relative: false };
    } else if (parts.month >= 1 && parts.month <= 12 && parts.day >= 1 && parts.day <= 31) {
      return { epochMs: fromLocal(parts, tz), dateOnly: false, relative: false };
    }
  }
  throw new HogQLError('query', `${what} "${s.slice(0, 64)}" is not a date: use ISO 8601 (2024-01-31, 2024-01-31T12:00:00Z) or a relative date (-7d, -24h, -1mStart, dStart, all)`);
}

/** ISO text of an instant in UTC with microseconds, for HogQL constants compared to DateTime64 columns. */
export function isoUtc(epochMs: number): string {
  return new Date(epochMs).toISOString().replace('Z', '000Z');
}
