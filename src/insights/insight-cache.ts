import crypto from 'node:crypto';
import { z } from 'zod';
import { HedgerowError } from '../errors.js';
import { propertiesSchema } from '../hogql/property-filters.js';
import type { Project } from '../metadata/projects.js';
import { queryKinds } from '../query/kinds.js';
import type { QueryContext } from '../query/query-context.js';
import { runQueryRequest } from '../query/run-query.js';
import { parseKind } from '../query/validate.js';
import type { Postgres } from '../storage/postgres.js';

/**
 * Results of saved insights: the insight's query node runs through the query registry and the
 * response is cached in Postgres per insight and query hash (the hash covers dashboard filter
 * overrides and the project timezone), with PostHog's refresh modes and staleness rules
 * (`posthog/caching/utils.py`, `posthog/caching/insights_api.py`).
 */

export const REFRESH_MODES = ['blocking', 'force_blocking', 'force_cache', 'async', 'force_async', 'lazy_async', 'async_except_on_cache_miss'] as const;
export type RefreshMode = (typeof REFRESH_MODES)[number];

/** `?refresh=`: PostHog's modes; legacy `true` forces a computation, `false` only reads the cache. */
export function parseRefresh(raw: string | undefined, fallback: RefreshMode): RefreshMode {
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return 'force_blocking';
  if (raw === 'false' || raw === '0') return 'force_cache';
  if ((REFRESH_MODES as readonly string[]).includes(raw)) return raw as RefreshMode;
  throw new HedgerowError('invalid_input', `refresh must be one of ${REFRESH_MODES.join(', ')} (or true/false), got "${raw.slice(0, 50)}"`, 'refresh');
}

/** Query nodes that wrap a runnable source (the insight editor's containers). */
const WRAPPER_NODES = new Set(['InsightVizNode', 'DataTableNode', 'DataVisualizationNode', 'SavedInsightNode']);

/** The runnable query of an insight's `query`: the wrapper's `source`, or the node itself. */
export function sourceOf(query: Record<string, unknown>): Record<string, unknown> {
  if (WRAPPER_NODES.has(String(query.kind))) return query.source as Record<string, unknown>;
  return query;
}

/** Checks an insight's `query` on save: a known wrapper around a registered kind (or a kind itself), valid for that kind. */
export function validateInsightQuery(query: unknown): Record<string, unknown> {
  if (typeof query !== 'object' || query === null || Array.isArray(query)) throw new HedgerowError('invalid_input', 'query must be a query node object', 'query');
  const node = query as Record<string, unknown>;
  if (typeof node.kind !== 'string') throw new HedgerowError('invalid_input', 'query.kind is required', 'query.kind');
  if (node.kind === 'SavedInsightNode') throw new HedgerowError('invalid_input', 'query.kind SavedInsightNode cannot be saved as an insight', 'query.kind');
  let source = node;
  let prefix = 'query';
  if (WRAPPER_NODES.has(node.kind)) {
    if (typeof node.source !== 'object' || node.source === null || Array.isArray(node.source)) {
      throw new HedgerowError('invalid_input', `query.source is required for ${node.kind}`, 'query.source');
    }
    source = node.source as Record<string, unknown>;
    prefix = 'query.source';
  }
  const kind = typeof source.kind === 'string' && Object.hasOwn(queryKinds, source.kind) ? queryKinds[source.kind] : undefined;
  if (!kind) {
    const supported = [...WRAPPER_NODES].filter((n) => n !== 'SavedInsightNode').concat(Object.keys(queryKinds));
    throw new HedgerowError('invalid_input', `${prefix}.kind "${String(source.kind).slice(0, 100)}" is not supported; supported: ${supported.join(', ')}`, `${prefix}.kind`);
  }
  try {
    parseKind(kind.schema, source);
  } catch (err) {
    if (err instanceof HedgerowError && prefix !== 'query') {
      const attr = err.attr?.replace(/^query/, prefix) ?? prefix;
      throw new HedgerowError('invalid_input', err.message.replace(/^query/, prefix), attr);
    }
    throw err;
  }
  return node;
}

/** A dashboard's `filters` (PostHog's `DashboardFilter`), also accepted as an insight's `filters_override`. */
export const dashboardFiltersSchema = z
  .object({
    date_from: z.string().max(64).nullish(),
    date_to: z.string().max(64).nullish(),
    explicitDate: z.boolean().nullish(),
    properties: propertiesSchema.nullish(),
    breakdown_filter: z.record(z.string(), z.unknown()).nullish(),
  })
  .passthrough();
export type DashboardFilters = z.infer<typeof dashboardFiltersSchema>;

type Props = z.infer<typeof propertiesSchema>;

function combineProperties(existing: unknown, extra: Props): Props {
  if (existing === undefined || existing === null || (Array.isArray(existing) && existing.length === 0)) return extra;
  if (Array.isArray(existing) && Array.isArray(extra)) return [...(existing as never[]), ...extra];
  const group = (p: unknown) => (Array.isArray(p) ? { type: 'AND' as const, values: p } : p);
  return { type: 'AND', values: [group(existing), group(extra)] } as Props;
}

const BREAKDOWN_KINDS = new Set(['TrendsQuery', 'FunnelsQuery']);

/**
 * PostHog's `apply_dashboard_filters`: a dashboard's date range replaces each tile query's
 * `dateRange` (HogQL: `filters.dateRange`; EventsQuery: `after`/`before`), its properties are
 * ANDed to the query's, and its breakdown replaces a trends/funnel breakdown. Returns a copy.
 */
export function applyDashboardFilters(source: Record<string, unknown>, filters: DashboardFilters | null | undefined): Record<string, unknown> {
  if (!filters) return source;
  const out: Record<string, unknown> = structuredClone(source);
  const hasDates = Boolean(filters.date_from || filters.date_to);
  const props = filters.properties && (Array.isArray(filters.properties) ? filters.properties.length > 0 : filters.properties.values.length > 0) ? filters.properties : null;
  const dateRange = { date_from: filters.date_from ?? null, date_to: filters.date_to ?? null, explicitDate: filters.explicitDate ?? false };
  switch (out.kind) {
    case 'ActorsQuery':
      return out;
    case 'HogQLQuery': {
      const f: Record<string, unknown> = { ...((out.filters as Record<string, unknown> | null | undefined) ?? {}) };
      if (hasDates) f.dateRange = dateRange;
      if (props) f.properties = combineProperties(f.properties, props);
      out.filters = f;
      return out;
    }
    case 'EventsQuery':
      if (filters.date_from) out.after = filters.date_from;
      if (filters.date_to) out.before = filters.date_to;
      if (props) out.properties = combineProperties(out.properties, props);
      return out;
    default:
      if (hasDates) out.dateRange = dateRange;
      if (props) out.properties = combineProperties(out.properties, props);
      if (filters.breakdown_filter && BREAKDOWN_KINDS.has(String(out.kind))) out.breakdownFilter = filters.breakdown_filter;
      return out;
  }
}

// PostHog's staleness_threshold_map (DEFAULT / LAZY) by interval; `null` = no interval.
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const STALENESS: Record<'default' | 'lazy', Record<string, number>> = {
  default: { none: 6 * HOUR, minute: 5 * MIN, hour: HOUR, day: 6 * HOUR, week: DAY, month: DAY },
  lazy: { none: 12 * HOUR, minute: 15 * MIN, hour: 2 * HOUR, day: 12 * HOUR, week: DAY, month: DAY },
};
/** `BASE_` / `REDUCED_MINIMUM_INSIGHT_REFRESH_INTERVAL`. */
export const BASE_REFRESH_MS = 15 * MIN;
export const REDUCED_REFRESH_MS = 3 * MIN;

/** The interval staleness is judged by: the query's `interval` (retention: its period; HogQL counts as "day"). */
export function intervalOf(source: Record<string, unknown>): string {
  const interval = typeof source.interval === 'string' ? source.interval : undefined;
  if (interval) return interval;
  const retention = source.retentionFilter as { period?: unknown } | undefined;
  if (source.kind === 'RetentionQuery' && typeof retention?.period === 'string') return retention.period.toLowerCase();
  if (source.kind === 'HogQLQuery') return 'day';
  if (source.kind === 'TrendsQuery' || source.kind === 'StickinessQuery' || source.kind === 'LifecycleQuery') return 'day';
  return 'none';
}

/** When a result computed at `lastRefresh` goes stale (PostHog's `cache_target_age`). */
export function cacheTargetAge(source: Record<string, unknown>, lastRefresh: Date, lazy = false): Date {
  const table = STALENESS[lazy ? 'lazy' : 'default'];
  return new Date(lastRefresh.getTime() + (table[intervalOf(source)] ?? table.none!));
}

/** Minimum wait between client refreshes: 15 min, 3 min for hourly/minutely or ≤ 7-day ranges. */
export function refreshFrequencyMs(source: Record<string, unknown>, resolved?: { date_from?: unknown; date_to?: unknown } | null): number {
  const interval = intervalOf(source);
  if (interval === 'hour' || interval === 'minute') return REDUCED_REFRESH_MS;
  const from = typeof resolved?.date_from === 'string' ? Date.parse(resolved.date_from) : NaN;
  const to = typeof resolved?.date_to === 'string' ? Date.parse(resolved.date_to) : NaN;
  if (Number.isFinite(from) && Number.isFinite(to) && Math.ceil((to - from) / DAY) <= 7) return REDUCED_REFRESH_MS;
  return BASE_REFRESH_MS;
}

/** Sorted-key JSON, so equal queries hash equally whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function queryHash(source: Record<string, unknown>, timezone: string): string {
  return crypto.createHash('sha256').update(canonical({ source, timezone })).digest('hex').slice(0, 40);
}

/** The result fields of a serialized insight (PostHog's `InsightResult`). */
export interface InsightResult {
  result: unknown;
  hasMore: unknown;
  columns: unknown;
  types: unknown;
  hogql: unknown;
  resolved_date_range: unknown;
  timezone: string;
  last_refresh: string | null;
  is_cached: boolean;
  cache_key: string | null;
  cache_target_age: string | null;
  next_allowed_client_refresh: string | null;
  query_status: null;
}

export class InsightCache {
  constructor(
    private readonly pg: Postgres,
    private readonly contextFor: (project: Project) => Promise<QueryContext>,
  ) {}

  /** Drops an insight's cached results (its query changed). */
  async invalidate(teamId: number, insightId: number): Promise<void> {
    await this.pg.query('DELETE FROM insight_cache WHERE team_id = $1 AND insight_id = $2', [teamId, insightId]);
  }

  /**
   * The insight's result under `mode`. `async` modes compute synchronously (there is no background
   * queue); `force_cache` never computes and answers a miss with `result: null, last_refresh: null`.
   */
  async resultFor(project: Project, insight: { id: number; query: Record<string, unknown> | null }, mode: RefreshMode, filters?: DashboardFilters | null): Promise<InsightResult> {
    const empty: InsightResult = {
      result: null,
      hasMore: null,
      columns: null,
      types: null,
      hogql: null,
      resolved_date_range: null,
      timezone: project.timezone,
      last_refresh: null,
      is_cached: false,
      cache_key: null,
      cache_target_age: null,
      next_allowed_client_refresh: null,
      query_status: null,
    };
    if (!insight.query) return empty;
    const source = applyDashboardFilters(sourceOf(insight.query), filters);
    if (!source || typeof source !== 'object') return empty;
    const ctx = await this.contextFor(project);
    // The week start changes week buckets: a Monday-week project hashes apart (Sunday keeps the old hashes).
    let salt = project.weekStartDay === 1 ? `${project.timezone}|week_start_day=1` : project.timezone;
    // A query naming cohorts hashes with their membership versions, so a recalculation is not served stale.
    if (JSON.stringify(source).includes('"cohort"')) salt += `|cohorts=${[...ctx.cohorts.values()].map((c) => `${c.id}:${c.version}`).join(',')}`;
    const hash = queryHash(source, salt);
    const cacheKey = `cache_${hash}`;
    const [cached] = await this.pg.query<{ response: string; last_refresh: Date }>(
      'SELECT response, last_refresh FROM insight_cache WHERE team_id = $1 AND insight_id = $2 AND query_hash = $3',
      [project.id, insight.id, hash],
    );
    const now = Date.now();
    const lazy = mode === 'lazy_async';
    const fresh = cached && cacheTargetAge(source, cached.last_refresh, lazy).getTime() > now;
    const useCache =
      cached && (mode === 'force_cache' || ((mode === 'blocking' || mode === 'async' || mode === 'lazy_async' || mode === 'async_except_on_cache_miss') && fresh));
    if (useCache) return this.shape(source, JSON.parse(cached.response) as Record<string, unknown>, cached.last_refresh, true, cacheKey, project.timezone);
    if (mode === 'force_cache') return { ...empty, cache_key: cacheKey };

    const response = await runQueryRequest({ query: source }, ctx);
    const lastRefresh = ctx.now;
    await this.pg.query(
      `INSERT INTO insight_cache (team_id, insight_id, query_hash, response, last_refresh) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (team_id, insight_id, query_hash) DO UPDATE SET response = EXCLUDED.response, last_refresh = EXCLUDED.last_refresh`,
      [project.id, insight.id, hash, JSON.stringify(response), lastRefresh],
    );
    return this.shape(source, response, lastRefresh, false, cacheKey, project.timezone);
  }

  private shape(source: Record<string, unknown>, response: Record<string, unknown>, lastRefresh: Date, isCached: boolean, cacheKey: string, timezone: string): InsightResult {
    const resolved = (response.resolved_date_range as { date_from?: unknown; date_to?: unknown } | undefined) ?? null;
    return {
      result: response.results ?? response.result ?? null,
      hasMore: response.hasMore ?? null,
      columns: response.columns ?? null,
      types: response.types ?? null,
      hogql: response.hogql ?? null,
      resolved_date_range: resolved,
      timezone,
      last_refresh: lastRefresh.toISOString(),
      is_cached: isCached,
      cache_key: cacheKey,
      cache_target_age: cacheTargetAge(source, lastRefresh).toISOString(),
      next_allowed_client_refresh: new Date(lastRefresh.getTime() + refreshFrequencyMs(source, resolved)).toISOString(),
      query_status: null,
    };
  }
}
