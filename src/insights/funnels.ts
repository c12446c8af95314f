/**
 * PostHog's `FunnelsQuery` (reference §4.8): steps, time to convert and conversion trends, in
 * ordered, strict and unordered order, with exclusions, breakdowns (first/last touch, all events, a
 * given step; limit + "Other"), person or group aggregation, the actors behind a step, a trends
 * period or a time-to-convert bin (`FunnelsActorsQuery`), `compareFilter` (steps and trends viz, see
 * mergeCompared) and `samplingFactor`. The per-actor matching runs in ClickHouse (see
 * funnels-engine.ts); only per-step aggregates come back.
 *
 * Beyond PostHog (optional fields; PostHog ignores or rejects them):
 * - `series[k].funnelStepWindow: {interval, unit}` — a conversion window per step: step k must happen
 *   at most that long after the previous step reached (on top of the funnel's window, which is
 *   measured from step 1). Ordered and strict funnels only; not on the first step.
 * - `series[k].optionalInFunnel` — the step may be skipped (PostHog added this too): counts are per
 *   step (a skipped optional step is not counted), the conversion time of a step is measured from the
 *   previous step the actor reached. Steps viz of ordered/strict funnels only, never the first step.
 * - `funnelsFilter.exclusions[].properties` — exclusion nodes are full EventsNodes, so an exclusion can
 *   be "pageview with url = /cancel" while a step is "pageview with url = /checkout".
 * - `breakdownFilter.breakdowns: [{type, property, …}]` — several breakdowns at once (up to 3); the
 *   breakdown value is then a list with one string per breakdown.
 *
 * Cohort breakdowns (as PostHog: each (actor, cohort) is a funnel of its own over the events of that
 * cohort's persons; `breakdown` = the cohort's name, `breakdown_value` = its id, 0 for "all users"):
 * events are repeated once per listed cohort of their person and evaluated with the `all_events`
 * attribution (the breakdown attribution type does not apply). Cohorts are never folded into Other.
 *
 * Semantics that differ from a literal reading of PostHog's UDF, by design or for speed:
 * - times are compared to the millisecond (PostHog: microseconds);
 * - step attribution evaluates an actor under each value of its attribution-step events, or under the
 *   empty value if it has none (PostHog also evaluates every actor under the empty value, counting
 *   converters twice in the early steps);
 * - breakdown values missing on an event are '' (as PostHog's funnels have them, not the null sentinel);
 *   first/last touch ties at the same millisecond go to the smallest/largest value;
 * - events that match several steps and share their millisecond with events matching other steps are
 *   ordered by their lowest step (PostHog replays such groups step by step);
 * - in the trends viz, excluded attempts do not count; an entrance period with only excluded attempts
 *   is left out (PostHog drops partial matches when an attempt is "fully" excluded);
 * - unordered funnels: an event matching several steps counts for each of them.
 */
import { z } from 'zod';
import { HedgerowError } from '../errors.js';
import { HogQLError, type Expr, type SelectQuery } from '../hogql/ast.js';
import { parseExpr, parseSelect } from '../hogql/parser.js';
import { replacePlaceholders, type PlaceholderValue } from '../hogql/placeholders.js';
import { isoInTimeZone } from '../hogql/results.js';
import { executeHogQL } from '../query/execute.js';
import type { QueryContext } from '../query/query-context.js';
import { entrancePeriodKey, funnelDrillDown, notAPeriodStart, type FunnelsActorsRequest } from './funnel-actors-request.js';
import { conversionTimeExpr, evaluationSelect, type Attribution, type EnginePlan, type OrderType } from './funnels-engine.js';
import { actorFilter, and, BREAKDOWN_NULL, breakdownValueExpr, entityFilter, globalFilters, or } from './insight-filters.js';
import { bucketDay, bucketKey, bucketKeyExpr, bucketLabel, rangeExprs, resolveInsightRange, type InsightRange } from './insight-range.js';
import { correctForSampling, sampleEvents, samplingOf } from './sampling.js';
import { previousRange } from './trends.js';
import { cohortBreakdownOf, cohortIdOfValue, cohortName, cohortValueExpr, requestedCohort, type CohortBreakdown } from './cohort-breakdown.js';
import { actionsNodeSchema, breakdownFilterSchema, breakdownsOf, compareFilterSchema, eventsNodeSchema, insightBase, INTERVALS, type Breakdown } from './insight-schemas.js';

export const MAX_FUNNEL_STEPS = 30;
const WINDOW_UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month'] as const;
type WindowUnit = (typeof WINDOW_UNITS)[number];
/** PostHog's DATERANGE_MAP (a month is 31 days). */
const UNIT_MS: Record<WindowUnit, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000, month: 31 * 86_400_000 };
/** Windows beyond this are "forever" (keeps the engine's integer arithmetic far from overflow). */
const MAX_WINDOW_MS = 2 ** 52;
const DEFAULT_BREAKDOWN_LIMIT = 25;

const stepWindowSchema = z.object({ interval: z.number().int().min(1).max(1_000_000_000), unit: z.enum(WINDOW_UNITS) });
const funnelStepExtension = { funnelStepWindow: stepWindowSchema.nullish() };
const seriesNodeSchema = z.discriminatedUnion('kind', [eventsNodeSchema.extend(funnelStepExtension), actionsNodeSchema.extend(funnelStepExtension)]);
type SeriesNode = z.infer<typeof seriesNodeSchema>;
const exclusionRange = { funnelFromStep: z.number().int().min(0).max(MAX_FUNNEL_STEPS), funnelToStep: z.number().int().min(0).max(MAX_FUNNEL_STEPS) };
const exclusionNodeSchema = z.discriminatedUnion('kind', [eventsNodeSchema.extend(exclusionRange), actionsNodeSchema.extend(exclusionRange)]);
type ExclusionNode = z.infer<typeof exclusionNodeSchema>;

export const funnelsFilterSchema = z.object({
  funnelOrderType: z.enum(['ordered', 'strict', 'unordered']).nullish(),
  funnelVizType: z.enum(['steps', 'time_to_convert', 'trends']).nullish(),
  funnelWindowInterval: z.number().int().min(1).max(1_000_000_000).nullish(),
  funnelWindowIntervalUnit: z.enum(WINDOW_UNITS).nullish(),
  exclusions: z.array(exclusionNodeSchema).max(50).nullish(),
  breakdownAttributionType: z.enum(['first_touch', 'last_touch', 'all_events', 'step']).nullish(),
  breakdownAttributionValue: z.number().int().min(0).nullish(),
  funnelFromStep: z.number().int().nullish(),
  funnelToStep: z.number().int().nullish(),
  funnelAggregateByHogQL: z.string().max(10_000).nullish(),
  binCount: z.number().int().nullish(),
  // Display-only (accepted, no effect on results).
  funnelStepReference: z.enum(['total', 'previous']).nullish(),
  layout: z.string().nullish(),
  hiddenLegendBreakdowns: z.unknown().optional(),
  resultCustomizations: z.unknown().optional(),
  goalLines: z.unknown().optional(),
  showValuesOnSeries: z.boolean().nullish(),
  useUdf: z.boolean().nullish(),
});

export const funnelsQuerySchema = z.object({
  kind: z.literal('FunnelsQuery'),
  series: z.array(seriesNodeSchema).min(2, 'Funnels require at least two steps.').max(MAX_FUNNEL_STEPS, `Funnels have at most ${MAX_FUNNEL_STEPS} steps.`),
  interval: z.enum(INTERVALS).nullish(),
  ...insightBase,
  breakdownFilter: breakdownFilterSchema.nullish(),
  funnelsFilter: funnelsFilterSchema.nullish(),
  compareFilter: compareFilterSchema.nullish(),
});
export type FunnelsQuery = z.infer<typeof funnelsQuerySchema>;

type VizType = 'steps' | 'time_to_convert' | 'trends';

interface Plan {
  query: FunnelsQuery;
  engine: EnginePlan;
  values: Record<string, PlaceholderValue>;
  range: InsightRange;
  viz: VizType;
  breakdowns: Breakdown[];
  /** A cohort breakdown: breakdown values are cohort ids ('0' = all users). */
  cohortBreakdown: CohortBreakdown | null;
  /** Values beyond this many are merged into Other. */
  breakdownLimit: number;
  /** Aggregated by person (actor ids are person uuids). */
  byPerson: boolean;
  fromStep: number;
  toStep: number;
}

const invalid = (message: string, attr: string | null = null) => new HedgerowError('invalid_input', message, attr);

// ------------------------------------------------------------------------------------------- validation

/** PostHog's `_sorted_property_reprs`: properties compared as a multiset of canonical strings. */
function propertyReprs(properties: unknown): string[] {
  if (properties === null || properties === undefined) return [];
  const canon = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(canon).join(',')}]`
      : typeof v === 'object' && v !== null
        ? `{${Object.keys(v)
            .filter((k) => k !== 'label' && (v as Record<string, unknown>)[k] !== undefined && (v as Record<string, unknown>)[k] !== null)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`)
            .join(',')}}`
        : JSON.stringify(v);
  return (Array.isArray(properties) ? properties.map(canon) : [canon(properties)]).sort();
}

function sameEntity(a: { kind: string; event?: string | null; id?: unknown }, b: { kind: string; event?: string | null; id?: unknown }): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind === 'ActionsNode' ? String(a.id) === String(b.id) : (a.event ?? null) === (b.event ?? null);
}

/** PostHog's is_equal / is_superset(a, b): same entity and a's properties ⊆ b's (a matches every event b does). */
function matchesEveryEventOf(a: SeriesNode | ExclusionNode, b: SeriesNode | ExclusionNode): boolean {
  if (!sameEntity(a, b)) return false;
  const rest = [...propertyReprs(b.properties), ...propertyReprs(b.fixedProperties)];
  for (const r of [...propertyReprs(a.properties), ...propertyReprs(a.fixedProperties)]) {
    const i = rest.indexOf(r);
    if (i < 0) return false;
    rest.splice(i, 1);
  }
  return true;
}

function validate(query: FunnelsQuery): void {
  const f = query.funnelsFilter ?? {};
  const n = query.series.length;
  const maxIndex = n - 1;
  if (f.funnelFromStep !== null && f.funnelFromStep !== undefined && !(f.funnelFromStep >= 0 && f.funnelFromStep <= maxIndex - 1)) {
    throw invalid(`funnelFromStep is out of bounds. It must be between 0 and ${maxIndex - 1}.`, 'funnelsFilter.funnelFromStep');
  }
  if (f.funnelToStep !== null && f.funnelToStep !== undefined) {
    if (!(f.funnelToStep >= 1 && f.funnelToStep <= maxIndex)) throw invalid(`funnelToStep is out of bounds. It must be between 1 and ${maxIndex}.`, 'funnelsFilter.funnelToStep');
    if (f.funnelFromStep !== null && f.funnelFromStep !== undefined && f.funnelFromStep >= f.funnelToStep) {
      throw invalid('Funnel step range is invalid. funnelToStep should be greater than funnelFromStep.', 'funnelsFilter.funnelToStep');
    }
  }
  const order = f.funnelOrderType ?? 'ordered';
  for (const [i, e] of (f.exclusions ?? []).entries()) {
    const attr = `funnelsFilter.exclusions.${i}`;
    if (order === 'unordered' && (e.funnelFromStep !== 0 || e.funnelToStep !== maxIndex)) throw invalid('Partial Exclusions not allowed in unordered funnels', attr);
    if (e.funnelFromStep >= e.funnelToStep) throw invalid('Exclusion event range is invalid. End of range should be greater than start.', attr);
    if (e.funnelFromStep >= n - 1) throw invalid('Exclusion event range is invalid. Start of range is greater than number of steps.', attr);
    if (e.funnelToStep > n - 1) throw invalid('Exclusion event range is invalid. End of range is greater than number of steps.', attr);
    for (const step of query.series.slice(e.funnelFromStep, e.funnelToStep + 1)) {
      if (matchesEveryEventOf(step, e)) throw invalid("Exclusion steps cannot contain an event that's part of funnel steps.", attr);
    }
  }
  const viz = f.funnelVizType ?? 'steps';
  if (query.series.some((s) => s.optionalInFunnel)) {
    if (viz !== 'steps' || order === 'unordered') {
      throw invalid('Optional funnel steps are only supported in funnels with step order Sequential or Strict and the graph type "Conversion Steps".', 'series');
    }
    if (query.series[0]!.optionalInFunnel) throw invalid('The first step of a funnel cannot be optional.', 'series.0.optionalInFunnel');
    for (let i = 0; i + 1 < n; i++) {
      const a = query.series[i]!;
      const b = query.series[i + 1]!;
      if (a.optionalInFunnel && !b.optionalInFunnel && (matchesEveryEventOf(a, b) || matchesEveryEventOf(b, a))) {
        throw invalid('An optional step cannot be the same as the following required step.', `series.${i}.optionalInFunnel`);
      }
    }
  }
  query.series.forEach((s, i) => {
    if (!s.funnelStepWindow) return;
    if (i === 0) throw invalid('funnelStepWindow limits the time since the previous step; the first step has none.', 'series.0.funnelStepWindow');
    if (order === 'unordered') throw invalid('funnelStepWindow needs an order between steps; unordered funnels use the funnel window only.', `series.${i}.funnelStepWindow`);
  });
  if (f.breakdownAttributionType === 'step') {
    const value = f.breakdownAttributionValue ?? 0;
    if (order === 'unordered' && value !== 0) throw invalid('Only the first step can be used for breakdown attribution in unordered funnels', 'funnelsFilter.breakdownAttributionValue');
    if (value > maxIndex) throw invalid(`breakdownAttributionValue is out of bounds. It must be between 0 and ${maxIndex}.`, 'funnelsFilter.breakdownAttributionValue');
  }
  if (query.compareFilter?.compare) {
    if (viz === 'time_to_convert') throw invalid('compareFilter is supported for the steps and trends visualizations of funnels, not time_to_convert', 'compareFilter.compare');
    if (query.dateRange?.date_from === 'all') throw invalid('compareFilter needs a date range with a start; "all" has no previous period', 'compareFilter.compare');
  }
  if (viz === 'time_to_convert') {
    const to = f.funnelToStep ?? maxIndex;
    if (!(to > 0 && to < n)) throw invalid(`Filter parameter funnel_to_step can only be one of ${Array.from({ length: n - 1 }, (_, i) => i + 1).join(', ')} for time to convert!`, 'funnelsFilter.funnelToStep');
  }
}

// ------------------------------------------------------------------------------------------- planning

async function earliestEvent(ctx: QueryContext): Promise<number | undefined> {
  const executed = await executeHogQL(ctx.ch, ctx.log, 'SELECT min(timestamp) FROM events', { ...ctx.compileOptions });
  const value = executed.results[0]?.[0];
  const t = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(t) || t <= 0 ? undefined : t;
}

const c = (value: string | number | boolean | null): Expr => ({ node: 'Constant', value });
const call = (name: string, ...args: Expr[]): Expr => ({ node: 'Call', name, args });

/** A breakdown's value as PostHog's funnels have it: the string, or NULL when missing (shown as ''). */
function breakdownOrNull(b: Breakdown): Expr {
  return call('nullIf', breakdownValueExpr(b), c(BREAKDOWN_NULL));
}

/** `period: 'previous'` plans the compared period (compareFilter): the range before, or shifted by `compare_to`. */
async function plan(query: FunnelsQuery, ctx: QueryContext, period: 'current' | 'previous' = 'current'): Promise<Plan> {
  validate(query);
  const f = query.funnelsFilter ?? {};
  const order: OrderType = f.funnelOrderType ?? 'ordered';
  const viz: VizType = f.funnelVizType ?? 'steps';
  const maxIndex = query.series.length - 1;
  // Conversion trends truncate the funnel at funnelToStep.
  const toStep = f.funnelToStep ?? maxIndex;
  const fromStep = f.funnelFromStep ?? 0;
  const series = viz === 'trends' ? query.series.slice(0, toStep + 1) : query.series;
  const n = series.length;

  const interval = query.interval ?? 'day';
  const timezone = ctx.project.timezone;
  const earliest = query.dateRange?.date_from === 'all' ? await earliestEvent(ctx) : undefined;
  let range: InsightRange;
  try {
    range = resolveInsightRange(query.dateRange, interval, { now: ctx.now.getTime(), timezone, earliest, weekStartDay: ctx.project.weekStartDay ?? 0 });
  } catch (err) {
    if (err instanceof HogQLError) throw err;
    throw invalid((err as Error).message, 'dateRange');
  }
  if (period === 'previous') range = previousRange(range, query.compareFilter?.compare_to);

  const cohortBreakdown = cohortBreakdownOf(query.breakdownFilter, ctx);
  const breakdowns = cohortBreakdown ? [{ type: 'cohort' as const, property: 'cohort' }] : breakdownsOf(query.breakdownFilter);
  const breakdownArray = !cohortBreakdown && (!!query.breakdownFilter?.breakdowns?.length || Array.isArray(query.breakdownFilter?.breakdown));
  // Cohort breakdowns: every event of a cohort's persons counts for that cohort (PostHog evaluates each (actor, cohort)).
  const attribution: Attribution = breakdowns.length === 0 ? 'none' : cohortBreakdown ? 'all_events' : (f.breakdownAttributionType ?? 'first_touch');

  const windowMs = Math.min(MAX_WINDOW_MS, (f.funnelWindowInterval ?? 14) * UNIT_MS[f.funnelWindowIntervalUnit ?? 'day']);
  const exclusions = f.exclusions ?? [];
  const engine: EnginePlan = {
    n,
    order,
    windowMs,
    stepWindowMs: series.map((s) => (s.funnelStepWindow ? Math.min(MAX_WINDOW_MS, s.funnelStepWindow.interval * UNIT_MS[s.funnelStepWindow.unit]) : null)),
    optional: series.map((s) => !!s.optionalInFunnel),
    exclusions: series.map((_, k) => k >= 1 && exclusions.some((e) => e.funnelFromStep < k && k <= e.funnelToStep)),
    attribution,
    attributionStep: f.breakdownAttributionValue ?? 0,
    breakdownArray,
    breakdownCount: breakdowns.length,
    fromMs: range.from,
    toMs: range.to,
    interval,
    weekStartDay: range.weekStartDay,
    allEvents: order === 'strict',
  };

  const values: Record<string, PlaceholderValue> = {};
  const agi = query.aggregation_group_type_index;
  const byHogQL = f.funnelAggregateByHogQL?.trim();
  let actor: Expr;
  if (byHogQL) actor = parseExpr(byHogQL);
  else actor = agi === null || agi === undefined ? { node: 'Field', chain: ['person_id'] } : { node: 'Field', chain: [`$group_${agi}`] };
  values.actor = { expr: actor };

  const stepExprs = series.map((s) => entityFilter(s, ctx));
  stepExprs.forEach((e, k) => (values[`step_${k}`] = { expr: e }));
  const exclusionExprs: Expr[] = [];
  for (let k = 1; k < n; k++) {
    if (!engine.exclusions[k]) continue;
    const e = or(exclusions.filter((x) => x.funnelFromStep < k && k <= x.funnelToStep).map((x) => entityFilter(x, ctx)));
    values[`excl_${k}`] = { expr: e };
    exclusionExprs.push(e);
  }
  if (cohortBreakdown) {
    values.bd = { expr: cohortValueExpr(cohortBreakdown) };
  } else if (attribution !== 'none') {
    const raw = breakdowns.map(breakdownOrNull);
    values.bd = { expr: breakdownArray ? { node: 'Array', exprs: raw.map((r) => call('ifNull', r, c(''))) } : call('ifNull', raw[0]!, c('')) };
    values.bdok = { expr: or(raw.map((r) => call('isNotNull', r))) };
  }

  const where: Expr[] = [...rangeExprs(range), ...globalFilters(query, ctx), ...actorFilter(byHogQL ? null : agi)];
  if (order !== 'strict') {
    const nodes = [...series, ...exclusions];
    if (nodes.every((x) => x.kind === 'EventsNode' && x.event !== null && x.event !== undefined)) {
      const names = [...new Set(nodes.map((x) => (x as { event: string }).event))];
      where.push({ node: 'CompareOperation', op: 'in', left: { node: 'Field', chain: ['event'] }, right: { node: 'Tuple', exprs: names.map(c) } });
    }
    where.push(or([...stepExprs, ...exclusionExprs]));
  }
  values.where = { expr: and(where) };

  const breakdownLimit = cohortBreakdown ? cohortBreakdown.ids.length : (query.breakdownFilter?.breakdown_limit ?? DEFAULT_BREAKDOWN_LIMIT);
  return { query, engine, values, range, viz, breakdowns, cohortBreakdown, breakdownLimit, byPerson: !byHogQL && (agi === null || agi === undefined), fromStep, toStep };
}

// ------------------------------------------------------------------------------------------- queries

/** Per-step counts and conversion-time arrays per breakdown value, the top values kept and the rest merged into Other. */
function stepsQuery(p: Plan): string {
  const e = p.engine;
  const n = e.n;
  const counts = Array.from({ length: n }, (_, k) => `countIf(bitTest(f_mask, ${k})) AS c${k}`);
  const times = Array.from({ length: n - 1 }, (_, i) => {
    const j = i + 1;
    const ct = conversionTimeExpr(e, j);
    return `groupArrayIf(${ct}, bitTest(f_mask, ${j}) AND ${ct} > 0) AS a${j}`;
  });
  const perValue = `SELECT f_pv AS f_value, ${[...counts, ...times].join(', ')} FROM (${evaluationSelect(e)}) WHERE f_excl = 0 AND f_d >= 1 GROUP BY f_value`;
  const byCounts = (prefix: string) =>
    Array.from({ length: n }, (_, i) => `${prefix}${n - 1 - i} DESC`)
      .concat('f_value ASC')
      .join(', ');
  const ranked = `SELECT *, row_number() OVER (ORDER BY ${byCounts('c')}) AS f_rn FROM (${perValue})`;
  const limit = p.breakdownLimit;
  const other = e.breakdownArray ? "['Other']" : "'Other'";
  const value = e.attribution === 'none' ? 'f_value' : `if(f_rn <= ${limit}, f_value, ${other})`;
  const sums = Array.from({ length: n }, (_, k) => `sum(c${k}) AS s${k}`);
  const avgs = Array.from({ length: n - 1 }, (_, i) => `avgArray(a${i + 1}) AS avg${i + 1}`);
  const medians = Array.from({ length: n - 1 }, (_, i) => `medianArray(a${i + 1}) AS med${i + 1}`);
  const order = Array.from({ length: n }, (_, i) => `s${n - 1 - i} DESC`)
    .concat('f_final ASC')
    .join(', ');
  return `SELECT ${value} AS f_final, ${[...sums, ...avgs, ...medians].join(', ')} FROM (${ranked}) GROUP BY f_final ORDER BY ${order} LIMIT ${e.attribution === 'none' ? 1 : limit + 1}`;
}

/**
 * One row per converted actor (and breakdown value): its conversion time in seconds from funnelFromStep
 * to funnelToStep. The histogram bins these; a bin's actors are those with f_tt in it.
 */
function conversionTimesSelect(p: Plan): string {
  return `SELECT f_actor, f_pv, (f_times[${p.toStep + 1}] - f_times[${p.fromStep + 1}]) / 1000 AS f_tt FROM (${evaluationSelect(p.engine)}) WHERE f_excl = 0 AND f_d >= ${p.toStep + 1}`;
}

function timeToConvertQuery(p: Plan, binCount: number | null): string {
  const bins = binCount === null ? '_toInt64(least(60, greatest(1, ceil(cbrt(length(f_tts))))))' : String(Math.min(90, Math.max(1, binCount)));
  return `SELECT f_buckets, f_counts, f_avg FROM (
    SELECT groupArray(f_tt) AS f_tts,
      ${bins} AS f_bc,
      floor(arrayMin(f_tts)) AS f_min,
      ceil(arrayMax(f_tts)) AS f_max,
      ceil((f_max - f_min) / f_bc) AS f_wr,
      if(f_wr > 0, f_wr, 60) AS f_w,
      arrayMap(i -> _toInt64(round(f_min + i * f_w)), range(0, f_bc + 1)) AS f_buckets,
      arrayMap(x -> _toInt64(floor((x - f_min) / f_w)), f_tts) AS f_idx,
      arrayMap(i -> countEqual(f_idx, i), range(0, f_bc + 1)) AS f_counts,
      if(empty(f_tts), NULL, arrayAvg(f_tts)) AS f_avg
    FROM (${conversionTimesSelect(p)}))`;
}

/**
 * One row per actor, breakdown value and entrance period (f_bucket, a `bucketKey`): the deepest step
 * (1-based, f_md) reached by an attempt that started in that period. Placeholder {bucket}: see
 * `entrancePeriodValues`. The trends count these rows; a period's actors are read from them too.
 */
function entrancePeriodsSelect(p: Plan): string {
  // Every attempt (window, for unordered funnels): its entrance period and how far it got.
  const attempts = p.engine.order === 'unordered' ? 'f_AT' : 'arrayFilter(x -> x.5 = 0, f_AT)';
  return `SELECT f_actor, f_pv, f_bucket, max(f_ad) AS f_md FROM (
      SELECT f_actor, f_pv, arrayJoin(${attempts}) AS f_a, {bucket} AS f_bucket, f_a.1 AS f_ad FROM (${evaluationSelect(p.engine)})
    ) GROUP BY f_actor, f_pv, f_bucket`;
}

/** {bucket}: the local start of the period in which an attempt (`f_a`) started. */
function entrancePeriodValues(p: Plan): Record<string, PlaceholderValue> {
  const e = p.engine;
  const at: Expr = { node: 'TupleAccess', tuple: { node: 'Field', chain: ['f_a'] }, index: e.order === 'unordered' ? 2 : 7 };
  const instant = call('toTimeZone', call('fromUnixTimestamp64Milli', { node: 'ArithmeticOperation', op: '+', left: at, right: c(e.fromMs) }));
  return { bucket: { expr: bucketKeyExpr(p.range.interval, p.range.weekStartDay, instant) } };
}

function trendsQuery(p: Plan): string {
  return `SELECT f_bucket, countIf(f_md >= ${p.fromStep + 1}) AS f_from, countIf(f_md >= ${p.toStep + 1}) AS f_to,
      if(f_from > 0, round(f_to / f_from * 100, 2), 0) AS f_rate, f_pv
    FROM (${entrancePeriodsSelect(p)}) GROUP BY f_bucket, f_pv ORDER BY f_pv, f_bucket LIMIT 50000`;
}

async function run(p: Plan, text: string, ctx: QueryContext, extra: Record<string, PlaceholderValue> = {}) {
  // samplingFactor: the events scan reads SAMPLE factor (step counts are scaled back in runSteps).
  const tree = samplingOf(p.query.samplingFactor) === undefined ? text : sampleEvents(parseSelect(text), p.query.samplingFactor);
  return executeHogQL(ctx.ch, ctx.log, tree, { ...ctx.compileOptions, values: { ...p.values, ...extra } });
}

// ------------------------------------------------------------------------------------------- responses

function isoLocal(epochMs: number, tz: string, endOfSecond = false): string {
  const base = new Date(Math.floor(epochMs / 1000) * 1000).toISOString().slice(0, 19);
  return isoInTimeZone(`${base}${endOfSecond ? '.999999' : ''}Z`, tz);
}

function stepObject(p: Plan, index: number, count: number, avg: number | null, median: number | null): Record<string, unknown> {
  const node = p.query.series[index]!;
  const type = node.kind === 'ActionsNode' ? 'actions' : 'events';
  if (p.engine.order === 'unordered') {
    return { action_id: null, name: `Completed ${index + 1} step${index !== 0 ? 's' : ''}`, custom_name: null, order: index, people: [], count, type, average_conversion_time: avg, median_conversion_time: median };
  }
  const id = node.kind === 'ActionsNode' ? node.id : (node.event ?? null);
  return {
    action_id: id,
    name: node.kind === 'ActionsNode' ? (node.name ?? String(node.id)) : (node.event ?? null),
    custom_name: node.custom_name ?? null,
    order: index,
    people: [],
    count,
    type,
    average_conversion_time: avg,
    median_conversion_time: median,
  };
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

async function runSteps(p: Plan, ctx: QueryContext) {
  const executed = await run(p, stepsQuery(p), ctx);
  const n = p.engine.n;
  let groups = executed.results.map((row) => {
    const value = row[0] as string | string[];
    return Array.from({ length: n }, (_, k) => {
      const obj = stepObject(p, k, correctForSampling(Number(row[1 + k]), p.query.samplingFactor), k === 0 ? null : num(row[1 + n + k - 1]), k === 0 ? null : num(row[1 + n + (n - 1) + k - 1]));
      if (p.cohortBreakdown) {
        const id = cohortIdOfValue(value);
        Object.assign(obj, { breakdown: cohortName(p.cohortBreakdown, id), breakdown_value: id });
      } else if (p.engine.attribution !== 'none') Object.assign(obj, { breakdown: value, breakdown_value: value });
      return obj;
    });
  });
  if (p.engine.attribution !== 'none' && p.query.breakdownFilter?.breakdown_hide_other_aggregation) {
    groups = groups.filter((g) => {
      const v = g[0]!.breakdown_value;
      return !(Array.isArray(v) ? v.length === 1 && v[0] === 'Other' : v === 'Other');
    });
  }
  const results = p.engine.attribution === 'none' ? (groups[0] ?? []) : groups;
  return { results, executed: [executed] };
}

async function runTimeToConvert(p: Plan, ctx: QueryContext) {
  const executed = await run(p, timeToConvertQuery(p, p.query.funnelsFilter?.binCount ?? null), ctx);
  const row = executed.results[0] ?? [[0, 60], [0, 0], null];
  const buckets = row[0] as number[];
  const counts = row[1] as number[];
  return { results: { bins: buckets.map((b, i) => [b, counts[i] ?? 0]), average_conversion_time: num(row[2]) }, executed: [executed] };
}

async function runTrends(p: Plan, ctx: QueryContext) {
  const e = p.engine;
  const executed = await run(p, trendsQuery(p), ctx, entrancePeriodValues(p));
  const byValue = new Map<string, { value: unknown; from: number; rates: Map<string, number> }>();
  for (const row of executed.results) {
    const [bucket, from, , rate, value] = row as [string, number, number, number, unknown];
    const key = JSON.stringify(value);
    let entry = byValue.get(key);
    if (!entry) byValue.set(key, (entry = { value, from: 0, rates: new Map() }));
    entry.from += Number(from);
    entry.rates.set(bucket, Number(rate));
  }
  const range = p.range;
  const series = (rates: Map<string, number>) => ({
    count: range.buckets.length,
    data: range.buckets.map((b) => rates.get(bucketKey(b, range.timezone)) ?? 0),
    days: range.buckets.map((b) => bucketDay(b, range)),
    labels: range.buckets.map((b) => bucketLabel(b, range)),
  });
  let results: Record<string, unknown>[];
  if (e.attribution === 'none') {
    results = [series([...byValue.values()][0]?.rates ?? new Map())];
  } else {
    const limit = p.breakdownLimit;
    const top = [...byValue.values()].sort((a, b) => b.from - a.from || (JSON.stringify(a.value) < JSON.stringify(b.value) ? -1 : 1)).slice(0, limit);
    top.sort((a, b) => (JSON.stringify(a.value) < JSON.stringify(b.value) ? -1 : JSON.stringify(a.value) > JSON.stringify(b.value) ? 1 : 0));
    const cb = p.cohortBreakdown;
    results = top.map((t) => ({ ...series(t.rates), breakdown_value: cb ? cohortIdOfValue(t.value) : t.value }));
  }
  return { results, executed: [executed] };
}

type Tagged = Record<string, unknown>;

/** A step list with the counts and times of a period that had no entrants. */
const zeroedSteps = (steps: Tagged[]): Tagged[] => steps.map((s) => ({ ...s, count: 0, average_conversion_time: null, median_conversion_time: null }));

/**
 * compareFilter (PostHog's funnels compare, steps and trends viz): the funnel of the current period,
 * then the same funnel over the previous period (or shifted by `compare_to`), every step / series
 * tagged `compare: true, compare_label`. Without a breakdown the steps are one flat list (current
 * steps, then previous ones); with one, the current funnels then the previous ones in the same value
 * order, a value seen in one period only getting a zeroed funnel in the other.
 */
function mergeCompared(viz: VizType, breakdown: boolean, current: unknown, previous: unknown): Tagged[] {
  const tag = (x: Tagged, label: 'current' | 'previous'): Tagged => ({ ...x, compare: true, compare_label: label });
  if (viz === 'trends') return [...(current as Tagged[]).map((r) => tag(r, 'current')), ...(previous as Tagged[]).map((r) => tag(r, 'previous'))];
  if (!breakdown) {
    let cur = current as Tagged[];
    let prev = previous as Tagged[];
    if (!cur.length && prev.length) cur = zeroedSteps(prev);
    if (!prev.length && cur.length) prev = zeroedSteps(cur);
    return [...cur.map((s) => tag(s, 'current')), ...prev.map((s) => tag(s, 'previous'))];
  }
  const cur = current as Tagged[][];
  const prev = previous as Tagged[][];
  const key = (g: Tagged[]) => JSON.stringify(g[0]?.breakdown_value ?? null);
  const curBy = new Map(cur.map((g) => [key(g), g]));
  const prevBy = new Map(prev.map((g) => [key(g), g]));
  const order = [...cur, ...prev.filter((g) => !curBy.has(key(g)))].map(key);
  const side = (own: Map<string, Tagged[]>, other: Map<string, Tagged[]>, label: 'current' | 'previous') =>
    order.map((k) => (own.get(k) ?? zeroedSteps(other.get(k)!)).map((s) => tag(s, label)));
  return [...side(curBy, prevBy, 'current'), ...side(prevBy, curBy, 'previous')] as unknown as Tagged[];
}

export async function runFunnelsQuery(query: FunnelsQuery, ctx: QueryContext): Promise<Record<string, unknown>> {
  const p = await plan(query, ctx);
  const run = (q: Plan) => (q.viz === 'steps' ? runSteps(q, ctx) : q.viz === 'time_to_convert' ? runTimeToConvert(q, ctx) : runTrends(q, ctx));
  let out = await run(p);
  if (query.compareFilter?.compare) {
    const previous = await run(await plan(query, ctx, 'previous'));
    out = { results: mergeCompared(p.viz, p.engine.attribution !== 'none', out.results, previous.results), executed: [...out.executed, ...previous.executed] };
  }
  return {
    results: out.results,
    timings: out.executed.flatMap((x) => x.timings),
    hogql: out.executed.map((x) => x.compiled.hogql).join('\n'),
    modifiers: query.modifiers ?? {},
    resolved_date_range: { date_from: isoLocal(p.range.from, p.range.timezone), date_to: isoLocal(p.range.to - 1, p.range.timezone, true) },
  };
}

// ------------------------------------------------------------------------------------------- actors

/** A breakdown value sent back by the client, as the engine has it: a string, or a list of strings. */
function requestedValue(value: unknown, asArray: boolean): string | string[] {
  const str = (v: unknown) => (typeof v === 'number' ? String(Math.trunc(v)) : v === null || v === undefined ? '' : String(v));
  if (asArray) return Array.isArray(value) ? value.map(str) : [str(value)];
  if (Array.isArray(value)) {
    if (value.length !== 1) throw invalid('funnelStepBreakdown must be one value for a single breakdown', 'source.funnelStepBreakdown');
    return str(value[0]);
  }
  return str(value);
}

/**
 * FunnelsActorsQuery (the drill-downs: funnel-actors-request.ts): the actors who reached step
 * `funnelStep` (1-based), or with −N, who reached the step before N (the previous required one) but
 * not step N; who entered the funnel in a historical-trends period and converted (or dropped off);
 * or whose conversion time falls in a time-to-convert range. Each reads the very rows the insight
 * counts (evaluationSelect, entrancePeriodsSelect, conversionTimesSelect), so the actors listed are
 * exactly the ones counted. Optionally with breakdown value `funnelStepBreakdown`.
 */
export async function funnelsActors(query: FunnelsQuery, request: FunnelsActorsRequest, ctx: QueryContext): Promise<SelectQuery> {
  const drill = funnelDrillDown(request, query.funnelsFilter?.funnelVizType ?? 'steps');
  const comparing = !!query.compareFilter?.compare;
  const period = comparing && request.compare === 'previous' ? 'previous' : 'current';
  let p: Plan;
  let rows: string;
  const conditions: string[] = [];
  const values: Record<string, PlaceholderValue> = {};
  switch (drill.kind) {
    case 'step': {
      const step = drill.step;
      if (step === 0) throw invalid("Funnel steps are 1-indexed, so step 0 doesn't exist", 'source.funnelStep');
      if (step === -1) throw invalid('The first valid drop-off argument for funnelStep is -2. -2 refers to persons who performed the first step but never made it to the second.', 'source.funnelStep');
      // Step drill-downs of a trends graph count over the whole range, as the steps graph does.
      const viz = query.funnelsFilter?.funnelVizType === 'trends' ? 'steps' : query.funnelsFilter?.funnelVizType;
      p = await plan({ ...query, funnelsFilter: { ...query.funnelsFilter, funnelVizType: viz } }, ctx, period);
      const target = Math.abs(step) - 1;
      if (target >= p.engine.n) throw invalid(`funnelStep ${step} is out of range: the funnel has ${p.engine.n} steps`, 'source.funnelStep');
      conditions.push('f_excl = 0', 'f_d >= 1');
      if (step > 0) conditions.push(`bitTest(f_mask, ${target})`);
      else {
        let prior = target - 1;
        while (prior > 0 && query.series[prior]!.optionalInFunnel) prior--;
        conditions.push(`bitTest(f_mask, ${prior})`, `NOT bitTest(f_mask, ${target})`);
      }
      rows = evaluationSelect(p.engine);
      break;
    }
    case 'period': {
      p = await plan(query, ctx, period);
      let key = entrancePeriodKey(drill.periodStart, p.range, ctx.now.getTime());
      // Compared trends: a period of the previous series finds its own range without `compare`.
      if (key === null && comparing && !request.compare) {
        const previous = await plan(query, ctx, 'previous');
        key = entrancePeriodKey(drill.periodStart, previous.range, ctx.now.getTime());
        if (key !== null) p = previous;
      }
      if (key === null) throw notAPeriodStart(drill.periodStart, p.range);
      Object.assign(values, entrancePeriodValues(p), { entrance_period: key });
      conditions.push('f_bucket = {entrance_period}', drill.dropOff ? `f_md >= ${p.fromStep + 1} AND f_md < ${p.toStep + 1}` : `f_md >= ${p.toStep + 1}`);
      rows = entrancePeriodsSelect(p);
      break;
    }
    case 'conversionTime': {
      p = await plan(query, ctx);
      Object.assign(values, { conversion_from: drill.from, conversion_to: drill.to });
      conditions.push('f_tt >= {conversion_from}', 'f_tt < {conversion_to}');
      rows = conversionTimesSelect(p);
      break;
    }
  }
  if (!p.byPerson) throw invalid('ActorsQuery lists persons: the actors of a funnel aggregated by groups or by a HogQL expression cannot be listed yet', 'source.source.aggregation_group_type_index');
  if (request.funnelStepBreakdown !== null && request.funnelStepBreakdown !== undefined && p.engine.attribution !== 'none') {
    values.requested_value = p.cohortBreakdown
      ? String(requestedCohort(p.cohortBreakdown, request.funnelStepBreakdown, 'source.funnelStepBreakdown'))
      : requestedValue(request.funnelStepBreakdown, p.engine.breakdownArray);
    conditions.push('f_pv = {requested_value}');
  }
  const tree = parseSelect(`SELECT DISTINCT f_actor AS actor_id FROM (${rows}) WHERE ${conditions.join(' AND ')}`);
  if (tree.node !== 'SelectQuery') throw new Error('funnel actors query is not a SELECT');
  return sampleEvents(replacePlaceholders(tree, { ...p.values, ...values }), query.samplingFactor);
}
