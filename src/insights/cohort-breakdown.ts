import { HedgerowError } from '../errors.js';
import type { Expr } from '../hogql/ast.js';
import type { Properties, PropertyFilter, PropertyGroup } from '../hogql/property-filters.js';
import type { QueryContext } from '../query/query-context.js';
import type { BreakdownFilter } from './insight-schemas.js';

/**
 * PostHog's cohort breakdowns (`breakdownFilter: {breakdown_type: "cohort", breakdown: [ids] | id | "all"}`,
 * or `breakdowns: [{type: "cohort", property: id}, …]`, one entry per cohort): every event counts once
 * for each listed cohort its person belongs to (at the cohort's current calculated version), and
 * `"all"` (id 0) counts every event once more as "all users".
 *
 * The insight runners keep their usual breakdown pipeline: the per-event breakdown column is
 * `arrayJoin(arrayConcat(if(person_id IN COHORT 12, ['12'], []), …, ['0']))` — one row per (event,
 * cohort), the cohort id as a string — so one scan of the events serves every cohort (PostHog runs a
 * query per cohort, or joins the membership table). Drill-downs filter by `person_id IN COHORT id`.
 */

export const ALL_USERS_COHORT_ID = 0;
export const ALL_USERS_LABEL = 'all users';
/** More cohorts than this in one breakdown is refused (each is a membership set in the query). */
export const MAX_BREAKDOWN_COHORTS = 50;

export interface CohortBreakdown {
  /** Cohort ids in request order, de-duplicated; 0 = all users. */
  ids: number[];
  /** Display names by id (0 → "all users"). */
  names: Map<number, string>;
}

const invalid = (message: string, attr = 'breakdownFilter.breakdown') => new HedgerowError('invalid_input', message, attr);

/** `12`, `"12"` → 12; `"all"`, `0`, `"0"` → 0; anything else → undefined. */
function cohortIdOf(value: unknown): number | undefined {
  if (value === 'all') return ALL_USERS_COHORT_ID;
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/**
 * The cohort breakdown of a query, validated against the project's cohorts, or null when the query
 * does not break down by cohort. A cohort breakdown mixed with other breakdown types, an unknown or
 * deleted cohort, or a value that is not a cohort id is a 400.
 */
export function cohortBreakdownOf(filter: BreakdownFilter | null | undefined, ctx: Pick<QueryContext, 'cohorts'>): CohortBreakdown | null {
  if (!filter) return null;
  let raw: unknown[];
  let attr = 'breakdownFilter.breakdown';
  if (filter.breakdowns?.length) {
    const cohorts = filter.breakdowns.filter((b) => b.type === 'cohort');
    if (cohorts.length === 0) return null;
    if (cohorts.length !== filter.breakdowns.length) {
      throw invalid('cohort breakdowns cannot be combined with other breakdown types: break down by cohorts only, or filter by cohort instead', 'breakdownFilter.breakdowns');
    }
    raw = cohorts.map((b) => b.property);
    attr = 'breakdownFilter.breakdowns';
  } else {
    if (filter.breakdown_type !== 'cohort') return null;
    if (filter.breakdown === undefined || filter.breakdown === null || filter.breakdown === '') return null;
    raw = Array.isArray(filter.breakdown) ? filter.breakdown : [filter.breakdown];
    if (raw.length === 0) throw invalid('a cohort breakdown needs at least one cohort id or "all"');
  }
  if (filter.breakdown_histogram_bin_count) throw invalid('cohort breakdowns cannot be histogram breakdowns', 'breakdownFilter.breakdown_histogram_bin_count');
  const ids: number[] = [];
  const bad: string[] = [];
  for (const v of raw) {
    const id = cohortIdOf(v);
    if (id === undefined) bad.push(JSON.stringify(v).slice(0, 40));
    else if (!ids.includes(id)) ids.push(id);
  }
  if (bad.length) throw invalid(`cohort breakdown values must be cohort ids or "all", got ${bad.join(', ')}`, attr);
  if (ids.length > MAX_BREAKDOWN_COHORTS) throw invalid(`a cohort breakdown can list at most ${MAX_BREAKDOWN_COHORTS} cohorts, got ${ids.length}`, attr);
  const names = new Map<number, string>();
  const missing: number[] = [];
  for (const id of ids) {
    if (id === ALL_USERS_COHORT_ID) {
      names.set(id, ALL_USERS_LABEL);
      continue;
    }
    const cohort = ctx.cohorts.get(id);
    if (!cohort || cohort.deleted) missing.push(id);
    else names.set(id, cohort.name);
  }
  if (missing.length) throw invalid(`cohort breakdown: cohort${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in this project (unknown or deleted)`, attr);
  return { ids, names };
}

const c = (value: string | number): Expr => ({ node: 'Constant', value });
const inCohort = (person: Expr, id: number): Expr => ({ node: 'CompareOperation', op: 'in cohort', left: person, right: c(id) });

/** Per event: the ids (as strings) of the listed cohorts its person is in, and '0' for "all users". */
export function cohortValuesExpr(cb: CohortBreakdown, person: Expr = { node: 'Field', chain: ['person_id'] }): Expr {
  const parts: Expr[] = cb.ids.map((id) =>
    id === ALL_USERS_COHORT_ID ? { node: 'Array', exprs: [c(String(id))] } : { node: 'Call', name: 'if', args: [inCohort(person, id), { node: 'Array', exprs: [c(String(id))] }, { node: 'Array', exprs: [] }] },
  );
  return parts.length === 1 ? parts[0]! : { node: 'Call', name: 'arrayConcat', args: parts };
}

/** The per-event breakdown column: one row per (event, cohort of its person), the cohort id as a string. */
export function cohortValueExpr(cb: CohortBreakdown, person?: Expr): Expr {
  return { node: 'Call', name: 'arrayJoin', args: [cohortValuesExpr(cb, person)] };
}

/**
 * The cohort a drill-down asks for (`breakdown` of an InsightActorsQuery, `funnelStepBreakdown`, a
 * retention row's `breakdown_value`): an id of the breakdown, `"all"` / 0, or a one-element list of
 * either. 400 for anything else.
 */
export function requestedCohort(cb: CohortBreakdown, value: unknown, attr = 'source.breakdown'): number {
  const single = Array.isArray(value) && value.length === 1 ? value[0] : value;
  const id = cohortIdOf(single);
  if (id === undefined || !cb.ids.includes(id)) {
    throw invalid(`breakdown ${JSON.stringify(value)?.slice(0, 60)} is not one of the cohorts of this breakdown (${cb.ids.map((i) => (i === 0 ? '"all"' : i)).join(', ')})`, attr);
  }
  return id;
}

/**
 * Property filters keeping the persons of any of `ids` (a cohort filter each, ORed); null when "all
 * users" is among them. For drill-downs: the query without the breakdown, filtered by cohort.
 */
export function cohortMembershipFilter(ids: number[]): Properties | null {
  if (ids.length === 0 || ids.includes(ALL_USERS_COHORT_ID)) return null;
  const filters: PropertyFilter[] = ids.map((id) => ({ type: 'cohort', key: 'id', value: id, operator: 'in' }));
  return filters.length === 1 ? filters : { type: 'OR', values: filters };
}

/** Two sets of property filters ANDed. */
export function andProperties(a: Properties | null | undefined, b: Properties | null | undefined): Properties | null | undefined {
  if (!b) return a;
  if (!a) return b;
  const group = (p: Properties): PropertyGroup => (Array.isArray(p) ? { type: 'AND', values: p } : p);
  return { type: 'AND', values: [group(a), group(b)] };
}

/** A row's breakdown value as the engine returned it ('12', '0') → the cohort id. */
export function cohortIdOfValue(value: unknown): number {
  const id = cohortIdOf(typeof value === 'string' ? value : String(value));
  return id ?? ALL_USERS_COHORT_ID;
}

/** The display name of a cohort of the breakdown. */
export function cohortName(cb: CohortBreakdown, id: number): string {
  return cb.names.get(id) ?? String(id);
}
