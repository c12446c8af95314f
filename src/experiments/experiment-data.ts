import { z } from 'zod';
import { HedgerowError } from '../errors.js';
import type { Expr, SelectQuery } from '../hogql/ast.js';
import { parseSelect } from '../hogql/parser.js';
import { replacePlaceholders } from '../hogql/placeholders.js';
import { propertiesSchema, propertiesToExpr } from '../hogql/property-filters.js';
import { entityNodeSchema } from '../insights/insight-schemas.js';
import { and, entityFilter, globalFilters } from '../insights/insight-filters.js';
import { instantExpr } from '../query/date-range.js';
import { executeHogQL } from '../query/execute.js';
import type { QueryContext } from '../query/query-context.js';
import type { Experiment } from './experiment-store.js';
import type { FeatureFlag } from '../flags/flag-types.js';

/** PostHog's `ExperimentMetric` (new engine), the kinds Hedgerow computes: mean (count, sum, unique) and funnel. */
export const experimentMetricSchema = z.object({
  kind: z.literal('ExperimentMetric'),
  metric_type: z.enum(['mean', 'funnel']),
  name: z.string().nullish(),
  uuid: z.string().nullish(),
  /** mean: the events counted (math total), summed (math sum + math_property) or present (unique_users/dau). */
  source: entityNodeSchema.nullish(),
  /** funnel: the steps after exposure, in order. */
  series: z.array(entityNodeSchema).min(1).max(20).nullish(),
  goal: z.enum(['increase', 'decrease']).nullish(),
  conversion_window: z.number().int().positive().nullish(),
  conversion_window_unit: z.enum(['second', 'minute', 'hour', 'day', 'week', 'month']).nullish(),
});
export type ExperimentMetric = z.infer<typeof experimentMetricSchema>;

export const exposureCriteriaSchema = z
  .object({
    filterTestAccounts: z.boolean().nullish(),
    exposure_config: z
      .object({ kind: z.string().nullish(), event: z.string().max(400), properties: propertiesSchema.nullish() })
      .passthrough()
      .nullish(),
    multiple_variant_handling: z.enum(['exclude', 'first_seen']).nullish(),
  })
  .passthrough();

/** Sufficient statistics of one variant (PostHog's `ExperimentStatsBase`). */
export interface VariantStats {
  key: string;
  number_of_samples: number;
  sum: number;
  sum_squares: number;
  /** Funnels: actors who reached each step (exposure excluded). */
  step_counts?: number[];
}

const SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800, month: 2_592_000 };

export function variantKeys(flag: FeatureFlag): string[] {
  return (flag.filters.multivariate?.variants ?? []).map((v) => v.key);
}

/** The experiment's window: start to end (or now). A draft has none. */
export function experimentWindow(experiment: Experiment, now: Date): { from: number; to: number } {
  if (!experiment.startDate) throw new HedgerowError('invalid_input', 'This experiment has not started: set its start_date to launch it.', 'experiment_id');
  const from = Date.parse(experiment.startDate);
  const to = experiment.endDate ? Math.min(Date.parse(experiment.endDate), now.getTime()) : now.getTime();
  return { from, to: Math.max(from, to) };
}

/** PostHog's label for actors seen in more than one variant (under `exclude` handling). */
export const MULTIPLE_VARIANT_KEY = '$multiple';

export interface ExposureOptions {
  /**
   * Keep actors seen in several variants as one `$multiple` row instead of dropping them (the
   * exposures timeseries shows them; metrics leave them out). Has no effect under `first_seen`.
   */
  keepMultiple?: boolean;
}

/**
 * Exposed actors with their variant and first exposure: `$feature_flag_called` for the flag (or the
 * configured exposure event, whose variant is `$feature/<flag key>`), inside the window, with a known
 * variant. Actors seen in several variants are excluded (PostHog's default) or keep the first.
 * ExperimentQuery and ExperimentExposureQuery both count exposures through this one definition.
 */
export function exposedActorsQuery(flag: FeatureFlag, exposureCriteria: unknown, range: { from: number; to: number }, ctx: QueryContext, options: ExposureOptions = {}): SelectQuery {
  const criteria = exposureCriteriaSchema.parse(exposureCriteria ?? {});
  const { from, to } = range;
  const custom = criteria.exposure_config;
  const variantField: Expr = { node: 'Field', chain: ['properties', custom ? `$feature/${flag.key}` : '$feature_flag_response'] };
  const conditions: Expr[] = custom
    ? [
        { node: 'CompareOperation', op: '==', left: { node: 'Field', chain: ['event'] }, right: { node: 'Constant', value: custom.event } },
        propertiesToExpr(custom.properties, { scope: 'events', propertyType: ctx.propertyType }),
      ]
    : [
        { node: 'CompareOperation', op: '==', left: { node: 'Field', chain: ['event'] }, right: { node: 'Constant', value: '$feature_flag_called' } },
        { node: 'CompareOperation', op: '==', left: { node: 'Field', chain: ['properties', '$feature_flag'] }, right: { node: 'Constant', value: flag.key } },
      ];
  conditions.push(
    { node: 'CompareOperation', op: '>=', left: { node: 'Field', chain: ['timestamp'] }, right: instantExpr(from) },
    { node: 'CompareOperation', op: '<', left: { node: 'Field', chain: ['timestamp'] }, right: instantExpr(to) },
    { node: 'CompareOperation', op: 'in', left: variantField, right: { node: 'Tuple', exprs: variantKeys(flag).map((k) => ({ node: 'Constant', value: k })) } },
    ...globalFilters({ filterTestAccounts: criteria.filterTestAccounts ?? false }, ctx),
  );
  const firstSeen = criteria.multiple_variant_handling === 'first_seen';
  if (!firstSeen && options.keepMultiple) {
    return parseSelectWith(
      `SELECT person_id AS actor, if(uniqExact({variant}) > 1, {multiple}, argMin({variant}, timestamp)) AS variant, min(timestamp) AS first_exposure
       FROM events WHERE {where} GROUP BY actor`,
      { variant: variantField, where: and(conditions), multiple: { node: 'Constant', value: MULTIPLE_VARIANT_KEY } },
    );
  }
  return parseSelectWith(
    `SELECT person_id AS actor, argMin({variant}, timestamp) AS variant, min(timestamp) AS first_exposure
     FROM events WHERE {where} GROUP BY actor ${firstSeen ? '' : 'HAVING uniqExact({variant}) = 1'}`,
    { variant: variantField, where: and(conditions) },
  );
}

/** The exposed actors of a saved experiment over its own window (what every metric is computed over). */
function exposuresQuery(experiment: Experiment, flag: FeatureFlag, ctx: QueryContext): SelectQuery {
  return exposedActorsQuery(flag, experiment.exposureCriteria, experimentWindow(experiment, ctx.now), ctx);
}

export function parseSelectWith(text: string, exprs: Record<string, Expr | SelectQuery>): SelectQuery {
  return replacePlaceholders(parseSelect(text), Object.fromEntries(Object.entries(exprs).map(([k, v]) => [k, { expr: v }]))) as SelectQuery;
}

/** Per-actor value of a mean metric after exposure: count (total), sum of a property, or presence (unique). */
function meanValue(metric: ExperimentMetric): { value: Expr; binary: boolean } {
  const source = metric.source;
  if (!source) throw new HedgerowError('invalid_input', 'a mean metric needs a source (EventsNode or ActionsNode)', 'metric.source');
  const math = source.math ?? 'total';
  if (math === 'total') return { value: { node: 'Constant', value: 1 }, binary: false };
  if (math === 'sum') {
    if (!source.math_property) throw new HedgerowError('invalid_input', 'math "sum" needs math_property', 'metric.source.math_property');
    const prop: Expr = { node: 'Call', name: 'toFloat', args: [{ node: 'Field', chain: ['properties', source.math_property] }] };
    return { value: { node: 'Call', name: 'ifNull', args: [prop, { node: 'Constant', value: 0 }] }, binary: false };
  }
  if (math === 'dau' || math === 'unique_session') return { value: { node: 'Constant', value: 1 }, binary: true };
  throw new HedgerowError('invalid_input', `experiment mean metrics support math total, sum and dau (unique users), got '${math}'`, 'metric.source.math');
}

/** Runs the metric over the exposed actors and returns each variant's sufficient statistics, in the flag's variant order. */
export async function experimentVariantStats(experiment: Experiment, flag: FeatureFlag, metric: ExperimentMetric, ctx: QueryContext): Promise<{ stats: VariantStats[]; hogql: string }> {
  const { from, to } = experimentWindow(experiment, ctx.now);
  const exposures = exposuresQuery(experiment, flag, ctx);
  const windowSeconds = metric.conversion_window ? metric.conversion_window * SECONDS[metric.conversion_window_unit ?? 'day']! : undefined;
  const inWindow = [
    { node: 'CompareOperation', op: '>=', left: { node: 'Field', chain: ['timestamp'] }, right: instantExpr(from) },
    { node: 'CompareOperation', op: '<', left: { node: 'Field', chain: ['timestamp'] }, right: instantExpr(to) },
  ] as Expr[];
  let query: SelectQuery;
  if (metric.metric_type === 'mean') {
    const { value, binary } = meanValue(metric);
    const after = windowSeconds
      ? `metric.timestamp >= exposures.first_exposure AND metric.timestamp < exposures.first_exposure + toIntervalSecond(${windowSeconds})`
      : 'metric.timestamp >= exposures.first_exposure';
    query = parseSelectWith(
      `SELECT variant, count() AS samples, sum(value) AS total, sum(value * value) AS squares FROM (
         SELECT exposures.actor AS actor, exposures.variant AS variant, ${binary ? 'if(countIf(' + after + ') > 0, 1, 0)' : `sumIf(metric.value, ${after})`} AS value
         FROM {exposures} AS exposures
         LEFT JOIN (SELECT person_id, timestamp, {value} AS value FROM events WHERE {match}) AS metric ON exposures.actor = metric.person_id
         GROUP BY actor, variant)
       GROUP BY variant`,
      { exposures, value, match: and([entityFilter(metric.source!, ctx), ...inWindow]) },
    );
  } else {
    const steps = metric.series;
    if (!steps?.length) throw new HedgerowError('invalid_input', 'a funnel metric needs series (its steps)', 'metric.series');
    // The exposure is step 0, so every counted step happens after it, in order, within the window.
    const seconds = windowSeconds ?? Math.max(1, Math.ceil((to - from) / 1000));
    const stepConds = steps.map((s) => entityFilter(s, ctx));
    const exposureCond: Expr = { node: 'CompareOperation', op: '==', left: { node: 'Field', chain: ['timestamp'] }, right: { node: 'Field', chain: ['exposures', 'first_exposure'] } };
    const counts = steps.map((_, i) => `countIf(steps >= ${i + 2}) AS step_${i + 1}`).join(', ');
    query = parseSelectWith(
      `SELECT variant, count() AS samples, countIf(steps >= ${steps.length + 1}) AS total, countIf(steps >= ${steps.length + 1}) AS squares, ${counts} FROM (
         SELECT exposures.actor AS actor, exposures.variant AS variant,
                windowFunnel(${seconds})(toDateTime(events.timestamp), {exposed}, ${stepConds.map((_, i) => `{step${i}}`).join(', ')}) AS steps
         FROM events
         INNER JOIN {exposures} AS exposures ON events.person_id = exposures.actor
         WHERE {match}
         GROUP BY actor, variant)
       GROUP BY variant`,
      {
        exposures,
        exposed: exposureCond,
        match: and([{ node: 'Or', exprs: [...stepConds, exposureCond] }, ...inWindow]),
        ...Object.fromEntries(stepConds.map((c, i) => [`step${i}`, c])),
      },
    );
  }
  const result = await executeHogQL(ctx.ch, ctx.log, query, { ...ctx.compileOptions, defaultLimit: 1000 });
  const byKey = new Map(result.results.map((r) => [String(r[0]), r]));
  const stats = variantKeys(flag).map((key): VariantStats => {
    const r = byKey.get(key);
    const s: VariantStats = { key, number_of_samples: Number(r?.[1] ?? 0), sum: Number(r?.[2] ?? 0), sum_squares: Number(r?.[3] ?? 0) };
    if (metric.metric_type === 'funnel') s.step_counts = metric.series!.map((_, i) => Number(r?.[4 + i] ?? 0));
    return s;
  });
  return { stats, hogql: result.compiled.hogql };
}
