/**
 * PostHog's current Bayesian method for experiment metrics (the default `stats_config.method`),
 * as in `products/experiments/stats/bayesian/` (method.py, tests.py, utils.py) and
 * `get_bayesian_experiment_result` in `products/experiments/backend/hogql_queries/utils.py`
 * (PostHog master, commit e95501e):
 *
 * - each test variant is compared with the baseline (control) on its own — there is no
 *   "probability to be best" across all variants in this method;
 * - the effect is the relative difference (μ_T − μ_C)/μ_C (or μ_T − μ_C with
 *   difference_type ABSOLUTE); its variance comes from the delta method
 *   Var_T/(n_T·μ_C²) + μ_T²·Var_C/(n_C·μ_C⁴), with per-unit variances: sample variance for means,
 *   p(1−p) for conversions, delta-method variance for ratios;
 * - a Gaussian likelihood for the effect with a flat prior (optionally a proper Gaussian prior),
 *   so the posterior is N(effect, variance);
 * - chance_to_win = P(effect > 0) (P(effect < 0) when `inverse`), credible_interval = the central
 *   `ci_level` (default 0.95) interval of the posterior, on the effect — not on the rates;
 * - significant = chance_to_win > ci_level or < 1 − ci_level (`is_decisive`);
 * - risks: E[max(θ, 0)] (of keeping control) and E[max(−θ, 0)] (of shipping the test) in closed
 *   form, where PostHog goes through scipy's truncated normal mean.
 * Everything here is closed form, so there is no sampling to make deterministic.
 *
 * Deviations: `ci_level` outside (0, 1) falls back to 0.95 (PostHog accepts 0 and 1 in its range
 * check and then fails); CUPED variance reduction is not implemented.
 */
import { normalCdf, normalPdf, normalQuantile } from './stats-distributions.js';
import {
  fail,
  ok,
  statisticMean,
  statisticVariance,
  validateTestInputs,
  type DifferenceType,
  type Outcome,
  type Statistic,
} from './stats-shared.js';

export interface BayesianOptions {
  ciLevel: number;
  differenceType: DifferenceType;
  /** lower is better: chance_to_win becomes P(effect < 0) */
  inverse?: boolean;
  /** a proper Gaussian prior on the effect; flat when absent (PostHog's default) */
  prior?: { mean: number; variance: number };
}

export interface BayesianTestResult {
  /** posterior mean of the effect (relative or absolute difference) */
  effect_size: number;
  credible_interval: [number, number];
  chance_to_win: number;
  /** expected loss of keeping control: E[max(effect, 0)] */
  risk_control: number;
  /** expected loss of shipping the test variant: E[max(−effect, 0)] */
  risk_treatment: number;
  posterior_variance: number;
  ci_level: number;
  difference_type: DifferenceType;
  is_decisive: boolean;
}

/** Effect size and its variance (PostHog's `calculate_effect_size_and_variance`). */
export function bayesianEffect(
  treatment: Statistic,
  control: Statistic,
  differenceType: DifferenceType,
): Outcome<{ effect: number; variance: number }> {
  const mt = statisticMean(treatment);
  const mc = statisticMean(control);
  const vt = statisticVariance(treatment) / treatment.n;
  const vc = statisticVariance(control) / control.n;
  if (differenceType === 'absolute') return ok({ effect: mt - mc, variance: vt + vc });
  if (mc <= 0) return fail('Control mean must be positive for relative difference calculation');
  if (Math.abs(mc) < 1e-10) return fail('Denominator mean cannot be zero for ratio variance calculation');
  return ok({ effect: (mt - mc) / mc, variance: vt / mc ** 2 + (mt ** 2 * vc) / mc ** 4 });
}

/** The proportion test's normal-approximation guard (PostHog's BayesianProportionTest). */
function normalApproximationProblem(treatment: Statistic, control: Statistic): string | null {
  for (const [name, stat] of [
    ['treatment', treatment],
    ['control', control],
  ] as const) {
    if (stat.type !== 'proportion') continue;
    const failures = stat.n - stat.sum;
    if (stat.sum < 5) {
      return `Normal approximation invalid: ${name} has only ${stat.sum} successes (need ≥5). Consider using exact binomial methods.`;
    }
    if (failures < 5) {
      return `Normal approximation invalid: ${name} has only ${failures} failures (need ≥5). Consider using exact binomial methods.`;
    }
  }
  return null;
}

/** One test variant against the baseline. */
export function bayesianTest(treatment: Statistic, control: Statistic, options: BayesianOptions): Outcome<BayesianTestResult> {
  if (treatment.type !== control.type) return fail('Treatment and control statistics must be the same type');
  const approximationProblem = normalApproximationProblem(treatment, control);
  if (approximationProblem !== null) return fail(approximationProblem);
  const valid = validateTestInputs(treatment, control);
  if (!valid.ok) return valid;
  const effect = bayesianEffect(treatment, control, options.differenceType);
  if (!effect.ok) return effect;
  const { effect: effectSize, variance: effectVariance } = effect.value;
  if (!(effectVariance > 0)) return fail('Effect variance must be positive');

  const dataPrecision = 1 / effectVariance;
  const priorPrecision = options.prior ? 1 / options.prior.variance : 0;
  const posteriorPrecision = dataPrecision + priorPrecision;
  const posteriorMean = options.prior
    ? (priorPrecision * options.prior.mean + dataPrecision * effectSize) / posteriorPrecision
    : effectSize;
  const posteriorVariance = 1 / posteriorPrecision;
  const sd = Math.sqrt(posteriorVariance);

  const z = posteriorMean / sd;
  const probabilityPositive = normalCdf(z);
  const probabilityNegative = normalCdf(-z);
  const chanceToWin = options.inverse ? probabilityNegative : probabilityPositive;
  const alpha = 1 - options.ciLevel;
  const credibleInterval: [number, number] = [
    posteriorMean + sd * normalQuantile(alpha / 2),
    posteriorMean + sd * normalQuantile(1 - alpha / 2),
  ];
  // E[θ·1(θ>0)] = μΦ(μ/σ) + σφ(μ/σ); PostHog zeroes a side whose probability is below 1e-10.
  const riskControl = probabilityPositive > 1e-10 ? posteriorMean * probabilityPositive + sd * normalPdf(z) : 0;
  const riskTreatment = probabilityNegative > 1e-10 ? sd * normalPdf(z) - posteriorMean * probabilityNegative : 0;
  return ok({
    effect_size: posteriorMean,
    credible_interval: credibleInterval,
    chance_to_win: chanceToWin,
    risk_control: Math.max(0, riskControl),
    risk_treatment: Math.max(0, riskTreatment),
    posterior_variance: posteriorVariance,
    ci_level: options.ciLevel,
    difference_type: options.differenceType,
    is_decisive: chanceToWin > options.ciLevel || chanceToWin < 1 - options.ciLevel,
  });
}
