import { z } from 'zod';
import { HogQLError, type Expr, type SelectQuery } from '../hogql/ast.js';
import { parseExpr } from '../hogql/parser.js';
import { replacePlaceholders } from '../hogql/placeholders.js';
import { isoInTimeZone } from '../hogql/results.js';
import { addUnits, parseDate, startOf, type Unit } from '../query/dates.js';
import { executeHogQL, type ExecutedQuery } from '../query/execute.js';
import type { ActorsRequest } from '../query/kinds.js';
import type { QueryContext } from '../query/query-context.js';
import { and, BREAKDOWN_NULL, BREAKDOWN_OTHER, entityName } from './insight-filters.js';
import { bucketDay, bucketKey, bucketLabel, resolveInsightRange, type InsightRange } from './insight-range.js';
import { breakdownFilterSchema, breakdownsOf, compareFilterSchema, entityNodeSchema, insightBase, INTERVALS, type Breakdown, type Interval } from './insight-schemas.js';
import { correctForSampling, sampleEvents, samplingOf } from './sampling.js';
import { ALL_USERS_COHORT_ID, andProperties, cohortBreakdownOf, cohortIdOfValue, cohortMembershipFilter, cohortName, requestedCohort } from './cohort-breakdown.js';
import { applyFormula, parseFormula } from './trends-formula.js';
import { effectiveMath, seriesActorsQuery, seriesQuery, validateSeries, type EventsSeries, type SeriesPlan, type TrendsPlan } from './trends-query.js';

/**
 * PostHog's TrendsQuery: per series, a count (or another math) of matching events per interval bucket
 * in the project timezone, zero-filled over the range, optionally broken down (top N values + Other),
 * compared with the previous period, combined by formulas, or reduced to one value per series for the
 * total-value displays. Each series and period is one HogQL query that aggregates in ClickHouse.
 *
 * `samplingFactor` reads `SAMPLE factor` of the events and scales counts back (see sampling.ts).
 *
 * Boolean properties break down as "true" / "false" already (the compiler types them), which is what
 * PostHog's remapping of 1 / 0 shows.
 *
 * Cohort breakdowns (cohort-breakdown.ts): an event counts once per listed cohort of its person (and
 * once more for "all"); `breakdown_value` is the cohort id (or "all"), the label the cohort's name
 * ("all users"); cohorts are never folded into Other.
 *
 * Not implemented: DataWarehouseNode series, `conversionGoal`.
 */

export const TOTAL_VALUE_DISPLAYS = new Set(['BoldNumber', 'ActionsPie', 'ActionsTable', 'ActionsBarValue', 'WorldMap']);
const DISPLAYS = [
  'ActionsLineGraph',
  'ActionsBar',
  'ActionsStackedBar',
  'ActionsUnstackedBar',
  'ActionsAreaGraph',
  'ActionsLineGraphCumulative',
  'BoldNumber',
  'ActionsPie',
  'ActionsBarValue',
  'ActionsTable',
  'WorldMap',
  'CalendarHeatmap',
  'BoxPlot',
] as const;

const trendsFilterSchema = z.looseObject({
  display: z.enum(DISPLAYS).nullish(),
  formula: z.string().max(1000).nullish(),
  formulas: z.array(z.string().max(1000)).max(26).nullish(),
  formulaNodes: z
    .array(z.looseObject({ formula: z.string().max(1000), custom_name: z.string().max(400).nullish() }))
    .max(26)
    .nullish(),
  smoothingIntervals: z.number().int().min(1).max(1000).nullish(),
});

export const trendsQuerySchema = z.object({
  kind: z.literal('TrendsQuery'),
  series: z.array(entityNodeSchema).min(1, 'series must list at least one series').max(50),
  interval: z.enum(INTERVALS).nullish(),
  ...insightBase,
  breakdownFilter: breakdownFilterSchema.nullish(),
  compareFilter: compareFilterSchema.nullish(),
  trendsFilter: trendsFilterSchema.nullish(),
  conversionGoal: z.unknown().optional(),
});
export type TrendsQuery = z.infer<typeof trendsQuerySchema>;

/** What a query resolves to before any HogQL runs: validated series, ranges, breakdowns, display. */
interface Resolved {
  plan: TrendsPlan;
  series: SeriesPlan[];
  display: string;
  range: InsightRange;
  previous: InsightRange | null;
}

const MAX_BUCKETS = 10_000;

/** Buckets from the interval start of `from` up to `to` (exclusive), like `resolveInsightRange`. */
function makeRange(from: number, to: number, interval: Interval, timezone: string, weekStartDay: 0 | 1): InsightRange {
  const buckets: number[] = [];
  for (let b = startOf(from, interval, timezone, weekStartDay); b < to; b = addUnits(b, interval as Unit, 1, timezone)) {
    buckets.push(b);
    if (buckets.length > MAX_BUCKETS) throw new HogQLError('query', `the date range has more than ${MAX_BUCKETS} ${interval}s; choose a larger interval`);
  }
  return { interval, from, to, buckets, timezone, weekStartDay };
}

const COMPARE_UNITS: Record<string, Unit> = { h: 'hour', d: 'day', w: 'week', m: 'month', q: 'quarter', y: 'year' };

/** The period compared against: the same length just before (PostHog's previous period), or shifted by `compare_to`. */
export function previousRange(range: InsightRange, compareTo: string | null | undefined): InsightRange {
  const tz = range.timezone;
  if (compareTo) {
    const m = /^-?(\d+)([hdwmqy])$/.exec(compareTo.trim());
    if (!m) throw new HogQLError('query', `compareFilter.compare_to "${compareTo.slice(0, 32)}" is not a relative date like -1w, -14d or -1m`);
    const unit = COMPARE_UNITS[m[2]!]!;
    const n = Number(m[1]);
    return makeRange(addUnits(range.from, unit, -n, tz), addUnits(range.to, unit, -n, tz), range.interval, tz, range.weekStartDay);
  }
  if (range.interval === 'hour' || range.interval === 'minute') return makeRange(range.from - (range.to - range.from), range.from, range.interval, tz, range.weekStartDay);
  // Whole calendar days, so a range across a DST change compares with as many days.
  const days = Math.round((range.to - range.from) / 86_400_000);
  if (days >= 1 && Math.abs(range.to - range.from - days * 86_400_000) <= 3_600_000) {
    return makeRange(addUnits(range.from, 'day', -days, tz), range.from, range.interval, tz, range.weekStartDay);
  }
  return makeRange(range.from - (range.to - range.from), range.from, range.interval, tz, range.weekStartDay);
}

/** The first event's time, for `date_from: "all"`. */
async function earliestEvent(ctx: QueryContext): Promise<number | undefined> {
  const executed = await executeHogQL(ctx.ch, ctx.log, 'SELECT min(timestamp) FROM events', { ...ctx.compileOptions });
  const value = executed.results[0]?.[0];
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(t) || t <= 0 ? undefined : t;
}

async function resolve(query: TrendsQuery, ctx: QueryContext): Promise<Resolved> {
  query.series.forEach((node, i) => validateSeries(node, i));
  const display = query.trendsFilter?.display ?? 'ActionsLineGraph';
  const totalValue = TOTAL_VALUE_DISPLAYS.has(display);
  const interval: Interval = totalValue ? 'day' : (query.interval ?? 'day');
  const cohortBreakdown = cohortBreakdownOf(query.breakdownFilter, ctx) ?? undefined;
  const breakdowns = cohortBreakdown ? [{ type: 'cohort' as const, property: 'cohort' }] : breakdownsOf(query.breakdownFilter);
  const timezone = ctx.project.timezone;
  const all = query.dateRange?.date_from === 'all';
  const earliest = all ? await earliestEvent(ctx) : undefined;
  let range: InsightRange;
  try {
    range = resolveInsightRange(query.dateRange, interval, { now: ctx.now.getTime(), timezone, earliest, weekStartDay: ctx.project.weekStartDay ?? 0 });
  } catch (err) {
    if (err instanceof Error && !(err instanceof HogQLError) && /date range has more than/.test(err.message)) throw new HogQLError('query', err.message);
    throw err;
  }
  const previous = query.compareFilter?.compare && !all ? previousRange(range, query.compareFilter.compare_to) : null;
  const plan: TrendsPlan = {
    query,
    ctx,
    breakdowns,
    cohortBreakdown,
    // The cohorts are chosen one by one: never folded into Other.
    breakdownLimit: cohortBreakdown ? cohortBreakdown.ids.length : (query.breakdownFilter?.breakdown_limit ?? (display === 'WorldMap' ? 250 : 25)),
    totalValue,
    cumulative: display === 'ActionsLineGraphCumulative',
    samplingFactor: samplingOf(query.samplingFactor),
  };
  const series = query.series.map((node) => ({ node: node as EventsSeries, math: effectiveMath(node as EventsSeries, interval) }));
  return { plan, series, display, range, previous };
}

type BreakdownValue = string | string[];

/** One breakdown value of one series over one period, as ClickHouse returned it. */
interface SeriesRow {
  breakdownValue: BreakdownValue | null;
  /** Value per bucket key. */
  points: Map<string, number>;
  sum: number;
}

const ordering = (v: BreakdownValue | number | null): number => {
  const values = v === null ? [] : Array.isArray(v) ? v : [v];
  return values.includes(BREAKDOWN_OTHER) ? 2 : values.includes(BREAKDOWN_NULL) ? 1 : 0;
};
const compareValues = (a: BreakdownValue | number | null, b: BreakdownValue | number | null): number => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

function toNumber(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : 0;
}

async function runSeries(resolved: Resolved, s: SeriesPlan, range: InsightRange, ctx: QueryContext): Promise<{ rows: SeriesRow[]; executed: ExecutedQuery }> {
  const tree = sampleEvents(seriesQuery(resolved.plan, s, range), resolved.plan.samplingFactor);
  const executed = await executeHogQL(ctx.ch, ctx.log, tree, { ...ctx.compileOptions });
  const breakdown = resolved.plan.breakdowns.length > 0;
  const rows: SeriesRow[] = executed.results.map((r) => ({
    breakdownValue: breakdown ? (Array.isArray(r[0]) ? (r[0] as unknown[]).map(String) : String(r[0])) : null,
    points: new Map((r[1] as [string, unknown][]).map(([k, v]) => [k, toNumber(v)])),
    sum: toNumber(r[2]),
  }));
  if (!breakdown && rows.length === 0) rows.push({ breakdownValue: null, points: new Map(), sum: 0 });
  // PostHog's order: real values, then the null value, then Other; each by total descending, then value.
  rows.sort((a, b) => ordering(a.breakdownValue) - ordering(b.breakdownValue) || b.sum - a.sum || compareValues(a.breakdownValue, b.breakdownValue));
  return { rows, executed };
}

/** ISO in the project timezone: `2024-03-10T00:00:00-05:00` (`Z` for UTC), optionally with `.999999`. */
function isoLocal(epochMs: number, tz: string, endOfSecond = false): string {
  const base = new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19);
  return isoInTimeZone(`${base}${endOfSecond ? '.999999' : ''}Z`, tz);
}

function resolvedDateRange(range: InsightRange) {
  return { date_from: isoLocal(range.from, range.timezone), date_to: isoLocal(range.to - 1, range.timezone, true) };
}

/** PostHog's legacy `filter` echo on every series (`_query_to_filter`). */
function legacyFilter(query: TrendsQuery, range: InsightRange): Record<string, unknown> {
  const out: Record<string, unknown> = {
    insight: 'TRENDS',
    properties: query.properties,
    filter_test_accounts: query.filterTestAccounts,
    date_to: resolvedDateRange(range).date_to,
    date_from: resolvedDateRange(range).date_from,
    entity_type: 'events',
    sampling_factor: query.samplingFactor,
    aggregation_group_type_index: query.aggregation_group_type_index,
    interval: query.interval ?? 'day',
    ...(query.trendsFilter ?? {}),
    ...(query.breakdownFilter ?? {}),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== null && v !== undefined));
}

type SeriesObject = Record<string, unknown> & { data: number[] | null; count: number; breakdown_value?: BreakdownValue | number; compare_label?: string; aggregated_value?: number };

function smooth(data: number[], n: number): number[] {
  return data.map((_, i) => {
    const window = data.slice(Math.max(0, i - n + 1), i + 1);
    return Math.floor(window.reduce((a, b) => a + b, 0) / window.length);
  });
}

function seriesObjects(resolved: Resolved, s: SeriesPlan, index: number, rows: SeriesRow[], range: InsightRange, period: 'current' | 'previous' | null, query: TrendsQuery): SeriesObject[] {
  const { plan } = resolved;
  const isAction = s.node.kind === 'ActionsNode';
  const event = s.node.kind === 'EventsNode' ? (s.node.event ?? null) : null;
  const baseLabel = isAction ? entityName(s.node, plan.ctx) : (event ?? 'All events');
  const filter = legacyFilter(query, resolved.range);
  const action = {
    days: range.buckets.map((b) => isoLocal(b, range.timezone)),
    id: s.node.kind === 'ActionsNode' ? s.node.id : event,
    type: isAction ? 'actions' : 'events',
    order: index,
    name: baseLabel,
    custom_name: s.node.custom_name ?? null,
    math: s.math === (s.node.math ?? 'total') ? (s.node.math ?? null) : s.math,
    math_property: s.node.math_property ?? null,
    math_hogql: s.node.math_hogql ?? null,
    math_group_type_index: s.node.math_group_type_index ?? null,
    properties: {},
  };
  const keys = range.buckets.map((b) => bucketKey(b, range.timezone));
  const smoothing = query.trendsFilter?.smoothingIntervals ?? 1;
  return rows.map((row) => {
    let object: SeriesObject;
    if (plan.totalValue) {
      object = { data: [], days: [], count: 0, aggregated_value: row.sum, label: baseLabel, filter, action };
    } else {
      let data = keys.map((k) => row.points.get(k) ?? 0);
      if (smoothing > 1) data = smooth(data, smoothing);
      let count = data.reduce((a, b) => a + b, 0);
      if (plan.cumulative) {
        let running = 0;
        data = data.map((v) => (running += v));
        count = data.at(-1) ?? 0;
      }
      object = {
        data,
        labels: range.buckets.map((b) => bucketLabel(b, range)),
        days: range.buckets.map((b) => bucketDay(b, range)),
        count,
        label: baseLabel,
        filter,
        action,
      };
    }
    if (period) {
      object.compare = true;
      object.compare_label = period;
    }
    if (row.breakdownValue !== null && plan.cohortBreakdown) {
      // PostHog: the cohort id (a number), or "all"; labelled with the cohort's name.
      const id = cohortIdOfValue(row.breakdownValue);
      const text = cohortName(plan.cohortBreakdown, id);
      object.label = resolved.series.length > 1 ? `${baseLabel} - ${text}` : text;
      object.breakdown_value = id === ALL_USERS_COHORT_ID ? 'all' : id;
    } else if (row.breakdownValue !== null) {
      const text = Array.isArray(row.breakdownValue) ? row.breakdownValue.join('::') : row.breakdownValue;
      object.label = resolved.series.length > 1 ? `${baseLabel} - ${text}` : text;
      object.breakdown_value = row.breakdownValue;
    }
    object.order = index;
    if (plan.samplingFactor !== undefined) {
      // PostHog scales each value of the series object (count from the unscaled data, then scaled).
      const correct = (v: number) => correctForSampling(v, plan.samplingFactor, s.node.math);
      if (object.data) object.data = object.data.map(correct);
      object.count = correct(object.count);
      if (object.aggregated_value !== undefined) object.aggregated_value = correct(object.aggregated_value);
    }
    return object;
  });
}

/** Formula nodes of a query: `formulaNodes`, else `formulas`, else `formula`. */
function formulaNodes(query: TrendsQuery): { formula: string; custom_name?: string | null }[] {
  const tf = query.trendsFilter;
  if (!tf) return [];
  if (tf.formulaNodes?.length) return tf.formulaNodes;
  if (tf.formulas?.length) return tf.formulas.map((formula) => ({ formula }));
  if (tf.formula && tf.formula.trim()) return [{ formula: tf.formula }];
  return [];
}

/** PostHog's `apply_formula`: per breakdown value (matched across series), else on the series' single results. */
function applyFormulaNode(node: { formula: string; custom_name?: string | null }, results: SeriesObject[][], breakdown: boolean, totalValue: boolean, compare: boolean): SeriesObject[] {
  if (results.length === 0) return [];
  const tree = parseFormula(node.formula, results.length);
  const label = node.custom_name || `Formula (${node.formula})`;
  const compute = (group: (SeriesObject | null)[], any: SeriesObject): SeriesObject => {
    const base: SeriesObject = structuredClone(group[0] ?? any);
    base.label = label;
    base.action = null;
    if (totalValue) {
      const values = applyFormula(tree, group.map((g) => [g?.aggregated_value ?? 0]));
      base.aggregated_value = values.reduce((a, b) => a + b, 0);
      base.data = null;
      base.count = 0;
    } else {
      const length = any.data?.length ?? 0;
      const values = applyFormula(
        tree,
        group.map((g) => g?.data ?? new Array<number>(length).fill(0)),
      );
      base.data = values;
      base.count = values.reduce((a, b) => a + b, 0);
    }
    if (group[0] === null) base.breakdown_value = any.breakdown_value;
    return base;
  };
  if (!breakdown) return [compute(results.map((r) => r[0] ?? null), results.find((r) => r[0])?.[0] ?? results[0]![0]!)];
  const keyOf = (o: SeriesObject) => JSON.stringify(o.breakdown_value ?? null);
  const keys = [...new Set(results.flatMap((r) => r.map(keyOf)))];
  const computed = keys.map((key) => {
    const group = results.map((r) => r.find((o) => keyOf(o) === key) ?? null);
    return compute(group, group.find((g) => g !== null)!);
  });
  const total = (o: SeriesObject) => (totalValue ? (o.aggregated_value ?? 0) : (o.data ?? []).reduce((a, b) => a + b, 0));
  if (compare) return computed.sort((a, b) => b.count - a.count);
  return computed.sort(
    (a, b) =>
      ordering(a.breakdown_value ?? null) - ordering(b.breakdown_value ?? null) ||
      total(b) - total(a) ||
      b.count - a.count ||
      compareValues(b.breakdown_value ?? null, a.breakdown_value ?? null),
  );
}

export async function runTrendsQuery(query: TrendsQuery, ctx: QueryContext): Promise<Record<string, unknown>> {
  const resolved = await resolve(query, ctx);
  const periods: { range: InsightRange; label: 'current' | 'previous' | null }[] = resolved.previous
    ? [
        { range: resolved.range, label: 'current' },
        { range: resolved.previous, label: 'previous' },
      ]
    : [{ range: resolved.range, label: null }];
  // One query per series and period; ClickHouse runs them concurrently.
  const runs = await Promise.all(periods.flatMap((p) => resolved.series.map((s) => runSeries(resolved, s, p.range, ctx))));
  const perSeries: SeriesObject[][] = [];
  let k = 0;
  for (const p of periods) {
    resolved.series.forEach((s, index) => {
      perSeries.push(seriesObjects(resolved, s, index, runs[k++]!.rows, p.range, p.label, query));
    });
  }

  const breakdown = resolved.plan.breakdowns.length > 0;
  let results: SeriesObject[];
  const formulas = formulaNodes(query);
  if (formulas.length) {
    results = [];
    const n = resolved.series.length;
    const groups = resolved.previous ? [perSeries.slice(0, n), perSeries.slice(n)] : [perSeries];
    for (const node of formulas) {
      for (const group of groups) results.push(...applyFormulaNode(node, group, breakdown, resolved.plan.totalValue, resolved.previous !== null));
    }
  } else {
    results = perSeries.flat();
  }

  const isOther = (o: SeriesObject) => (Array.isArray(o.breakdown_value) ? o.breakdown_value.includes(BREAKDOWN_OTHER) : o.breakdown_value === BREAKDOWN_OTHER);
  const hasMore = breakdown && results.some(isOther);
  if (hasMore && query.breakdownFilter?.breakdown_hide_other_aggregation) results = results.filter((o) => !isOther(o));

  return {
    results,
    hasMore,
    timings: runs.flatMap((r) => r.executed.timings),
    hogql: runs.map((r) => r.executed.compiled.hogql).join('\nUNION ALL\n'),
    modifiers: query.modifiers ?? {},
    resolved_date_range: resolvedDateRange(resolved.range),
  };
}

/** A breakdown value sent back by the client: strings, numbers or (several breakdowns) a list. */
function requestedValues(requested: ActorsRequest['breakdown'], breakdowns: Breakdown[]): string[] {
  const values = Array.isArray(requested) ? requested.map(String) : [String(requested)];
  if (values.length !== breakdowns.length) {
    throw new HogQLError('query', `breakdown must have one value per breakdown (${breakdowns.length}), got ${values.length}`);
  }
  return values;
}

/** `[10,17.5]` → the bin's bounds. */
function parseBin(value: string): [number, number] | 'all' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((x) => x === '')) return 'all';
  if (Array.isArray(parsed) && parsed.length === 2 && parsed.every((x) => typeof x === 'number' && Number.isFinite(x))) return parsed as [number, number];
  throw new HogQLError('query', `breakdown "${value.slice(0, 100)}" is not a histogram bin like [10,17.5]`);
}

/**
 * "Who is behind this data point" (InsightActorsQuery): the actors of series `series` who performed
 * its events in bucket `day` (or anywhere in the range for total-value displays / no day), with
 * breakdown value `breakdown`, in the current or `previous` period.
 */
export async function trendsActors(query: TrendsQuery, request: ActorsRequest, ctx: QueryContext): Promise<SelectQuery> {
  const resolved = await resolve(query, ctx);
  const index = request.series ?? 0;
  const s = resolved.series[index];
  if (!s) throw new HogQLError('query', `series ${index} does not exist: the query has ${resolved.series.length} series`);
  const previous = request.compare === 'previous';
  const range = previous ? (resolved.previous ?? previousRange(resolved.range, query.compareFilter?.compare_to)) : resolved.range;
  const tz = range.timezone;

  let window: { from: number; to: number; bucket?: number } = { from: range.from, to: range.to };
  if (request.day !== null && request.day !== undefined && request.day !== '' && !resolved.plan.totalValue) {
    if (typeof request.day === 'number') throw new HogQLError('query', 'day must be a date such as 2024-03-10 for trends');
    const bucket = startOf(parseDate(request.day, ctx.now.getTime(), tz, 'day').epochMs, range.interval, tz, range.weekStartDay);
    const next = addUnits(bucket, range.interval as Unit, 1, tz);
    window = { from: Math.max(bucket, range.from), to: Math.min(next, range.to), bucket };
  }

  let { plan } = resolved;
  let condition: (columns: Expr[]) => Expr = () => ({ node: 'Constant', value: true });
  if (plan.cohortBreakdown) {
    // The query without the breakdown, filtered by the cohort asked for (no value: any listed cohort).
    const cb = plan.cohortBreakdown;
    const ids = request.breakdown === null || request.breakdown === undefined ? cb.ids : [requestedCohort(cb, request.breakdown)];
    plan = { ...plan, breakdowns: [], cohortBreakdown: undefined, query: { ...plan.query, properties: andProperties(plan.query.properties, cohortMembershipFilter(ids)) } };
  } else if (plan.breakdowns.length && request.breakdown !== null && request.breakdown !== undefined) {
    const values = requestedValues(request.breakdown, plan.breakdowns);
    const histogram = plan.breakdowns.some((b) => b.histogram_bin_count);
    if (values.every((v) => v === BREAKDOWN_OTHER)) {
      if (histogram) throw new HogQLError('query', 'listing the actors of the Other bin of a histogram breakdown is not supported');
      // Other = every value not among the shown ones.
      const { rows } = await runSeries(resolved, s, range, ctx);
      const shown = rows.map((r) => r.breakdownValue).filter((v): v is BreakdownValue => v !== null && ordering(v) < 2);
      condition = (columns) => {
        const label: Expr = columns.length === 1 ? columns[0]! : { node: 'Array', exprs: columns };
        return replacePlaceholders(parseExpr('NOT has({shown}, {label})'), { shown: shown, label: { expr: label } });
      };
    } else {
      condition = (columns) =>
        and(
          plan.breakdowns.map((b, i): Expr => {
            const column = columns[i]!;
            const value = values[i]!;
            if (!b.histogram_bin_count) return { node: 'CompareOperation', op: '==', left: column, right: { node: 'Constant', value } };
            if (value === BREAKDOWN_NULL) return { node: 'CompareOperation', op: '==', left: column, right: { node: 'Constant', value: null }, is_null_comparison_style: true };
            const bin = parseBin(value);
            if (bin === 'all') return { node: 'Constant', value: true };
            return replacePlaceholders(parseExpr('{v} >= {lo} AND {v} < {hi}'), { v: { expr: column }, lo: bin[0], hi: bin[1] });
          }),
        );
    }
  }
  return sampleEvents(seriesActorsQuery(plan, s, range, window, condition), plan.samplingFactor);
}
