/**
 * What PostHog's current experiment statistics (the ExperimentQuery runner,
 * `products/experiments/stats/shared/` and `get_*_experiment_result` in
 * `products/experiments/backend/hogql_queries/utils.py`) share between the Bayesian and the
 * frequentist method: the per-variant sufficient statistics, their validation, and their
 * conversion into a mean / proportion / ratio statistic with a mean and a variance.
 *
 * A statistic that cannot be formed or tested (too few conversions, zero variance, …) is not an
 * error in PostHog: the variant is returned without its statistics and the reason is logged
 * ("experiment_statistics_skipped"). Here such outcomes are values, `{ ok: false, reason }`,
 * which the result builders collect into `skipped` for the caller to log.
 */

/** PostHog's `ExperimentStatsValidationFailure`. */
export type ExperimentStatsValidationFailure = 'not-enough-exposures' | 'baseline-mean-is-zero' | 'not-enough-metric-data';

/** PostHog's `ExperimentStatsBase`: one row of the experiment query, per variant. */
export interface ExperimentStatsBase {
  key: string;
  number_of_samples: number;
  sum: number;
  sum_squares: number;
  step_counts?: number[];
  /** sampled sessions per funnel step; carried through untouched */
  step_sessions?: unknown[][];
  denominator_sum?: number;
  denominator_sum_squares?: number;
  numerator_denominator_sum_product?: number;
}

/** PostHog's `ExperimentStatsBaseValidated`. */
export interface ExperimentStatsBaseValidated extends ExperimentStatsBase {
  validation_failures: ExperimentStatsValidationFailure[];
}

/**
 * The metric kinds of PostHog's ExperimentQuery. `threshold` marks an ExperimentMeanMetric with
 * a threshold: its `sum` counts users who reached it, so it is analysed as a proportion.
 */
export interface StatsMetric {
  kind: 'funnel' | 'mean' | 'ratio' | 'retention';
  threshold?: boolean;
}

export type DifferenceType = 'relative' | 'absolute';

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail<T>(reason: string): Outcome<T> {
  return { ok: false, reason };
}

export interface SampleMeanStatistic {
  type: 'mean';
  n: number;
  sum: number;
  sumSquares: number;
}

export interface ProportionStatistic {
  type: 'proportion';
  n: number;
  sum: number;
}

export interface RatioStatistic {
  type: 'ratio';
  n: number;
  numerator: SampleMeanStatistic;
  denominator: SampleMeanStatistic;
  sumOfProducts: number;
}

export type Statistic = SampleMeanStatistic | ProportionStatistic | RatioStatistic;

/** Minimum exposures per variant before PostHog computes statistics. */
export const MIN_EXPOSURES = 50;
/** Minimum conversions (funnel, retention) per variant. */
export const MIN_METRIC_EVENTS = 5;

/** PostHog's `validate_variant_result`. */
export function validateVariant(
  variant: ExperimentStatsBase,
  metric: StatsMetric,
  isBaseline: boolean,
): ExperimentStatsBaseValidated {
  const failures: ExperimentStatsValidationFailure[] = [];
  if (variant.number_of_samples < MIN_EXPOSURES) failures.push('not-enough-exposures');
  if ((metric.kind === 'funnel' || metric.kind === 'retention') && variant.sum < MIN_METRIC_EVENTS) {
    failures.push('not-enough-metric-data');
  }
  if (isBaseline && variant.sum === 0) failures.push('baseline-mean-is-zero');
  return { ...variant, validation_failures: failures };
}

function sampleMean(n: number, sum: number, sumSquares: number): Outcome<SampleMeanStatistic> {
  if (!(n > 0)) return fail('Sample size must be positive');
  // PostHog rejects sum_squares below sum²/n exactly; a relative 1e-12 slack keeps constant
  // metrics (all values equal) from failing on the last bit of floating-point rounding.
  const floor = n === 1 ? sum * sum : (sum * sum) / n;
  if (sumSquares < floor - 1e-12 * Math.abs(floor)) {
    return fail(n === 1 ? 'sum_squares must be >= sum^2 for single observation' : 'sum_squares incompatible with sum and n');
  }
  return ok({ type: 'mean', n, sum, sumSquares });
}

/** PostHog's `metric_variant_to_statistic`. */
export function toStatistic(metric: StatsMetric, variant: ExperimentStatsBase): Outcome<Statistic> {
  const n = variant.number_of_samples;
  if (metric.kind === 'funnel' || (metric.kind === 'mean' && metric.threshold)) {
    const sum = Math.trunc(variant.sum);
    if (!(n > 0)) return fail('Sample size must be positive');
    if (sum < 0) return fail('Number of successes cannot be negative');
    if (sum > n) return fail('Number of successes cannot exceed sample size');
    return ok({ type: 'proportion', n, sum });
  }
  if (metric.kind === 'mean') return sampleMean(n, variant.sum, variant.sum_squares);
  // ratio and retention: numerator and denominator per unit, with their cross products
  const numerator = sampleMean(n, variant.sum, variant.sum_squares);
  if (!numerator.ok) return numerator;
  const denominator = sampleMean(n, variant.denominator_sum ?? 0, variant.denominator_sum_squares ?? 0);
  if (!denominator.ok) return denominator;
  if (Math.abs(denominator.value.sum / n) < 1e-10) return fail('Denominator mean cannot be zero for ratio calculation');
  return ok({
    type: 'ratio',
    n,
    numerator: numerator.value,
    denominator: denominator.value,
    sumOfProducts: variant.numerator_denominator_sum_product ?? 0,
  });
}

function meanVariance(stat: SampleMeanStatistic): number {
  if (stat.n === 1) return 0;
  // Clamped: the slack in `sampleMean` may leave a rounding-sized negative.
  return Math.max(0, (stat.sumSquares - (stat.sum * stat.sum) / stat.n) / (stat.n - 1));
}

/** The statistic's mean: sample mean, proportion, or Σnumerator / Σdenominator. */
export function statisticMean(stat: Statistic): number {
  switch (stat.type) {
    case 'mean':
    case 'proportion':
      return stat.sum / stat.n;
    case 'ratio':
      return stat.numerator.sum / stat.denominator.sum;
  }
}

/** Per-unit variance: sample variance, p(1−p), or the delta-method variance of the ratio. */
export function statisticVariance(stat: Statistic): number {
  switch (stat.type) {
    case 'mean':
      return meanVariance(stat);
    case 'proportion': {
      const p = stat.sum / stat.n;
      return p * (1 - p);
    }
    case 'ratio': {
      const mMean = stat.numerator.sum / stat.n;
      const dMean = stat.denominator.sum / stat.n;
      const covariance =
        stat.n === 1 ? 0 : (stat.sumOfProducts - (stat.numerator.sum * stat.denominator.sum) / stat.n) / (stat.n - 1);
      return (
        meanVariance(stat.numerator) / dMean ** 2 +
        (mMean ** 2 * meanVariance(stat.denominator)) / dMean ** 4 -
        (2 * mMean * covariance) / dMean ** 3
      );
    }
  }
}

/** PostHog's `validate_statistic_inputs`: the problems it reports, empty when usable. */
function statisticProblems(stat: Statistic): string[] {
  const problems: string[] = [];
  if (!(stat.n > 0)) problems.push('Sample size must be positive');
  if (!Number.isFinite(statisticMean(stat))) problems.push('Mean must be finite');
  const variance = statisticVariance(stat);
  if (!Number.isFinite(variance) || variance < 0) problems.push('Variance must be finite and non-negative');
  if (stat.type === 'mean') {
    if (Math.abs(stat.sum) > 1e15) problems.push('Sum value extremely large - potential overflow risk');
    if (stat.sumSquares > 1e30) problems.push('Sum of squares extremely large - potential overflow risk');
  }
  if (stat.type === 'proportion') {
    const p = stat.sum / stat.n;
    if (p < 1e-10 || p > 1 - 1e-10) {
      problems.push('Proportion extremely close to 0 or 1 - statistical tests may be unreliable');
    }
  }
  return problems;
}

/** PostHog's `validate_test_inputs` (used by the Bayesian tests). */
export function validateTestInputs(treatment: Statistic, control: Statistic): Outcome<void> {
  const treatmentProblems = statisticProblems(treatment);
  if (treatmentProblems.length > 0) return fail(`Treatment statistic validation failed: ${treatmentProblems.join('; ')}`);
  const controlProblems = statisticProblems(control);
  if (controlProblems.length > 0) return fail(`Control statistic validation failed: ${controlProblems.join('; ')}`);
  if (treatment.type !== control.type) return fail('Treatment and control statistics must be the same type');
  return ok(undefined);
}

/** Reads a number the way PostHog's `_validate_numeric_range` does, falling back to `fallback`. */
export function numberInRange(value: unknown, min: number, max: number, fallback: number): number {
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) && parsed >= min && parsed <= max ? parsed : fallback;
}

/** PostHog parses `difference_type` by enum member name; anything else means RELATIVE. */
export function parseDifferenceType(value: unknown): DifferenceType {
  return value === 'ABSOLUTE' ? 'absolute' : 'relative';
}
