import { HogQLError, type Expr, type Field, type SelectQuery } from '../hogql/ast.js';
import { parseExpr, parseSelect } from '../hogql/parser.js';
import { replacePlaceholders } from '../hogql/placeholders.js';
import { instantExpr } from '../query/date-range.js';
import { addUnits } from '../query/dates.js';
import type { QueryContext } from '../query/query-context.js';
import { actorExpr, and, BREAKDOWN_NULL, BREAKDOWN_OTHER, breakdownValueExpr, entityFilter, globalFilters } from './insight-filters.js';
import { bucketKey, bucketKeyExpr, rangeExprs, type InsightRange } from './insight-range.js';
import type { Breakdown, EntityNode, Interval, MathType } from './insight-schemas.js';
import type { Properties } from '../hogql/property-filters.js';
import { cohortValueExpr, type CohortBreakdown } from './cohort-breakdown.js';

/**
 * The HogQL behind one TrendsQuery series over one date range: events are aggregated per bucket and
 * breakdown value in ClickHouse, breakdown values beyond the limit are folded into PostHog's "Other"
 * value there too, and one row per breakdown value comes back with its (bucket, value) points.
 *
 * Layers, innermost first:
 * 1. the math (`value` per `day_start` and breakdown columns `b_0…`): plain aggregates, per-session
 *    (`$session_duration`), per-actor counts, sliding active-user windows, or first-time-for-user;
 * 2. labels: the bucket as `YYYY-MM-DD HH:MM:SS` (`day_key`), the breakdown value (histogram bins,
 *    several breakdowns as an array);
 * 3. with a breakdown: values ranked by their total over the range (null sentinel after real values),
 *    those past `breakdown_limit` summed into the Other sentinel;
 * 4. `breakdown_value, groupArray((day_key, value)) AS points, sum(value) AS sum_value`.
 */

export type EventsSeries = EntityNode;

/** The query-level inputs a series query depends on. */
export interface TrendsPlan {
  query: {
    properties?: Properties | null;
    filterTestAccounts?: boolean | null;
    aggregation_group_type_index?: number | null;
  };
  ctx: QueryContext;
  breakdowns: Breakdown[];
  /** A cohort breakdown (then `breakdowns` is its one entry): an event counts once per cohort of its person. */
  cohortBreakdown?: CohortBreakdown;
  breakdownLimit: number;
  /** Total-value displays: one value over the whole range instead of one per bucket. */
  totalValue: boolean;
  /** ActionsLineGraphCumulative: unique-actor maths count each actor once, on its first bucket. */
  cumulative: boolean;
  /** `samplingFactor` when it samples (0 < factor < 1). */
  samplingFactor?: number;
}

export interface SeriesPlan {
  node: EventsSeries;
  /** The math actually computed (weekly/monthly active degrade to dau for long intervals). */
  math: MathType;
}

const f = (...chain: (string | number)[]): Field => ({ node: 'Field', chain });
const c = (value: string | number | boolean | null): Expr => ({ node: 'Constant', value });
const call = (name: string, ...args: Expr[]): Expr => ({ node: 'Call', name, args });
const alias = (name: string, expr: Expr): Expr => ({ node: 'Alias', alias: name, expr });
const cmp = (op: '==' | '!=' | '<' | '<=' | '>' | '>=', left: Expr, right: Expr): Expr => ({ node: 'CompareOperation', op, left, right });

/** `parseSelect` with `{name}` placeholders filled by trees or constants (never spliced as text). */
function select(text: string, values: Record<string, unknown> = {}): SelectQuery {
  const tree = parseSelect(text);
  if (tree.node !== 'SelectQuery') throw new Error('expected a SELECT');
  return replacePlaceholders(tree, values);
}
const tree = (expr: Expr) => ({ expr });

const PROPERTY_MATHS = new Set<MathType>(['sum', 'avg', 'min', 'max', 'median', 'p75', 'p90', 'p95', 'p99']);
const QUANTILES: Partial<Record<string, number>> = { median: 0.5, p75: 0.75, p90: 0.9, p95: 0.95, p99: 0.99 };
const ACTIVE_DAYS: Partial<Record<MathType, number>> = { weekly_active: 7, monthly_active: 30 };

export type MathKind = 'simple' | 'session_duration' | 'active' | 'per_actor' | 'first_time';

export function mathKind(s: SeriesPlan): MathKind {
  if (s.math === 'weekly_active' || s.math === 'monthly_active') return 'active';
  if (s.math.endsWith('_count_per_actor')) return 'per_actor';
  if (s.math === 'first_time_for_user' || s.math === 'first_matching_event_for_user') return 'first_time';
  if (PROPERTY_MATHS.has(s.math) && s.node.math_property === '$session_duration') return 'session_duration';
  return 'simple';
}

/** PostHog: weekly active degrades to dau for week and month intervals, monthly active for month. */
export function effectiveMath(node: EventsSeries, interval: Interval): MathType {
  const math = node.math ?? 'total';
  if (math === 'weekly_active' && (interval === 'week' || interval === 'month')) return 'dau';
  if (math === 'monthly_active' && interval === 'month') return 'dau';
  return math;
}

/** Inputs a math needs that the schema cannot require, as 400s. */
export function validateSeries(node: EntityNode, index: number): asserts node is EventsSeries {
  const where = `series[${index}]`;
  const math = node.math ?? 'total';
  if (PROPERTY_MATHS.has(math) && !node.math_property) throw new HogQLError('query', `${where}: math "${math}" needs math_property`);
  if (math === 'hogql' && !node.math_hogql) throw new HogQLError('query', `${where}: math "hogql" needs math_hogql`);
  if (math === 'unique_group' && (node.math_group_type_index === null || node.math_group_type_index === undefined)) {
    throw new HogQLError('query', `${where}: math "unique_group" needs math_group_type_index`);
  }
  if (node.math_property_type === 'group_properties' && (node.math_group_type_index === null || node.math_group_type_index === undefined)) {
    throw new HogQLError('query', `${where}: math_property_type "group_properties" needs math_group_type_index`);
  }
}

/** Who a series counts: the group for `unique_group`, else the query's aggregation (person or group). */
export function seriesActor(plan: TrendsPlan, s: SeriesPlan): Expr {
  if (s.math === 'unique_group') return f(`$group_${s.node.math_group_type_index}`);
  return actorExpr(plan.query.aggregation_group_type_index);
}

/** Events without the counted group do not count. */
function actorPresent(plan: TrendsPlan, s: SeriesPlan): Expr[] {
  const actor = seriesActor(plan, s);
  return actor.node === 'Field' && String(actor.chain[0]).startsWith('$group_') ? [cmp('!=', actor, c(''))] : [];
}

function startOfInterval(interval: Interval, ts: Expr, weekStartDay: 0 | 1 = 0): Expr {
  switch (interval) {
    case 'minute':
      return call('toStartOfMinute', ts);
    case 'hour':
      return call('toStartOfHour', ts);
    case 'day':
      return call('toStartOfDay', ts);
    case 'week':
      // PostHog's WeekStartDay modes: 0 = weeks from Sunday, 3 = from Monday.
      return call('toStartOfWeek', ts, c(weekStartDay === 1 ? 3 : 0));
    case 'month':
      return call('toStartOfMonth', ts);
  }
}

/** The math property as a number (PostHog: `toFloat`, empty → NULL, then `math_multiplier`). */
function mathValue(node: EventsSeries): Expr {
  const key = node.math_property!;
  let field: Expr;
  switch (node.math_property_type) {
    case 'person_properties':
      field = f('person', 'properties', key);
      break;
    case 'group_properties':
      field = f(`group_${node.math_group_type_index}`, 'properties', key);
      break;
    case 'session_properties':
      field = f('session', key);
      break;
    default:
      field = f('properties', key);
  }
  let value = call('toFloat', field);
  if (node.math_multiplier !== null && node.math_multiplier !== undefined && node.math_multiplier !== 1) {
    value = { node: 'ArithmeticOperation', op: '*', left: value, right: c(node.math_multiplier) };
  }
  return value;
}

/** `ifNull(sum(x), 0)` / `ifNull(quantile(0.9)(x), 0)`: PostHog reports 0, not null, when nothing matched. */
function propertyAggregate(math: string, value: Expr): Expr {
  const base = math.replace(/_count_per_actor$/, '');
  const q = QUANTILES[base];
  const agg: Expr = q !== undefined ? { node: 'Call', name: 'quantile', params: [c(q)], args: [value] } : call(base, value);
  return call('ifNull', agg, c(0));
}

function simpleAggregate(plan: TrendsPlan, s: SeriesPlan): Expr {
  const countDistinct = (e: Expr): Expr => ({ node: 'Call', name: 'count', args: [e], distinct: true });
  switch (s.math) {
    case 'dau':
    case 'unique_group':
      return countDistinct(seriesActor(plan, s));
    case 'unique_session':
      return countDistinct(f('$session_id'));
    case 'hogql':
      return parseExpr(s.node.math_hogql!);
    default:
      if (PROPERTY_MATHS.has(s.math)) return propertyAggregate(s.math, mathValue(s.node));
      return call('count');
  }
}

/** Raw per-event breakdown columns: the string value (null sentinel when missing), or the number for histogram bins. */
export function breakdownColumns(plan: TrendsPlan): Expr[] {
  return plan.breakdowns.map((b) => {
    if (b.type === 'cohort') {
      if (!plan.cohortBreakdown) throw new HogQLError('query', 'cohort breakdown without its cohorts');
      return cohortValueExpr(plan.cohortBreakdown);
    }
    const text = breakdownValueExpr(b);
    return b.histogram_bin_count ? call('toFloat', call('nullIf', text, c(BREAKDOWN_NULL))) : text;
  });
}

const bNames = (plan: TrendsPlan) => plan.breakdowns.map((_, i) => `b_${i}`);

/** The event filters every math shares (not the time window). */
export function seriesFilters(plan: TrendsPlan, s: SeriesPlan): Expr[] {
  return [entityFilter(s.node, plan.ctx), ...globalFilters(plan.query, plan.ctx), ...actorPresent(plan, s)];
}

/** Bucket windows of weekly/monthly active: local calendar days [start − (N−1) days, start + 1 day) of each bucket. */
export function activeWindow(range: InsightRange, days: number, bucketStart: number): { lo: number; hi: number } {
  return { lo: addUnits(bucketStart, 'day', -(days - 1), range.timezone), hi: addUnits(bucketStart, 'day', 1, range.timezone) };
}

function activeUnit(interval: Interval): Interval {
  return interval === 'minute' || interval === 'hour' ? interval : 'day';
}

/** Layer 1: one `value` per bucket (`day_start` / `day_key`) and breakdown columns. */
function mathLayer(plan: TrendsPlan, s: SeriesPlan, range: InsightRange): { query: SelectQuery; day: 'day_start' | 'day_key' | null } {
  const kind = mathKind(s);
  const bCols = breakdownColumns(plan);
  const names = bNames(plan);
  const filters = seriesFilters(plan, s);
  const timeSeries = !plan.totalValue;
  const day = alias('day_start', startOfInterval(range.interval, f('timestamp'), range.weekStartDay));
  const bSelect = bCols.map((e, i) => alias(names[i]!, e));
  const bFields = names.map((n) => f(n));

  if (kind === 'active') {
    const days = ACTIVE_DAYS[s.math]!;
    const actor = seriesActor(plan, s);
    if (!timeSeries) {
      // PostHog: on total-value displays, the distinct actors of the last 7/30 days of the range.
      const from = addUnits(range.to, 'day', -days, range.timezone);
      return {
        query: {
          node: 'SelectQuery',
          select: [...bSelect, alias('value', { node: 'Call', name: 'count', args: [actor], distinct: true })],
          select_from: { node: 'JoinExpr', table: f('events') },
          where: and([...rangeExprs({ from, to: range.to }), ...filters]),
          group_by: bFields.length ? bFields : undefined,
        },
        day: null,
      };
    }
    const windows = range.buckets.map((b) => activeWindow(range, days, b));
    const lo = Math.min(...windows.map((w) => w.lo));
    const unit = activeUnit(range.interval);
    const events: SelectQuery = {
      node: 'SelectQuery',
      select: [alias('u', call('toUnixTimestamp', startOfInterval(unit, f('timestamp')))), alias('actor', actor), ...bSelect],
      select_from: { node: 'JoinExpr', table: f('events') },
      where: and([...rangeExprs({ from: lo, to: range.to }), ...filters]),
      group_by: [f('u'), f('actor'), ...bFields],
    };
    const bList = names.length ? names.join(', ') + ', ' : '';
    const query = select(
      `SELECT {keys}[bi] AS day_key, ${bList}count(DISTINCT actor) AS value
       FROM (
         SELECT arrayJoin(arrayFilter(i -> u >= {lo}[i] AND u < {hi}[i], range(1, {n} + 1))) AS bi, actor${names.map((n) => `, ${n}`).join('')}
         FROM {events}
       )
       GROUP BY day_key${names.map((n) => `, ${n}`).join('')}`,
      {
        keys: range.buckets.map((b) => bucketKeyOf(b, range)),
        lo: windows.map((w) => Math.floor(w.lo / 1000)),
        hi: windows.map((w) => Math.floor(w.hi / 1000)),
        n: range.buckets.length,
        events: tree(events),
      },
    );
    return { query, day: 'day_key' };
  }

  if (kind === 'first_time') {
    // PostHog's first-time-for-user: each person's first matching event over all time before the
    // range end; counted when that first event is in the range (and, for first_time_for_user, matches the filters).
    const eventOnly = entityFilter({ ...s.node, properties: null, fixedProperties: null }, plan.ctx);
    const withoutEvent = s.node.kind === 'EventsNode' ? { ...s.node, event: null } : s.node;
    const conditions = and([entityFilter(withoutEvent, plan.ctx), ...globalFilters(plan.query, plan.ctx)]);
    const matching = s.math === 'first_matching_event_for_user';
    const inRange = cmp('>=', f('timestamp'), instantExpr(range.from));
    const firstOf = (e: Expr): Expr => (matching ? call('argMinIf', e, f('timestamp'), conditions) : call('argMin', e, f('timestamp')));
    // A cohort breakdown is a property of the person, not of its first event: one row per (person, cohort).
    const perPerson = !!plan.cohortBreakdown;
    const inner: SelectQuery = {
      node: 'SelectQuery',
      select: [
        alias('min_timestamp', matching ? call('minIf', f('timestamp'), conditions) : call('min', f('timestamp'))),
        alias('min_timestamp_with_condition', call('minIf', f('timestamp'), and([inRange, conditions]))),
        ...bCols.map((e, i) => alias(names[i]!, perPerson ? e : firstOf(e))),
      ],
      select_from: { node: 'JoinExpr', table: f('events') },
      where: and([cmp('<', f('timestamp'), instantExpr(range.to)), eventOnly]),
      group_by: [f('person_id'), ...(perPerson ? bFields : [])],
      having: and([cmp('==', f('min_timestamp'), f('min_timestamp_with_condition')), cmp('!=', f('min_timestamp'), call('fromUnixTimestamp', c(0)))]),
    };
    const group = [...(timeSeries ? [f('day_start')] : []), ...bFields];
    return {
      query: {
        node: 'SelectQuery',
        select: [...(timeSeries ? [alias('day_start', startOfInterval(range.interval, f('min_timestamp'), range.weekStartDay))] : []), ...bFields, alias('value', call('count'))],
        select_from: { node: 'JoinExpr', table: inner },
        group_by: group.length ? group : undefined,
      },
      day: timeSeries ? 'day_start' : null,
    };
  }

  const where = and([...rangeExprs(range), ...filters]);
  const dayGroup = timeSeries ? [f('day_start')] : [];
  const outerGroup = [...dayGroup, ...bFields];

  if (kind === 'session_duration' || kind === 'per_actor') {
    // Aggregate per session (one duration each) or per actor (its event count), then across them.
    const perSession = kind === 'session_duration';
    const inner: SelectQuery = {
      node: 'SelectQuery',
      select: [
        ...(timeSeries ? [day] : []),
        ...bSelect,
        perSession ? alias('x', call('any', f('session', '$session_duration'))) : alias('x', call('count')),
      ],
      select_from: { node: 'JoinExpr', table: f('events') },
      where,
      group_by: [perSession ? f('$session_id') : seriesActor(plan, s), ...dayGroup, ...bFields],
    };
    return {
      query: {
        node: 'SelectQuery',
        select: [...dayGroup, ...bFields, alias('value', propertyAggregate(s.math, call('toFloat', f('x'))))],
        select_from: { node: 'JoinExpr', table: inner },
        group_by: outerGroup.length ? outerGroup : undefined,
      },
      day: timeSeries ? 'day_start' : null,
    };
  }

  if (timeSeries && plan.cumulative && (s.math === 'dau' || s.math === 'unique_group')) {
    // Cumulative unique actors: each actor counts once, in the bucket of its first event.
    return {
      query: {
        node: 'SelectQuery',
        select: [alias('day_start', call('min', startOfInterval(range.interval, f('timestamp'), range.weekStartDay))), ...bSelect, alias('value', c(1))],
        select_from: { node: 'JoinExpr', table: f('events') },
        where,
        group_by: [seriesActor(plan, s), ...bFields],
      },
      day: 'day_start',
    };
  }

  return {
    query: {
      node: 'SelectQuery',
      select: [...(timeSeries ? [day] : []), ...bSelect, alias('value', simpleAggregate(plan, s))],
      select_from: { node: 'JoinExpr', table: f('events') },
      where,
      group_by: outerGroup.length ? outerGroup : undefined,
    },
    day: timeSeries ? 'day_start' : null,
  };
}

/** `YYYY-MM-DD HH:MM:SS` of a bucket start, as `bucketKeyExpr` prints it. */
function bucketKeyOf(b: number, range: InsightRange): string {
  return bucketKey(b, range.timezone);
}

/** A histogram bin label as PostHog prints it (`[10,17.5]`; the last bin's upper bound + 0.01), or the null sentinel. */
function histogramLabel(value: Expr, lo: Expr, hi: Expr, bins: number): Expr {
  const bounds = parseExpr(
    `arrayFilter(x -> x[1] <= {v} AND {v} < x[2], arrayMap(i -> [(({hi} - {lo}) / {n}) * i + {lo}, (({hi} - {lo}) / {n}) * (i + 1) + {lo} + if(i + 1 = {n}, 0.01, 0)], range({n})))`,
  );
  const filled = replacePlaceholders(bounds, { v: tree(value), lo: tree(lo), hi: tree(hi), n: bins });
  return replacePlaceholders(parseExpr(`if({v} IS NULL OR empty({bins}), {nil}, toString({bins}[1]))`), { v: tree(value), bins: tree(filled), nil: BREAKDOWN_NULL });
}

/** The full series query: rows of `breakdown_value, points, sum_value`. */
export function seriesQuery(plan: TrendsPlan, s: SeriesPlan, range: InsightRange): SelectQuery {
  const { query: math, day } = mathLayer(plan, s, range);
  const names = bNames(plan);
  const histograms = plan.breakdowns.map((b) => b.histogram_bin_count ?? null);

  // Layer 2: labels.
  let source: SelectQuery = math;
  const dayCols = day ? [f(day)] : [];
  if (histograms.some((h) => h !== null)) {
    source = {
      node: 'SelectQuery',
      select: [
        ...dayCols,
        ...names.map((n) => f(n)),
        f('value'),
        ...names.flatMap((n, i) =>
          histograms[i] === null
            ? []
            : [
                alias(`lo_${i}`, parseExpr(`min(${n}) OVER ()`)),
                alias(`hi_${i}`, parseExpr(`max(${n}) OVER ()`)),
              ],
        ),
      ],
      select_from: { node: 'JoinExpr', table: math },
    };
  }
  const labelOf = (i: number): Expr => (histograms[i] === null ? f(names[i]!) : histogramLabel(f(names[i]!), f(`lo_${i}`), f(`hi_${i}`), histograms[i]!));
  const dayKey: Expr = day === 'day_start' ? bucketKeyExpr(range.interval, range.weekStartDay, f('day_start')) : day === 'day_key' ? f('day_key') : c('');
  const breakdownValue: Expr = names.length === 0 ? c('') : names.length === 1 ? labelOf(0) : { node: 'Array', exprs: names.map((_, i) => labelOf(i)) };
  const labelled: SelectQuery = {
    node: 'SelectQuery',
    select: [alias('day_key', dayKey), alias('breakdown_value', breakdownValue), alias('value', call('sum', f('value')))],
    select_from: { node: 'JoinExpr', table: source },
    group_by: [f('day_key'), f('breakdown_value')],
  };

  // Layer 3: top values by total over the range; the rest into Other.
  let ranked: SelectQuery = labelled;
  if (names.length) {
    const multiple = names.length > 1;
    const ordering = multiple
      ? replacePlaceholders(parseExpr('if(has(breakdown_value, {other}), 2, if(has(breakdown_value, {nil}), 1, 0))'), { other: BREAKDOWN_OTHER, nil: BREAKDOWN_NULL })
      : replacePlaceholders(parseExpr('multiIf(breakdown_value = {other}, 2, breakdown_value = {nil}, 1, 0)'), { other: BREAKDOWN_OTHER, nil: BREAKDOWN_NULL });
    ranked = select(
      `SELECT day_key, if(value_rank <= {limit}, breakdown_value, {other}) AS ranked_value, sum(value) AS ranked_sum
       FROM (
         SELECT day_key, breakdown_value, value,
           dense_rank() OVER (ORDER BY ordering ASC, value_total DESC, breakdown_value ASC) AS value_rank
         FROM (
           SELECT day_key, breakdown_value, value, sum(value) OVER (PARTITION BY breakdown_value) AS value_total, {ordering} AS ordering
           FROM {labelled}
         )
       )
       GROUP BY day_key, ranked_value`,
      {
        limit: plan.breakdownLimit,
        other: multiple ? names.map(() => BREAKDOWN_OTHER) : BREAKDOWN_OTHER,
        ordering: tree(ordering),
        labelled: tree(labelled),
      },
    );
    ranked = select('SELECT day_key, ranked_value AS breakdown_value, ranked_sum AS value FROM {ranked}', { ranked: tree(ranked) });
  }

  // Layer 4: one row per breakdown value.
  return select(
    `SELECT breakdown_value, groupArray(tuple(day_key, value)) AS points, sum(value) AS sum_value
     FROM {ranked}
     GROUP BY breakdown_value
     LIMIT 50000`,
    { ranked: tree(ranked) },
  );
}

/**
 * The actors behind one data point of a series: who performed the series' events in `window` (a
 * bucket, or the whole range) with breakdown values passing `breakdownCondition` (given the per-event
 * breakdown columns). One column, `actor_id`.
 */
export function seriesActorsQuery(
  plan: TrendsPlan,
  s: SeriesPlan,
  range: InsightRange,
  window: { from: number; to: number; bucket?: number },
  breakdownCondition: (columns: Expr[]) => Expr,
): SelectQuery {
  const kind = mathKind(s);
  const bCols = breakdownColumns(plan);
  const names = bNames(plan);
  if (kind === 'first_time') {
    const { query } = mathLayer({ ...plan, totalValue: true }, s, range);
    const inner = query.select_from!.table as SelectQuery;
    inner.select.push(alias('actor_id', f('person_id')));
    return {
      node: 'SelectQuery',
      select: [f('actor_id')],
      select_from: { node: 'JoinExpr', table: inner },
      where: and([...rangeExprs(window, f('min_timestamp')), breakdownCondition(names.map((n) => f(n)))]),
    };
  }
  let from = window.from;
  let to = window.to;
  if (kind === 'active') {
    const days = ACTIVE_DAYS[s.math]!;
    if (window.bucket !== undefined) ({ lo: from, hi: to } = activeWindow(range, days, window.bucket));
    else if (plan.totalValue) from = addUnits(range.to, 'day', -days, range.timezone);
    else from = addUnits(range.from, 'day', -(days - 1), range.timezone);
    to = Math.min(to, range.to);
  }
  return {
    node: 'SelectQuery',
    select: [alias('actor_id', seriesActor(plan, s))],
    distinct: true,
    select_from: { node: 'JoinExpr', table: f('events') },
    where: and([...rangeExprs({ from, to }), ...seriesFilters(plan, s), breakdownCondition(bCols)]),
  };
}
