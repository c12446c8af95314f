import { z } from 'zod';
import type { Expr, SelectQuery } from '../hogql/ast.js';
import { parseSelect } from '../hogql/parser.js';
import { replacePlaceholders } from '../hogql/placeholders.js';
import { HedgerowError } from '../errors.js';
import { addUnits, type Unit } from '../query/dates.js';
import { executeHogQL } from '../query/execute.js';
import type { ActorsRequest } from '../query/kinds.js';
import type { QueryContext } from '../query/query-context.js';
import { bucketDay, bucketKey, bucketLabel, rangeExprs, resolveInsightRange, type InsightRange } from './insight-range.js';
import { actorExpr, actorFilter, and, entityFilter, entityName, globalFilters } from './insight-filters.js';
import { entityNodeSchema, INTERVALS, insightBase } from './insight-schemas.js';
import { periodIndexExpr } from './retention-period.js';
import { correctForSampling, sampleEvents } from './sampling.js';

/**
 * PostHog's LifecycleQuery (reference §4.11): per interval, the actors who are new (first active in the
 * period their person was created), returning (active in the previous period too), resurrecting
 * (active after an inactive period, not new) and dormant (active in the previous period, not in this
 * one; negative). The scan reaches one interval before the range so the first bucket is classified.
 */

export const LIFECYCLE_STATUSES = ['new', 'returning', 'resurrecting', 'dormant'] as const;

export const lifecycleQuerySchema = z.object({
  kind: z.literal('LifecycleQuery'),
  ...insightBase,
  series: z.array(entityNodeSchema).min(1, 'series must have at least one entity'),
  interval: z.enum(INTERVALS).nullish(),
  lifecycleFilter: z
    .object({
      toggledLifecycles: z.array(z.enum(LIFECYCLE_STATUSES)).nullish(),
      showValuesOnSeries: z.unknown().optional(),
      showLegend: z.unknown().optional(),
      stacked: z.unknown().optional(),
    })
    .nullish(),
});
export type LifecycleQuery = z.infer<typeof lifecycleQuerySchema>;

interface Plan {
  range: InsightRange;
  query: SelectQuery;
}

function plan(query: LifecycleQuery, ctx: QueryContext): Plan {
  const interval = query.interval ?? 'day';
  if (interval === 'minute') throw new HedgerowError('invalid_input', 'interval "minute" is not supported for lifecycle; use hour, day, week or month', 'interval');
  const tz = ctx.project.timezone;
  const weekStartDay = ctx.project.weekStartDay ?? 0;
  const range = resolveInsightRange(query.dateRange, interval, { now: ctx.now.getTime(), timezone: tz, weekStartDay });
  const base = range.buckets[0]!;
  const scanFrom = addUnits(base, interval as Unit, -1, tz);
  const ts: Expr = { node: 'Field', chain: ['timestamp'] };
  const group = query.aggregation_group_type_index;
  const created: Expr = group === null || group === undefined ? { node: 'Field', chain: ['person', 'created_at'] } : { node: 'Field', chain: [`group_${group}`, 'created_at'] };
  // Personless events ($process_person_profile = false) have no person to classify.
  const personless: Expr = {
    node: 'CompareOperation',
    op: '!=',
    left: { node: 'Call', name: 'ifNull', args: [{ node: 'Call', name: 'toString', args: [{ node: 'Field', chain: ['properties', '$process_person_profile'] }] }, { node: 'Constant', value: '' }] },
    right: { node: 'Constant', value: 'false' },
  };
  const where = and([entityFilter(query.series[0]!, ctx), ...globalFilters(query, ctx), ...actorFilter(group), ...rangeExprs({ from: scanFrom, to: range.to }), personless]);
  const text = `
    SELECT actor_id, tupleElement(bs, 1) AS b, tupleElement(bs, 2) AS status
    FROM (
      SELECT actor_id, arrayJoin(arrayFilter(x -> tupleElement(x, 2) != '', arrayMap(b -> tuple(b, multiIf(
          has(act, b) AND b = cr, 'new',
          has(act, b) AND has(act, b - 1), 'returning',
          has(act, b), 'resurrecting',
          has(act, b - 1), 'dormant',
          '')), arrayFilter(b -> b >= 0 AND b < {B}, arrayDistinct(arrayConcat(act, arrayMap(x -> x + 1, act))))))) AS bs
      FROM (
        SELECT {actor} AS actor_id, groupUniqArray({pidx}) AS act, min({created_pidx}) AS cr
        FROM events
        WHERE {where}
        GROUP BY actor_id
      )
    )`;
  const tree = replacePlaceholders(parseSelect(text) as SelectQuery, {
    actor: { expr: actorExpr(group) },
    pidx: { expr: periodIndexExpr(interval, base, tz, ts, weekStartDay) },
    created_pidx: { expr: periodIndexExpr(interval, base, tz, created, weekStartDay) },
    where: { expr: where },
    B: range.buckets.length,
  });
  return { range, query: sampleEvents(tree, query.samplingFactor) };
}

export async function runLifecycleQuery(query: LifecycleQuery, ctx: QueryContext) {
  const { range, query: rows } = plan(query, ctx);
  const outer = parseSelect('SELECT status, b, count() FROM {rows} GROUP BY status, b LIMIT 50000') as SelectQuery;
  const executed = await executeHogQL(ctx.ch, ctx.log, outer, { ...ctx.compileOptions, values: { rows: { expr: rows as unknown as Expr } } });
  const data = new Map<string, number[]>(LIFECYCLE_STATUSES.map((s) => [s, range.buckets.map(() => 0)]));
  for (const [status, b, n] of executed.results as [string, number, number][]) {
    const row = data.get(status);
    // samplingFactor: PostHog scales the counts back (round(counts * 1 / factor)).
    if (row && b >= 0 && b < row.length) row[b] = correctForSampling(status === 'dormant' ? -Number(n) : Number(n), query.samplingFactor);
  }
  const node = query.series[0]!;
  const name = entityName(node);
  const days = range.buckets.map((b) => bucketDay(b, range));
  const labels = range.buckets.map((b) => bucketLabel(b, range));
  const action = {
    id: node.kind === 'EventsNode' ? (node.event ?? null) : node.id,
    type: node.kind === 'EventsNode' ? 'events' : 'actions',
    order: 0,
    name,
    custom_name: node.custom_name ?? null,
    math: 'total',
    properties: node.properties ?? [],
  };
  const results = LIFECYCLE_STATUSES.map((status) => {
    const series = data.get(status)!;
    return { action, data: series, count: series.reduce((s, n) => s + n, 0), labels, days, label: `${name} - ${status}`, status };
  });
  return {
    results,
    timings: executed.timings,
    hogql: executed.compiled.hogql,
    modifiers: query.modifiers ?? {},
    resolved_date_range: { date_from: new Date(range.from).toISOString(), date_to: new Date(range.to).toISOString() },
  };
}

/** The actors of one lifecycle bar: `day` (the bucket, as in `days`) and `status`. */
export async function lifecycleActors(query: LifecycleQuery, request: ActorsRequest, ctx: QueryContext): Promise<SelectQuery> {
  const { range, query: rows } = plan(query, ctx);
  const status = request.status;
  if (!status || !(LIFECYCLE_STATUSES as readonly string[]).includes(status)) {
    throw new HedgerowError('invalid_input', `status: one of ${LIFECYCLE_STATUSES.join(', ')}`, 'source.status');
  }
  const conds = ['status = {status}'];
  const values: Record<string, unknown> = { rows: { expr: rows }, status };
  if (request.day !== null && request.day !== undefined && request.day !== '') {
    const day = String(request.day).replace('T', ' ').replace(/Z$|[+-]\d\d:\d\d$/, '');
    const index = range.buckets.findIndex((b) => bucketDay(b, range) === day || bucketKey(b, range.timezone) === day || bucketKey(b, range.timezone).startsWith(day));
    if (index < 0) throw new HedgerowError('invalid_input', `day "${String(request.day).slice(0, 64)}" is not a bucket of this lifecycle (use one of its "days")`, 'source.day');
    conds.push('b = {b}');
    values.b = index;
  }
  return replacePlaceholders(parseSelect(`SELECT actor_id FROM {rows} WHERE ${conds.join(' AND ')} GROUP BY actor_id`) as SelectQuery, values);
}
