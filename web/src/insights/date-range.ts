/**
 * PostHog's date range presets (stored as the relative strings the server resolves: `-7d`,
 * `mStart`, `all`, …) with the interval each defaults to, and a readable label for any range.
 */
import type { DateRange, Interval } from './query.js';

export interface DatePreset {
  label: string;
  date_from: string;
  date_to?: string;
  interval: Interval;
}

export const DATE_PRESETS: DatePreset[] = [
  { label: 'Last 24 hours', date_from: '-24h', interval: 'hour' },
  { label: 'Last 7 days', date_from: '-7d', interval: 'day' },
  { label: 'Last 14 days', date_from: '-14d', interval: 'day' },
  { label: 'Last 30 days', date_from: '-30d', interval: 'day' },
  { label: 'Last 90 days', date_from: '-90d', interval: 'day' },
  { label: 'This month', date_from: 'mStart', interval: 'day' },
  { label: 'Previous month', date_from: '-1mStart', date_to: '-1mEnd', interval: 'day' },
  { label: 'All time', date_from: 'all', interval: 'month' },
];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;

export function isCustomRange(range: DateRange | null | undefined): boolean {
  return Boolean(range?.date_from && ISO_DATE.test(range.date_from));
}

/** "Last 7 days", "Previous month", "2024-05-01 – 2024-05-31", "From 2024-05-01". */
export function dateRangeLabel(range: DateRange | null | undefined, fallback = 'Last 7 days'): string {
  if (!range?.date_from && !range?.date_to) return fallback;
  const preset = DATE_PRESETS.find((p) => p.date_from === range.date_from && (p.date_to ?? null) === (range.date_to ?? null));
  if (preset) return preset.label;
  const from = range.date_from ?? '';
  const to = range.date_to ?? '';
  const rel = /^-(\d+)([hdwmqy])$/.exec(from);
  if (rel && !to) {
    const units: Record<string, string> = { h: 'hour', d: 'day', w: 'week', m: 'month', q: 'quarter', y: 'year' };
    const n = Number(rel[1]);
    return `Last ${n} ${units[rel[2]!]}${n === 1 ? '' : 's'}`;
  }
  const short = (v: string) => (ISO_DATE.test(v) ? v.slice(0, 10) : v);
  if (from && to) return `${short(from)} – ${short(to)}`;
  if (from) return `From ${short(from)}`;
  return `Until ${short(to)}`;
}

/** The interval a range defaults to (PostHog resets the interval when the range changes). */
export function defaultInterval(range: DateRange): Interval {
  const preset = DATE_PRESETS.find((p) => p.date_from === range.date_from);
  if (preset) return preset.interval;
  if (range.date_from && range.date_to && ISO_DATE.test(range.date_from) && ISO_DATE.test(range.date_to)) {
    const days = (Date.parse(range.date_to) - Date.parse(range.date_from)) / 86_400_000;
    if (days <= 2) return 'hour';
    if (days <= 90) return 'day';
    if (days <= 365) return 'week';
    return 'month';
  }
  return 'day';
}
