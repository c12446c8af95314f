import { z } from 'zod';
import { HogQLError, type Expr } from './ast.js';
import { parseExpr } from './parser.js';
import type { PropertyType } from './printer.js';

/**
 * PostHog property filters (`{type, key, value, operator}`) as HogQL expressions, so every filter
 * is compiled by the one HogQL compiler. `scope` says which table the expression is evaluated on:
 * on `events`, person properties are `person.properties.x`; on `persons`, just `properties.x`.
 */

export const OPERATORS = [
  'exact',
  'is_not',
  'icontains',
  'not_icontains',
  'regex',
  'not_regex',
  'gt',
  'gte',
  'lt',
  'lte',
  'is_set',
  'is_not_set',
  'is_date_exact',
  'is_date_before',
  'is_date_after',
  'between',
  'not_between',
  'min',
  'max',
  // cohort membership (`type: "cohort"`)
  'in',
  'not_in',
] as const;
export type PropertyOperator = (typeof OPERATORS)[number];

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const propertyFilterSchema = z.object({
  type: z.enum(['event', 'person', 'group', 'session', 'event_metadata', 'element', 'hogql', 'cohort', 'feature']).default('event'),
  key: z.string().min(1).max(4000),
  value: z.union([scalar, z.array(scalar).max(10_000)]).optional(),
  operator: z.enum(OPERATORS).nullish(),
  group_type_index: z.number().int().min(0).max(4).nullish(),
  label: z.string().nullish(),
});
export type PropertyFilter = z.infer<typeof propertyFilterSchema>;

const groupValue: z.ZodType<PropertyGroup | PropertyFilter> = z.lazy(() => z.union([propertyGroupSchema, propertyFilterSchema]));
export const propertyGroupSchema: z.ZodType<PropertyGroup> = z.object({
  type: z.enum(['AND', 'OR']),
  values: z.array(groupValue).max(1000),
});
export interface PropertyGroup {
  type: 'AND' | 'OR';
  values: (PropertyGroup | PropertyFilter)[];
}
/** `properties` of a query: a list (AND) or PostHog's nested AND/OR group. */
export const propertiesSchema = z.union([z.array(propertyFilterSchema).max(1000), propertyGroupSchema]);
export type Properties = z.infer<typeof propertiesSchema>;

export interface FilterContext {
  scope: 'events' | 'persons';
  propertyType?: (kind: 'event' | 'person' | 'group', key: string, groupTypeIndex?: number) => PropertyType | undefined;
}

const c = (value: string | number | boolean | null): Expr => ({ node: 'Constant', value });
const call = (name: string, ...args: Expr[]): Expr => ({ node: 'Call', name, args });
const TRUE: Expr = c(true);

function and(exprs: Expr[]): Expr {
  if (exprs.length === 0) return TRUE;
  return exprs.length === 1 ? exprs[0]! : { node: 'And', exprs };
}
function or(exprs: Expr[]): Expr {
  if (exprs.length === 0) return TRUE;
  return exprs.length === 1 ? exprs[0]! : { node: 'Or', exprs };
}

export function propertiesToExpr(properties: Properties | undefined | null, ctx: FilterContext): Expr {
  if (!properties) return TRUE;
  if (Array.isArray(properties)) return and(properties.map((p) => propertyToExpr(p, ctx)));
  return groupToExpr(properties, ctx);
}

function groupToExpr(group: PropertyGroup, ctx: FilterContext): Expr {
  const parts = group.values.map((v) => ('values' in v ? groupToExpr(v, ctx) : propertyToExpr(v, ctx)));
  return group.type === 'OR' ? or(parts) : and(parts);
}

/** Where a filter's key lives. */
function target(p: PropertyFilter, ctx: FilterContext): { field: Expr; kind?: 'event' | 'person' | 'group'; groupTypeIndex?: number } {
  const onEvents = ctx.scope === 'events';
  switch (p.type) {
    case 'event':
    case 'feature':
      if (!onEvents) throw new HogQLError('query', `event property filters cannot be used on persons (key '${p.key}')`);
      return { field: { node: 'Field', chain: ['properties', p.key] }, kind: 'event' };
    case 'person': {
      const base = onEvents ? ['person', 'properties'] : ['properties'];
      return { field: { node: 'Field', chain: [...base, p.key] }, kind: 'person' };
    }
    case 'group': {
      if (p.group_type_index === undefined || p.group_type_index === null) throw new HogQLError('query', `group property filter '${p.key}' needs group_type_index`);
      if (!onEvents) throw new HogQLError('query', 'group property filters cannot be used on persons');
      const base = [`group_${p.group_type_index}`, 'properties'];
      return { field: { node: 'Field', chain: [...base, p.key] }, kind: 'group', groupTypeIndex: p.group_type_index };
    }
    case 'session':
      if (!onEvents) throw new HogQLError('query', 'session property filters cannot be used on persons');
      return { field: { node: 'Field', chain: ['session', p.key] } };
    case 'event_metadata':
      return { field: { node: 'Field', chain: [p.key] } };
    default:
      throw new HogQLError('query', `property filters of type '${p.type}' are not supported yet`);
  }
}

/** Where each autocapture element attribute sits in `elements_chain` (`tag.class:attr="v"href="…"text="…";…`). */
const ELEMENT_PATTERNS: Record<string, string> = {
  tag_name: '(?:^|;)([a-zA-Z0-9_-]+)[.:]',
  text: '(?::|")text="((?:[^"\\\\]|\\\\.)*)"',
  href: '(?::|")href="((?:[^"\\\\]|\\\\.)*)"',
};

/** Element filters match any element of the event's autocapture chain, as PostHog's do. */
export function elementFilterExpr(key: string, operator: PropertyOperator, values: (string | number | boolean | null)[]): Expr {
  const p = { key };
  const pattern = ELEMENT_PATTERNS[key];
  if (!pattern) throw new HogQLError('query', `element filters on '${key}' are not supported (supported: ${Object.keys(ELEMENT_PATTERNS).join(', ')})`);
  const items: Expr = call('extractAll', { node: 'Field', chain: ['elements_chain'] }, c(pattern));
  const x: Expr = { node: 'Field', chain: ['x'] };
  const any = (cond: Expr): Expr => call('arrayExists', { node: 'Lambda', args: ['x'], expr: cond }, items);
  const needValue = () => {
    if (values.length === 0) throw new HogQLError('query', `element filter '${p.key}' with operator '${operator}' needs a value`);
    return values.map((v) => c(String(v)));
  };
  switch (operator) {
    case 'exact':
    case 'is_not': {
      const found = any({ node: 'CompareOperation', op: 'in', left: x, right: { node: 'Tuple', exprs: needValue() } });
      return operator === 'exact' ? found : { node: 'Not', expr: found };
    }
    case 'icontains':
    case 'not_icontains': {
      needValue();
      const found = any({ node: 'CompareOperation', op: 'ilike', left: x, right: c(`%${String(values[0])}%`) });
      return operator === 'icontains' ? found : { node: 'Not', expr: found };
    }
    case 'regex':
    case 'not_regex': {
      const found = any({ node: 'CompareOperation', op: '=~', left: x, right: needValue()[0]! });
      return operator === 'regex' ? found : { node: 'Not', expr: found };
    }
    case 'is_set':
    case 'is_not_set':
      return { node: 'CompareOperation', op: operator === 'is_set' ? '>' : '==', left: call('length', items), right: c(0) };
    default:
      throw new HogQLError('query', `element filters do not support the operator '${operator}'`);
  }
}

/** `{type: "cohort", key: "id", value: <cohort id>}`: the person is (or, with `not_in`, is not) a member. */
function cohortFilterExpr(p: PropertyFilter, ctx: FilterContext): Expr {
  const value = Array.isArray(p.value) ? p.value[0] : p.value;
  const id = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;
  if (id === undefined) throw new HogQLError('query', `cohort filter needs the cohort id as its value, got ${JSON.stringify(p.value)}`);
  const operator = p.operator ?? 'in';
  if (operator !== 'in' && operator !== 'not_in' && operator !== 'exact') throw new HogQLError('query', `cohort filters support the operators in and not_in, got '${operator}'`);
  const person: Expr = { node: 'Field', chain: [ctx.scope === 'events' ? 'person_id' : 'id'] };
  return { node: 'CompareOperation', op: operator === 'not_in' ? 'not in cohort' : 'in cohort', left: person, right: c(id) };
}

export function propertyToExpr(p: PropertyFilter, ctx: FilterContext): Expr {
  if (p.type === 'hogql') return parseExpr(p.key);
  if (p.type === 'cohort') return cohortFilterExpr(p, ctx);
  if (p.type === 'element') {
    if (ctx.scope !== 'events') throw new HogQLError('query', 'element filters apply to events only');
    const values = Array.isArray(p.value) ? p.value : p.value === undefined ? [] : [p.value];
    return elementFilterExpr(p.key, p.operator ?? 'exact', values);
  }
  const operator: PropertyOperator = p.operator ?? 'exact';
  const t = target(p, ctx);
  const type = t.kind ? ctx.propertyType?.(t.kind, p.key, t.groupTypeIndex) : undefined;
  const values = Array.isArray(p.value) ? p.value : p.value === undefined ? [] : [p.value];
  // Values compare as the property is typed: strings unless the taxonomy says numeric/boolean.
  const typed = (v: string | number | boolean | null): Expr => {
    if (v === null) return c(null);
    if (type === 'Numeric' && (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))))) return c(Number(v));
    if (type === 'Boolean' && (typeof v === 'boolean' || v === 'true' || v === 'false')) return c(v === true || v === 'true');
    return c(typeof v === 'string' ? v : String(v));
  };
  const needValue = () => {
    if (values.length === 0) throw new HogQLError('query', `property filter '${p.key}' with operator '${operator}' needs a value`);
    return values;
  };
  const number = (v: unknown): Expr => {
    const n = typeof v === 'number' ? v : Number(v);
    if (typeof v === 'boolean' || v === null || v === '' || !Number.isFinite(n)) throw new HogQLError('query', `property filter '${p.key}' with operator '${operator}' needs a number, got ${JSON.stringify(v)}`);
    return c(n);
  };
  const asFloat = type === 'Numeric' ? t.field : call('toFloat', t.field);
  const asDate = type === 'DateTime' ? t.field : call('toDateTime', t.field);
  const text = (v: unknown) => c(String(v));
  switch (operator) {
    case 'exact':
    case 'is_not': {
      const vs = needValue().map(typed);
      const op = operator === 'exact' ? (vs.length === 1 ? '==' : 'in') : vs.length === 1 ? '!=' : 'not in';
      return { node: 'CompareOperation', op, left: t.field, right: vs.length === 1 ? vs[0]! : { node: 'Tuple', exprs: vs } };
    }
    case 'icontains':
    case 'not_icontains':
      return { node: 'CompareOperation', op: operator === 'icontains' ? 'ilike' : 'not ilike', left: call('toString', t.field), right: c(`%${String(needValue()[0])}%`) };
    case 'regex':
    case 'not_regex':
      return { node: 'CompareOperation', op: operator === 'regex' ? '=~' : '!~', left: t.field, right: text(needValue()[0]) };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
    case 'min':
    case 'max': {
      const op = ({ gt: '>', gte: '>=', lt: '<', lte: '<=', min: '>=', max: '<=' } as const)[operator];
      return { node: 'CompareOperation', op, left: asFloat, right: number(needValue()[0]) };
    }
    case 'between':
    case 'not_between': {
      const [lo, hi] = needValue();
      if (values.length !== 2) throw new HogQLError('query', `property filter '${p.key}' with operator '${operator}' needs [min, max]`);
      return { node: 'BetweenExpr', expr: asFloat, low: number(lo), high: number(hi), negated: operator === 'not_between' };
    }
    case 'is_set':
    case 'is_not_set':
      // PostHog: `x != NULL` / `x = NULL`, so a key holding JSON null counts as not set.
      return { node: 'CompareOperation', op: operator === 'is_set' ? '!=' : '==', left: t.field, right: c(null) };
    case 'is_date_exact':
    case 'is_date_before':
    case 'is_date_after': {
      const value = call('toDateTime', text(needValue()[0]));
      const op = operator === 'is_date_exact' ? '==' : operator === 'is_date_before' ? '<' : '>';
      return { node: 'CompareOperation', op, left: asDate, right: value };
    }
    case 'in':
    case 'not_in':
      throw new HogQLError('query', `the operator '${operator}' applies to cohort filters only (property '${p.key}')`);
  }
}
