import { z } from 'zod';
import { HogQLError, type Expr, type Field, type OrderExpr, type SelectQuery } from '../hogql/ast.js';
import { parseExpr, parseOrderExpr } from '../hogql/parser.js';
import { propertiesSchema, propertiesToExpr } from '../hogql/property-filters.js';
import { executeHogQL } from './execute.js';
import { fillPersonColumns, isPersonColumn } from './person-columns.js';
import type { QueryContext } from './query-context.js';
import { queryKinds } from './kinds.js';
import { parseKind } from './validate.js';
import { containsPattern } from '../like-pattern.js';

export const actorsQuerySchema = z.object({
  kind: z.literal('ActorsQuery'),
  select: z.array(z.string().min(1).max(10_000)).max(200).nullish(),
  search: z.string().max(1000).nullish(),
  properties: propertiesSchema.nullish(),
  fixedProperties: propertiesSchema.nullish(),
  orderBy: z.array(z.string().min(1).max(1000)).max(20).nullish(),
  limit: z.number().int().min(1).max(50_000).nullish(),
  offset: z.number().int().min(0).max(10_000_000).nullish(),
  modifiers: z.record(z.string(), z.unknown()).nullish(),
  source: z.unknown().optional(),
  tags: z.unknown().optional(),
});
export type ActorsQuery = z.infer<typeof actorsQuerySchema>;

const f = (...chain: string[]): Field => ({ node: 'Field', chain });
const c = (value: string): Expr => ({ node: 'Constant', value });

const actorsSourceSchema = z.object({
  kind: z.enum(['InsightActorsQuery', 'FunnelsActorsQuery', 'StickinessActorsQuery']),
  source: z.object({ kind: z.string() }).passthrough(),
  day: z.union([z.string(), z.number()]).nullish(),
  status: z.string().nullish(),
  interval: z.number().int().nullish(),
  series: z.number().int().min(0).nullish(),
  breakdown: z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]).nullish(),
  compare: z.enum(['current', 'previous']).nullish(),
  funnelStep: z.number().int().nullish(),
  funnelStepBreakdown: z.unknown().optional(),
  funnelTrendsDropOff: z.boolean().nullish(),
  funnelTrendsEntrancePeriodStart: z.string().max(100).nullish(),
  // Hedgerow extension (PostHog has no time-to-convert bin drill-down): [from, to) seconds.
  funnelStepConversionTimeRange: z.tuple([z.number(), z.number()]).nullish(),
  includeRecordings: z.boolean().nullish(),
  modifiers: z.unknown().optional(),
});

/** The actors behind an insight's data point, as a HogQL select of `actor_id` (asked of the insight kind). */
async function actorsOfSource(source: unknown, ctx: QueryContext): Promise<SelectQuery> {
  const parsed = actorsSourceSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HogQLError('query', `source.${issue.path.join('.')}: ${issue.message}`);
  }
  const { source: insight, ...request } = parsed.data;
  const insightKind = Object.hasOwn(queryKinds, insight.kind) ? queryKinds[insight.kind] : undefined;
  if (!insightKind?.actors) throw new HogQLError('query', `ActorsQuery cannot list the actors of a ${insight.kind.slice(0, 100)} yet`);
  return insightKind.actors(parseKind(insightKind.schema, insight), request, ctx);
}

/**
 * Actors an insight counted who have no person profile (personless events, e.g. posthog-js's
 * `person_profiles: 'identified_only'` before identify): PostHog's `missing_actors_count`, so a list
 * shorter than the number on the chart says why.
 */
async function missingActors(sourceActors: SelectQuery, ctx: QueryContext): Promise<number> {
  const count: Expr = { node: 'Call', name: 'count', args: [] };
  const counted: SelectQuery = { node: 'SelectQuery', select: [count], select_from: { node: 'JoinExpr', table: sourceActors } };
  const profiled: SelectQuery = {
    node: 'SelectQuery',
    select: [count],
    select_from: { node: 'JoinExpr', table: f('persons') },
    where: { node: 'CompareOperation', op: 'in', left: f('id'), right: sourceActors },
  };
  const [all, found] = await Promise.all([counted, profiled].map((q) => executeHogQL(ctx.ch, ctx.log, q, ctx.compileOptions)));
  return Math.max(0, Number(all!.results[0]?.[0] ?? 0) - Number(found!.results[0]?.[0] ?? 0));
}

/** `search`: email or name contains it (case-insensitively), or it is a distinct id or the person's uuid. */
function searchExpr(search: string): Expr {
  const like = c(containsPattern(search));
  return {
    node: 'Or',
    exprs: [
      { node: 'CompareOperation', op: 'ilike', left: f('properties', 'email'), right: like },
      { node: 'CompareOperation', op: 'ilike', left: f('properties', 'name'), right: like },
      { node: 'CompareOperation', op: '==', left: { node: 'Call', name: 'toString', args: [f('id')] }, right: c(search) },
      {
        node: 'CompareOperation',
        op: 'in',
        left: f('id'),
        right: {
          node: 'SelectQuery',
          select: [f('person_id')],
          select_from: { node: 'JoinExpr', table: f('person_distinct_ids') },
          where: { node: 'CompareOperation', op: '==', left: f('distinct_id'), right: c(search) },
        },
      },
    ],
  };
}

/** PostHog's `ActorsQuery` without a source: the persons list (`person` column = the person object). */
export async function runActorsQuery(query: ActorsQuery, ctx: QueryContext) {
  const sourceActors = query.source ? await actorsOfSource(query.source, ctx) : undefined;
  const columns = query.select?.length ? query.select : ['person', 'id', 'created_at'];
  const select = columns.map((s): Expr => (isPersonColumn(s) ? f('id') : parseExpr(s)));
  const where: Expr[] = [];
  for (const props of [query.properties, query.fixedProperties]) if (props) where.push(propertiesToExpr(props, { scope: 'persons', propertyType: ctx.propertyType }));
  if (query.search) where.push(searchExpr(query.search.trim()));
  if (sourceActors) where.push({ node: 'CompareOperation', op: 'in', left: f('id'), right: sourceActors });
  const orderBy: OrderExpr[] = query.orderBy?.length
    ? query.orderBy.map((o) => parseOrderExpr(o))
    : [
        { node: 'OrderExpr', expr: f('created_at'), order: 'DESC' },
        { node: 'OrderExpr', expr: f('id'), order: 'DESC' },
      ];
  const limit = query.limit ?? 100;
  const tree: SelectQuery = {
    node: 'SelectQuery',
    select,
    select_from: { node: 'JoinExpr', table: f('persons') },
    where: where.length === 0 ? undefined : where.length === 1 ? where[0] : { node: 'And', exprs: where },
    order_by: orderBy,
    offset: query.offset ? { node: 'Constant', value: query.offset } : undefined,
  };
  const [executed, missing] = await Promise.all([
    executeHogQL(ctx.ch, ctx.log, tree, { ...ctx.compileOptions, defaultLimit: limit }),
    sourceActors && !query.offset ? missingActors(sourceActors, ctx) : Promise.resolve(0),
  ]);
  const results = await fillPersonColumns(executed.results, columns, ctx, 'actor');
  return {
    results,
    columns,
    types: executed.types.map(([, type]) => type),
    hogql: executed.compiled.hogql,
    hasMore: executed.hasMore,
    limit,
    offset: query.offset ?? 0,
    missing_actors_count: missing,
    timings: executed.timings,
    modifiers: query.modifiers ?? {},
  };
}
