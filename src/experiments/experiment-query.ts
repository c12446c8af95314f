import { z } from 'zod';
import { HedgerowError } from '../errors.js';
import type { QueryContext } from '../query/query-context.js';
import { experimentMetricSchema, experimentVariantStats, type ExperimentMetric, type VariantStats } from './experiment-data.js';
import { experimentStatistics, type ExperimentStatsConfig } from './stats-experiment-results.js';
import { continuousExperimentResult, countExperimentResult, funnelExperimentResult, type LegacyExperimentResult } from './stats-legacy.js';

/** PostHog's `ExperimentQuery`: one metric of a saved experiment (or an inline one), its results per variant. */
export const experimentQuerySchema = z.object({
  kind: z.literal('ExperimentQuery'),
  experiment_id: z.number().int().positive(),
  metric: experimentMetricSchema.nullish(),
  name: z.string().nullish(),
});
export type ExperimentQuery = z.infer<typeof experimentQuerySchema>;

/**
 * The legacy engine's fields of the response (PostHog still returns them next to the new ones):
 * probability to be best, significance code with the minimum-exposure rule, credible intervals.
 */
function legacyResult(metric: ExperimentMetric, stats: VariantStats[]): LegacyExperimentResult & { variants: unknown[] } {
  if (metric.metric_type === 'funnel') {
    const variants = stats.map((s) => ({ key: s.key, success_count: s.sum, failure_count: s.number_of_samples - s.sum }));
    return { ...funnelExperimentResult(variants), variants };
  }
  const variants = stats.map((s) => ({ key: s.key, count: s.sum, exposure: 1, absolute_exposure: s.number_of_samples }));
  const control = variants.find((v) => v.key === 'control');
  for (const v of variants) v.exposure = control && control.absolute_exposure > 0 ? v.absolute_exposure / control.absolute_exposure : 1;
  const math = metric.source?.math ?? 'total';
  return { ...(math === 'sum' ? continuousExperimentResult(variants) : countExperimentResult(variants)), variants };
}

export async function runExperimentQuery(query: ExperimentQuery, ctx: QueryContext): Promise<Record<string, unknown>> {
  const found = await ctx.experiment(query.experiment_id);
  if (!found) throw new HedgerowError('not_found', `Experiment ${query.experiment_id} not found.`, 'experiment_id');
  const { experiment, flag } = found;
  const metric = query.metric ?? (experiment.metrics[0] ? experimentMetricSchema.parse(experiment.metrics[0]) : undefined);
  if (!metric) throw new HedgerowError('invalid_input', 'The query has no metric and the experiment has none saved.', 'metric');
  const { stats, hogql } = await experimentVariantStats(experiment, flag, metric, ctx);
  const statistics = experimentStatistics({ kind: metric.metric_type }, stats, experiment.statsConfig as ExperimentStatsConfig | null);
  if (statistics.skipped.length > 0) ctx.log.info({ experimentId: experiment.id, skipped: statistics.skipped }, 'experiment_statistics_skipped');
  let legacy: Record<string, unknown> = {};
  try {
    const r = legacyResult(metric, stats);
    legacy = { probability: r.probability, significant: r.significant, significance_code: r.significance_code, expected_loss: r.expected_loss, credible_intervals: r.credible_intervals, variants: r.variants };
  } catch (err) {
    // The legacy engine refuses some shapes (e.g. more than 10 test variants); its fields are then absent, as in PostHog's new engine.
    if (!(err instanceof HedgerowError)) throw err;
    ctx.log.info({ experimentId: experiment.id, reason: err.message }, 'legacy experiment statistics skipped');
  }
  return {
    kind: 'ExperimentQueryResponse',
    metric,
    baseline: statistics.baseline,
    variant_results: statistics.variant_results,
    ...legacy,
    stats_version: 2,
    hogql,
  };
}
