import { HogQLError, type Expr } from '../hogql/ast.js';
import { instantExpr, type DateRange } from '../query/date-range.js';
import { addUnits, localParts, parseDate, startOf, type Unit } from '../query/dates.js';
import type { Interval } from './insight-schemas.js';

/**
 * An insight's time range and its interval buckets, in the project's timezone, as PostHog resolves
 * them: `date_from` defaults to `-7d` and is truncated to the start of its interval (unless
 * `explicitDate`), `date_to` defaults to now and a bare date means the end of that day.
 */
export interface InsightRange {
  interval: Interval;
  /** Inclusive start (epoch ms). */
  from: number;
  /** Exclusive end (epoch ms). */
  to: number;
  /** Start of every bucket from `from` to `to`, ascending. */
  buckets: number[];
  timezone: string;
  weekStartDay: 0 | 1;
}

export interface RangeOptions {
  now: number;
  timezone: string;
  weekStartDay?: 0 | 1;
  /** Earliest event of the project, for `date_from: "all"`. */
  earliest?: number;
}

const MAX_BUCKETS = 10_000;

export function resolveInsightRange(dateRange: DateRange | null | undefined, interval: Interval, o: RangeOptions): InsightRange {
  const tz = o.timezone;
  const weekStartDay = o.weekStartDay ?? 0;
  const explicit = dateRange?.explicitDate ?? false;
  const fromText = dateRange?.date_from ?? '-7d';
  let from: number;
  if (fromText === 'all') from = o.earliest ?? o.now;
  else from = parseDate(fromText, o.now, tz, 'date_from').epochMs;
  if (!explicit) from = startOf(from, interval, tz, weekStartDay);

  let to: number;
  if (dateRange?.date_to) {
    const parsed = parseDate(dateRange.date_to, o.now, tz, 'date_to');
    to = parsed.epochMs;
    // A bare date (or a relative one at day level or above) reaches to the end of that day.
    if (!explicit && (parsed.dateOnly || (parsed.relative && interval !== 'hour' && interval !== 'minute'))) to = addUnits(startOf(to, 'day', tz), 'day', 1, tz);
    else if (!explicit) to = to + 1;
  } else {
    to = explicit ? o.now : addUnits(startOf(o.now, interval === 'minute' || interval === 'hour' ? interval : 'day', tz), interval === 'minute' || interval === 'hour' ? interval : 'day', 1, tz);
  }
  if (to <= from) to = from + 1;
  const buckets: number[] = [];
  for (let b = startOf(from, interval, tz, weekStartDay); b < to; b = addUnits(b, interval as Unit, 1, tz)) {
    buckets.push(b);
    if (buckets.length > MAX_BUCKETS) throw new HogQLError('query', `the date range has more than ${MAX_BUCKETS} ${interval}s; choose a larger interval`);
  }
  return { interval, from, to, buckets, timezone: tz, weekStartDay };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The bucket's local start as `YYYY-MM-DD HH:MM:SS` (what `bucketKeyExpr` produces in ClickHouse). */
export function bucketKey(epochMs: number, tz: string): string {
  const p = localParts(epochMs, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** PostHog's `days` entry: `YYYY-MM-DD`, or with the time for hour/minute intervals. */
export function bucketDay(epochMs: number, range: InsightRange): string {
  const key = bucketKey(epochMs, range.timezone);
  return range.interval === 'hour' || range.interval === 'minute' ? key : key.slice(0, 10);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** PostHog's human `labels` entry: `1-Jan-2025`, with `HH:MM` for hour/minute intervals. */
export function bucketLabel(epochMs: number, range: InsightRange): string {
  const p = localParts(epochMs, range.timezone);
  const day = `${p.day}-${MONTHS[p.month - 1]}-${p.year}`;
  return range.interval === 'hour' || range.interval === 'minute' ? `${day} ${pad(p.hour)}:${pad(p.minute)}` : day;
}

/** HogQL for the local bucket start of `timestamp`, formatted like `bucketKey` (so JS and ClickHouse buckets match). */
export function bucketKeyExpr(interval: Interval, weekStartDay: 0 | 1 = 0, timestamp: Expr = { node: 'Field', chain: ['timestamp'] }): Expr {
  const start: Expr =
    interval === 'week'
      ? { node: 'Call', name: 'toStartOfWeek', args: [timestamp, { node: 'Constant', value: weekStartDay === 1 ? 3 : 0 }] }
      : { node: 'Call', name: { minute: 'toStartOfMinute', hour: 'toStartOfHour', day: 'toStartOfDay', month: 'toStartOfMonth' }[interval], args: [timestamp] };
  // Weeks and months come back as Date: format with a midnight time so every key has the same shape.
  const format = interval === 'week' || interval === 'month' ? '%Y-%m-%d 00:00:00' : '%Y-%m-%d %H:%i:%S';
  return { node: 'Call', name: 'formatDateTime', args: [start, { node: 'Constant', value: format }] };
}

/** `timestamp >= from AND timestamp < to` for the range. */
export function rangeExprs(range: Pick<InsightRange, 'from' | 'to'>, timestamp: Expr = { node: 'Field', chain: ['timestamp'] }): Expr[] {
  return [
    { node: 'CompareOperation', op: '>=', left: timestamp, right: instantExpr(range.from) },
    { node: 'CompareOperation', op: '<', left: timestamp, right: instantExpr(range.to) },
  ];
}
