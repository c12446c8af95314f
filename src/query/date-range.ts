import { z } from 'zod';
import type { Expr } from '../hogql/ast.js';
import { isoUtc, parseDate } from './dates.js';

export const dateRangeSchema = z.object({
  date_from: z.string().max(64).nullish(),
  date_to: z.string().max(64).nullish(),
  explicitDate: z.boolean().nullish(),
});
export type DateRange = z.infer<typeof dateRangeSchema>;

export interface ResolvedRange {
  /** Inclusive lower bound, or undefined for "all". */
  from?: number;
  /** Exclusive upper bound, or undefined for "now / open". */
  to?: number;
}

/**
 * A `dateRange` as instants: `all` or no `date_from` → unbounded; a bare `date_to` date means the
 * end of that day. (Insight runners add interval truncation on top of this.)
 */
export function resolveDateRange(range: DateRange, now: number, tz: string): ResolvedRange {
  const out: ResolvedRange = {};
  if (range.date_from && range.date_from !== 'all') out.from = parseDate(range.date_from, now, tz, 'date_from').epochMs;
  if (range.date_to) {
    const to = parseDate(range.date_to, now, tz, 'date_to');
    out.to = to.dateOnly && !range.explicitDate ? to.epochMs + 86_400_000 : to.epochMs;
  }
  return out;
}

export function instantExpr(epochMs: number): Expr {
  return { node: 'Call', name: 'toDateTime64', args: [{ node: 'Constant', value: isoUtc(epochMs).replace('T', ' ').replace('Z', '') }, { node: 'Constant', value: 6 }, { node: 'Constant', value: 'UTC' }] };
}

/** `timestamp >= from AND timestamp < to` as HogQL, for `{filters}` and runners. */
export function dateRangeExpr(range: DateRange, timestamp: Expr, now = Date.now(), tz = 'UTC'): Expr[] {
  const r = resolveDateRange(range, now, tz);
  const parts: Expr[] = [];
  if (r.from !== undefined) parts.push({ node: 'CompareOperation', op: '>=', left: timestamp, right: instantExpr(r.from) });
  if (r.to !== undefined) parts.push({ node: 'CompareOperation', op: '<', left: timestamp, right: instantExpr(r.to) });
  return parts;
}
