import type { InsightQuery } from '../query.js';
import { eventLabel } from '../query.js';

/** "Who is behind this data point": the ActorsQuery source the persons modal lists, and its title. */
export interface Drill {
  title: string;
  source: Record<string, unknown>;
}

export type OnDrill = (drill: Drill) => void;

export interface VizProps<R> {
  query: InsightQuery;
  results: R;
  /** Absent: the chart is not clickable (e.g. property-value maths, which have no persons behind them). */
  onDrill?: OnDrill;
  /** Dashboard tiles: smaller, no legend table. */
  compact?: boolean;
}

/** A trends/stickiness/lifecycle series object as the server returns it. */
export interface SeriesResult {
  data: number[];
  labels?: string[];
  days?: Array<string | number>;
  count: number;
  aggregated_value?: number;
  label?: string;
  status?: string;
  action?: { order?: number; name?: string | null; custom_name?: string | null; id?: string | null; math?: string | null } | null;
  breakdown_value?: unknown;
  /** How to show the breakdown value when it is not itself readable (a cohort id → the cohort's name). */
  breakdown_label?: string;
  compare?: boolean;
  compare_label?: 'current' | 'previous';
}

const OTHER = '$$_posthog_breakdown_other_$$';
const NULL = '$$_posthog_breakdown_null_$$';

/** PostHog's sentinels in words. */
export function breakdownLabel(value: unknown): string {
  if (Array.isArray(value)) return value.map(breakdownLabel).join(' · ');
  if (value === OTHER || value === 9007199254740991) return 'Other';
  if (value === NULL || value === 9007199254740990 || value === null || value === '') return 'None';
  return String(value);
}

/** "Pageview · Chrome (previous)". */
export function seriesName(s: SeriesResult): string {
  const base = s.action?.custom_name || eventLabel(s.action?.name ?? s.action?.id ?? s.label ?? null);
  const parts = [base];
  if (s.breakdown_value !== undefined && s.breakdown_value !== null && s.breakdown_value !== '') parts.push(s.breakdown_label ?? breakdownLabel(s.breakdown_value));
  let name = parts.join(' · ');
  if (s.compare_label === 'previous') name += ' (previous period)';
  return name;
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
export function formatValue(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? '–' : numberFormat.format(n);
}

const percentFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '–';
  return `${percentFormat.format(ratio * 100)}%`;
}
