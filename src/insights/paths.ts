import { z } from 'zod';
import { HogQLError, type Expr, type SelectQuery } from '../hogql/ast.js';
import { parseExpr, parseSelect } from '../hogql/parser.js';
import { replacePlaceholders, type PlaceholderValue } from '../hogql/placeholders.js';
import { isoUtc } from '../query/dates.js';
import { correctForSampling, sampleEvents } from './sampling.js';
import { executeHogQL } from '../query/execute.js';
import type { QueryContext } from '../query/query-context.js';
import type { ActorsRequest } from '../query/kinds.js';
import { resolveInsightRange, rangeExprs, type InsightRange } from './insight-range.js';
import { and, globalFilters, or } from './insight-filters.js';
import { insightBase } from './insight-schemas.js';

/**
 * PostHog's `PathsQuery` (`paths_query_runner.py`): the most common page/screen/event sequences.
 *
 * Per person, the matching events become one sorted array of (time, path item); it is split into
 * path sessions at gaps of 30 minutes or more, consecutive duplicates collapse (the last of a run
 * keeps its time), the path is trimmed at `startPoint`/`endPoint` and cut to `stepLimit` steps,
 * then every step becomes an edge `"<n-1>_<prev>" → "<n>_<item>"`. Edges count sessions
 * (PostHog's `COUNT(*)`), carry the average time between the two steps, keep the heaviest
 * `edgeLimit` and only those reachable from a first step. All of it is one HogQL query.
 */

export const PATH_TYPES = ['$pageview', '$screen', 'custom_event', 'hogql'] as const;
export type PathType = (typeof PATH_TYPES)[number];

/** Sessions split where consecutive events are this far apart (PostHog: `x.3 < 1800 → same session`). */
export const SESSION_GAP_MS = 30 * 60 * 1000;
export const STEP_LIMIT_DEFAULT = 5;
export const EDGE_LIMIT_DEFAULT = 50;

/** A path cleaning rule (PostHog's `{alias, regex}`), in a query or in the project's settings. */
export const pathCleaningRuleSchema = z.object({
  alias: z.string().max(1000).nullish(),
  regex: z.string().max(1000).nullish(),
  order: z.number().nullish(),
});

export const pathsFilterSchema = z.object({
  includeEventTypes: z.array(z.enum(PATH_TYPES)).max(4).nullish(),
  pathsHogQLExpression: z.string().max(10_000).nullish(),
  startPoint: z.string().max(10_000).nullish(),
  endPoint: z.string().max(10_000).nullish(),
  pathGroupings: z.array(z.string().max(2000)).max(100).nullish(),
  excludeEvents: z.array(z.string().max(10_000)).max(1000).nullish(),
  stepLimit: z.number().int().min(1).max(100).nullish(),
  edgeLimit: z.number().int().min(1).max(10_000).nullish(),
  minEdgeWeight: z.number().int().min(0).nullish(),
  maxEdgeWeight: z.number().int().min(0).nullish(),
  pathReplacements: z.boolean().nullish(),
  localPathCleaningFilters: z.array(pathCleaningRuleSchema).max(100).nullish(),
  /** Actors only: edges leaving this node (`"1_/a"`). */
  pathStartKey: z.string().max(10_000).nullish(),
  /** Actors only: edges entering this node. */
  pathEndKey: z.string().max(10_000).nullish(),
  /** Actors only: paths that end at this node. */
  pathDropoffKey: z.string().max(10_000).nullish(),
  // Display-only / legacy fields PostHog sends along.
  pathType: z.unknown().optional(),
});
export type PathsFilter = z.infer<typeof pathsFilterSchema>;

export const funnelPathsFilterSchema = z.object({
  funnelPathType: z.enum(['funnel_path_before_step', 'funnel_path_between_steps', 'funnel_path_after_step']).nullish(),
  funnelSource: z.object({ kind: z.literal('FunnelsQuery') }).passthrough(),
  funnelStep: z.number().int().nullish(),
});

export const pathsQuerySchema = z.object({
  kind: z.literal('PathsQuery'),
  ...insightBase,
  pathsFilter: pathsFilterSchema.nullish(),
  funnelPathsFilter: funnelPathsFilterSchema.nullish(),
});
export type PathsQuery = z.infer<typeof pathsQuerySchema>;

const f = (...chain: (string | number)[]): Expr => ({ node: 'Field', chain });
const c = (value: string | number | boolean | null): Expr => ({ node: 'Constant', value });
const call = (name: string, ...args: Expr[]): Expr => ({ node: 'Call', name, args });
const eq = (left: Expr, right: Expr): Expr => ({ node: 'CompareOperation', op: '==', left, right });

/** PostHog's `_should_query_event`: without `includeEventTypes` every type counts unless excluded. */
function shouldQuery(filter: PathsFilter, type: string): boolean {
  if (!filter.includeEventTypes?.length) return !(filter.excludeEvents ?? []).includes(type);
  return (filter.includeEventTypes as string[]).includes(type);
}

/** A trailing slash is not part of a path (`/about/` is `/about`), except for `/` itself. */
export function normalizePathPoint(point: string): string {
  return point.length > 1 && point.endsWith('/') ? point.slice(0, -1) : point;
}

/** Escape RE2 metacharacters, then let `*` match anything (PostHog's `escape(g).replace("\\*", ".*")`). */
export function groupingRegex(grouping: string): string {
  return grouping.replace(/[\\^$.|?*+()[\]{}\/-]/g, (ch) => '\\' + ch).replace(/\\\*/g, '.*');
}

/** Cleaning rules in order: the project's when the query asks for `pathReplacements`, then the query's own. */
function cleaningRules(filter: PathsFilter, ctx: QueryContext): { alias?: string | null; regex?: string | null }[] {
  return [...(filter.pathReplacements ? (ctx.project.pathCleaningFilters ?? []) : []), ...(filter.localPathCleaningFilters ?? [])];
}

/** The path item of one event, cleaned and grouped (PostHog's `path_item`). */
function pathItemExpr(filter: PathsFilter, ctx: QueryContext): Expr {
  let item: Expr = f('event');
  if (shouldQuery(filter, 'hogql') && filter.pathsHogQLExpression) item = call('toString', parseExpr(filter.pathsHogQLExpression));
  if (shouldQuery(filter, '$pageview')) {
    const url = call('replaceRegexpAll', call('ifNull', f('properties', '$current_url'), c('')), c('(.)/$'), c('\\1'));
    item = call('if', eq(f('event'), c('$pageview')), url, item);
  }
  if (shouldQuery(filter, '$screen')) item = call('if', eq(f('event'), c('$screen')), f('properties', '$screen_name'), item);
  item = call('ifNull', item, c(''));
  for (const rule of cleaningRules(filter, ctx)) {
    if (!rule.regex) continue;
    item = call('replaceRegexpAll', item, c(rule.regex), c(rule.alias ?? ''));
  }
  return item;
}

/** Which events take part: the chosen event types (PostHog's `_get_event_query`). */
function eventTypeFilter(filter: PathsFilter): Expr[] {
  const types = filter.includeEventTypes ?? [];
  const parts: Expr[] = [];
  if (types.includes('$pageview')) parts.push(eq(f('event'), c('$pageview')));
  if (types.includes('$screen')) parts.push(eq(f('event'), c('$screen')));
  if (types.includes('custom_event')) parts.push({ node: 'Not', expr: call('startsWith', f('event'), c('$')) });
  return parts.length ? [or(parts)] : [];
}

export interface PathsPlan {
  range: InsightRange;
  /** Per path step: person_id, target (path_key), source (last_path_key, NULL at step 1), conversion_time (ms), path_dropoff_key. */
  steps: SelectQuery;
  stepLimit: number;
  edgeLimit: number;
}

/** Events of the range → per-person sessions → trimmed paths → one row per step (PostHog's `paths_per_person_query`). */
export async function pathsPlan(query: PathsQuery, ctx: QueryContext): Promise<PathsPlan> {
  if (query.funnelPathsFilter) throw new HogQLError('query', 'funnelPathsFilter (paths before/after a funnel step) is not supported yet');
  const filter: PathsFilter = query.pathsFilter ?? {};
  const stepLimit = filter.stepLimit ?? STEP_LIMIT_DEFAULT;
  const edgeLimit = filter.edgeLimit ?? EDGE_LIMIT_DEFAULT;
  if (filter.minEdgeWeight && filter.maxEdgeWeight && filter.minEdgeWeight > filter.maxEdgeWeight) {
    throw new HogQLError('query', 'pathsFilter.minEdgeWeight must not be larger than pathsFilter.maxEdgeWeight');
  }
  for (const [i, rule] of cleaningRules(filter, ctx).entries()) {
    if (rule.regex) {
      try {
        new RegExp(rule.regex);
      } catch {
        throw new HogQLError('query', `path cleaning rule ${i + 1}: regex ${JSON.stringify(rule.regex)} is not a valid regular expression`);
      }
    }
  }

  const range = await insightRange(query, ctx);
  const item = pathItemExpr(filter, ctx);
  const groupings = filter.pathGroupings ?? [];
  // Grouping: the first wildcard pattern that matches (anywhere in the item) replaces the item.
  let grouped: Expr = f('path_item_cleaned');
  if (groupings.length) {
    // Index of the first matching pattern (0 = none), with constant patterns so RE2 compiles each once.
    const idx = call('multiIf', ...groupings.flatMap((g, i) => [call('match', f('path_item_cleaned'), c(groupingRegex(g))), c(i + 1)]), c(0));
    grouped = call('if', { node: 'CompareOperation', op: '>', left: idx, right: c(0) }, { node: 'ArrayAccess', array: { node: 'Array', exprs: groupings.map((g) => c(g)) }, property: idx }, f('path_item_cleaned'));
  }

  const eventWhere = and([...rangeExprs(range), ...globalFilters(query, ctx), ...eventTypeFilter(filter)]);
  const exclude = filter.excludeEvents?.length ? 'WHERE path_item NOT IN {exclude_events}' : '';

  const n = stepLimit;
  const half = Math.floor(n / 2);
  const start = filter.startPoint ? normalizePathPoint(filter.startPoint) : null;
  const end = filter.endPoint ? normalizePathPoint(filter.endPoint) : null;
  let trim: string;
  let trimWhere = '';
  if (start !== null && end !== null) {
    trim = `indexOf(compact_path, {start_point}) AS start_index,
      if(start_index > 0, arraySlice(compact_path, start_index), compact_path) AS start_path,
      if(start_index > 0, arraySlice(compact_times, start_index), compact_times) AS start_times,
      indexOf(start_path, {end_point}) AS end_index,
      if(end_index > 0, arrayResize(start_path, end_index), start_path) AS filtered_path,
      if(end_index > 0, arrayResize(start_times, end_index), start_times) AS filtered_times,
      if(length(filtered_path) > ${n}, arrayConcat(arraySlice(filtered_path, 1, ${half}), ['...'], arraySlice(filtered_path, ${-half}, ${half})), filtered_path) AS limited_path,
      if(length(filtered_times) > ${n}, arrayConcat(arraySlice(filtered_times, 1, ${half}), [filtered_times[${1 + half}]], arraySlice(filtered_times, ${-half}, ${half})), filtered_times) AS limited_times`;
    trimWhere = 'WHERE start_index > 0 AND end_index > 0';
  } else if (end !== null) {
    trim = `indexOf(compact_path, {end_point}) AS target_index,
      arraySlice(if(target_index > 0, arrayResize(compact_path, target_index), compact_path), ${-n}) AS limited_path,
      arraySlice(if(target_index > 0, arrayResize(compact_times, target_index), compact_times), ${-n}) AS limited_times`;
    trimWhere = 'WHERE target_index > 0';
  } else if (start !== null) {
    trim = `indexOf(compact_path, {start_point}) AS target_index,
      arraySlice(if(target_index > 0, arraySlice(compact_path, target_index), compact_path), 1, ${n}) AS limited_path,
      arraySlice(if(target_index > 0, arraySlice(compact_times, target_index), compact_times), 1, ${n}) AS limited_times`;
    trimWhere = 'WHERE target_index > 0';
  } else {
    trim = `arraySlice(compact_path, 1, ${n}) AS limited_path, arraySlice(compact_times, 1, ${n}) AS limited_times`;
  }

  const text = `
    SELECT
      person_id,
      concat(toString(step_index), '_', step.1) AS target,
      if(step_index > 1, concat(toString(step_index - 1), '_', step.3), NULL) AS source,
      step.2 AS conversion_time,
      path_dropoff_key
    FROM (
      SELECT
        person_id,
        arrayZip(limited_path, arrayDifference(limited_times), arrayPopBack(arrayPushFront(limited_path, ''))) AS steps,
        concat(toString(length(limited_path)), '_', limited_path[length(limited_path)]) AS path_dropoff_key
      FROM (
        SELECT person_id, ${trim}
        FROM (
          SELECT
            person_id,
            arrayMap(x -> x.2, session) AS path_basic,
            arrayMap(x -> x.1, session) AS times,
            arrayMap((x, y) -> if(x = y, 0, 1), path_basic, arrayPopFront(arrayPushBack(path_basic, ''))) AS mapping,
            arrayFilter((x, m) -> m = 1, path_basic, mapping) AS compact_path,
            arrayFilter((x, m) -> m = 1, times, mapping) AS compact_times
          FROM (
            SELECT
              person_id,
              arraySort(groupArray(tuple(t, path_item))) AS sorted,
              arraySplit((x, d) -> d >= {session_gap_ms}, sorted, arrayDifference(arrayMap(x -> x.1, sorted))) AS sessions
            FROM (
              SELECT person_id, t, {grouped} AS path_item
              FROM (
                SELECT person_id, toUnixTimestamp64Milli(timestamp) AS t, {item} AS path_item_cleaned
                FROM events
                WHERE {event_where}
              )
            )
            ${exclude}
            GROUP BY person_id
          )
          ARRAY JOIN sessions AS session
        )
      )
      ${trimWhere}
    )
    ARRAY JOIN steps AS step, arrayEnumerate(steps) AS step_index`;
  const values: Record<string, PlaceholderValue> = {
    grouped: { expr: grouped },
    item: { expr: item },
    event_where: { expr: eventWhere },
    session_gap_ms: SESSION_GAP_MS,
    exclude_events: filter.excludeEvents ?? [],
    start_point: start,
    end_point: end,
  };
  // samplingFactor: the events scan reads SAMPLE factor (edge values are scaled back in runPathsQuery).
  const steps = sampleEvents(replacePlaceholders(parseSelect(text), values) as SelectQuery, query.samplingFactor);
  return { range, steps, stepLimit, edgeLimit };
}

/** The date range as PostHog's `QueryDateRange` with no interval: day-truncated `date_from` (default -7d), `date_to` end of day. */
async function insightRange(query: PathsQuery, ctx: QueryContext): Promise<InsightRange> {
  const tz = ctx.project.timezone;
  let earliest: number | undefined;
  if (query.dateRange?.date_from === 'all') {
    const res = await executeHogQL(ctx.ch, ctx.log, 'SELECT toUnixTimestamp64Milli(min(timestamp)) FROM events', ctx.compileOptions);
    const v = Number(res.results[0]?.[0]);
    earliest = Number.isFinite(v) && v > 0 ? v : ctx.now.getTime();
  }
  try {
    return resolveInsightRange(query.dateRange, 'day', { now: ctx.now.getTime(), timezone: tz, earliest });
  } catch (err) {
    if (err instanceof HogQLError) throw err;
    throw new HogQLError('query', err instanceof Error ? err.message : String(err));
  }
}

/** Drops edges not reachable from a first step through the kept edges (PostHog's `validate_results`). */
export function reachableEdges<T extends { source: string; target: string }>(edges: T[]): T[] {
  const next = new Map<string, string[]>();
  const stack: string[] = [];
  for (const e of edges) {
    if (!next.has(e.source)) next.set(e.source, []);
    next.get(e.source)!.push(e.target);
    if (e.source.startsWith('1_')) stack.push(e.source);
  }
  const seen = new Set<string>();
  while (stack.length) {
    const node = stack.pop()!;
    seen.add(node);
    for (const t of next.get(node) ?? []) if (!seen.has(t)) stack.push(t);
  }
  return edges.filter((e) => seen.has(e.source));
}

export async function runPathsQuery(query: PathsQuery, ctx: QueryContext) {
  const plan = await pathsPlan(query, ctx);
  const filter = query.pathsFilter ?? {};
  const having: string[] = [];
  if (filter.minEdgeWeight) having.push('event_count >= {min_edge_weight}');
  if (filter.maxEdgeWeight) having.push('event_count <= {max_edge_weight}');
  const text = `
    SELECT source, target, count() AS event_count, avg(conversion_time) AS average_conversion_time
    FROM {steps}
    WHERE source IS NOT NULL
    GROUP BY source, target
    ${having.length ? `HAVING ${having.join(' AND ')}` : ''}
    ORDER BY event_count DESC, source, target
    LIMIT ${plan.edgeLimit}`;
  const executed = await executeHogQL(ctx.ch, ctx.log, text, {
    ...ctx.compileOptions,
    values: { steps: { expr: plan.steps }, min_edge_weight: filter.minEdgeWeight ?? 0, max_edge_weight: filter.maxEdgeWeight ?? 0 },
  });
  const edges = executed.results.map(([source, target, value, avg]) => ({
    source: String(source),
    target: String(target),
    value: correctForSampling(Number(value), query.samplingFactor),
    average_conversion_time: Number(avg),
  }));
  return {
    results: reachableEdges(edges),
    timings: executed.timings,
    hogql: executed.compiled.hogql,
    resolved_date_range: { date_from: isoUtc(plan.range.from), date_to: isoUtc(plan.range.to - 1) },
    modifiers: query.modifiers ?? {},
  };
}

/**
 * "Who took this path": persons with a step entering `pathEndKey` and/or leaving `pathStartKey`,
 * or whose path ends at `pathDropoffKey` (read from the source query's `pathsFilter`, as PostHog does).
 */
export async function pathsActors(query: PathsQuery, _request: ActorsRequest, ctx: QueryContext): Promise<SelectQuery> {
  const plan = await pathsPlan(query, ctx);
  const filter = query.pathsFilter ?? {};
  const conditions: Expr[] = [];
  if (filter.pathDropoffKey) {
    conditions.push(eq(f('path_dropoff_key'), c(filter.pathDropoffKey)), eq(f('path_dropoff_key'), f('target')));
  } else {
    if (filter.pathStartKey) conditions.push(eq(f('source'), c(filter.pathStartKey)));
    if (filter.pathEndKey) conditions.push(eq(f('target'), c(filter.pathEndKey)));
  }
  return {
    node: 'SelectQuery',
    select: [{ node: 'Alias', alias: 'actor_id', expr: f('person_id') }],
    distinct: true,
    select_from: { node: 'JoinExpr', table: plan.steps },
    where: conditions.length ? and(conditions) : undefined,
  } as SelectQuery;
}
