import { HogQLError, type Expr, type SelectQuery } from '../hogql/ast.js';
import { parseExpr, parseSelect } from '../hogql/parser.js';
import { replacePlaceholders } from '../hogql/placeholders.js';
import { propertyFilterSchema, propertyToExpr, type FilterContext } from '../hogql/property-filters.js';
import { instantExpr } from '../query/date-range.js';
import { parseDate } from '../query/dates.js';
import { BEHAVIORAL_KINDS, UNSUPPORTED_BEHAVIORAL_KINDS, isCohortGroup, type Cohort, type CohortGroup, type CohortLeaf } from './cohort-types.js';

/**
 * A cohort's definition as a HogQL condition on `persons` (its `id`), compiled by the one compiler.
 * Person property leaves are property filters on the person; behavioural leaves are `id IN (people
 * whose events match)`; references to dynamic cohorts are inlined (always fresh), to static cohorts
 * read their membership (`IN COHORT`).
 */
export interface CohortExprContext {
  teamTimezone: string;
  now: Date;
  propertyType?: FilterContext['propertyType'];
  /** Cohorts of the project, for references. */
  cohort: (id: number) => Cohort | undefined;
  /** An action as a condition on events, for behavioural filters on actions. */
  action: (id: number) => Expr | undefined;
}

const c = (value: string | number | boolean | null): Expr => ({ node: 'Constant', value });
const not = (expr: Expr): Expr => ({ node: 'Not', expr });

export function cohortToExpr(cohort: Cohort, ctx: CohortExprContext, visiting: Set<number> = new Set()): Expr {
  if (visiting.has(cohort.id)) throw new HogQLError('query', `Cohort ${cohort.id} refers to itself through its filters`);
  visiting.add(cohort.id);
  try {
    if (cohort.isStatic) return { node: 'CompareOperation', op: 'in cohort', left: { node: 'Field', chain: ['id'] }, right: c(cohort.id) };
    if (cohort.query) {
      const select = parseSelect(cohort.query.query);
      return { node: 'CompareOperation', op: 'in', left: { node: 'Field', chain: ['id'] }, right: select };
    }
    if (!cohort.filters) throw new HogQLError('query', `Cohort ${cohort.id} has neither filters nor a query`);
    return groupToExpr(cohort.filters.properties, ctx, visiting);
  } finally {
    visiting.delete(cohort.id);
  }
}

function groupToExpr(group: CohortGroup, ctx: CohortExprContext, visiting: Set<number>): Expr {
  const parts = group.values.map((v) => (isCohortGroup(v) ? groupToExpr(v, ctx, visiting) : leafToExpr(v, ctx, visiting)));
  if (parts.length === 0) return c(true);
  if (parts.length === 1) return parts[0]!;
  return group.type === 'OR' ? { node: 'Or', exprs: parts } : { node: 'And', exprs: parts };
}

function leafToExpr(leaf: CohortLeaf, ctx: CohortExprContext, visiting: Set<number>): Expr {
  const expr = positiveLeaf(leaf, ctx, visiting);
  return leaf.negation ? not(expr) : expr;
}

function positiveLeaf(leaf: CohortLeaf, ctx: CohortExprContext, visiting: Set<number>): Expr {
  switch (leaf.type) {
    case 'person': {
      const parsed = propertyFilterSchema.safeParse({ ...leaf, key: String(leaf.key) });
      if (!parsed.success) throw new HogQLError('query', `person filter '${String(leaf.key)}': ${parsed.error.issues[0]!.message}`);
      return propertyToExpr(parsed.data, { scope: 'persons', propertyType: ctx.propertyType });
    }
    case 'cohort':
    case 'precalculated-cohort':
    case 'static-cohort': {
      const id = Number(leaf.value);
      const target = Number.isInteger(id) ? ctx.cohort(id) : undefined;
      if (!target || target.deleted) throw new HogQLError('query', `Cohort filter refers to cohort ${JSON.stringify(leaf.value)}, which does not exist in this project`);
      return cohortToExpr(target, ctx, visiting);
    }
    case 'behavioral':
      return behavioralExpr(leaf, ctx);
    default:
      throw new HogQLError('query', `cohort filters of type '${leaf.type}' are not supported (supported: person, cohort, behavioral)`);
  }
}

const INTERVAL_FUNCTIONS: Record<string, string> = { hour: 'toIntervalHour', day: 'toIntervalDay', week: 'toIntervalWeek', month: 'toIntervalMonth', year: 'toIntervalYear' };
const COUNT_OPERATORS: Record<string, string> = { gte: '>=', gt: '>', lte: '<=', lt: '<', exact: '=', eq: '=' };

/** The start of a behavioural filter's window: `time_value` `time_interval`s ago, or `explicit_datetime`. */
function windowStart(leaf: CohortLeaf, ctx: CohortExprContext): Expr | undefined {
  if (leaf.explicit_datetime) {
    const parsed = parseDate(leaf.explicit_datetime, ctx.now.getTime(), ctx.teamTimezone, 'explicit_datetime');
    return instantExpr(parsed.epochMs);
  }
  if (leaf.time_value === undefined || leaf.time_value === null) return undefined;
  const n = Number(leaf.time_value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new HogQLError('query', `behavioral filter time_value must be a non-negative integer, got ${JSON.stringify(leaf.time_value)}`);
  const fn = INTERVAL_FUNCTIONS[leaf.time_interval ?? 'day']!;
  return { node: 'ArithmeticOperation', op: '-', left: instantExpr(ctx.now.getTime()), right: { node: 'Call', name: fn, args: [c(n)] } };
}

function behavioralExpr(leaf: CohortLeaf, ctx: CohortExprContext): Expr {
  const kind = String(leaf.value);
  if (UNSUPPORTED_BEHAVIORAL_KINDS.includes(kind)) throw new HogQLError('query', `behavioral cohort filters '${kind}' are not supported yet`);
  if (!(BEHAVIORAL_KINDS as readonly string[]).includes(kind)) throw new HogQLError('query', `unknown behavioral cohort filter '${kind}'`);
  let match: Expr;
  if (leaf.event_type === 'actions') {
    const action = ctx.action(Number(leaf.key));
    if (!action) throw new HogQLError('query', `behavioral filter refers to action ${JSON.stringify(leaf.key)}, which does not exist in this project`);
    match = action;
  } else {
    match = { node: 'CompareOperation', op: '==', left: { node: 'Field', chain: ['event'] }, right: c(String(leaf.key)) };
  }
  if (leaf.event_filters?.length) {
    const filters = leaf.event_filters.map((f) => {
      const parsed = propertyFilterSchema.safeParse(f);
      if (!parsed.success) throw new HogQLError('query', `behavioral filter event_filters: ${parsed.error.issues[0]!.message}`);
      return propertyToExpr(parsed.data, { scope: 'events', propertyType: ctx.propertyType });
    });
    match = { node: 'And', exprs: [match, ...filters] };
  }
  const since = windowStart(leaf, ctx);
  let having: Expr = c(true);
  if (kind === 'performed_event_first_time') {
    // The person's first matching event ever falls inside the window.
    having = since ? replacePlaceholders(parseExpr('min(timestamp) >= {since}'), { since: { expr: since } }) : c(true);
  } else {
    if (since) match = { node: 'And', exprs: [match, { node: 'CompareOperation', op: '>=', left: { node: 'Field', chain: ['timestamp'] }, right: since }] };
    if (kind === 'performed_event_multiple') {
      const op = COUNT_OPERATORS[leaf.operator ?? 'gte'];
      if (!op) throw new HogQLError('query', `behavioral filter operator must be one of ${Object.keys(COUNT_OPERATORS).join(', ')}, got '${leaf.operator}'`);
      const n = leaf.operator_value;
      if (n === undefined || n === null || !Number.isInteger(n) || n < 0) throw new HogQLError('query', 'performed_event_multiple needs operator_value, a non-negative integer');
      having = replacePlaceholders(parseExpr(`count() ${op} {n}`), { n });
    }
  }
  const select = replacePlaceholders(parseSelect('SELECT person_id FROM events WHERE {match} GROUP BY person_id HAVING {having}'), {
    match: { expr: match },
    having: { expr: having },
  }) as SelectQuery;
  return { node: 'CompareOperation', op: 'in', left: { node: 'Field', chain: ['id'] }, right: select };
}

/** The membership query: every person the definition selects. */
export function cohortMembershipQuery(cohort: Cohort, ctx: CohortExprContext): SelectQuery {
  return replacePlaceholders(parseSelect('SELECT DISTINCT id FROM persons WHERE {condition}'), { condition: { expr: cohortToExpr(cohort, ctx) } }) as SelectQuery;
}
