import { HogQLError, type Expr, type SelectQuery } from '../hogql/ast.js';
import { parseSelect } from '../hogql/parser.js';
import { replacePlaceholders } from '../hogql/placeholders.js';
import { propertyFilterSchema, propertyToExpr, type FilterContext, type PropertyFilter } from '../hogql/property-filters.js';
import { HedgerowError } from '../errors.js';
import { executeHogQL } from '../query/execute.js';
import type { QueryContext } from '../query/query-context.js';
import type { FlagFilters, FlagPropertyFilter } from './flag-types.js';
import { parseDateInZone, stringForm } from './property-match.js';

/**
 * PostHog's `POST /feature_flags/user_blast_radius`: how many persons (or groups of one type) a release
 * condition's filters match, out of how many. As in PostHog (`get_user_blast_radius`) the rollout
 * percentage is not applied — the client multiplies — and the filters are counted with the query
 * engine's property-filter semantics (the same HogQL filters insights use), so the answer is an
 * estimate of what the flag evaluator will decide, not a replay of it.
 */

export interface BlastRadiusRequest {
  /** The condition's filters, already checked by the flag API's filter validation. */
  properties: FlagPropertyFilter[];
  /** null: persons; otherwise the group type whose groups are counted. */
  groupTypeIndex: number | null;
}

export interface BlastRadius {
  users_affected: number;
  total_users: number;
}

const invalid = (detail: string) => new HedgerowError('invalid_input', detail, 'condition');
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The request body (`{condition: {properties, rollout_percentage, variant}, group_type_index}`) checked
 * with the flag API's own filter validation (`validate`), whose messages are re-addressed to `condition`.
 */
export async function parseBlastRadiusRequest(body: Record<string, unknown>, validate: (filters: FlagFilters) => Promise<FlagFilters>): Promise<BlastRadiusRequest> {
  if (!('condition' in body)) throw new HedgerowError('invalid_input', 'Missing condition for which to get blast radius', 'condition');
  const groupIndex = body.group_type_index ?? null;
  if (groupIndex !== null && (typeof groupIndex !== 'number' || !Number.isInteger(groupIndex) || groupIndex < 0 || groupIndex > 4)) {
    throw new HedgerowError('invalid_input', 'group_type_index must be null or a group type index from 0 to 4', 'group_type_index');
  }
  // PostHog reads a null condition as `{}`: no filters, everyone.
  const condition = body.condition ?? {};
  if (!isPlainObject(condition)) throw invalid('condition must be an object with the release condition’s properties');
  if (condition.properties !== undefined && condition.properties !== null && !Array.isArray(condition.properties)) {
    throw invalid('condition.properties must be a list of property filters');
  }
  // A variant override names the flag's variants, which this request does not carry: it changes no count.
  const { variant: _variant, ...rest } = condition;
  try {
    const filters = await validate({ groups: [rest], aggregation_group_type_index: groupIndex });
    return { properties: filters.groups?.[0]?.properties ?? [], groupTypeIndex: groupIndex };
  } catch (err) {
    if (err instanceof HedgerowError && err.attr === 'filters') throw invalid(err.message.replace(/^filters\.groups\[0\]/, 'condition'));
    throw err;
  }
}

/** RE2 pattern text matching `text` literally. */
const literal = (text: string) => text.replace(/[\\^$.|?*+()[\]{}]/g, (ch) => '\\' + ch);

/**
 * A flag filter as the query engine's property filter(s). Flag-only operators become what they mean in
 * filters the engine has (prefix/suffix as case-insensitive regexes, `icontains_multi` as an OR of
 * `icontains`); group filters are read on the `groups` table, where properties sit where a person's do.
 */
function toQueryFilter(f: FlagPropertyFilter, onGroups: boolean, filterContext: FilterContext, timezone: string, now: number): Expr {
  if (f.type === 'flag') throw invalid(`Conditions on other flags cannot be counted: a flag's value is decided when it is evaluated, not stored on ${onGroups ? 'groups' : 'persons'}`);
  const operator = f.operator ?? 'exact';
  if (operator.startsWith('semver_')) throw invalid(`The ${operator} operator cannot be counted yet (property '${f.key}')`);
  let type: string = f.type === 'group' ? 'person' : (f.type ?? 'person');
  let key = f.key;
  // `$group_key` is the group's key column, not one of its properties.
  if (onGroups && key === '$group_key') {
    type = 'event_metadata';
    key = 'key';
  }
  let value = f.value;
  if ((operator === 'is_date_before' || operator === 'is_date_after') && typeof value === 'string') {
    // Relative dates (`-7d`) are anchored now, in the project's zone, as the flag evaluator does.
    const instant = parseDateInZone(value.trim(), { timezone, now });
    if (instant !== null) value = new Date(instant).toISOString();
  }
  const one = (op: string, v: unknown): Expr => {
    const parsed = propertyFilterSchema.safeParse({ type, key, operator: op, value: v });
    if (!parsed.success) throw invalid(`Property filter '${f.key}': ${parsed.error.issues[0]!.message}`);
    return propertyToExpr(parsed.data as PropertyFilter, filterContext);
  };
  switch (operator) {
    case 'starts_with':
    case 'not_starts_with':
      return one(operator === 'starts_with' ? 'regex' : 'not_regex', `(?i)^${literal(stringForm(value))}`);
    case 'ends_with':
    case 'not_ends_with':
      return one(operator === 'ends_with' ? 'regex' : 'not_regex', `(?i)${literal(stringForm(value))}$`);
    case 'icontains_multi':
    case 'not_icontains_multi': {
      const needles = (Array.isArray(value) ? value : [value]).map(stringForm);
      if (needles.length === 0) throw invalid(`Property filter '${f.key}' with operator '${operator}' needs a value`);
      const parts = needles.map((n) => one(operator === 'icontains_multi' ? 'icontains' : 'not_icontains', n));
      if (parts.length === 1) return parts[0]!;
      return operator === 'icontains_multi' ? { node: 'Or', exprs: parts } : { node: 'And', exprs: parts };
    }
    default:
      return one(operator, value);
  }
}

/** Counts the condition's matches and the total, in one query through the HogQL compiler (project guard included). */
export async function userBlastRadius(request: BlastRadiusRequest, q: QueryContext): Promise<BlastRadius> {
  const onGroups = request.groupTypeIndex !== null;
  const now = q.now.getTime();
  const index = request.groupTypeIndex;
  // On `FROM groups` the compiler reads every property as text (it cannot know the group type of a row),
  // so group filters get no taxonomy types either: they compare as text, and numerically through toFloat.
  const filterContext: FilterContext = { scope: 'persons', propertyType: index === null ? q.propertyType : undefined };
  let condition: Expr;
  try {
    const parts = request.properties.map((f) => toQueryFilter(f, onGroups, filterContext, q.project.timezone, now));
    condition = parts.length === 0 ? { node: 'Constant', value: true } : parts.length === 1 ? parts[0]! : { node: 'And', exprs: parts };
  } catch (err) {
    if (err instanceof HogQLError) throw invalid(err.message);
    throw err;
  }
  const tree = onGroups
    ? replacePlaceholders(parseSelect('SELECT count(), countIf({condition}) FROM groups WHERE index = {index}'), { condition: { expr: condition }, index })
    : replacePlaceholders(parseSelect('SELECT count(), countIf({condition}) FROM persons'), { condition: { expr: condition } });
  const executed = await executeHogQL(q.ch, q.log, tree as SelectQuery, q.compileOptions);
  const [total, affected] = (executed.results[0] ?? [0, 0]).map(Number);
  return { users_affected: Math.min(affected ?? 0, total ?? 0), total_users: total ?? 0 };
}
