import { z } from 'zod';
import type { Expr } from '../hogql/ast.js';
import { propertiesSchema, propertiesToExpr } from '../hogql/property-filters.js';
import type { PlaceholderValue } from '../hogql/placeholders.js';
import { dateRangeExpr, dateRangeSchema } from './date-range.js';
import { executeHogQL } from './execute.js';
import type { QueryContext } from './query-context.js';

export const hogqlQuerySchema = z.object({
  kind: z.literal('HogQLQuery'),
  query: z.string().min(1, 'query must not be empty').max(100_000),
  values: z.record(z.string(), z.unknown()).optional(),
  filters: z
    .object({
      properties: propertiesSchema.nullish(),
      dateRange: dateRangeSchema.nullish(),
      filterTestAccounts: z.boolean().nullish(),
    })
    .nullish(),
  variables: z.record(z.string(), z.object({ variableId: z.string().optional(), code_name: z.string(), value: z.unknown().optional() })).nullish(),
  modifiers: z.record(z.string(), z.unknown()).nullish(),
  name: z.string().max(128).nullish(),
  limit: z.number().int().min(1).optional(),
  tags: z.unknown().optional(),
  explain: z.boolean().nullish(),
});
export type HogQLQuery = z.infer<typeof hogqlQuerySchema>;

/** `{filters}` for a HogQLQuery: the date range, property filters and test-account filters, on events. */
export function filtersExpr(filters: HogQLQuery['filters'], ctx: QueryContext): Expr {
  const parts: Expr[] = [];
  if (filters?.dateRange) parts.push(...dateRangeExpr(filters.dateRange, { node: 'Field', chain: ['timestamp'] }, ctx.now.getTime(), ctx.project.timezone));
  if (filters?.properties) parts.push(propertiesToExpr(filters.properties, { scope: 'events', propertyType: ctx.propertyType }));
  if (filters?.filterTestAccounts) parts.push(propertiesToExpr(ctx.project.testAccountFilters as never, { scope: 'events', propertyType: ctx.propertyType }));
  if (parts.length === 0) return { node: 'Constant', value: true };
  return parts.length === 1 ? parts[0]! : { node: 'And', exprs: parts };
}

/** PostHog's `HogQLQuery` kind: one HogQL SELECT, placeholders from `values`, `{filters}`, `{variables.x}`. */
export async function runHogQLQuery(query: HogQLQuery, ctx: QueryContext) {
  const values: Record<string, PlaceholderValue> = { ...(query.values ?? {}) };
  values.filters = { expr: filtersExpr(query.filters, ctx) };
  for (const v of Object.values(query.variables ?? {})) values[`variables.${v.code_name}`] = v.value ?? null;
  const executed = await executeHogQL(ctx.ch, ctx.log, query.query, { ...ctx.compileOptions, values });
  return {
    results: executed.results,
    columns: executed.compiled.columns,
    types: executed.types,
    hogql: executed.compiled.hogql,
    clickhouse: executed.compiled.sql,
    hasMore: executed.hasMore,
    limit: executed.compiled.paginateAt ?? null,
    offset: 0,
    timings: executed.timings,
    modifiers: query.modifiers ?? {},
    query: query.query,
  };
}
