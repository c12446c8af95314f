/**
 * PostHog's frequentist method for experiment metrics (`stats_config.method = "frequentist"`), as
 * in `products/experiments/stats/frequentist/`:
 *
 * - two-sided Welch t-test of each test variant against the baseline: point estimate is the
 *   relative (default) or absolute difference of means, its variance Var_T/n_T + Var_C/n_C or the
 *   delta-method relative form Var_T/(n_T·μ_C²) + μ_T²·Var_C/(n_C·μ_C⁴); degrees of freedom by
 *   Welch–Satterthwaite; p = 2·P(T_df > |t|); interval = estimate ± t_{1−α/2, df}·SE;
 *   significant when p < α (default 0.05); both groups need n >= 5;
 * - with sequential testing enabled (an experiment's `sequential_testing_enabled`, else the team
 *   default), the always-valid p-value and confidence sequence of Waudby-Smith et al. 2023
 *   (eq. 9, 155, 161) with tuning parameter N (default 5000):
 *   ρ = √((−2 ln α + ln(−2 ln α + 1)) / N), e = exp(ρ²·t² / (2(nρ²+1))) / √(nρ²+1) with
 *   t² = estimate²·n/SE², p = min(1, 1/e), half-width = √(SE²·n)·√(2(nρ²+1)·ln(√(nρ²+1)/α)/(nρ)²),
 *   n = n_T + n_C.
 *
 * Deviations: the two-sided p-value is computed as 2·sf(|t|) rather than 2·(1 − cdf(|t|)), so
 * very small p-values keep their digits instead of rounding to 0; CUPED is not implemented.
 */
import { studentTQuantile, studentTSf } from './stats-distributions.js';
import {
  fail,
  ok,
  statisticMean,
  statisticVariance,
  type DifferenceType,
  type Outcome,
  type Statistic,
} from './stats-shared.js';

export const DEFAULT_SEQUENTIAL_TUNING_PARAMETER = 5000;

export interface FrequentistOptions {
  alpha: number;
  differenceType: DifferenceType;
  /** always-valid inference with this tuning parameter; fixed-horizon Welch test when absent */
  sequentialTuningParameter?: number;
}

export interface FrequentistTestResult {
  point_estimate: number;
  confidence_interval: [number, number];
  p_value: number;
  /** NaN for the sequential test, where no t distribution is involved */
  test_statistic: number;
  degrees_of_freedom: number;
  is_significant: boolean;
  test_type: 'two_sided' | 'sequential_two_sided';
  alpha: number;
}

const MIN_SAMPLE_SIZE = 5;

function pointEstimateAndVariance(
  treatment: Statistic,
  control: Statistic,
  differenceType: DifferenceType,
): Outcome<{ estimate: number; variance: number }> {
  const mt = statisticMean(treatment);
  const mc = statisticMean(control);
  const vt = statisticVariance(treatment);
  const vc = statisticVariance(control);
  if (differenceType === 'absolute') {
    return ok({ estimate: mt - mc, variance: vt / treatment.n + vc / control.n });
  }
  if (Math.abs(mc) < 1e-10) return fail('Control mean cannot be zero for relative difference calculation');
  return ok({
    estimate: (mt - mc) / mc,
    variance: vt / (treatment.n * mc ** 2) + (mt ** 2 * vc) / (control.n * mc ** 4),
  });
}

/** Welch–Satterthwaite degrees of freedom. */
export function welchDegreesOfFreedom(treatment: Statistic, control: Statistic): number {
  const a = statisticVariance(treatment) / treatment.n;
  const b = statisticVariance(control) / control.n;
  return (a + b) ** 2 / (a ** 2 / (treatment.n - 1) + b ** 2 / (control.n - 1));
}

export function sequentialRho(alpha: number, tuningParameter: number): number {
  const logAlpha = Math.log(alpha);
  return Math.sqrt((-2 * logAlpha + Math.log(-2 * logAlpha + 1)) / tuningParameter);
}

/** One test variant against the baseline. */
export function frequentistTest(
  treatment: Statistic,
  control: Statistic,
  options: FrequentistOptions,
): Outcome<FrequentistTestResult> {
  if (treatment.n < MIN_SAMPLE_SIZE) return fail(`Treatment sample size (${treatment.n}) below minimum (${MIN_SAMPLE_SIZE})`);
  if (control.n < MIN_SAMPLE_SIZE) return fail(`Control sample size (${control.n}) below minimum (${MIN_SAMPLE_SIZE})`);
  const point = pointEstimateAndVariance(treatment, control, options.differenceType);
  if (!point.ok) return point;
  const { estimate, variance } = point.value;
  if (!(variance > 0)) return fail('Pooled variance must be positive');
  const standardError = Math.sqrt(variance);
  const alpha = options.alpha;

  if (options.sequentialTuningParameter !== undefined) {
    const n = treatment.n + control.n;
    const rho = sequentialRho(alpha, options.sequentialTuningParameter);
    const nRho2p1 = n * rho * rho + 1;
    const tSquared = (estimate * estimate * n) / variance;
    // log e-value, so astronomically strong evidence does not overflow exp()
    const logEvalue = (rho * rho * tSquared) / (2 * nRho2p1) - 0.5 * Math.log(nRho2p1);
    const pValue = logEvalue <= 0 ? 1 : Math.min(Math.exp(-logEvalue), 1);
    const halfWidth =
      Math.sqrt(variance * n) * Math.sqrt((2 * nRho2p1 * Math.log(Math.sqrt(nRho2p1) / alpha)) / (n * rho) ** 2);
    return ok({
      point_estimate: estimate,
      confidence_interval: [estimate - halfWidth, estimate + halfWidth],
      p_value: pValue,
      test_statistic: Number.NaN,
      degrees_of_freedom: Number.NaN,
      is_significant: pValue < alpha,
      test_type: 'sequential_two_sided',
      alpha,
    });
  }

  const df = welchDegreesOfFreedom(treatment, control);
  const t = estimate / standardError;
  const pValue = Math.min(1, 2 * studentTSf(Math.abs(t), df));
  const margin = studentTQuantile(1 - alpha / 2, df) * standardError;
  return ok({
    point_estimate: estimate,
    confidence_interval: [estimate - margin, estimate + margin],
    p_value: pValue,
    test_statistic: t,
    degrees_of_freedom: df,
    is_significant: pValue < alpha,
    test_type: 'two_sided',
    alpha,
  });
}
