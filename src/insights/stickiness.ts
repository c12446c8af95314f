import { z } from 'zod';
import type { Expr, SelectQuery } from '../hogql/ast.js';
import { parseSelect } from '../hogql/parser.js';
import { replacePlaceholders } from '../hogql/placeholders.js';
import { HedgerowError } from '../errors.js';
import { addUnits, startOf, type Unit } from '../query/dates.js';
import { executeHogQL } from '../query/execute.js';
import type { ActorsRequest } from '../query/kinds.js';
import type { QueryContext } from '../query/query-context.js';
import { rangeExprs, resolveInsightRange } from './insight-range.js';
import { actorExpr, and, entityFilter, entityName, globalFilters, or } from './insight-filters.js';
import { compareFilterSchema, entityNodeSchema, INTERVALS, insightBase, type EntityNode } from './insight-schemas.js';
import { periodIndexExpr } from './retention-period.js';
import { sampleEvents } from './sampling.js';

/**
 * PostHog's StickinessQuery (reference §4.12): per series, `data[k-1]` = actors active in exactly k
 * intervals of the range (cumulative: at least k). "Active" = the interval has events meeting
 * `stickinessCriteria` (default ≥ 1). `intervalCount` groups intervals counted back from date_to.
 * One query answers every series and, with compare, the previous period too.
 */

export const stickinessQuerySchema = z.object({
  kind: z.literal('StickinessQuery'),
  ...insightBase,
  series: z.array(entityNodeSchema).min(1, 'series must have at least one entity').max(50),
  interval: z.enum(INTERVALS).nullish(),
  intervalCount: z.number().int().min(1).max(1000).nullish(),
  compareFilter: compareFilterSchema.nullish(),
  stickinessFilter: z
    .object({
      display: z.unknown().optional(),
      showLegend: z.unknown().optional(),
      showValuesOnSeries: z.unknown().optional(),
      showMultipleYAxes: z.unknown().optional(),
      hiddenLegendIndexes: z.unknown().optional(),
      resultCustomizations: z.unknown().optional(),
      stickinessCriteria: z.object({ operator: z.enum(['gte', 'lte', 'exact']), value: z.number().int().min(0).max(1_000_000) }).nullish(),
      computedAs: z.enum(['non_cumulative', 'cumulative']).nullish(),
    })
    .nullish(),
});
export type StickinessQuery = z.infer<typeof stickinessQuerySchema>;

function seriesActor(node: EntityNode, query: StickinessQuery): Expr {
  if (node.math === 'unique_group') {
    if (node.math_group_type_index === null || node.math_group_type_index === undefined) throw new HedgerowError('invalid_input', 'math "unique_group" needs math_group_type_index', 'series.math_group_type_index');
    return actorExpr(node.math_group_type_index);
  }
  return actorExpr(query.aggregation_group_type_index);
}

const COMPARE_UNITS: Record<string, Unit> = { h: 'hour', d: 'day', w: 'week', m: 'month', q: 'quarter', y: 'year' };

/** `compare_to` ("-1w", "-14d", "-1m" …): how far back the compared period starts. */
function compareShift(compareTo: string): { unit: Unit; n: number } {
  const m = /^-?(\d+)([hdwmqy])$/.exec(compareTo.trim());
  if (!m) throw new HedgerowError('invalid_input', `compareFilter.compare_to "${compareTo.slice(0, 32)}" is not a relative date like -1w, -14d or -1m`, 'compareFilter.compare_to');
  return { unit: COMPARE_UNITS[m[2]!]!, n: Number(m[1]) };
}

interface Plan {
  groups: number;
  interval: string;
  compare: boolean;
  cumulative: boolean;
  /** Rows `actor_id, series, period (with compare 1 = current, 0 = previous; else 0), n` (active groups per actor). */
  query: SelectQuery;
}

function plan(query: StickinessQuery, ctx: QueryContext): Plan {
  const interval = query.interval ?? 'day';
  const tz = ctx.project.timezone;
  const weekStartDay = ctx.project.weekStartDay ?? 0;
  const range = resolveInsightRange(query.dateRange, interval, { now: ctx.now.getTime(), timezone: tz, weekStartDay });
  const B = range.buckets.length;
  const N = query.intervalCount ?? 1;
  const groups = Math.ceil(B / N);
  const compare = !!query.compareFilter?.compare;
  const ts: Expr = { node: 'Field', chain: ['timestamp'] };
  const c = (value: number): Expr => ({ node: 'Constant', value });
  const start = range.buckets[0]!;
  // Interval index of an event: [B, 2B) in the current period, [0, B) in the compared one (the B
  // intervals before it, or the range shifted by compare_to, which may overlap the current one).
  let pidx: Expr = periodIndexExpr(interval, start, tz, ts, weekStartDay);
  let scanFrom = start;
  let scanTo = range.to;
  if (compare) {
    const shift = query.compareFilter?.compare_to ? compareShift(query.compareFilter.compare_to) : null;
    const prevStart = shift ? startOf(addUnits(start, shift.unit, -shift.n, tz), interval, tz, weekStartDay) : addUnits(start, interval as Unit, -B, tz);
    scanFrom = Math.min(prevStart, start);
    scanTo = Math.max(range.to, addUnits(prevStart, interval as Unit, B, tz));
    if (!shift) pidx = periodIndexExpr(interval, prevStart, tz, ts, weekStartDay);
    else {
      // Periods may overlap (compare_to shorter than the range): an event joins each period it is in.
      const inPeriod = (idx: Expr, offset: number): Expr => ({
        node: 'Call',
        name: 'if',
        args: [{ node: 'And', exprs: [{ node: 'CompareOperation', op: '>=', left: idx, right: c(0) }, { node: 'CompareOperation', op: '<', left: idx, right: c(B) }] }, { node: 'ArithmeticOperation', op: '+', left: idx, right: c(offset) }, c(-1)],
      });
      const both: Expr = { node: 'Array', exprs: [inPeriod(periodIndexExpr(interval, start, tz, ts, weekStartDay), B), inPeriod(periodIndexExpr(interval, prevStart, tz, ts, weekStartDay), 0)] };
      const valid: Expr = { node: 'Lambda', args: ['x'], expr: { node: 'CompareOperation', op: '>=', left: { node: 'Field', chain: ['x'] }, right: c(0) } };
      pidx = { node: 'Call', name: 'arrayJoin', args: [{ node: 'Call', name: 'arrayFilter', args: [valid, both] }] };
    }
  }
  const matches = query.series.map((node) => entityFilter(node, ctx));
  const actors = query.series.map((node) => seriesActor(node, query));
  const sameActor = actors.every((a) => JSON.stringify(a) === JSON.stringify(actors[0]));
  const criteria = query.stickinessFilter?.stickinessCriteria ?? { operator: 'gte', value: 1 };
  const op = { gte: '>=', lte: '<=', exact: '=' }[criteria.operator];
  const where = and([...globalFilters(query, ctx), ...rangeExprs({ from: scanFrom, to: scanTo }), or(matches)]);
  // Each event joins the series it matches: [series index] or, when series count different actors, [(index, actor)].
  const seriesList: Expr = {
    node: 'Array',
    exprs: matches.map((m, i): Expr => (sameActor ? { node: 'Call', name: 'if', args: [m, c(i), c(-1)] } : { node: 'Tuple', exprs: [{ node: 'Call', name: 'if', args: [m, c(i), c(-1)] }, { node: 'Call', name: 'toString', args: [actors[i]!] }] })),
  };
  const inner = sameActor
    ? `SELECT {actor} AS actor_id, arrayJoin(arrayFilter(x -> x >= 0, {series_list})) AS series, {pidx} AS idx FROM events WHERE {where}`
    : `SELECT tupleElement(sa, 2) AS actor_id, tupleElement(sa, 1) AS series, idx FROM (SELECT arrayJoin(arrayFilter(x -> tupleElement(x, 1) >= 0, {series_list})) AS sa, {pidx} AS idx FROM events WHERE {where})`;
  const grouped = actors.some((a) => a.node === 'Field' && a.chain[0] !== 'person_id');
  const text = `
    SELECT actor_id, series, period, count() AS n
    FROM (
      SELECT actor_id, series, intDiv(idx, {B}) AS period, intDiv({B} - 1 - idx % {B}, {N}) AS g, count() AS events
      FROM (${inner})
      WHERE ${grouped ? "toString(actor_id) != ''" : '1'}
      GROUP BY actor_id, series, period, g
      HAVING events ${op} {criteria}
    )
    GROUP BY actor_id, series, period`;
  const tree = replacePlaceholders(parseSelect(text) as SelectQuery, {
    actor: { expr: actors[0]! },
    series_list: { expr: seriesList },
    pidx: { expr: pidx },
    where: { expr: where },
    B,
    N,
    criteria: criteria.value,
  });
  // samplingFactor: the events scan is sampled; PostHog does not scale stickiness counts back.
  return { groups, interval, compare, cumulative: query.stickinessFilter?.computedAs === 'cumulative', query: sampleEvents(tree, query.samplingFactor) };
}

export async function runStickinessQuery(query: StickinessQuery, ctx: QueryContext) {
  const p = plan(query, ctx);
  const outer = parseSelect('SELECT series, period, n, count() FROM {rows} GROUP BY series, period, n LIMIT 50000') as SelectQuery;
  const executed = await executeHogQL(ctx.ch, ctx.log, outer, { ...ctx.compileOptions, values: { rows: { expr: p.query as unknown as Expr } } });
  const exact = new Map<string, number[]>();
  for (const [series, period, n, count] of executed.results as [number, number, number, number][]) {
    const key = `${series}:${period}`;
    if (!exact.has(key)) exact.set(key, Array.from({ length: p.groups }, () => 0));
    if (n >= 1 && n <= p.groups) exact.get(key)![n - 1] = Number(count);
  }
  const unit = p.interval;
  const days = Array.from({ length: p.groups }, (_, i) => i + 1);
  const labels = days.map((k) => `${k} ${unit}${k === 1 ? '' : 's'}${p.cumulative ? ' or more' : ''}`);
  const periods = p.compare ? [1, 0] : [0];
  // PostHog's order with compare: each series' current period, then its previous one.
  const results = query.series.flatMap((node, i) =>
    periods.map((period) => {
      let data = exact.get(`${i}:${period}`) ?? days.map(() => 0);
      if (p.cumulative) data = data.map((_, k) => data.slice(k).reduce((s, n) => s + n, 0));
      return {
        action: {
          id: node.kind === 'EventsNode' ? (node.event ?? null) : node.id,
          type: node.kind === 'EventsNode' ? 'events' : 'actions',
          order: i,
          name: entityName(node),
          custom_name: node.custom_name ?? null,
          math: node.math ?? 'total',
          math_group_type_index: node.math_group_type_index ?? null,
          properties: node.properties ?? [],
        },
        count: data.reduce((s, n) => s + n, 0),
        data,
        days,
        labels,
        label: node.custom_name ?? entityName(node),
        ...(p.compare ? { compare: true, compare_label: period === 1 ? 'current' : 'previous' } : {}),
      };
    }),
  );
  return { results, timings: executed.timings, hogql: executed.compiled.hogql, modifiers: query.modifiers ?? {} };
}

/** The actors behind `data[day-1]` of a series: active in exactly `day` intervals (cumulative: at least). */
export async function stickinessActors(query: StickinessQuery, request: ActorsRequest, ctx: QueryContext): Promise<SelectQuery> {
  const p = plan(query, ctx);
  const k = Number(request.day);
  if (!Number.isInteger(k) || k < 1) throw new HedgerowError('invalid_input', 'day: the number of intervals (1, 2, …) for stickiness', 'source.day');
  const series = request.series ?? 0;
  if (series >= query.series.length) throw new HedgerowError('invalid_input', `series: there are ${query.series.length} series`, 'source.series');
  const period = p.compare && request.compare !== 'previous' ? 1 : 0;
  const tree = parseSelect(`SELECT actor_id FROM {rows} WHERE series = {series} AND period = {period} AND n ${p.cumulative ? '>=' : '='} {k} GROUP BY actor_id`) as SelectQuery;
  return replacePlaceholders(tree, { rows: { expr: p.query }, series, period, k });
}
