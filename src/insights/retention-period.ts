import type { Expr } from '../hogql/ast.js';
import { localParts } from '../query/dates.js';
import type { Interval } from './insight-schemas.js';

/**
 * Period arithmetic shared by retention, lifecycle and stickiness: the index of the interval a
 * timestamp falls in, counted from a base interval start, computed in ClickHouse in the project
 * timezone with integer math (no string formatting per event). Negative before the base.
 */

const c = (value: string | number): Expr => ({ node: 'Constant', value });
const call = (name: string, ...args: Expr[]): Expr => ({ node: 'Call', name, args });
const pad = (n: number) => String(n).padStart(2, '0');

/** The local calendar date (`YYYY-MM-DD`) of an instant. */
export function localDate(epochMs: number, tz: string): string {
  const p = localParts(epochMs, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** ISO 8601 with the project's UTC offset, e.g. `2026-10-02T00:00:00+02:00` (PostHog's retention `date`). */
export function isoLocal(epochMs: number, tz: string): string {
  const p = localParts(epochMs, tz);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offsetMin = Math.round((wall - (epochMs - (((epochMs % 1000) + 1000) % 1000))) / 60_000);
  const sign = offsetMin >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMin);
  const offset = offsetMin === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${offset}`;
}

/**
 * HogQL: the index of `ts`'s interval counted from the interval starting at `baseEpochMs` (which must
 * be an interval start in `tz`). Weeks start on Sunday, or on Monday with `weekStartDay` 1.
 */
export function periodIndexExpr(interval: Interval, baseEpochMs: number, tz: string, ts: Expr, weekStartDay: 0 | 1 = 0): Expr {
  if (interval === 'hour' || interval === 'minute') {
    const seconds = interval === 'hour' ? 3600 : 60;
    const diff: Expr = { node: 'ArithmeticOperation', op: '-', left: call('toUnixTimestamp', ts), right: c(Math.floor(baseEpochMs / 1000)) };
    return call('_toInt64', call('floor', { node: 'ArithmeticOperation', op: '/', left: diff, right: c(seconds) }));
  }
  const base = call('_toDate', c(localDate(baseEpochMs, tz)));
  if (interval === 'day') return call('dateDiff', c('day'), base, call('_toDate', ts));
  if (interval === 'week') return call('intDiv', call('dateDiff', c('day'), base, weekStartDay === 1 ? call('toStartOfWeek', ts, c(3)) : call('toStartOfWeek', ts)), c(7));
  return call('dateDiff', c('month'), base, call('toStartOfMonth', ts));
}
