import { z } from 'zod';
import { HogQLError, type Expr, type Field, type OrderExpr, type SelectQuery } from '../hogql/ast.js';
import { parseExpr, parseOrderExpr } from '../hogql/parser.js';
import { propertiesSchema, propertiesToExpr } from '../hogql/property-filters.js';
import { executeHogQL, hogqlErrorToHttp } from './execute.js';
import { fillPersonColumns, isPersonColumn } from './person-columns.js';
import type { QueryContext } from './query-context.js';

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

function parsed<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof HogQLError) throw hogqlErrorToHttp(err);
    throw err;
  }
}

/** `search`: email or name contains it (case-insensitively), or it is a distinct id or the person's uuid. */
function searchExpr(search: string): Expr {
  const like = c(`%${search.replace(/[\\%_]/g, (ch) => '\\' + ch)}%`);
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
  if (query.source !== undefined && query.source !== null) {
    throw new HogQLError('query', 'ActorsQuery with a source (insight drill-down) is not supported yet');
  }
  const columns = query.select?.length ? query.select : ['person', 'id', 'created_at'];
  const select = parsed(() => columns.map((s): Expr => (isPersonColumn(s) ? f('id') : parseExpr(s))));
  const where = parsed(() => {
    const parts: Expr[] = [];
    for (const props of [query.properties, query.fixedProperties]) if (props) parts.push(propertiesToExpr(props, { scope: 'persons', propertyType: ctx.propertyType }));
    if (query.search) parts.push(searchExpr(query.search.trim()));
    return parts;
  });
  const orderBy: OrderExpr[] = query.orderBy?.length
    ? parsed(() => query.orderBy!.map((o) => parseOrderExpr(o)))
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
  const executed = await executeHogQL(ctx.ch, ctx.log, tree, { ...ctx.compileOptions, defaultLimit: limit });
  const results = await fillPersonColumns(executed.results, columns, ctx, 'actor');
  return {
    results,
    columns,
    types: executed.types.map(([, type]) => type),
    hogql: executed.compiled.hogql,
    hasMore: executed.hasMore,
    limit,
    offset: query.offset ?? 0,
    missing_actors_count: 0,
    timings: executed.timings,
    modifiers: query.modifiers ?? {},
  };
}
