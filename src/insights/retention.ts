import { z } from 'zod';
import type { Expr, SelectQuery } from '../hogql/ast.js';
import { parseSelect } from '../hogql/parser.js';
import { replacePlaceholders } from '../hogql/placeholders.js';
import { propertiesSchema } from '../hogql/property-filters.js';
import { HedgerowError } from '../errors.js';
import { executeHogQL } from '../query/execute.js';
import type { ActorsRequest } from '../query/kinds.js';
import type { QueryContext } from '../query/query-context.js';
import { addUnits, startOf } from '../query/dates.js';
import { instantExpr } from '../query/date-range.js';
import { breakdownFilterSchema, breakdownsOf, insightBase, type Interval } from './insight-schemas.js';
import { cohortBreakdownOf, cohortValueExpr, requestedCohort, type CohortBreakdown } from './cohort-breakdown.js';
import { resolveInsightRange, rangeExprs } from './insight-range.js';
import { actorExpr, actorFilter, and, breakdownValueExpr, BREAKDOWN_OTHER, entityFilter, globalFilters, or } from './insight-filters.js';
import { isoLocal, periodIndexExpr } from './retention-period.js';
import { correctForSampling, sampleEvents } from './sampling.js';

/**
 * PostHog's RetentionQuery (reference §4.9): cohorts by the period of the target event (every
 * period for `retention_recurring`, the period of the first-ever one for `retention_first_time` /
 * `retention_first_ever_occurrence`), and for each cohort the actors who came back with the
 * returning event k periods later. One HogQL query per request, aggregated in ClickHouse.
 * `timeWindowMode: "24_hour_windows"` counts periods from each actor's cohorting event instead of
 * calendar periods (see rollingText); `samplingFactor` samples the events and scales every cell.
 */

const PERIODS = ['Hour', 'Day', 'Week', 'Month'] as const;
const RETENTION_TYPES = ['retention_first_time', 'retention_recurring', 'retention_first_ever_occurrence'] as const;

export const retentionEntitySchema = z.object({
  id: z.union([z.string().max(400), z.number()]).nullish(),
  type: z.enum(['events', 'actions']).nullish(),
  name: z.string().nullish(),
  custom_name: z.string().nullish(),
  kind: z.string().nullish(),
  order: z.number().nullish(),
  uuid: z.string().nullish(),
  properties: propertiesSchema.nullish(),
});
export type RetentionEntity = z.infer<typeof retentionEntitySchema>;

export const retentionQuerySchema = z.object({
  kind: z.literal('RetentionQuery'),
  ...insightBase,
  breakdownFilter: breakdownFilterSchema.nullish(),
  retentionFilter: z.object({
    retentionType: z.enum(RETENTION_TYPES).nullish(),
    totalIntervals: z.number().int().min(1).max(300).nullish(),
    period: z.enum(PERIODS).nullish(),
    targetEntity: retentionEntitySchema.nullish(),
    returningEntity: retentionEntitySchema.nullish(),
    retentionReference: z.enum(['total', 'previous']).nullish(),
    cumulative: z.boolean().nullish(),
    minimumOccurrences: z.number().int().min(1).max(10_000).nullish(),
    timeWindowMode: z.enum(['strict_calendar_dates', '24_hour_windows']).nullish(),
    meanRetentionCalculation: z.unknown().optional(),
    display: z.unknown().optional(),
    showTrendLines: z.unknown().optional(),
    showMean: z.unknown().optional(),
    selectedInterval: z.unknown().optional(),
    dashboardDisplay: z.unknown().optional(),
  }),
});
export type RetentionQuery = z.infer<typeof retentionQuerySchema>;

const DEFAULT_ENTITY: RetentionEntity = { id: '$pageview', type: 'events' };
const DEFAULT_TOTAL_INTERVALS = 8;

interface Plan {
  /** Cohort period starts (epoch ms), one row each. */
  periods: number[];
  interval: Interval;
  periodName: (typeof PERIODS)[number];
  lookahead: number;
  from: number;
  to: number;
  breakdown: boolean;
  /** A cohort breakdown: rows per cohort id ('0' = all users), as PostHog's strings. */
  cohortBreakdown: CohortBreakdown | null;
  breakdownLimit: number;
  query: SelectQuery;
}

function invalid(message: string, attr: string): never {
  throw new HedgerowError('invalid_input', message, attr);
}

function entityExprs(entity: RetentionEntity, attr: string, ctx: QueryContext): { full: Expr; name: Expr; hasProps: boolean } {
  if (entity.type === 'actions') invalid(`${attr}: actions are not supported yet (actions are not built); use an event`, attr);
  const event = entity.id === null || entity.id === undefined ? null : String(entity.id);
  const full = entityFilter({ kind: 'EventsNode', event, properties: entity.properties }, ctx);
  const name = entityFilter({ kind: 'EventsNode', event }, ctx);
  return { full, name, hasProps: !!entity.properties && (Array.isArray(entity.properties) ? entity.properties.length > 0 : true) };
}

const sameEntity = (a: RetentionEntity, b: RetentionEntity) =>
  JSON.stringify([a.id ?? null, a.type ?? 'events', a.properties ?? []]) === JSON.stringify([b.id ?? null, b.type ?? 'events', b.properties ?? []]);

/** The HogQL of the per-(actor, cohort, k) rows: `actor_id, bv, c, k`. */
function plan(query: RetentionQuery, ctx: QueryContext): Plan {
  const rf = query.retentionFilter;
  const rolling = rf.timeWindowMode === '24_hour_windows';
  if (rolling && rf.cumulative) invalid('Cumulative retention is not supported for 24 hour windows.', 'retentionFilter.cumulative');
  const periodName = rf.period ?? 'Day';
  const interval = periodName.toLowerCase() as Interval;
  const lookahead = rf.totalIntervals ?? DEFAULT_TOTAL_INTERVALS;
  const type = rf.retentionType ?? 'retention_recurring';
  const tz = ctx.project.timezone;
  const weekStartDay = ctx.project.weekStartDay ?? 0;
  const target = rf.targetEntity ?? DEFAULT_ENTITY;
  const returning = rf.returningEntity ?? DEFAULT_ENTITY;
  const t = entityExprs(target, 'retentionFilter.targetEntity', ctx);
  const r = entityExprs(returning, 'retentionFilter.returningEntity', ctx);
  const same = sameEntity(target, returning);

  // Range: date_to's period is the last cohort; without date_from, totalIntervals cohorts end there.
  const dateRange = query.dateRange ?? {};
  const resolved = resolveInsightRange({ ...dateRange, date_from: dateRange.date_from ?? dateRange.date_to ?? '-7d' }, interval, { now: ctx.now.getTime(), timezone: tz, weekStartDay });
  const lastStart = startOf(resolved.to - 1, interval, tz, weekStartDay);
  const to = addUnits(lastStart, interval, 1, tz);
  const from = dateRange.date_from ? startOf(resolved.from, interval, tz, weekStartDay) : addUnits(lastStart, interval, -(lookahead - 1), tz);
  const periods: number[] = [];
  for (let p = from; p < to; p = addUnits(p, interval, 1, tz)) {
    periods.push(p);
    if (periods.length > 1000) invalid(`the date range has more than 1000 ${interval}s; choose a larger period or a shorter range`, 'dateRange');
  }
  const R = periods.length;

  // Cohort breakdown: an actor's events are counted once per cohort of its persons (one row per (actor, cohort)).
  const cohortBreakdown = cohortBreakdownOf(query.breakdownFilter, ctx);
  const bds = cohortBreakdown ? [] : breakdownsOf(query.breakdownFilter);
  if (bds.length > 1) invalid('retention supports a single breakdown', 'breakdownFilter.breakdowns');
  const bv: Expr = cohortBreakdown ? cohortValueExpr(cohortBreakdown) : bds.length ? breakdownValueExpr(bds[0]!) : { node: 'Constant', value: '' };

  const ts: Expr = { node: 'Field', chain: ['timestamp'] };
  const pidx = (e: Expr) => periodIndexExpr(interval, from, tz, e, weekStartDay);
  const [gteFrom, ltTo] = rangeExprs({ from, to });
  const allTime = type !== 'retention_recurring';
  // First-time retention cohorts by the first-ever event: the event name for first_time (the first
  // one must also match the entity's filters), the full entity for first_ever_occurrence.
  const cohortEvent = type === 'retention_first_time' ? t.name : t.full;
  const targetScan = allTime ? cohortEvent : and([t.full, gteFrom!]);
  const where = and([...globalFilters(query, ctx), ...actorFilter(query.aggregation_group_type_index), ltTo!, or([targetScan, and([r.full, gteFrom!])])]);
  const minOcc = rf.minimumOccurrences ?? 1;

  const values: Record<string, unknown> = {
    actor: { expr: actorExpr(query.aggregation_group_type_index) },
    bv: { expr: bv },
    where: { expr: where },
    target: { expr: t.full },
    cohort_event: { expr: cohortEvent },
    ret: { expr: and([r.full, gteFrom!]) },
    pidx: { expr: pidx(ts) },
    first_pidx: { expr: pidx({ node: 'Call', name: 'minIf', args: [ts, cohortEvent] }) },
    first_matches: { expr: type === 'retention_first_time' && t.hasProps ? { node: 'Call', name: 'argMinIf', args: [{ node: 'Call', name: 'if', args: [t.full, { node: 'Constant', value: 1 }, { node: 'Constant', value: 0 }] }, ts, t.name] } : { node: 'Constant', value: 1 } },
    R,
    L: lookahead,
    min_occ: minOcc,
    same: same ? 1 : 0,
    cumulative: rf.cumulative ? 1 : 0,
  };
  const cohorts = allTime
    ? `if({first_matches} = 1 AND countIf({cohort_event}) > 0, arrayFilter(x -> x >= 0 AND x < {R}, [{first_pidx}]), [])`
    : `arrayFilter(x -> x >= 0 AND x < {R}, groupUniqArrayIf({pidx}, {target}))`;
  const rets =
    minOcc > 1
      ? `arrayFilter((p, n) -> n >= {min_occ}, tupleElement(sumMapIf([{pidx}], [_toUInt64(1)], {ret}), 1), tupleElement(sumMapIf([{pidx}], [_toUInt64(1)], {ret}), 2))`
      : `groupUniqArrayIf({pidx}, {ret})`;
  // When the returning event differs from the target, period 0 counts a return only after the cohorting event.
  const firstTargets = `minMapIf([{pidx}], [toUnixTimestamp64Milli(timestamp)], {cohort_event})`;
  const lastReturns = `maxMapIf([{pidx}], [toUnixTimestamp64Milli(timestamp)], {ret})`;
  const p0 = same
    ? '[]'
    : `arrayFilter((p, mx) -> indexOf(tupleElement(${firstTargets}, 1), p) > 0 AND mx > arrayElement(tupleElement(${firstTargets}, 2), indexOf(tupleElement(${firstTargets}, 1), p)), tupleElement(${lastReturns}, 1), tupleElement(${lastReturns}, 2))`;
  const ks = `arrayConcat(if({same} = 1 OR has(p0s, c), [0], []), arrayFilter(k -> has(rets, c + k), range(1, _toUInt64(greatest(1, least({L}, {R} - c))))))`;
  const text = `
    SELECT actor_id, bv, c, arrayJoin(if({cumulative} = 1 AND notEmpty(ks), range(0, _toUInt64(arrayMax(ks) + 1)), ks)) AS k
    FROM (
      SELECT actor_id, bv, c, ${ks} AS ks
      FROM (
        SELECT actor_id, bv, arrayJoin(cohorts) AS c, rets, p0s
        FROM (
          SELECT {actor} AS actor_id, {bv} AS bv, ${cohorts} AS cohorts, ${rets} AS rets, ${p0} AS p0s
          FROM events
          WHERE {where}
          GROUP BY actor_id, bv
        )
      )
    )`;
  const tree = parseSelect(rolling ? rollingText(interval) : text) as SelectQuery;
  if (rolling) {
    values.from_dt = { expr: instantExpr(from) };
    values.to_dt = { expr: instantExpr(to) };
    // t0: the cohorting event (first-ever for the first-time types, else the first target event in the range).
    const cohorting = allTime ? cohortEvent : and([t.full, gteFrom!]);
    values.rolling_t0 = { expr: { node: 'Call', name: 'minIf', args: [ts, cohorting] } };
    const seen: Expr = { node: 'CompareOperation', op: '>', left: { node: 'Call', name: 'countIf', args: [cohorting] }, right: { node: 'Constant', value: 0 } };
    values.rolling_has_t0 = { expr: allTime ? and([seen, { node: 'CompareOperation', op: '==', left: (values.first_matches as { expr: Expr }).expr, right: { node: 'Constant', value: 1 } }]) : seen };
  }
  return {
    periods,
    interval,
    periodName,
    lookahead,
    from,
    to,
    breakdown: bds.length > 0 || cohortBreakdown !== null,
    cohortBreakdown,
    breakdownLimit: cohortBreakdown ? cohortBreakdown.ids.length : (query.breakdownFilter?.breakdown_limit ?? 25),
    query: sampleEvents(replacePlaceholders(tree, values), query.samplingFactor),
  };
}

/**
 * PostHog's `24_hour_windows` (RetentionRollingIntervalBaseQueryBuilder): each actor has one start,
 * t0 = its cohorting event (recurring: the first target event in the range); its cohort is
 * floor(dateDiff(unit, range start, t0) / n) and a return at t counts in period floor(dateDiff(unit,
 * t0, t) / n), with (unit, n) = (hour, 1) for Hour, (hour, 24) for Day, (day, 7) for Week, (day, 30)
 * for Month — ClickHouse's dateDiff counts unit boundaries, as PostHog's query does. Period 0 always
 * holds the cohort; `minimumOccurrences` does not apply (as PostHog's builder).
 */
function rollingText(interval: Interval): string {
  const [unit, n] = ({ hour: ['hour', 1], day: ['hour', 24], week: ['day', 7], month: ['day', 30] } as Record<string, [string, number]>)[interval] ?? ['hour', 24];
  return `
    SELECT actor_id, bv, c, arrayJoin(ks) AS k
    FROM (
      SELECT actor_id, bv, _toInt64(floor(dateDiff('${unit}', {from_dt}, t0) / ${n})) AS c,
        arrayFilter(x -> x < least({L}, {R} - c), arrayDistinct(arrayConcat([0], arrayMap(t -> _toInt64(floor(dateDiff('${unit}', t0, t) / ${n})), arrayFilter(t -> t >= t0, rts))))) AS ks
      FROM (
        SELECT {actor} AS actor_id, {bv} AS bv,
          {rolling_t0} AS t0, {rolling_has_t0} AS has_t0,
          groupArrayIf(timestamp, {ret}) AS rts
        FROM events
        WHERE {where}
        GROUP BY actor_id, bv
      )
      WHERE has_t0 AND t0 >= {from_dt} AND t0 < {to_dt}
    )
    WHERE c >= 0 AND c < {R}`;
}

function sub(tree: SelectQuery): Expr {
  return tree as unknown as Expr;
}

export async function runRetentionQuery(query: RetentionQuery, ctx: QueryContext) {
  const p = plan(query, ctx);
  const outer = parseSelect(`SELECT bv, c, k, count() AS actors FROM {rows} GROUP BY bv, c, k ORDER BY bv, c, k LIMIT 50000`) as SelectQuery;
  const executed = await executeHogQL(ctx.ch, ctx.log, outer, { ...ctx.compileOptions, values: { rows: { expr: sub(p.query) } } });
  const tz = ctx.project.timezone;
  const R = p.periods.length;
  const byBreakdown = new Map<string, Map<string, number>>();
  for (const [bv, c, k, n] of executed.results as [string, number, number, number][]) {
    let m = byBreakdown.get(bv);
    if (!m) byBreakdown.set(bv, (m = new Map()));
    // samplingFactor: PostHog scales every cell back by 1/factor.
    m.set(`${c}:${k}`, correctForSampling(Number(n), query.samplingFactor));
  }
  const rowsFor = (counts: Map<string, number>, breakdownValue?: string) =>
    p.periods.map((start, i) => ({
      date: isoLocal(start, tz),
      label: `${p.periodName} ${i}`,
      values: Array.from({ length: Math.max(0, Math.min(p.lookahead, R - i)) }, (_, k) => ({ count: counts.get(`${i}:${k}`) ?? 0, label: `${p.periodName} ${k}` })),
      ...(breakdownValue === undefined ? {} : { breakdown_value: breakdownValue }),
    }));
  let results;
  if (!p.breakdown) results = rowsFor(byBreakdown.get('') ?? new Map());
  else {
    // Top breakdown values by total cohort size (period 0); the rest are merged into "Other".
    const totals = [...byBreakdown].map(([bv, m]) => [bv, [...m].filter(([key]) => key.endsWith(':0')).reduce((s, [, n]) => s + n, 0)] as const);
    totals.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const kept = totals.slice(0, p.breakdownLimit).map(([bv]) => bv);
    const other = new Map<string, number>();
    for (const [bv] of totals.slice(p.breakdownLimit)) for (const [key, n] of byBreakdown.get(bv)!) other.set(key, (other.get(key) ?? 0) + n);
    results = kept.flatMap((bv) => rowsFor(byBreakdown.get(bv)!, bv));
    if (totals.length > p.breakdownLimit) results.push(...rowsFor(other, BREAKDOWN_OTHER));
  }
  return {
    results,
    timings: executed.timings,
    hogql: executed.compiled.hogql,
    modifiers: query.modifiers ?? {},
    resolved_date_range: { date_from: new Date(p.from).toISOString(), date_to: new Date(p.to).toISOString() },
  };
}

/**
 * The actors of a retention cell: `interval` = the cohort row (0-based), optional `day` = the column
 * (periods after the cohort; without it, the whole cohort), `breakdown` = the row's breakdown value.
 */
export async function retentionActors(query: RetentionQuery, request: ActorsRequest, ctx: QueryContext): Promise<SelectQuery> {
  const p = plan(query, ctx);
  const row = request.interval ?? (typeof request.day === 'number' ? request.day : 0);
  const column = request.interval !== null && request.interval !== undefined && request.day !== null && request.day !== undefined && request.day !== '' ? Number(request.day) : undefined;
  if (column !== undefined && !Number.isInteger(column)) invalid('day: for retention, the column (periods after the cohort) as an integer', 'source.day');
  const conds = ['c = {row}'];
  if (column !== undefined) conds.push('k = {column}');
  const breakdown =
    p.cohortBreakdown && request.breakdown !== undefined && request.breakdown !== null
      ? String(requestedCohort(p.cohortBreakdown, request.breakdown))
      : Array.isArray(request.breakdown)
        ? request.breakdown.join('::')
        : request.breakdown;
  if (p.breakdown && breakdown !== undefined && breakdown !== null) conds.push('bv = {breakdown}');
  const tree = parseSelect(`SELECT actor_id FROM {rows} WHERE ${conds.join(' AND ')} GROUP BY actor_id`) as SelectQuery;
  // Actor queries are embedded in ActorsQuery's tree: fill the placeholders here.
  return replacePlaceholders(tree, { rows: { expr: sub(p.query) }, row, column: column ?? 0, breakdown: String(breakdown ?? '') });
}
