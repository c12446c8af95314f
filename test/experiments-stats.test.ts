import { describe, expect, it } from 'vitest';
import { HedgerowError } from '../src/errors.js';
import { bayesianTest } from '../src/experiments/stats-bayesian.js';
import {
  betaDistribution,
  gammaDistribution,
  logGamma,
  normalCdf,
  normalQuantile,
  studentTCdf,
  studentTQuantile,
} from '../src/experiments/stats-distributions.js';
import {
  baselineVariantKey,
  bayesianExperimentStatistics,
  experimentStatistics,
  frequentistExperimentStatistics,
  type ExperimentVariantResultFrequentist,
} from '../src/experiments/stats-experiment-results.js';
import { frequentistTest } from '../src/experiments/stats-frequentist.js';
import {
  continuousExperimentResult,
  countExperimentResult,
  funnelExperimentResult,
  type ExperimentVariantFunnelsBaseStats,
  type ExperimentVariantTrendsBaseStats,
} from '../src/experiments/stats-legacy.js';
import type { ExperimentStatsBase, Statistic } from '../src/experiments/stats-shared.js';

/**
 * Experiment statistics (PostHog's Bayesian and frequentist methods, current and legacy v2).
 * Expected values come from published tables, closed forms, PostHog's own test vectors (cited
 * per test, with PostHog's tolerances) and brute-force references written here: exact sums over
 * integer-parameter distributions and seeded Monte-Carlo with 10^6 draws.
 */

// ---------------------------------------------------------------------------------------------
// Independent references

/** ln(k!) for k up to `max`, by summing logarithms. */
function logFactorials(max: number): Float64Array {
  const table = new Float64Array(max + 1);
  for (let k = 1; k <= max; k++) table[k] = table[k - 1]! + Math.log(k);
  return table;
}
const LF = logFactorials(250000);
const lnFact = (k: number): number => LF[k]!;
/** ln B(a, b) for positive integers. */
const lnBetaInt = (a: number, b: number): number => lnFact(a - 1) + lnFact(b - 1) - lnFact(a + b - 1);
const lnChoose = (n: number, k: number): number => lnFact(n) - lnFact(k) - lnFact(n - k);

/** I_x(a, b) for integer a, b: P(Binomial(a+b−1, x) >= a). */
function incompleteBetaInt(x: number, a: number, b: number): number {
  const n = a + b - 1;
  let sum = 0;
  for (let j = a; j <= n; j++) sum += Math.exp(lnChoose(n, j) + j * Math.log(x) + (n - j) * Math.log1p(-x));
  return sum;
}

/** Erlang cdf: P(Gamma(k, rate) <= x) = P(Poisson(rate·x) >= k) for integer k. */
function erlangCdf(x: number, k: number, rate: number): number {
  const m = rate * x;
  let below = 0;
  for (let i = 0; i < k; i++) below += Math.exp(-m + i * Math.log(m) - lnFact(i));
  return 1 - below;
}

/**
 * Evan Miller's closed form of P(p_B > p_A), p_A ~ Beta(aA, bA), p_B ~ Beta(aB, bB), integer
 * parameters: Σ_{i<aB} B(aA+i, bA+bB) / ((bB+i)·B(1+i, bB)·B(aA, bA)). The terms are built by
 * their ratio recurrence from term_0 = Π_{j<bB} (bA+j)/(aA+bA+j), which keeps ~1e-13 accuracy.
 */
function evanMillerProbability(aA: number, bA: number, aB: number, bB: number): number {
  let term = 1;
  for (let j = 0; j < bB; j++) term *= (bA + j) / (aA + bA + j);
  let total = 0;
  for (let i = 0; i < aB; i++) {
    total += term;
    term *= ((aA + i) * (bB + i)) / ((aA + i + bA + bB) * (i + 1));
  }
  return total;
}

/** Seeded uniform generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

function normalSampler(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Gamma(shape, 1) draws by Marsaglia–Tsang (shape >= 1). */
function gammaSampler(uniform: () => number, normal: () => number, shape: number): () => number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  return () => {
    for (;;) {
      const z = normal();
      const v = (1 + c * z) ** 3;
      if (v <= 0) continue;
      const u = uniform();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
}

const DRAWS = 1_000_000;
/** Five standard errors of a Monte-Carlo proportion estimate. */
const mcTolerance = (p: number): number => 5 * Math.sqrt(Math.max(p * (1 - p), 1e-6) / DRAWS);

// ---------------------------------------------------------------------------------------------

describe('special functions and distributions', () => {
  it('normal quantiles and cdf match published values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 13);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489004, 13);
    expect(normalQuantile(0.9)).toBeCloseTo(1.2815515655446004, 13);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 13);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(normalCdf(-3) / 0.0013498980316301).toBeCloseTo(1, 12);
    expect(normalCdf(-10) / 7.619853024160527e-24).toBeCloseTo(1, 9);
    expect(normalQuantile(normalCdf(-7.5))).toBeCloseTo(-7.5, 10);
  });

  it('Student t: closed forms for 1 and 2 degrees of freedom, textbook table otherwise', () => {
    for (const p of [0.6, 0.9, 0.975, 0.995, 0.1]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 10);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), 10);
    }
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 14); // 1/2 + atan(1)/π
    // two-sided 95% critical values, standard t table (3 decimals)
    const table: [number, number][] = [
      [3, 3.182],
      [5, 2.571],
      [10, 2.228],
      [30, 2.042],
      [120, 1.98],
    ];
    for (const [df, value] of table) expect(Math.abs(studentTQuantile(0.975, df) - value)).toBeLessThan(5e-4);
    // far beyond any table the t tends to the normal
    expect(studentTQuantile(0.975, 1e9)).toBeCloseTo(1.959963984540054, 9);
  });

  it('log-gamma agrees with summed logarithms of factorials', () => {
    for (const n of [1, 2, 5, 10, 11, 50, 170, 1000, 30000]) {
      expect(Math.abs(logGamma(n + 1) - lnFact(n))).toBeLessThan(1e-13 * Math.max(1, lnFact(n)) + 1e-14);
    }
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 15);
  });

  it('beta distribution: closed-form cdfs, and quantiles that invert the exact binomial sum', () => {
    const powerLaw = betaDistribution(7, 1); // cdf x^7
    expect(powerLaw.cdf(0.8)).toBeCloseTo(0.8 ** 7, 14);
    expect(powerLaw.quantile(0.3)).toBeCloseTo(0.3 ** (1 / 7), 13);
    const mirrored = betaDistribution(1, 5); // cdf 1 − (1−x)^5
    expect(mirrored.quantile(0.975)).toBeCloseTo(1 - 0.025 ** (1 / 5), 13);
    expect(betaDistribution(2, 2).cdf(0.3)).toBeCloseTo(3 * 0.09 - 2 * 0.027, 14);
    const b = betaDistribution(11, 91);
    expect(incompleteBetaInt(b.quantile(0.025), 11, 91)).toBeCloseTo(0.025, 12);
    expect(incompleteBetaInt(b.quantile(0.975), 11, 91)).toBeCloseTo(0.975, 12);
    // huge, symmetric: the median is exactly 1/2
    expect(betaDistribution(5e8, 5e8).quantile(0.5)).toBeCloseTo(0.5, 14);
  });

  it('gamma distribution: exponential and Erlang closed forms, chi-square table', () => {
    expect(gammaDistribution(1, 4).quantile(0.9)).toBeCloseTo(-Math.log(0.1) / 4, 14);
    const erlang = gammaDistribution(270, 2609);
    expect(erlangCdf(erlang.quantile(0.025), 270, 2609)).toBeCloseTo(0.025, 11);
    expect(erlangCdf(erlang.quantile(0.975), 270, 2609)).toBeCloseTo(0.975, 11);
    // shapes above 1e5 take Temme's asymptotic expansion; the Erlang sum still holds
    const wide = gammaDistribution(200001, 2e6);
    for (const x of [0.0995, 0.0999, 0.1, 0.10005, 0.1003]) {
      expect(Math.abs(wide.cdf(x) - erlangCdf(x, 200001, 2e6))).toBeLessThan(1e-8);
    }
    // χ²(10) is Gamma(5, rate 1/2): table values 18.307 (0.95) and 3.940 (0.05)
    expect(Math.abs(gammaDistribution(5, 0.5).quantile(0.95) - 18.307)).toBeLessThan(5e-4);
    expect(Math.abs(gammaDistribution(5, 0.5).quantile(0.05) - 3.94)).toBeLessThan(5e-4);
  });
});

// ---------------------------------------------------------------------------------------------

const mean = (n: number, sum: number, sumSquares: number): Statistic => ({ type: 'mean', n, sum, sumSquares });

describe('current Bayesian method (ExperimentQuery)', () => {
  it("reproduces PostHog's realistic example", () => {
    // products/experiments/stats/tests/test_bayesian.py::test_realistic_example (places=4)
    const result = bayesianTest(mean(2461, 1922.7, 94698.29), mean(2507, 1196.87, 37377.9767), {
      ciLevel: 0.95,
      differenceType: 'relative',
    });
    if (!result.ok) throw new Error(result.reason);
    expect(Math.abs(result.value.effect_size - 0.63646)).toBeLessThan(5e-5);
    expect(Math.abs(result.value.credible_interval[0] - -0.0873)).toBeLessThan(5e-5);
    expect(Math.abs(result.value.credible_interval[1] - 1.36026)).toBeLessThan(5e-5);
    expect(Math.abs(result.value.chance_to_win - 0.95759)).toBeLessThan(5e-5);
    expect(result.value.is_decisive).toBe(true);
  });

  it('is the normal posterior of the delta-method relative effect, computed by hand', () => {
    // 11% vs 10% conversion on 1000 users each (test_bayesian.py::test_effect_size_calculation_relative)
    const result = bayesianTest({ type: 'proportion', n: 1000, sum: 110 }, { type: 'proportion', n: 1000, sum: 100 }, {
      ciLevel: 0.95,
      differenceType: 'relative',
    });
    if (!result.ok) throw new Error(result.reason);
    const effect = (0.11 - 0.1) / 0.1;
    const variance = (0.11 * 0.89) / 1000 / 0.01 + (0.0121 * (0.1 * 0.9)) / 1000 / 0.0001;
    const sd = Math.sqrt(variance);
    expect(result.value.effect_size).toBeCloseTo(effect, 12);
    expect(result.value.posterior_variance).toBeCloseTo(variance, 12);
    expect(result.value.chance_to_win).toBeCloseTo(normalCdf(effect / sd), 12);
    expect(result.value.credible_interval[0]).toBeCloseTo(effect - 1.959963984540054 * sd, 10);
    // E[max(θ,0)] − E[max(−θ,0)] = E[θ]
    expect(result.value.risk_control - result.value.risk_treatment).toBeCloseTo(effect, 12);
  });

  it('builds the ExperimentQuery variant results: each test variant against control, 3+ variants', () => {
    const rows: ExperimentStatsBase[] = [
      { key: 'control', number_of_samples: 1000, sum: 100, sum_squares: 100 },
      { key: 'a', number_of_samples: 1000, sum: 130, sum_squares: 130 },
      { key: 'b', number_of_samples: 1000, sum: 95, sum_squares: 95 },
      { key: 'c', number_of_samples: 1200, sum: 120, sum_squares: 120 },
    ];
    const result = experimentStatistics({ kind: 'funnel' }, rows, null);
    if (result.method !== 'bayesian') throw new Error('bayesian is the default method');
    expect(result.baseline).toMatchObject({ key: 'control', validation_failures: [] });
    expect(result.variant_results.map((v) => v.key)).toEqual(['a', 'b', 'c']);
    for (const variant of result.variant_results) {
      const row = rows.find((r) => r.key === variant.key)!;
      const pt = row.sum / row.number_of_samples;
      const variance = (pt * (1 - pt)) / row.number_of_samples / 0.01 + (pt * pt * 0.09) / 1000 / 0.0001;
      const effect = (pt - 0.1) / 0.1;
      expect(variant.method).toBe('bayesian');
      expect(variant.chance_to_win).toBeCloseTo(normalCdf(effect / Math.sqrt(variance)), 12);
      expect(variant.significant).toBe(variant.chance_to_win! > 0.95 || variant.chance_to_win! < 0.05);
      expect(result.effects[variant.key]!.effect_size).toBeCloseTo(effect, 12);
    }
    expect(result.variant_results[0]!.significant).toBe(true); // 13% vs 10%
    expect(result.variant_results[2]!.chance_to_win).toBeCloseTo(0.5, 12); // same rate
  });

  it('returns raw values without statistics when data is insufficient', () => {
    // posthog/hogql_queries/experiments/test/test_stats_config.py INSUFFICIENT_DATA_CASES
    const cases: [string, [number, number, number], [number, number, number]][] = [
      ['very_small_sample', [1, 0.5, 0.25], [1, 0.3, 0.09]],
      ['zero_baseline_sum', [100, 0, 0], [100, 50, 2600]],
      ['zero_variance', [100, 100, 100], [100, 100, 100]],
    ];
    for (const [, c, t] of cases) {
      const control = { key: 'control', number_of_samples: c[0], sum: c[1], sum_squares: c[2] };
      const test = { key: 'test', number_of_samples: t[0], sum: t[1], sum_squares: t[2] };
      for (const method of ['bayesian', 'frequentist'] as const) {
        const result = experimentStatistics({ kind: 'mean' }, [control, test], { method });
        expect(result.baseline).toMatchObject({ key: 'control', number_of_samples: c[0], sum: c[1], sum_squares: c[2] });
        const variant = result.variant_results[0]!;
        expect(variant).toMatchObject({ key: 'test', number_of_samples: t[0], sum: t[1], sum_squares: t[2], method });
        for (const field of ['chance_to_win', 'credible_interval', 'p_value', 'confidence_interval', 'significant']) {
          expect(variant).not.toHaveProperty(field);
        }
      }
    }
  });

  it('flags validation failures the way PostHog does', () => {
    const result = experimentStatistics(
      { kind: 'funnel' },
      [
        { key: 'control', number_of_samples: 0, sum: 0, sum_squares: 0 },
        { key: 'test', number_of_samples: 60, sum: 3, sum_squares: 3, step_counts: [60, 3] },
      ],
      null,
    );
    expect(result.baseline.validation_failures).toEqual(['not-enough-exposures', 'not-enough-metric-data', 'baseline-mean-is-zero']);
    expect(result.variant_results[0]).toMatchObject({ validation_failures: ['not-enough-metric-data'], step_counts: [60, 3] });
    expect(result.variant_results[0]).not.toHaveProperty('chance_to_win');
  });

  it('skips a variant whose conversions are all (or nearly all) successes, with the reason', () => {
    const result = bayesianExperimentStatistics(
      { kind: 'funnel' },
      { key: 'control', number_of_samples: 500, sum: 50, sum_squares: 50 },
      [
        { key: 'all', number_of_samples: 500, sum: 500, sum_squares: 500 },
        { key: 'fine', number_of_samples: 500, sum: 60, sum_squares: 60 },
      ],
    );
    expect(result.variant_results[0]).not.toHaveProperty('chance_to_win');
    expect(result.skipped).toEqual([{ key: 'all', reason: expect.stringContaining('has only 0 failures') }]);
    expect(result.variant_results[1]!.chance_to_win).toBeGreaterThan(0.5);
  });

  it('stays finite and exact with huge counts', () => {
    const n = 1e9;
    const result = bayesianExperimentStatistics(
      { kind: 'funnel' },
      { key: 'control', number_of_samples: n, sum: 1e8, sum_squares: 1e8 },
      [{ key: 'test', number_of_samples: n, sum: 1.0001e8, sum_squares: 1.0001e8 }],
    );
    const pt = 0.10001;
    const variance = (pt * (1 - pt)) / n / 0.01 + (pt * pt * 0.09) / n / 0.0001;
    const effect = (pt - 0.1) / 0.1;
    expect(result.variant_results[0]!.chance_to_win).toBeCloseTo(normalCdf(effect / Math.sqrt(variance)), 10);
    // PostHog refuses sums beyond 1e15 as an overflow risk
    const big = bayesianExperimentStatistics(
      { kind: 'mean' },
      { key: 'control', number_of_samples: 1e6, sum: 2e15, sum_squares: 5e24 },
      [{ key: 'test', number_of_samples: 1e6, sum: 2e15, sum_squares: 5e24 }],
    );
    expect(big.skipped[0]!.reason).toContain('potential overflow risk');
  });

  it('reads ci_level, difference type and baseline key from stats_config with PostHog fallbacks', () => {
    const control = { key: 'control', number_of_samples: 1000, sum: 1000, sum_squares: 105000 };
    const test = { key: 'test', number_of_samples: 1000, sum: 1200, sum_squares: 145000 };
    const width = (config: object): number => {
      const ci = bayesianExperimentStatistics({ kind: 'mean' }, control, [test], { bayesian: config }).variant_results[0]!
        .credible_interval!;
      return ci[1] - ci[0];
    };
    // test_stats_config.py::test_bayesian_ci_level_actually_affects_interval_width
    expect(width({ ci_level: 0.99 })).toBeGreaterThan(width({ ci_level: 0.9 }));
    expect(width({ ci_level: 0.99 }) / width({ ci_level: 0.9 })).toBeCloseTo(2.5758293035489004 / 1.6448536269514722, 10);
    // out of range (test_numeric_validation_ci_level_out_of_range_uses_default) and invalid enums fall back
    expect(width({ ci_level: 1.5 })).toBe(width({}));
    expect(width({ difference_type: 'INVALID' })).toBe(width({}));
    const absolute = bayesianExperimentStatistics({ kind: 'mean' }, control, [test], {
      bayesian: { difference_type: 'ABSOLUTE' },
    });
    expect(absolute.effects.test!.effect_size).toBeCloseTo(0.2, 12);
    // custom baseline (test_split_baseline_and_test_variants)
    expect(baselineVariantKey({ baseline_variant_key: 'test' })).toBe('test');
    const flipped = experimentStatistics({ kind: 'mean' }, [control, test], { baseline_variant_key: 'test' });
    expect(flipped.baseline.key).toBe('test');
    expect(flipped.variant_results.map((v) => v.key)).toEqual(['control']);
    expect(() => experimentStatistics({ kind: 'mean' }, [control, test], { baseline_variant_key: 'nope' })).toThrow(
      HedgerowError,
    );
  });

  it('with a single variant returns the baseline and no comparisons', () => {
    const result = experimentStatistics({ kind: 'mean' }, [{ key: 'control', number_of_samples: 80, sum: 40, sum_squares: 60 }]);
    expect(result.baseline.key).toBe('control');
    expect(result.variant_results).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('frequentist method', () => {
  const options = { alpha: 0.05, differenceType: 'relative' as const };

  it("reproduces PostHog's two-sided Welch t-test vectors", () => {
    // products/experiments/stats/tests/test_frequentist.py (places=4)
    const cases: { treatment: Statistic; control: Statistic; expected: number; ci: [number, number]; p: number }[] = [
      {
        treatment: mean(2461, 1922.7, 94698.29),
        control: mean(2507, 1196.87, 37377.9767),
        expected: 0.63646,
        ci: [-0.0875, 1.36048],
        p: 0.08487,
      },
      {
        treatment: { type: 'proportion', n: 1471, sum: 62 },
        control: { type: 'proportion', n: 1529, sum: 87 },
        expected: -0.25925,
        ci: [-0.49475, -0.02376],
        p: 0.03096,
      },
      {
        treatment: {
          type: 'ratio',
          n: 2034,
          numerator: { type: 'mean', n: 2034, sum: 99673.9364269569, sumSquares: 11298745.182728939 },
          denominator: { type: 'mean', n: 2034, sum: 947, sumSquares: 947 },
          sumOfProducts: 99673.9364269569,
        },
        control: {
          type: 'ratio',
          n: 1966,
          numerator: { type: 'mean', n: 1966, sum: 94605.79858780127, sumSquares: 10463129.505392816 },
          denominator: { type: 'mean', n: 1966, sum: 936, sumSquares: 936 },
          sumOfProducts: 94605.79858780127,
        },
        expected: 0.041333,
        ci: [0.01378609, 0.0689],
        p: 0.0032826,
      },
    ];
    for (const c of cases) {
      const result = frequentistTest(c.treatment, c.control, options);
      if (!result.ok) throw new Error(result.reason);
      expect(Math.abs(result.value.point_estimate - c.expected)).toBeLessThan(5e-5);
      expect(Math.abs(result.value.p_value - c.p)).toBeLessThan(5e-5);
      expect(Math.abs(result.value.confidence_interval[0] - c.ci[0])).toBeLessThan(5e-5);
      expect(Math.abs(result.value.confidence_interval[1] - c.ci[1])).toBeLessThan(5e-5);
    }
  });

  it('runs ratio metrics from ExperimentQuery rows (numerator, denominator and cross products)', () => {
    // the ratio vector of products/experiments/stats/tests/test_frequentist.py, as query rows
    const result = experimentStatistics(
      { kind: 'ratio' },
      [
        {
          key: 'control',
          number_of_samples: 1966,
          sum: 94605.79858780127,
          sum_squares: 10463129.505392816,
          denominator_sum: 936,
          denominator_sum_squares: 936,
          numerator_denominator_sum_product: 94605.79858780127,
        },
        {
          key: 'test',
          number_of_samples: 2034,
          sum: 99673.9364269569,
          sum_squares: 11298745.182728939,
          denominator_sum: 947,
          denominator_sum_squares: 947,
          numerator_denominator_sum_product: 99673.9364269569,
        },
      ],
      { method: 'frequentist' },
    );
    if (result.method !== 'frequentist') throw new Error('frequentist was configured');
    const variant = result.variant_results[0]!;
    expect(Math.abs(variant.p_value! - 0.0032826)).toBeLessThan(5e-5);
    expect(Math.abs(variant.confidence_interval![0] - 0.01378609)).toBeLessThan(5e-5);
    expect(variant.significant).toBe(true);
    expect(variant.denominator_sum).toBe(947);
    expect(Math.abs(result.effects.test!.point_estimate - 0.041333)).toBeLessThan(5e-5);
  });

  it('sequential p-value is the inverse of the Gaussian-mixture e-value, integrated numerically', () => {
    // both arms: per-user variance exactly 4, means 1.2 and 1.0, 3000 users each
    const n1 = 3000;
    const treatment = mean(n1, 3600, 3600 ** 2 / n1 + 4 * (n1 - 1));
    const control = mean(n1, 3000, 3000 ** 2 / n1 + 4 * (n1 - 1));
    const fixed = frequentistTest(treatment, control, options);
    const sequential = frequentistTest(treatment, control, { ...options, sequentialTuningParameter: 5000 });
    if (!fixed.ok || !sequential.ok) throw new Error('test did not run');
    // Mixture martingale of Waudby-Smith et al.: E = ∫ exp(λS − λ²V/2) N(λ; 0, τ²) dλ with
    // S = n·θ̂, V = n·σ², σ² = SE²·n (per-observation variance), τ² = ρ²/σ².
    const n = 2 * n1;
    const theta = 0.2;
    const se2 = 4 / n1 + (1.2 ** 2 * 4) / n1;
    const sigma2 = se2 * n;
    const S = n * theta;
    const V = n * sigma2;
    const logAlpha = Math.log(0.05);
    const tau2 = (-2 * logAlpha + Math.log(-2 * logAlpha + 1)) / 5000 / sigma2;
    const exponent = (lambda: number) => lambda * S - (lambda * lambda * V) / 2 - (lambda * lambda) / (2 * tau2);
    const peak = S / (V + 1 / tau2);
    const width = 1 / Math.sqrt(V + 1 / tau2);
    const steps = 20000;
    let integral = 0;
    for (let i = 0; i <= steps; i++) {
      const lambda = peak - 15 * width + (30 * width * i) / steps;
      integral += (i === 0 || i === steps ? 0.5 : 1) * Math.exp(exponent(lambda) - exponent(peak));
    }
    const logE = Math.log((integral * 30 * width) / steps) + exponent(peak) - 0.5 * Math.log(2 * Math.PI * tau2);
    expect(logE).toBeGreaterThan(0); // enough evidence for p < 1
    expect(sequential.value.p_value).toBeCloseTo(Math.exp(-logE), 10);
    expect(fixed.value.point_estimate).toBeCloseTo(theta, 12);
    // always-valid intervals are wider than the fixed-horizon one
    expect(sequential.value.confidence_interval[0]).toBeLessThan(fixed.value.confidence_interval[0]);
    expect(sequential.value.confidence_interval[1]).toBeGreaterThan(fixed.value.confidence_interval[1]);
  });

  it('reads alpha and sequential settings from stats_config and team defaults', () => {
    const control = { key: 'control', number_of_samples: 1000, sum: 100, sum_squares: 10500 };
    const test = { key: 'test', number_of_samples: 1000, sum: 120, sum_squares: 14500 };
    const interval = (config: object, team = {}) =>
      (frequentistExperimentStatistics({ kind: 'mean' }, control, [test], { frequentist: config }, team)
        .variant_results[0] as ExperimentVariantResultFrequentist).confidence_interval!;
    // test_stats_config.py::test_numeric_validation_alpha_out_of_range_uses_default
    expect(interval({ alpha: 5.0 })).toEqual(interval({ alpha: -0.5 }));
    expect(interval({ alpha: 5.0 })).toEqual(interval({}));
    const teamSequential = interval({}, { sequentialTestingEnabled: true });
    expect(teamSequential).not.toEqual(interval({}));
    expect(interval({ sequential_testing_enabled: false }, { sequentialTestingEnabled: true })).toEqual(interval({}));
    expect(interval({ sequential_testing_enabled: true })).toEqual(teamSequential);
    expect(interval({ sequential_testing_enabled: true, sequential_tuning_parameter: 2000 })).not.toEqual(teamSequential);
  });
});

// ---------------------------------------------------------------------------------------------

const funnel = (key: string, success_count: number, failure_count: number): ExperimentVariantFunnelsBaseStats => ({
  key,
  success_count,
  failure_count,
});

describe('legacy funnel statistics (Beta-binomial, stats_version 2)', () => {
  it('matches the closed-form P(B > A) of two Betas', () => {
    for (const [c, t] of [
      [
        [10, 90],
        [15, 85],
      ],
      [
        [1000, 9000],
        [1050, 8800],
      ],
      [
        [37, 2],
        [35, 4],
      ],
    ] as const) {
      const result = funnelExperimentResult([funnel('control', c[0], c[1]), funnel('test', t[0], t[1])]);
      const exact = evanMillerProbability(1 + c[0], 1 + c[1], 1 + t[0], 1 + t[1]);
      expect(result.probability.test).toBeCloseTo(exact, 10);
      expect(result.probability.control).toBeCloseTo(1 - exact, 10);
    }
  });

  it("meets PostHog's funnel test vectors", () => {
    // posthog/hogql_queries/experiments/test/test_funnels_statistics.py
    const small = funnelExperimentResult([funnel('control', 10, 90), funnel('test', 15, 85)]);
    expect(Math.abs(small.probability.control! - 0.149)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(small.probability.test! - 0.85)).toBeLessThanOrEqual(0.05);
    expect(small.significance_code).toBe('low_win_probability');
    expect(small.expected_loss).toBe(1);
    expect(small.credible_intervals.control![0]).toBeCloseTo(0.055, 2);
    expect(small.credible_intervals.control![1]).toBeCloseTo(0.174, 2);
    expect(small.credible_intervals.test![0]).toBeCloseTo(0.093, 2);
    expect(small.credible_intervals.test![1]).toBeCloseTo(0.233, 2);

    const large = funnelExperimentResult([funnel('control', 1000, 9000), funnel('test', 1500, 8500)]);
    expect(large.significance_code).toBe('significant');
    expect(large.significant).toBe(true);
    expect(large.expected_loss).toBeLessThan(1e-9); // PostHog's 10,000 draws see exactly 0
    expect(large.credible_intervals.control![0]).toBeCloseTo(0.095, 2);
    expect(large.credible_intervals.test![1]).toBeCloseTo(0.155, 2);

    const many = funnelExperimentResult([
      funnel('control', 100, 900),
      funnel('test_a', 80, 920),
      funnel('test_b', 150, 850),
      funnel('test_c', 110, 890),
    ]);
    expect(Math.abs(many.probability.control! - 0)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(many.probability.test_a! - 0.05)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(many.probability.test_b! - 0.99)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(many.probability.test_c! - 0.76)).toBeLessThanOrEqual(0.05);

    const flat = funnelExperimentResult([
      funnel('control', 100, 900),
      funnel('test_a', 98, 902),
      funnel('test_b', 102, 898),
      funnel('test_c', 101, 899),
    ]);
    expect(Object.values(flat.probability).every((p) => p < 0.9)).toBe(true);
    expect(flat.significance_code).toBe('low_win_probability');

    const fewUsers = funnelExperimentResult([funnel('control', 5, 45), funnel('test', 8, 42)]);
    expect(fewUsers.significance_code).toBe('not_enough_exposure');
    expect(fewUsers.expected_loss).toBe(1);

    const close = funnelExperimentResult([funnel('control', 1000, 9000), funnel('test', 1050, 8800)]);
    expect(close.significance_code).toBe('significant');
    expect(close.expected_loss).toBeGreaterThan(0);
    expect(close.expected_loss).toBeLessThan(0.03);
  });

  it('computes P(control beats every test variant) like a 10^6-draw Monte-Carlo', () => {
    const variants = [funnel('control', 100, 900), funnel('a', 80, 920), funnel('b', 112, 888), funnel('c', 110, 890)];
    const result = funnelExperimentResult(variants);
    const uniform = rng(20240611);
    const normal = normalSampler(uniform);
    const samplers = variants.map((v) => {
      const g1 = gammaSampler(uniform, normal, 1 + v.success_count);
      const g2 = gammaSampler(uniform, normal, 1 + v.failure_count);
      return () => {
        const x = g1();
        return x / (x + g2());
      };
    });
    let controlWins = 0;
    const beatsControl = [0, 0, 0];
    for (let i = 0; i < DRAWS; i++) {
      const [c, ...tests] = samplers.map((s) => s());
      if (tests.every((t) => c! >= t!)) controlWins++;
      tests.forEach((t, j) => {
        if (t! > c!) beatsControl[j]!++;
      });
    }
    const pControl = controlWins / DRAWS;
    expect(Math.abs(result.probability.control! - pControl)).toBeLessThan(mcTolerance(pControl));
    ['a', 'b', 'c'].forEach((key, j) => {
      const p = beatsControl[j]! / DRAWS;
      expect(Math.abs(result.probability[key]! - p)).toBeLessThan(mcTolerance(p));
    });
  });

  it('expected loss equals the exact double sum over both beta-binomial predictive distributions', () => {
    const control = funnel('control', 30, 170);
    const test = funnel('test', 50, 150);
    const result = funnelExperimentResult([control, test]);
    expect(result.significance_code).toBe('significant');
    const pmf = (v: ExperimentVariantFunnelsBaseStats): number[] => {
      const n = v.success_count + v.failure_count;
      const a = 1 + v.success_count;
      const b = 1 + v.failure_count;
      return Array.from({ length: n + 1 }, (_, k) => Math.exp(lnChoose(n, k) + lnBetaInt(k + a, n - k + b) - lnBetaInt(a, b)));
    };
    const pTest = pmf(test); // the best variant is the target
    const pControl = pmf(control);
    let loss = 0;
    for (let i = 0; i < pTest.length; i++) {
      for (let j = 0; j < pControl.length; j++) loss += pTest[i]! * pControl[j]! * Math.max(0, j / 200 - i / 200);
    }
    expect(result.expected_loss).toBeCloseTo(loss, 12);
  });

  it('credible intervals are the exact 2.5% and 97.5% points of the Beta posterior', () => {
    const result = funnelExperimentResult([funnel('control', 40, 160), funnel('test', 1000, 0)]);
    const [lo, hi] = result.credible_intervals.control!;
    expect(incompleteBetaInt(lo, 41, 161)).toBeCloseTo(0.025, 12);
    expect(incompleteBetaInt(hi, 41, 161)).toBeCloseTo(0.975, 12);
    // all conversions: Beta(1001, 1), cdf x^1001
    expect(result.credible_intervals.test![0]).toBeCloseTo(0.025 ** (1 / 1001), 12);
    expect(result.credible_intervals.test![1]).toBeCloseTo(0.975 ** (1 / 1001), 12);
    expect(result.probability.test).toBeCloseTo(1, 12);
  });

  it('handles zero exposure, a lone variant and huge counts', () => {
    const empty = funnelExperimentResult([funnel('control', 0, 0), funnel('test', 0, 0)]);
    expect(empty.credible_intervals.control).toEqual([expect.closeTo(0.025, 12), expect.closeTo(0.975, 12)]);
    expect(empty.probability.test).toBeCloseTo(0.5, 12);
    expect(empty.significance_code).toBe('not_enough_exposure');
    expect(() => funnelExperimentResult([funnel('control', 10, 10)])).toThrow(HedgerowError);
    expect(() => funnelExperimentResult([funnel('test', 10, 10), funnel('other', 1, 1)])).toThrow(HedgerowError);
    expect(() => funnelExperimentResult([funnel('control', -1, 10), funnel('test', 1, 1)])).toThrow(HedgerowError);

    // 10^8 users per arm: the Beta posteriors are normal to ~1e-5
    const huge = funnelExperimentResult([funnel('control', 1e7, 9e7), funnel('test', 1.0015e7, 8.9985e7)]);
    const mc = 0.1;
    const mt = 0.10015;
    const z = (mt - mc) / Math.sqrt((mc * (1 - mc)) / 1e8 + (mt * (1 - mt)) / 1e8);
    expect(Math.abs(huge.probability.test! - normalCdf(z))).toBeLessThan(1e-4);
    expect(huge.credible_intervals.control![0]).toBeCloseTo(mc - 1.959963984540054 * Math.sqrt(0.09 / 1e8), 7);
    expect(huge.significance_code).toBe('significant');
    expect(huge.expected_loss).toBeGreaterThan(0);
    expect(huge.expected_loss).toBeLessThan(1e-5);
  });
});

// ---------------------------------------------------------------------------------------------

const trend = (key: string, count: number, absolute_exposure: number): ExperimentVariantTrendsBaseStats => ({
  key,
  count,
  exposure: 1,
  absolute_exposure,
});

describe('legacy count statistics (Gamma-Poisson, stats_version 2)', () => {
  it('P(rate_B > rate_A) equals the incomplete-beta closed form', () => {
    // Gamma(a, r) vs Gamma(b, s): P(X_B > X_A) = I_{r/(r+s)}(a, b)
    for (const [c, t] of [
      [
        [269, 2608],
        [314, 2615],
      ],
      [
        [10, 100],
        [11, 100],
      ],
      [
        [0, 1000],
        [3, 900],
      ],
    ] as const) {
      const result = countExperimentResult([trend('control', c[0], c[1]), trend('test', t[0], t[1])]);
      const r = 1 + c[1];
      const s = 1 + t[1];
      expect(result.probability.test).toBeCloseTo(incompleteBetaInt(r / (r + s), 1 + c[0], 1 + t[0]), 10);
    }
  });

  it("meets PostHog's count test vectors", () => {
    // posthog/hogql_queries/experiments/test/test_trends_statistics_count.py
    const real = countExperimentResult([trend('control', 269, 2608), trend('test', 314, 2615)]);
    expect(Math.abs(real.probability.test! - 0.966)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(real.probability.control! - 0.034)).toBeLessThanOrEqual(0.05);
    expect(real.significance_code).toBe('significant');
    expect(real.expected_loss).toBeGreaterThan(0);
    expect(real.expected_loss).toBeLessThan(0.01);
    expect(real.credible_intervals.control![0]).toBeCloseTo(0.094, 2);
    expect(real.credible_intervals.control![1]).toBeCloseTo(0.116, 2);
    expect(real.credible_intervals.test![0]).toBeCloseTo(0.107, 2);
    expect(real.credible_intervals.test![1]).toBeCloseTo(0.134, 2);

    const many = countExperimentResult([
      trend('control', 100, 1000),
      trend('test_a', 85, 1000),
      trend('test_b', 150, 1000),
      trend('test_c', 110, 1000),
    ]);
    expect(Math.abs(many.probability.control! - 0)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(many.probability.test_a! - 0.13)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(many.probability.test_b! - 0.99)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(many.probability.test_c! - 0.75)).toBeLessThanOrEqual(0.05);

    const manySignificant = countExperimentResult([
      trend('control', 1000, 10000),
      trend('test_a', 1050, 10000),
      trend('test_b', 1500, 10000),
      trend('test_c', 1100, 10000),
    ]);
    expect(manySignificant.significance_code).toBe('significant');
    expect(manySignificant.probability.control).toBeLessThan(0.1);
    expect(manySignificant.probability.test_a).toBeGreaterThan(0.7);
    expect(manySignificant.expected_loss).toBeLessThan(1e-9);

    const zeros = countExperimentResult([trend('control', 0, 1000), trend('test', 0, 1000)]);
    expect(Math.abs(zeros.probability.control! - 0.5)).toBeLessThan(0.1);
    expect(zeros.significance_code).toBe('low_win_probability');
    expect(zeros.credible_intervals.control![0]).toBeCloseTo(0, 3);
    expect(zeros.credible_intervals.control![1]).toBeCloseTo(0.004, 3);

    const small = countExperimentResult([trend('control', 5, 50), trend('test', 8, 50)]);
    expect(small.significance_code).toBe('not_enough_exposure');
    expect(small.credible_intervals.control![0]).toBeCloseTo(0.044, 2);
    expect(small.credible_intervals.test![1]).toBeCloseTo(0.309, 2);

    const close = countExperimentResult([trend('control', 1000, 10000), trend('test', 1075, 10000)]);
    expect(close.significance_code).toBe('significant');
    expect(close.expected_loss).toBeGreaterThan(0);
  });

  it('credible intervals invert the Erlang cdf; expected loss matches a 10^6-draw Monte-Carlo', () => {
    const result = countExperimentResult([trend('control', 269, 2608), trend('test', 314, 2615)]);
    const [lo, hi] = result.credible_intervals.test!;
    expect(erlangCdf(lo, 315, 2616)).toBeCloseTo(0.025, 11);
    expect(erlangCdf(hi, 315, 2616)).toBeCloseTo(0.975, 11);

    const uniform = rng(7);
    const normal = normalSampler(uniform);
    const control = gammaSampler(uniform, normal, 270);
    const test = gammaSampler(uniform, normal, 315);
    let loss = 0;
    let lossSquares = 0;
    for (let i = 0; i < DRAWS; i++) {
      const l = Math.max(0, control() / 2609 - test() / 2616);
      loss += l;
      lossSquares += l * l;
    }
    const estimate = loss / DRAWS;
    const standardError = Math.sqrt((lossSquares / DRAWS - estimate * estimate) / DRAWS);
    expect(Math.abs(result.expected_loss - estimate)).toBeLessThan(5 * standardError);
  });

  it('stays accurate with a billion events', () => {
    const result = countExperimentResult([trend('control', 1e9, 1e8), trend('test', 1.00005e9, 1e8)]);
    // Gamma(1+count, 1+exposure) is normal to ~1e-5 at these shapes
    const mean = (count: number) => (1 + count) / (1 + 1e8);
    const variance = (count: number) => (1 + count) / (1 + 1e8) ** 2;
    const z = (mean(1.00005e9) - mean(1e9)) / Math.sqrt(variance(1e9) + variance(1.00005e9));
    expect(Math.abs(result.probability.test! - normalCdf(z))).toBeLessThan(1e-4);
    expect(result.credible_intervals.control![0]).toBeCloseTo(mean(1e9) - 1.959963984540054 * Math.sqrt(variance(1e9)), 6);
  });

  it('refuses fewer than one or ten and more test variants, like PostHog', () => {
    expect(() => countExperimentResult([trend('control', 1, 100)])).toThrow(/less than 2 variants/);
    const eleven = [trend('control', 1, 100), ...Array.from({ length: 10 }, (_, i) => trend(`t${i}`, 1, 100))];
    expect(() => countExperimentResult(eleven)).toThrow(/more than 10 variants/);
  });
});

// ---------------------------------------------------------------------------------------------

describe('legacy continuous statistics (log-normal Normal-Inverse-Gamma, stats_version 2)', () => {
  const withMean = (key: string, meanValue: number, exposure: number) => trend(key, meanValue * exposure, exposure);

  it("meets PostHog's continuous test vectors", () => {
    // posthog/hogql_queries/experiments/test/test_trends_statistics_continuous.py
    const small = continuousExperimentResult([withMean('control', 100, 100), withMean('test', 105, 100)]);
    expect(Math.abs(small.probability.control! - 0.4)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(small.probability.test! - 0.6)).toBeLessThanOrEqual(0.1);
    expect(small.significance_code).toBe('low_win_probability');
    expect(Math.abs(small.credible_intervals.control![0] - 80)).toBeLessThanOrEqual(5);
    expect(Math.abs(small.credible_intervals.control![1] - 114)).toBeLessThanOrEqual(5);
    expect(Math.abs(small.credible_intervals.test![1] - 120)).toBeLessThanOrEqual(5);

    const large = continuousExperimentResult([withMean('control', 100, 10000), withMean('test', 120, 10000)]);
    expect(Math.abs(large.probability.test! - 1)).toBeLessThanOrEqual(0.025);
    expect(large.significance_code).toBe('significant');
    expect(Math.abs(large.credible_intervals.control![0] - 97)).toBeLessThanOrEqual(2);
    expect(Math.abs(large.credible_intervals.test![1] - 122)).toBeLessThanOrEqual(2);

    const many = continuousExperimentResult([
      withMean('control', 100, 1000),
      withMean('test_a', 85, 1000),
      withMean('test_b', 150, 1000),
      withMean('test_c', 110, 1000),
    ]);
    expect(Math.abs(many.probability.control! - 0)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(many.probability.test_a! - 0.05)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(many.probability.test_b! - 0.99)).toBeLessThanOrEqual(0.05);
    expect(Math.abs(many.probability.test_c! - 0.99)).toBeLessThanOrEqual(0.05);

    const zeros = continuousExperimentResult([withMean('control', 0, 1000), withMean('test', 0, 1000)]);
    expect(Math.abs(zeros.probability.test! - 0.5)).toBeLessThanOrEqual(0.1);
    expect(zeros.significance_code).toBe('low_win_probability');
    expect(zeros.credible_intervals.control![1]).toBeLessThan(0.05);

    const close = continuousExperimentResult([withMean('control', 100, 600), withMean('test', 120, 600)]);
    expect(close.significance_code).toBe('significant');
    expect(close.expected_loss).toBeGreaterThan(0);
    expect(close.expected_loss).toBeLessThan(3);

    const few = continuousExperimentResult([withMean('control', 100, 50), withMean('test', 120, 50)]);
    expect(few.significance_code).toBe('not_enough_exposure');
  });

  it('probabilities match a 10^6-draw Monte-Carlo of the Student-t posteriors', () => {
    const variants = [withMean('control', 100, 300), withMean('a', 104, 250), withMean('b', 108, 320)];
    const result = continuousExperimentResult(variants);
    const uniform = rng(99);
    const normal = normalSampler(uniform);
    const samplers = variants.map((v) => {
      // posterior of log(mean): t with df = 2 + n, loc = n·log(mean)/(n+1), scale² = (1 + 0.375n)/((n+1)(1 + n/2))
      const n = v.absolute_exposure;
      const loc = (n * Math.log(v.count / n + 1e-10)) / (n + 1);
      const scale = Math.sqrt((1 + 0.375 * n) / ((n + 1) * (1 + n / 2)));
      const df = 2 + n;
      const chi = gammaSampler(uniform, normal, df / 2);
      return () => loc + (scale * normal()) / Math.sqrt(chi() / (df / 2));
    });
    let controlWins = 0;
    const beats = [0, 0];
    for (let i = 0; i < DRAWS; i++) {
      const [c, a, b] = samplers.map((s) => s());
      if (c! > a! && c! > b!) controlWins++;
      if (a! > c!) beats[0]!++;
      if (b! > c!) beats[1]!++;
    }
    expect(Math.abs(result.probability.control! - controlWins / DRAWS)).toBeLessThan(mcTolerance(controlWins / DRAWS));
    expect(Math.abs(result.probability.a! - beats[0]! / DRAWS)).toBeLessThan(mcTolerance(beats[0]! / DRAWS));
    expect(Math.abs(result.probability.b! - beats[1]! / DRAWS)).toBeLessThan(mcTolerance(beats[1]! / DRAWS));
  });
});
