import { z } from 'zod';
import type { Expr, OrderExpr, SelectQuery } from '../hogql/ast.js';
import { lookupFunction } from '../hogql/functions.js';
import { parseExpr, parseOrderExpr } from '../hogql/parser.js';
import { propertiesSchema, propertiesToExpr } from '../hogql/property-filters.js';
import { instantExpr } from './date-range.js';
import { parseDate } from './dates.js';
import { executeHogQL } from './execute.js';
import { fillPersonColumns, isPersonColumn } from './person-columns.js';
import type { QueryContext } from './query-context.js';

export const eventsQuerySchema = z.object({
  kind: z.literal('EventsQuery'),
  select: z.array(z.string().min(1).max(10_000)).min(1, 'select must list at least one column').max(200),
  where: z.array(z.string().min(1).max(10_000)).max(200).nullish(),
  properties: propertiesSchema.nullish(),
  fixedProperties: propertiesSchema.nullish(),
  event: z.string().max(400).nullish(),
  personId: z.string().max(200).nullish(),
  after: z.string().max(64).nullish(),
  before: z.string().max(64).nullish(),
  filterTestAccounts: z.boolean().nullish(),
  orderBy: z.array(z.string().min(1).max(1000)).max(20).nullish(),
  limit: z.number().int().min(1).max(50_000).nullish(),
  offset: z.number().int().min(0).max(10_000_000).nullish(),
  modifiers: z.record(z.string(), z.unknown()).nullish(),
  response: z.unknown().optional(),
  tags: z.unknown().optional(),
  actionId: z.number().nullish(),
});
export type EventsQuery = z.infer<typeof eventsQuerySchema>;

const EVENT_COLUMNS = ['uuid', 'event', 'properties', 'timestamp', 'team_id', 'distinct_id', 'elements_chain', 'created_at'] as const;

function containsAggregate(e: unknown): boolean {
  if (Array.isArray(e)) return e.some(containsAggregate);
  if (typeof e !== 'object' || e === null) return false;
  const node = e as { node?: string; name?: string };
  if (node.node === 'SelectQuery' || node.node === 'SelectSetQuery' || node.node === 'WindowFunction') return false;
  if (node.node === 'Call' && node.name && lookupFunction(node.name)?.fn.aggregate) return true;
  return Object.values(e).some(containsAggregate);
}

/**
 * PostHog's `EventsQuery`: the events list behind the activity page and data tables. `*` returns
 * the event as an object and `person` the person; aggregates in `select` group by the rest.
 */
export async function runEventsQuery(query: EventsQuery, ctx: QueryContext) {
  const tz = ctx.project.timezone;
  const now = ctx.now.getTime();
  const selectExprs: Expr[] = query.select.map((s) => {
    if (s === '*') return { node: 'Call', name: 'tuple', args: EVENT_COLUMNS.map((c) => ({ node: 'Field', chain: [c] }) as Expr) };
    if (isPersonColumn(s)) return { node: 'Field', chain: ['person_id'] };
    return parseExpr(s);
  });
  const aggregated = selectExprs.map(containsAggregate);
  const where: Expr[] = [];
  const having: Expr[] = [];
  for (const w of query.where ?? []) {
    const e: Expr = parseExpr(w);
    (containsAggregate(e) ? having : where).push(e);
  }
  if (query.event) where.push({ node: 'CompareOperation', op: '==', left: { node: 'Field', chain: ['event'] }, right: { node: 'Constant', value: query.event } });
  if (query.personId) where.push({ node: 'CompareOperation', op: '==', left: { node: 'Field', chain: ['person_id'] }, right: { node: 'Call', name: 'toUUID', args: [{ node: 'Constant', value: query.personId }] } });
  const after = query.after ?? '-24h';
  if (after !== 'all') where.push({ node: 'CompareOperation', op: '>', left: { node: 'Field', chain: ['timestamp'] }, right: instantExpr(parseDate(after, now, tz, 'after').epochMs) });
  const before = query.before ? parseDate(query.before, now, tz, 'before').epochMs : now + 5000;
  where.push({ node: 'CompareOperation', op: '<', left: { node: 'Field', chain: ['timestamp'] }, right: instantExpr(before) });
  for (const props of [query.properties, query.fixedProperties]) if (props) where.push(propertiesToExpr(props, { scope: 'events', propertyType: ctx.propertyType }));
  if (query.filterTestAccounts && ctx.project.testAccountFilters.length) {
    where.push(propertiesToExpr(ctx.project.testAccountFilters as never, { scope: 'events', propertyType: ctx.propertyType }));
  }

  let orderBy: OrderExpr[];
  if (query.orderBy?.length) orderBy = query.orderBy.map((o) => parseOrderExpr(o));
  else {
    const countIndex = query.select.findIndex((s) => s.replace(/\s/g, '') === 'count()');
    const aggIndex = aggregated.indexOf(true);
    if (countIndex >= 0) orderBy = [{ node: 'OrderExpr', expr: selectExprs[countIndex]!, order: 'DESC' }];
    else if (aggIndex >= 0) orderBy = [{ node: 'OrderExpr', expr: selectExprs[aggIndex]!, order: 'DESC' }];
    else if (query.select.some((s) => s === '*' || s === 'timestamp')) orderBy = [{ node: 'OrderExpr', expr: { node: 'Field', chain: ['timestamp'] }, order: 'DESC' }];
    else orderBy = [{ node: 'OrderExpr', expr: selectExprs[0]!, order: 'ASC' }];
  }

  const anyAggregate = aggregated.some(Boolean);
  const limit = query.limit ?? 100;
  const select: SelectQuery = {
    node: 'SelectQuery',
    select: selectExprs,
    select_from: { node: 'JoinExpr', table: { node: 'Field', chain: ['events'] } },
    where: where.length === 1 ? where[0] : { node: 'And', exprs: where },
    group_by: anyAggregate ? selectExprs.filter((_, i) => !aggregated[i]) : undefined,
    having: having.length ? (having.length === 1 ? having[0] : { node: 'And', exprs: having }) : undefined,
    order_by: orderBy,
    offset: query.offset ? { node: 'Constant', value: query.offset } : undefined,
  };
  if (select.group_by?.length === 0) select.group_by = undefined;

  const executed = await executeHogQL(ctx.ch, ctx.log, select, { ...ctx.compileOptions, defaultLimit: limit });
  let results = executed.results;
  const starIndexes = query.select.flatMap((s, i) => (s === '*' ? [i] : []));
  if (starIndexes.length) {
    results = results.map((row) => {
      const out = [...row];
      for (const i of starIndexes) {
        const values = row[i] as unknown[];
        const event: Record<string, unknown> = {};
        EVENT_COLUMNS.forEach((c, j) => (event[c] = values[j]));
        event.properties = JSON.parse(String(event.properties || '{}'));
        out[i] = event;
      }
      return out;
    });
  }
  results = await fillPersonColumns(results, query.select, ctx, 'event');
  return {
    results,
    columns: query.select,
    types: executed.types.map(([, type]) => type),
    hogql: executed.compiled.hogql,
    hasMore: executed.hasMore,
    limit,
    offset: query.offset ?? 0,
    timings: executed.timings,
    modifiers: query.modifiers ?? {},
  };
}

