/**
 * The statistics part of PostHog's ExperimentQuery response (`baseline` and `variant_results`),
 * built from the per-variant rows the experiment query returns — PostHog's
 * `get_bayesian_experiment_result` / `get_frequentist_experiment_result` and
 * `split_baseline_and_test_variants`.
 *
 * Field names are PostHog's wire names. Statistics fields (`chance_to_win`, `credible_interval`,
 * `p_value`, `confidence_interval`, `significant`) are absent when the variant or the baseline has
 * validation failures or its test could not run; the reason of the latter is in `skipped`, which
 * PostHog logs as "experiment_statistics_skipped". `effects` carries each tested variant's point
 * estimate (the relative or absolute delta) and risks, which the wire format leaves to the client.
 */
import { HedgerowError } from '../errors.js';
import { bayesianTest, type BayesianTestResult } from './stats-bayesian.js';
import { DEFAULT_SEQUENTIAL_TUNING_PARAMETER, frequentistTest, type FrequentistTestResult } from './stats-frequentist.js';
import {
  numberInRange,
  parseDifferenceType,
  toStatistic,
  validateVariant,
  type ExperimentStatsBase,
  type ExperimentStatsBaseValidated,
  type Outcome,
  type Statistic,
  type StatsMetric,
} from './stats-shared.js';

/** An experiment's `stats_config`, as stored (any field may be missing or malformed). */
export interface ExperimentStatsConfig {
  method?: unknown;
  baseline_variant_key?: unknown;
  bayesian?: { ci_level?: unknown; difference_type?: unknown; prior_type?: unknown } | null;
  frequentist?: {
    alpha?: unknown;
    difference_type?: unknown;
    sequential_testing_enabled?: unknown;
    sequential_tuning_parameter?: unknown;
  } | null;
}

/** Team-level experiment defaults that the frequentist method falls back to. */
export interface TeamStatsDefaults {
  sequentialTestingEnabled?: boolean;
  sequentialTuningParameter?: number | null;
}

type VariantPassThrough = ExperimentStatsBaseValidated;

/** PostHog's `ExperimentVariantResultBayesian`. */
export interface ExperimentVariantResultBayesian extends VariantPassThrough {
  method: 'bayesian';
  chance_to_win?: number;
  credible_interval?: [number, number];
  significant?: boolean;
}

/** PostHog's `ExperimentVariantResultFrequentist`. */
export interface ExperimentVariantResultFrequentist extends VariantPassThrough {
  method: 'frequentist';
  p_value?: number;
  confidence_interval?: [number, number];
  significant?: boolean;
}

export interface ExperimentStatisticsResult<M extends 'bayesian' | 'frequentist', R, D> {
  method: M;
  baseline: ExperimentStatsBaseValidated;
  variant_results: R[];
  /** variant key → full test output, for the variants whose test ran */
  effects: Record<string, D>;
  /** variants whose statistics could not be computed, with PostHog's reason text */
  skipped: { key: string; reason: string }[];
}

export type BayesianExperimentStatistics = ExperimentStatisticsResult<
  'bayesian',
  ExperimentVariantResultBayesian,
  BayesianTestResult
>;
export type FrequentistExperimentStatistics = ExperimentStatisticsResult<
  'frequentist',
  ExperimentVariantResultFrequentist,
  FrequentistTestResult
>;

/** PostHog's `get_experiment_stats_method`. */
export function experimentStatsMethod(config: ExperimentStatsConfig | null | undefined): 'bayesian' | 'frequentist' {
  return config?.method === 'frequentist' ? 'frequentist' : 'bayesian';
}

/** The baseline key: `stats_config.baseline_variant_key` when set, else "control". */
export function baselineVariantKey(config: ExperimentStatsConfig | null | undefined): string {
  const key = config?.baseline_variant_key;
  return typeof key === 'string' && key !== '' ? key : 'control';
}

/** PostHog's `split_baseline_and_test_variants`. */
export function splitBaselineAndTestVariants<V extends { key: string }>(
  variants: V[],
  baselineKey = 'control',
): { baseline: V; tests: V[] } {
  const baselines = variants.filter((v) => v.key === baselineKey);
  if (baselines.length === 0) throw new HedgerowError('invalid_input', 'No control variant found');
  if (baselines.length > 1) throw new HedgerowError('invalid_input', 'Multiple control variants found');
  return { baseline: baselines[0]!, tests: variants.filter((v) => v.key !== baselineKey) };
}

function checkRow(variant: ExperimentStatsBase): void {
  for (const field of ['number_of_samples', 'sum', 'sum_squares'] as const) {
    if (!Number.isFinite(variant[field])) {
      throw new HedgerowError('invalid_input', `Variant "${variant.key}": ${field} must be a finite number`, field);
    }
  }
}

/** Copies the pass-through fields PostHog returns for every variant, omitting absent ones. */
function passThrough(variant: ExperimentStatsBaseValidated): VariantPassThrough {
  const result: VariantPassThrough = {
    key: variant.key,
    number_of_samples: variant.number_of_samples,
    sum: variant.sum,
    sum_squares: variant.sum_squares,
    validation_failures: variant.validation_failures,
  };
  if (variant.step_counts !== undefined) result.step_counts = variant.step_counts;
  if (variant.step_sessions !== undefined) result.step_sessions = variant.step_sessions;
  if (variant.denominator_sum !== undefined) {
    result.denominator_sum = variant.denominator_sum;
    result.denominator_sum_squares = variant.denominator_sum_squares;
    result.numerator_denominator_sum_product = variant.numerator_denominator_sum_product;
  }
  return result;
}

/** Shared walk over the test variants: validation, statistics, one test per variant. */
function compareWithBaseline<D>(
  metric: StatsMetric,
  baselineRow: ExperimentStatsBase,
  testRows: ExperimentStatsBase[],
  runTest: (treatment: Statistic, control: Statistic) => Outcome<D>,
): {
  baseline: ExperimentStatsBaseValidated;
  variants: { row: ExperimentStatsBaseValidated; test: D | null }[];
  skipped: { key: string; reason: string }[];
} {
  [baselineRow, ...testRows].forEach(checkRow);
  const baseline = validateVariant(baselineRow, metric, true);
  const tests = testRows.map((row) => validateVariant(row, metric, false));
  const skipped: { key: string; reason: string }[] = [];
  let controlStat: Statistic | null = null;
  if (baseline.validation_failures.length === 0) {
    const stat = toStatistic(metric, baseline);
    if (stat.ok) controlStat = stat.value;
    else skipped.push({ key: baseline.key, reason: stat.reason });
  }
  const variants = tests.map((row) => {
    if (controlStat === null || row.validation_failures.length > 0) return { row, test: null };
    const treatment = toStatistic(metric, row);
    const outcome = treatment.ok ? runTest(treatment.value, controlStat) : treatment;
    if (!outcome.ok) {
      skipped.push({ key: row.key, reason: outcome.reason });
      return { row, test: null };
    }
    return { row, test: outcome.value };
  });
  return { baseline, variants, skipped };
}

/** The Bayesian ExperimentQuery statistics for one metric. */
export function bayesianExperimentStatistics(
  metric: StatsMetric,
  baselineRow: ExperimentStatsBase,
  testRows: ExperimentStatsBase[],
  statsConfig?: ExperimentStatsConfig | null,
): BayesianExperimentStatistics {
  const config = statsConfig?.bayesian ?? {};
  let ciLevel = numberInRange(config.ci_level, 0, 1, 0.95);
  if (ciLevel <= 0 || ciLevel >= 1) ciLevel = 0.95;
  const options = { ciLevel, differenceType: parseDifferenceType(config.difference_type) };
  const { baseline, variants, skipped } = compareWithBaseline(metric, baselineRow, testRows, (t, c) =>
    bayesianTest(t, c, options),
  );
  const effects: Record<string, BayesianTestResult> = {};
  const variant_results = variants.map(({ row, test }): ExperimentVariantResultBayesian => {
    const result: ExperimentVariantResultBayesian = { ...passThrough(row), method: 'bayesian' };
    if (test !== null) {
      result.chance_to_win = test.chance_to_win;
      result.credible_interval = test.credible_interval;
      result.significant = test.is_decisive;
      effects[row.key] = test;
    }
    return result;
  });
  return { method: 'bayesian', baseline, variant_results, effects, skipped };
}

/** The frequentist ExperimentQuery statistics for one metric. */
export function frequentistExperimentStatistics(
  metric: StatsMetric,
  baselineRow: ExperimentStatsBase,
  testRows: ExperimentStatsBase[],
  statsConfig?: ExperimentStatsConfig | null,
  teamDefaults: TeamStatsDefaults = {},
): FrequentistExperimentStatistics {
  const config = statsConfig?.frequentist ?? {};
  let alpha = numberInRange(config.alpha, 0, 1, 0.05);
  if (alpha <= 0 || alpha >= 1) alpha = 0.05;
  // An experiment's explicit setting wins over the team default, including an explicit `false`.
  const sequential =
    config.sequential_testing_enabled !== undefined
      ? Boolean(config.sequential_testing_enabled)
      : (teamDefaults.sequentialTestingEnabled ?? false);
  const teamTuning =
    teamDefaults.sequentialTuningParameter != null
      ? numberInRange(teamDefaults.sequentialTuningParameter, 1, 1e9, DEFAULT_SEQUENTIAL_TUNING_PARAMETER)
      : DEFAULT_SEQUENTIAL_TUNING_PARAMETER;
  const tuning = numberInRange(config.sequential_tuning_parameter ?? teamTuning, 1, 1e9, teamTuning);
  const options = {
    alpha,
    differenceType: parseDifferenceType(config.difference_type),
    ...(sequential ? { sequentialTuningParameter: tuning } : {}),
  };
  const { baseline, variants, skipped } = compareWithBaseline(metric, baselineRow, testRows, (t, c) =>
    frequentistTest(t, c, options),
  );
  const effects: Record<string, FrequentistTestResult> = {};
  const variant_results = variants.map(({ row, test }): ExperimentVariantResultFrequentist => {
    const result: ExperimentVariantResultFrequentist = { ...passThrough(row), method: 'frequentist' };
    if (test !== null) {
      result.p_value = test.p_value;
      result.confidence_interval = test.confidence_interval;
      result.significant = test.is_significant;
      effects[row.key] = test;
    }
    return result;
  });
  return { method: 'frequentist', baseline, variant_results, effects, skipped };
}

/**
 * Entry point for the ExperimentQuery runner: splits off the baseline (stats_config's
 * `baseline_variant_key`, else "control") and runs the experiment's configured method.
 */
export function experimentStatistics(
  metric: StatsMetric,
  rows: ExperimentStatsBase[],
  statsConfig?: ExperimentStatsConfig | null,
  teamDefaults: TeamStatsDefaults = {},
): BayesianExperimentStatistics | FrequentistExperimentStatistics {
  const { baseline, tests } = splitBaselineAndTestVariants(rows, baselineVariantKey(statsConfig));
  return experimentStatsMethod(statsConfig) === 'frequentist'
    ? frequentistExperimentStatistics(metric, baseline, tests, statsConfig, teamDefaults)
    : bayesianExperimentStatistics(metric, baseline, tests, statsConfig);
}
