/**
 * The insight being edited is PostHog's query JSON (an insight kind node such as TrendsQuery); this
 * module holds its shape as the web app uses it, the default query of each kind, switching kinds
 * while keeping what carries over, and the `#q=` URL hash that makes every insight a shareable link.
 */
import type { PropertyFilter } from '../types.js';

export const INSIGHT_KINDS = ['TrendsQuery', 'FunnelsQuery', 'RetentionQuery', 'PathsQuery', 'StickinessQuery', 'LifecycleQuery'] as const;
export type InsightKind = (typeof INSIGHT_KINDS)[number];

/** Tab labels in PostHog's order, and the `#insight=` names PostHog links use. */
export const KIND_INFO: Record<InsightKind, { label: string; hash: string; description: string }> = {
  TrendsQuery: { label: 'Trends', hash: 'TRENDS', description: 'Visualize and break down how actions or events vary over time.' },
  FunnelsQuery: { label: 'Funnels', hash: 'FUNNELS', description: 'Understand how users progress through a sequence of steps and where they drop off.' },
  RetentionQuery: { label: 'Retention', hash: 'RETENTION', description: 'See how many users return on subsequent days after an initial action.' },
  PathsQuery: { label: 'User paths', hash: 'PATHS', description: 'Trace the journeys users take within your product.' },
  StickinessQuery: { label: 'Stickiness', hash: 'STICKINESS', description: 'See what keeps users coming back by viewing the interval between repeated actions.' },
  LifecycleQuery: { label: 'Lifecycle', hash: 'LIFECYCLE', description: 'Understand growth by breaking down new, resurrected, returning and dormant users.' },
};

export interface EventsNode {
  kind: 'EventsNode';
  /** null = all events. */
  event: string | null;
  name?: string | null;
  custom_name?: string | null;
  math?: string | null;
  math_property?: string | null;
  properties?: PropertyFilter[] | null;
  [key: string]: unknown;
}

export interface DateRange {
  date_from?: string | null;
  date_to?: string | null;
  explicitDate?: boolean | null;
}

/** A cohort of a cohort breakdown: its id, or 'all' ("All users", id 0 in PostHog's results). */
export type CohortRef = number | 'all';

export interface BreakdownFilter {
  breakdown_type?: 'event' | 'person' | 'cohort' | null;
  /** A property name; for cohort breakdowns a list of cohort ids (PostHog also accepts one id or 'all'). */
  breakdown?: string | number | Array<string | number> | null;
  breakdown_limit?: number | null;
  [key: string]: unknown;
}

/** An event excluded between two steps (0-based, `funnelFromStep` < `funnelToStep`). */
export interface FunnelExclusion extends EventsNode {
  funnelFromStep: number;
  funnelToStep: number;
}

export type FunnelVizType = 'steps' | 'time_to_convert' | 'trends';
export type BreakdownAttribution = 'first_touch' | 'last_touch' | 'all_events' | 'step';

export interface FormulaNode {
  formula: string;
  custom_name?: string | null;
}

export interface RetentionEntity {
  id: string | null;
  type: 'events';
  name?: string | null;
  [key: string]: unknown;
}

/** Any insight kind node; kind-specific fields are optional so switching kinds can keep them. */
export interface InsightQuery {
  kind: InsightKind;
  series?: EventsNode[];
  interval?: Interval | null;
  dateRange?: DateRange | null;
  properties?: PropertyFilter[] | null;
  filterTestAccounts?: boolean | null;
  breakdownFilter?: BreakdownFilter | null;
  compareFilter?: { compare?: boolean | null; compare_to?: string | null } | null;
  trendsFilter?: {
    display?: TrendsDisplay | null;
    /** Formula mode: PostHog's three spellings; the builder writes `formulaNodes` (see formulaNodesOf). */
    formula?: string | null;
    formulas?: string[] | null;
    formulaNodes?: FormulaNode[] | null;
    [key: string]: unknown;
  } | null;
  funnelsFilter?: {
    funnelOrderType?: 'ordered' | 'strict' | 'unordered' | null;
    funnelWindowInterval?: number | null;
    funnelWindowIntervalUnit?: WindowUnit | null;
    funnelVizType?: FunnelVizType | null;
    /** 0-based steps the time to convert / conversion trend is measured between (default first → last). */
    funnelFromStep?: number | null;
    funnelToStep?: number | null;
    /** Time-to-convert histogram bins (null: automatic). */
    binCount?: number | null;
    exclusions?: FunnelExclusion[] | null;
    breakdownAttributionType?: BreakdownAttribution | null;
    breakdownAttributionValue?: number | null;
    [key: string]: unknown;
  } | null;
  retentionFilter?: {
    retentionType?: 'retention_first_time' | 'retention_recurring' | null;
    totalIntervals?: number | null;
    period?: 'Hour' | 'Day' | 'Week' | 'Month' | null;
    targetEntity?: RetentionEntity | null;
    returningEntity?: RetentionEntity | null;
    [key: string]: unknown;
  } | null;
  pathsFilter?: {
    includeEventTypes?: Array<'$pageview' | '$screen' | 'custom_event'> | null;
    startPoint?: string | null;
    endPoint?: string | null;
    stepLimit?: number | null;
    [key: string]: unknown;
  } | null;
  stickinessFilter?: { [key: string]: unknown } | null;
  lifecycleFilter?: { [key: string]: unknown } | null;
  [key: string]: unknown;
}

export type Interval = 'minute' | 'hour' | 'day' | 'week' | 'month';
export const INTERVALS: Interval[] = ['hour', 'day', 'week', 'month'];
export type WindowUnit = 'minute' | 'hour' | 'day' | 'week' | 'month';

export type TrendsDisplay = 'ActionsLineGraph' | 'ActionsLineGraphCumulative' | 'ActionsAreaGraph' | 'ActionsBar' | 'BoldNumber' | 'ActionsBarValue' | 'ActionsTable' | 'ActionsPie' | 'WorldMap';

/** The chart types offered for trends, grouped as PostHog groups them. */
export const TRENDS_DISPLAYS: Array<{ value: TrendsDisplay; label: string; group: 'Time series' | 'Total value' }> = [
  { value: 'ActionsLineGraph', label: 'Line chart', group: 'Time series' },
  { value: 'ActionsLineGraphCumulative', label: 'Cumulative line chart', group: 'Time series' },
  { value: 'ActionsAreaGraph', label: 'Area chart', group: 'Time series' },
  { value: 'ActionsBar', label: 'Bar chart', group: 'Time series' },
  { value: 'BoldNumber', label: 'Number', group: 'Total value' },
  { value: 'ActionsBarValue', label: 'Bar chart (total value)', group: 'Total value' },
  { value: 'ActionsTable', label: 'Table', group: 'Total value' },
  { value: 'ActionsPie', label: 'Pie chart', group: 'Total value' },
  { value: 'WorldMap', label: 'World map', group: 'Total value' },
];

/** Displays whose results are one value per series over the whole range (the server returns `aggregated_value`). */
export const TOTAL_VALUE_DISPLAYS = new Set<TrendsDisplay>(['BoldNumber', 'ActionsBarValue', 'ActionsTable', 'ActionsPie', 'WorldMap']);

export function eventNode(event: string | null): EventsNode {
  return { kind: 'EventsNode', event, name: event ?? 'All events', math: 'total' };
}

const DEFAULT_EVENT = '$pageview';

/** PostHog's defaults: $pageview, total count, last 7 days by day. */
export function defaultQuery(kind: InsightKind): InsightQuery {
  switch (kind) {
    case 'TrendsQuery':
      return { kind, series: [eventNode(DEFAULT_EVENT)], interval: 'day', dateRange: { date_from: '-7d' }, trendsFilter: { display: 'ActionsLineGraph' } };
    case 'FunnelsQuery':
      return { kind, series: [eventNode(DEFAULT_EVENT)], dateRange: { date_from: '-7d' }, funnelsFilter: { funnelOrderType: 'ordered', funnelWindowInterval: 14, funnelWindowIntervalUnit: 'day', funnelVizType: 'steps' } };
    case 'RetentionQuery':
      return {
        kind,
        retentionFilter: {
          retentionType: 'retention_first_time',
          totalIntervals: 8,
          period: 'Day',
          targetEntity: { id: DEFAULT_EVENT, type: 'events', name: DEFAULT_EVENT },
          returningEntity: { id: DEFAULT_EVENT, type: 'events', name: DEFAULT_EVENT },
        },
      };
    case 'PathsQuery':
      return { kind, dateRange: { date_from: '-7d' }, pathsFilter: { includeEventTypes: ['$pageview'], stepLimit: 5 } };
    case 'StickinessQuery':
      return { kind, series: [{ ...eventNode(DEFAULT_EVENT), math: 'dau' }], interval: 'day', dateRange: { date_from: '-7d' } };
    case 'LifecycleQuery':
      return { kind, series: [{ ...eventNode(DEFAULT_EVENT), math: 'total' }], interval: 'day', dateRange: { date_from: '-7d' } };
  }
}

/** Kinds whose series are events with a math (funnels have steps, retention two entities, paths none). */
export const SERIES_KINDS = new Set<InsightKind>(['TrendsQuery', 'FunnelsQuery', 'StickinessQuery', 'LifecycleQuery']);

/**
 * Another kind with what carries over (date range, filters, test-account toggle, the events of the
 * series), as PostHog keeps compatible settings when the tab changes.
 */
export function switchKind(query: InsightQuery, kind: InsightKind): InsightQuery {
  if (query.kind === kind) return query;
  const next = defaultQuery(kind);
  const common: Partial<InsightQuery> = {};
  if (query.dateRange && kind !== 'RetentionQuery') common.dateRange = query.dateRange;
  if (query.properties?.length) common.properties = query.properties;
  if (query.filterTestAccounts) common.filterTestAccounts = true;
  const events = (query.series ?? []).map((s) => s.event);
  if (query.kind === 'RetentionQuery') {
    const target = query.retentionFilter?.targetEntity?.id ?? null;
    const returning = query.retentionFilter?.returningEntity?.id ?? null;
    events.push(target, returning);
  }
  if (events.length && next.series) {
    if (kind === 'FunnelsQuery') next.series = events.map((e) => eventNode(e));
    else if (kind === 'LifecycleQuery') next.series = [eventNode(events[0] ?? null)];
    else if (kind === 'StickinessQuery') next.series = events.slice(0, 1).map((e) => ({ ...eventNode(e), math: 'dau' }));
    else next.series = [...new Set(events)].map((e) => eventNode(e));
  }
  if (kind === 'RetentionQuery' && events.length && next.retentionFilter) {
    const first = events[0] ?? DEFAULT_EVENT;
    const last = events[events.length - 1] ?? first;
    next.retentionFilter = { ...next.retentionFilter, targetEntity: { id: first, type: 'events', name: first }, returningEntity: { id: last, type: 'events', name: last } };
  }
  if ((kind === 'TrendsQuery' || kind === 'FunnelsQuery') && query.breakdownFilter?.breakdown) common.breakdownFilter = query.breakdownFilter;
  return { ...next, ...common };
}

export function isInsightKind(kind: unknown): kind is InsightKind {
  return typeof kind === 'string' && (INSIGHT_KINDS as readonly string[]).includes(kind);
}

/** The insight source of a saved `query` (an InsightVizNode wrapper, or a kind node itself). */
export function sourceOfSaved(query: unknown): InsightQuery | null {
  if (!query || typeof query !== 'object') return null;
  const node = query as { kind?: unknown; source?: unknown };
  if (node.kind === 'InsightVizNode' && node.source && typeof node.source === 'object') return isInsightKind((node.source as { kind?: unknown }).kind) ? (node.source as InsightQuery) : null;
  return isInsightKind(node.kind) ? (node as InsightQuery) : null;
}

export function vizNode(source: InsightQuery): { kind: 'InsightVizNode'; source: InsightQuery } {
  return { kind: 'InsightVizNode', source };
}

/**
 * Reads PostHog's hash params: `#q=<query JSON>` (wrapper or kind node) or `#insight=TRENDS`.
 * Returns null when the hash says nothing (or something unreadable).
 */
export function queryFromHash(hash: string): InsightQuery | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const q = params.get('q');
  if (q) {
    try {
      const parsed = sourceOfSaved(JSON.parse(q));
      if (parsed) return parsed;
    } catch {
      // An unreadable link falls back to the default insight below.
    }
  }
  const insight = params.get('insight');
  if (insight) {
    const kind = INSIGHT_KINDS.find((k) => KIND_INFO[k].hash === insight.toUpperCase());
    if (kind) return defaultQuery(kind);
  }
  return null;
}

export function hashOf(query: InsightQuery): string {
  return '#q=' + encodeURIComponent(JSON.stringify(vizNode(query)));
}

/** A name from the series, used until the user names the insight ("Pageview count", "Pageview → Signed up"). */
export function derivedName(query: InsightQuery): string {
  const label = (e: string | null | undefined) => (e ? eventLabel(e) : 'All events');
  switch (query.kind) {
    case 'FunnelsQuery':
      return (query.series ?? []).map((s) => s.custom_name || label(s.event)).join(' → ');
    case 'RetentionQuery': {
      const r = query.retentionFilter;
      return `Retention of ${label(r?.targetEntity?.id)}`;
    }
    case 'PathsQuery':
      return query.pathsFilter?.startPoint ? `User paths from ${query.pathsFilter.startPoint}` : 'User paths';
    case 'LifecycleQuery':
      return `Lifecycle of ${label(query.series?.[0]?.event)}`;
    case 'StickinessQuery':
      return `Stickiness of ${label(query.series?.[0]?.event)}`;
    default:
      return (query.series ?? []).map((s) => `${s.custom_name || label(s.event)} ${mathLabel(s.math).toLowerCase()}`).join(' & ');
  }
}

/** PostHog's names for its own events. */
const CORE_EVENTS: Record<string, string> = {
  $pageview: 'Pageview',
  $pageleave: 'Pageleave',
  $autocapture: 'Autocapture',
  $screen: 'Screen',
  $identify: 'Identify',
  $set: 'Set person properties',
  $feature_flag_called: 'Feature flag called',
  $exception: 'Exception',
  $rageclick: 'Rageclick',
  $web_vitals: 'Web vitals',
};

export function eventLabel(event: string | null | undefined): string {
  if (event === null || event === undefined) return 'All events';
  return CORE_EVENTS[event] ?? event;
}

/** The math choices (PostHog's labels); `property` ones need a numeric property. */
export const MATHS: Array<{ value: string; label: string; group: string; property?: boolean }> = [
  { value: 'total', label: 'Total count', group: 'Event count' },
  { value: 'dau', label: 'Unique users', group: 'Actor count' },
  { value: 'weekly_active', label: 'Weekly active users', group: 'Actor count' },
  { value: 'monthly_active', label: 'Monthly active users', group: 'Actor count' },
  { value: 'unique_session', label: 'Unique sessions', group: 'Session count' },
  { value: 'first_time_for_user', label: 'First-ever occurrence', group: 'Event count' },
  { value: 'avg_count_per_actor', label: 'Count per user: average', group: 'Count per user' },
  { value: 'min_count_per_actor', label: 'Count per user: minimum', group: 'Count per user' },
  { value: 'max_count_per_actor', label: 'Count per user: maximum', group: 'Count per user' },
  { value: 'median_count_per_actor', label: 'Count per user: median', group: 'Count per user' },
  { value: 'p90_count_per_actor', label: 'Count per user: 90th percentile', group: 'Count per user' },
  { value: 'sum', label: 'Property value: sum', group: 'Property value', property: true },
  { value: 'avg', label: 'Property value: average', group: 'Property value', property: true },
  { value: 'min', label: 'Property value: minimum', group: 'Property value', property: true },
  { value: 'max', label: 'Property value: maximum', group: 'Property value', property: true },
  { value: 'median', label: 'Property value: median', group: 'Property value', property: true },
  { value: 'p90', label: 'Property value: 90th percentile', group: 'Property value', property: true },
  { value: 'p95', label: 'Property value: 95th percentile', group: 'Property value', property: true },
  { value: 'p99', label: 'Property value: 99th percentile', group: 'Property value', property: true },
];

export function mathLabel(math: string | null | undefined): string {
  return MATHS.find((m) => m.value === (math ?? 'total'))?.label ?? String(math);
}

export function needsProperty(math: string | null | undefined): boolean {
  return MATHS.find((m) => m.value === math)?.property === true;
}

/** A series letter: A, B, … Z, AA. */
export function seriesLetter(index: number): string {
  let s = '';
  let n = index;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

/** What the query can run as: null when it is complete, else what the user still has to do. */
export function incompleteReason(query: InsightQuery): string | null {
  if (query.kind === 'FunnelsQuery' && (query.series?.length ?? 0) < 2) return 'Add another step: a funnel needs at least two steps.';
  if (SERIES_KINDS.has(query.kind) && !(query.series?.length ?? 0)) return 'Add a series to see results.';
  for (const s of query.series ?? []) if (needsProperty(s.math) && !s.math_property) return `Choose the property whose ${mathLabel(s.math).replace('Property value: ', '')} to compute.`;
  return null;
}

/** The funnel graph types, in PostHog's order and words. */
export const FUNNEL_VIZ_TYPES: Array<{ value: FunnelVizType; label: string }> = [
  { value: 'steps', label: 'Conversion steps' },
  { value: 'time_to_convert', label: 'Time to convert' },
  { value: 'trends', label: 'Historical trends' },
];

/** The formulas of a trends query, whichever of PostHog's spellings a link uses (`formulaNodes`, `formulas`, `formula`). */
export function formulaNodesOf(trendsFilter: InsightQuery['trendsFilter']): FormulaNode[] {
  if (!trendsFilter) return [];
  if (trendsFilter.formulaNodes?.length) return trendsFilter.formulaNodes;
  if (trendsFilter.formulas?.length) return trendsFilter.formulas.map((formula) => ({ formula }));
  if (trendsFilter.formula?.trim()) return [{ formula: trendsFilter.formula }];
  return [];
}

/** The query with these formulas (none: formula mode off), written as `formulaNodes` only. */
export function withFormulas(query: InsightQuery, nodes: FormulaNode[]): InsightQuery {
  const { formula: _f, formulas: _fs, formulaNodes: _fn, ...rest } = query.trendsFilter ?? {};
  const kept = nodes.filter((n) => n.formula.trim());
  return { ...query, trendsFilter: kept.length ? { ...rest, formulaNodes: kept } : rest };
}

/** The cohorts of a cohort breakdown (`breakdown` as a list, one id, or 'all'); [] for any other breakdown. */
export function cohortRefsOf(filter: BreakdownFilter | null | undefined): CohortRef[] {
  if (filter?.breakdown_type !== 'cohort' || filter.breakdown === null || filter.breakdown === undefined || filter.breakdown === '') return [];
  const raw = Array.isArray(filter.breakdown) ? filter.breakdown : [filter.breakdown];
  const refs: CohortRef[] = [];
  for (const v of raw) {
    const ref: CohortRef | null = v === 'all' || v === 0 || v === '0' ? 'all' : /^\d+$/.test(String(v)) ? Number(v) : null;
    if (ref !== null && !refs.includes(ref)) refs.push(ref);
  }
  return refs;
}

/**
 * Keeps a funnel's step references valid after its steps change (a step removed, the order made
 * "any order"): the time-to-convert/trends step range, the exclusions' ranges and the attribution
 * step; and drops "compare to previous period" outside the steps view. The server refuses
 * out-of-range steps, so a removed step must not leave the query broken.
 */
export function normalizeFunnel(query: InsightQuery): InsightQuery {
  if (query.kind === 'FunnelsQuery' && query.compareFilter && (query.funnelsFilter?.funnelVizType ?? 'steps') !== 'steps') {
    // The builder compares the conversion steps only (the server refuses it for time to convert).
    const { compareFilter: _c, ...rest } = query;
    query = rest as InsightQuery;
  }
  const f = query.funnelsFilter;
  if (query.kind !== 'FunnelsQuery' || !f) return query;
  const last = (query.series?.length ?? 0) - 1;
  // With fewer than two steps nothing runs; keep what the user set until steps come back.
  if (last < 1) return query;
  const next = { ...f };
  if (next.funnelToStep != null && (next.funnelToStep < 1 || next.funnelToStep > last)) next.funnelToStep = undefined;
  if (next.funnelFromStep != null && (next.funnelFromStep < 0 || next.funnelFromStep >= (next.funnelToStep ?? last))) next.funnelFromStep = undefined;
  if (next.exclusions?.length) {
    const unordered = next.funnelOrderType === 'unordered';
    next.exclusions = next.exclusions
      // Unordered funnels only allow exclusions over the whole funnel.
      .map((e) => (unordered ? { ...e, funnelFromStep: 0, funnelToStep: last } : { ...e, funnelToStep: Math.min(e.funnelToStep, last) }))
      .filter((e) => e.funnelFromStep >= 0 && e.funnelFromStep < e.funnelToStep);
  }
  if (next.breakdownAttributionType === 'step') {
    const step = next.breakdownAttributionValue ?? 0;
    if (step > last || (next.funnelOrderType === 'unordered' && step !== 0)) next.breakdownAttributionValue = 0;
  }
  for (const key of Object.keys(next) as Array<keyof typeof next>) if (next[key] === undefined) delete next[key];
  return { ...query, funnelsFilter: next };
}
