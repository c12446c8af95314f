/**
 * PostHog's legacy ("stats_version 2") experiment statistics, used by the ExperimentFunnelsQuery
 * and ExperimentTrendsQuery responses: per variant a win probability and a 95% credible interval,
 * and overall a significance code and expected loss.
 *
 * Followed: posthog `products/experiments/backend/hogql_queries/` (formerly
 * `posthog/hogql_queries/experiments/`) `funnels_statistics_v2.py`, `trends_statistics_v2_count.py`
 * and `trends_statistics_v2_continuous.py`, with the constants of that package's `__init__.py`
 * (PostHog master as of commit e95501e; FF_DISTRIBUTION_THRESHOLD = 100, MIN_PROBABILITY_FOR_SIGNIFICANCE = 0.9,
 * EXPECTED_LOSS_SIGNIFICANCE_LEVEL = 0.01):
 * - funnel: Beta(1 + successes, 1 + failures) posterior per variant; expected loss over the
 *   beta-binomial posterior predictive of the conversion rate;
 * - count: Gamma(1 + count, rate 1 + exposure) posterior of the per-exposure rate;
 * - continuous (sum/avg of a property): in log space, a Normal-Inverse-Gamma posterior with
 *   MU_0 = 0, KAPPA_0 = 1, ALPHA_0 = 1, BETA_0 = 1 and a fixed LOG_VARIANCE = 0.75, i.e. a
 *   Student t on log(mean + 1e-10) with df = 2 + n.
 * - probability[control] = P(control beats the best test variant); probability[test] =
 *   P(test beats control) — not "probability to be best among all" (PostHog changed to this).
 * - significance: NOT_ENOUGH_EXPOSURE if any variant has fewer than 100 exposures (funnel:
 *   successes + failures); else LOW_WIN_PROBABILITY unless the largest probability is >= 0.9;
 *   else the expected loss of the variant with the best observed rate against all others decides
 *   HIGH_LOSS (>= 0.01) or SIGNIFICANT. The returned `expected_loss` is 1 when not significant
 *   (PostHog's trends response carries this number as `p_value`, the funnels one as
 *   `expected_loss`). HIGH_P_VALUE belongs to the retired v1 methods and is never produced.
 *
 * Deviations, on purpose:
 * - PostHog estimates probabilities and losses from 10,000 random draws; here they are computed
 *   by numerical integration (see stats-integration.ts), so repeated runs agree and the values are
 *   exact to ~1e-10. A probability PostHog reports as 0.9 ± 0.01 can fall on the other side of
 *   the 0.9 threshold here; that is the sampling noise PostHog has, not a different rule.
 * - The continuous method picks "the best variant" for the loss by mean (sum / exposure); PostHog
 *   compares the raw totals (`v.count`), which only differs when exposures differ.
 * - Where PostHog divides by a zero exposure (continuous mean of a variant nobody saw) or takes the
 *   log of a negative mean (refunds outweighing revenue), the mean is taken as 0 instead of NaN.
 */
import { HedgerowError } from '../errors.js';
import {
  betaDistribution,
  gammaDistribution,
  studentTDistribution,
  type ContinuousDistribution,
} from './stats-distributions.js';
import { betaBinomialExpectedLoss, expectedLoss, winProbabilities } from './stats-integration.js';

export const CONTROL_VARIANT_KEY = 'control';
export const FF_DISTRIBUTION_THRESHOLD = 100;
export const MIN_PROBABILITY_FOR_SIGNIFICANCE = 0.9;
export const EXPECTED_LOSS_SIGNIFICANCE_LEVEL = 0.01;

/** PostHog's `ExperimentSignificanceCode`. */
export type ExperimentSignificanceCode =
  | 'significant'
  | 'not_enough_exposure'
  | 'low_win_probability'
  | 'high_loss'
  | 'high_p_value';

/** PostHog's `ExperimentVariantFunnelsBaseStats`. */
export interface ExperimentVariantFunnelsBaseStats {
  key: string;
  success_count: number;
  failure_count: number;
}

/**
 * PostHog's `ExperimentVariantTrendsBaseStats`: `count` is the metric total (events for a count
 * metric, the property sum for a continuous one), `absolute_exposure` the number of exposed users,
 * `exposure` the exposure relative to control (carried through, not used by the statistics).
 */
export interface ExperimentVariantTrendsBaseStats {
  key: string;
  count: number;
  exposure: number;
  absolute_exposure: number;
}

export interface LegacyExperimentResult {
  /** keyed by variant key; see the file comment for what each probability means */
  probability: Record<string, number>;
  significant: boolean;
  significance_code: ExperimentSignificanceCode;
  /** expected loss of the best variant when significant or high-loss, else 1 */
  expected_loss: number;
  /** 95% credible interval of each variant's rate / mean, keyed by variant key */
  credible_intervals: Record<string, [number, number]>;
}

const CREDIBLE_LOWER = 0.025;
const CREDIBLE_UPPER = 0.975;

function checkFinite(value: number, what: string, key: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new HedgerowError('invalid_input', `Variant "${key}": ${what} must be a non-negative number`, key);
  }
}

function splitControl<V extends { key: string }>(variants: V[], controlKey: string): { control: V; tests: V[] } {
  const controls = variants.filter((v) => v.key === controlKey);
  if (controls.length === 0) throw new HedgerowError('invalid_input', 'Control variant not found in experiment results');
  if (controls.length > 1) throw new HedgerowError('invalid_input', 'Multiple control variants found');
  if (new Set(variants.map((v) => v.key)).size !== variants.length) {
    throw new HedgerowError('invalid_input', 'Variant keys must be unique');
  }
  return { control: controls[0]!, tests: variants.filter((v) => v.key !== controlKey) };
}

/** PostHog's trends methods refuse fewer than one or ten or more test variants. */
function checkTestVariantCount(count: number): void {
  if (count >= 10) throw new HedgerowError('invalid_input', "Can't calculate experiment results for more than 10 variants");
  if (count < 1) throw new HedgerowError('invalid_input', "Can't calculate experiment results for less than 2 variants");
}

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

function probabilitiesFor(
  keys: string[],
  control: ContinuousDistribution,
  tests: ContinuousDistribution[],
): Record<string, number> {
  const { referenceBeatsAll, beatsReference } = winProbabilities(control, tests);
  const probability: Record<string, number> = { [keys[0]!]: referenceBeatsAll };
  beatsReference.forEach((p, i) => {
    probability[keys[i + 1]!] = p;
  });
  return probability;
}

function significance(
  exposures: number[],
  probabilities: number[],
  observedRates: number[],
  lossOfBest: (bestIndex: number) => number,
): { significance_code: ExperimentSignificanceCode; expected_loss: number } {
  if (exposures.some((e) => e < FF_DISTRIBUTION_THRESHOLD)) {
    return { significance_code: 'not_enough_exposure', expected_loss: 1 };
  }
  if (Math.max(...probabilities) >= MIN_PROBABILITY_FOR_SIGNIFICANCE) {
    const loss = lossOfBest(argmax(observedRates));
    return {
      significance_code: loss >= EXPECTED_LOSS_SIGNIFICANCE_LEVEL ? 'high_loss' : 'significant',
      expected_loss: loss,
    };
  }
  return { significance_code: 'low_win_probability', expected_loss: 1 };
}

/** Each variant's 95% credible interval from its posterior's quantiles (optionally mapped back to the value's scale). */
function credibleIntervals(
  variants: Array<{ key: string }>,
  posteriors: Array<{ quantile(p: number): number }>,
  scale: (q: number) => number = (q) => q,
): Record<string, [number, number]> {
  return Object.fromEntries(variants.map((v, i) => [v.key, [scale(posteriors[i]!.quantile(CREDIBLE_LOWER)), scale(posteriors[i]!.quantile(CREDIBLE_UPPER))]]));
}

function withoutIndex<T>(items: T[], index: number): T[] {
  return items.filter((_, i) => i !== index);
}

/** Funnel (conversion) experiment: Beta-binomial model. */
export function funnelExperimentResult(
  variants: ExperimentVariantFunnelsBaseStats[],
  controlKey: string = CONTROL_VARIANT_KEY,
): LegacyExperimentResult {
  for (const v of variants) {
    checkFinite(v.success_count, 'success_count', v.key);
    checkFinite(v.failure_count, 'failure_count', v.key);
  }
  const { control, tests } = splitControl(variants, controlKey);
  if (tests.length < 1) throw new HedgerowError('invalid_input', "Can't calculate experiment results for less than 2 variants");
  const all = [control, ...tests];
  const posteriors = all.map((v) => betaDistribution(1 + v.success_count, 1 + v.failure_count));
  const probability = probabilitiesFor(
    all.map((v) => v.key),
    posteriors[0]!,
    posteriors.slice(1),
  );
  const { significance_code, expected_loss } = significance(
    all.map((v) => v.success_count + v.failure_count),
    Object.values(probability),
    all.map((v) => v.success_count / (v.success_count + v.failure_count)),
    (best) => {
      const asCounts = all.map((v) => ({ successes: v.success_count, failures: v.failure_count }));
      return betaBinomialExpectedLoss(asCounts[best]!, withoutIndex(asCounts, best));
    },
  );
  const credible_intervals = credibleIntervals(all, posteriors);
  return { probability, significant: significance_code === 'significant', significance_code, expected_loss, credible_intervals };
}

/** Count (events per exposed user) experiment: Gamma-Poisson model. */
export function countExperimentResult(
  variants: ExperimentVariantTrendsBaseStats[],
  controlKey: string = CONTROL_VARIANT_KEY,
): LegacyExperimentResult {
  for (const v of variants) {
    checkFinite(v.count, 'count', v.key);
    checkFinite(v.absolute_exposure, 'absolute_exposure', v.key);
  }
  const { control, tests } = splitControl(variants, controlKey);
  checkTestVariantCount(tests.length);
  const all = [control, ...tests];
  const posteriors = all.map((v) => gammaDistribution(1 + v.count, 1 + v.absolute_exposure));
  const probability = probabilitiesFor(
    all.map((v) => v.key),
    posteriors[0]!,
    posteriors.slice(1),
  );
  const { significance_code, expected_loss } = significance(
    all.map((v) => v.absolute_exposure),
    Object.values(probability),
    all.map((v) => v.count / v.absolute_exposure),
    (best) => expectedLoss(posteriors[best]!, withoutIndex(posteriors, best)),
  );
  const credible_intervals = credibleIntervals(all, posteriors);
  return { probability, significant: significance_code === 'significant', significance_code, expected_loss, credible_intervals };
}

// Normal-Inverse-Gamma prior of PostHog's continuous method, on log(mean).
const MU_0 = 0;
const KAPPA_0 = 1;
const ALPHA_0 = 1;
const BETA_0 = 1;
const LOG_VARIANCE = 0.75;
const EPSILON = 1e-10;

function meanOf(v: ExperimentVariantTrendsBaseStats): number {
  return v.absolute_exposure > 0 ? v.count / v.absolute_exposure : 0;
}

/** Posterior of log(mean + ε): Student t, df = 2·α_n, loc = μ_n, scale = √(β_n / (κ_n·α_n)). */
function logMeanPosterior(v: ExperimentVariantTrendsBaseStats): ContinuousDistribution {
  const n = v.absolute_exposure;
  const kappaN = KAPPA_0 + n;
  const muN = (KAPPA_0 * MU_0 + n * Math.log(Math.max(0, meanOf(v)) + EPSILON)) / kappaN;
  const alphaN = ALPHA_0 + n / 2;
  const betaN = BETA_0 + 0.5 * n * LOG_VARIANCE;
  return studentTDistribution(2 * alphaN, muN, Math.sqrt(betaN / (kappaN * alphaN)));
}

/** Continuous (property sum / mean per user) experiment: log-normal-ish Normal-Inverse-Gamma model. */
export function continuousExperimentResult(
  variants: ExperimentVariantTrendsBaseStats[],
  controlKey: string = CONTROL_VARIANT_KEY,
): LegacyExperimentResult {
  for (const v of variants) {
    if (!Number.isFinite(v.count)) throw new HedgerowError('invalid_input', `Variant "${v.key}": count must be a number`, v.key);
    checkFinite(v.absolute_exposure, 'absolute_exposure', v.key);
  }
  const { control, tests } = splitControl(variants, controlKey);
  checkTestVariantCount(tests.length);
  const all = [control, ...tests];
  const posteriors = all.map(logMeanPosterior);
  const probability = probabilitiesFor(
    all.map((v) => v.key),
    posteriors[0]!,
    posteriors.slice(1),
  );
  const { significance_code, expected_loss } = significance(
    all.map((v) => v.absolute_exposure),
    Object.values(probability),
    all.map(meanOf),
    (best) => expectedLoss(posteriors[best]!, withoutIndex(posteriors, best), 'exp'),
  );
  // The posterior is of log(mean + ε): intervals come back to the mean's scale.
  const credible_intervals = credibleIntervals(all, posteriors, (q) => Math.max(0, Math.exp(q) - EPSILON));
  return { probability, significant: significance_code === 'significant', significance_code, expected_loss, credible_intervals };
}
