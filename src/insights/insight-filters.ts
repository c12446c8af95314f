import { HogQLError, type Expr } from '../hogql/ast.js';
import { actionToExpr } from '../hogql/action-expr.js';
import { parseExpr } from '../hogql/parser.js';
import { propertiesToExpr, type Properties } from '../hogql/property-filters.js';
import type { QueryContext } from '../query/query-context.js';
import type { Breakdown, EntityNode } from './insight-schemas.js';

/** HogQL building blocks every insight runner shares, so filters mean the same thing in every kind. */

export const BREAKDOWN_NULL = '$$_posthog_breakdown_null_$$';
export const BREAKDOWN_OTHER = '$$_posthog_breakdown_other_$$';

const f = (...chain: (string | number)[]): Expr => ({ node: 'Field', chain });
const c = (value: string | number | boolean | null): Expr => ({ node: 'Constant', value });
const call = (name: string, ...args: Expr[]): Expr => ({ node: 'Call', name, args });

export function and(exprs: Expr[]): Expr {
  const parts = exprs.filter((e) => !(e.node === 'Constant' && e.value === true));
  if (parts.length === 0) return c(true);
  return parts.length === 1 ? parts[0]! : { node: 'And', exprs: parts };
}

export function or(exprs: Expr[]): Expr {
  if (exprs.length === 0) return c(false);
  return exprs.length === 1 ? exprs[0]! : { node: 'Or', exprs };
}

/** The query-level filters on events: property filters and, when asked, the project's test-account filters. */
export function globalFilters(query: { properties?: Properties | null; filterTestAccounts?: boolean | null }, ctx: QueryContext): Expr[] {
  const out: Expr[] = [];
  if (query.properties) out.push(propertiesToExpr(query.properties, { scope: 'events', propertyType: ctx.propertyType }));
  if (query.filterTestAccounts && ctx.project.testAccountFilters.length) {
    out.push(propertiesToExpr(ctx.project.testAccountFilters as Properties, { scope: 'events', propertyType: ctx.propertyType }));
  }
  return out;
}

/** Which events a series node matches: its event (null = all events) and its own property filters. */
export function entityFilter(node: EntityNode, ctx: QueryContext): Expr {
  const parts: Expr[] = [];
  if (node.kind === 'ActionsNode') {
    const action = ctx.actions.get(Number(node.id));
    if (!action || action.deleted) throw new HogQLError('query', `Action ${String(node.id).slice(0, 40)} not found`);
    parts.push(actionToExpr(action, { propertyType: ctx.propertyType }));
  } else if (node.event !== null && node.event !== undefined) parts.push({ node: 'CompareOperation', op: '==', left: f('event'), right: c(node.event) });
  for (const props of [node.properties, node.fixedProperties]) if (props) parts.push(propertiesToExpr(props, { scope: 'events', propertyType: ctx.propertyType }));
  return and(parts);
}

/** A series' display name: custom name, name, or the event (`All events` for null); an action's name. */
export function entityName(node: EntityNode, ctx?: Pick<QueryContext, 'actions'>): string {
  if (node.kind === 'ActionsNode') return node.custom_name ?? node.name ?? ctx?.actions.get(Number(node.id))?.name ?? String(node.id);
  return node.name ?? node.event ?? 'All events';
}

/** Who an insight counts: the person (merge-aware), or the group of `aggregation_group_type_index`. */
export function actorExpr(aggregationGroupTypeIndex: number | null | undefined): Expr {
  if (aggregationGroupTypeIndex === null || aggregationGroupTypeIndex === undefined) return f('person_id');
  return f(`$group_${aggregationGroupTypeIndex}`);
}

/** With group aggregation, events without that group do not count. */
export function actorFilter(aggregationGroupTypeIndex: number | null | undefined): Expr[] {
  if (aggregationGroupTypeIndex === null || aggregationGroupTypeIndex === undefined) return [];
  return [{ node: 'CompareOperation', op: '!=', left: f(`$group_${aggregationGroupTypeIndex}`), right: c('') }];
}

/**
 * A breakdown's value per event as a string, PostHog-style: missing or empty → the null sentinel;
 * `normalize_url` strips a trailing slash (and `?`/`#` parts) from URLs.
 */
export function breakdownValueExpr(b: Breakdown): Expr {
  const key = String(b.property);
  let value: Expr;
  switch (b.type ?? 'event') {
    case 'event':
      value = f('properties', key);
      break;
    case 'person':
      value = f('person', 'properties', key);
      break;
    case 'group':
      if (b.group_type_index === null || b.group_type_index === undefined) throw new HogQLError('query', `group breakdown '${key}' needs breakdown_group_type_index`);
      value = f(`group_${b.group_type_index}`, 'properties', key);
      break;
    case 'session':
      value = f('session', key);
      break;
    case 'event_metadata':
      value = f(key);
      break;
    case 'hogql':
      value = parseExpr(key);
      break;
    case 'cohort':
      throw new HogQLError('query', 'cohort breakdowns are not supported yet: cohorts are not built');
  }
  let text: Expr = call('toString', value);
  if (b.normalize_url) {
    text = call('replaceRegexpAll', text, c('^(.+?)/*(?:[?#].*)?$'), c('\\1'));
  }
  return call('ifNull', call('nullIf', text, c('')), c(BREAKDOWN_NULL));
}
