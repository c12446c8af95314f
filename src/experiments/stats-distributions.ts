/**
 * Special functions and the distributions that PostHog's experiment statistics use: normal,
 * Student t, beta and gamma (cdf, survival, density, quantile), in plain TypeScript.
 *
 * Why not an npm library: the obvious candidate, `jstat` (1.9.6), ships 2 MB of untyped
 * CommonJS, and its inverse incomplete beta/gamma are plain Newton iterations that lose accuracy
 * for the very large shape parameters experiments produce (Beta(1e6, 9e6) posteriors). The
 * functions here follow the standard numerically careful forms instead:
 * - log-gamma: Stirling series with its remainder (`lgammaCorrection`) for x >= 10, upward
 *   recurrence below;
 * - log-beta and the factor x^a·y^b/B(a,b): the forms of R's `lbeta` and TOMS 708 `brcomp`
 *   (Didonato & Morris), which avoid cancelling huge logarithms when a and b are large;
 * - regularized incomplete beta: Lentz continued fraction (Numerical Recipes `betacf`), each tail
 *   computed on its own side so small tails keep full relative precision;
 * - regularized incomplete gamma: series below a+1, Lentz continued fraction above, and Temme's
 *   uniform asymptotic expansion for shapes above 1e5 (where the others need ~9·√a terms);
 * - normal cdf via Q(1/2, z²/2); quantiles by a safeguarded Newton iteration on the cdf
 *   (bracketed, with bisection when a step leaves the bracket), started from Acklam's normal
 *   approximation / Cornish–Fisher / Wilson–Hilferty as appropriate.
 */
import { HedgerowError } from '../errors.js';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const EPS = 1e-15;
const FPMIN = 1e-300;

function numericFailure(what: string): HedgerowError {
  return new HedgerowError('internal_error', `Experiment statistics: ${what} did not converge`);
}

/** lgamma(x) − [(x−½)·ln x − x + ½·ln 2π] for x >= 8: the Stirling series remainder. */
export function lgammaCorrection(x: number): number {
  const x2 = 1 / (x * x);
  return (
    (1 / 12 -
      x2 * (1 / 360 - x2 * (1 / 1260 - x2 * (1 / 1680 - x2 * (1 / 1188 - x2 * (691 / 360360 - x2 / 156)))))) /
    x
  );
}

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new HedgerowError('internal_error', `logGamma of non-positive ${x}`);
  if (x === 0.5) return 0.5723649429247001; // ln √π, used by every normal cdf
  if (x >= 10) return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + lgammaCorrection(x);
  // Shift up into the Stirling range: Γ(x) = Γ(x+k) / (x(x+1)…(x+k−1)).
  let product = 1;
  let y = x;
  while (y < 10) {
    product *= y;
    y += 1;
  }
  return (y - 0.5) * Math.log(y) - y + LOG_SQRT_2PI + lgammaCorrection(y) - Math.log(product);
}

/** ln B(a, b), accurate when a and/or b are large (R's lbeta). */
export function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const corr = lgammaCorrection(p) + lgammaCorrection(q) - lgammaCorrection(p + q);
    return (
      -0.5 * Math.log(q) + LOG_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q))
    );
  }
  if (q >= 10) {
    const corr = lgammaCorrection(q) - lgammaCorrection(p + q);
    return logGamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return logGamma(p) + logGamma(q) - logGamma(p + q);
}

/** e − ln(1+e), without cancellation for small e. */
function rlog1(e: number): number {
  if (Math.abs(e) < 1e-2) {
    // e²/2 − e³/3 + e⁴/4 − …
    let term = e * e;
    let sum = 0;
    for (let k = 2; k < 14; k++) {
      sum += (k % 2 === 0 ? 1 : -1) * (term / k);
      term *= e;
    }
    return sum;
  }
  return e - Math.log1p(e);
}

/** x^a · y^b / B(a, b) with y = 1 − x (TOMS 708 brcomp for large a, b). */
function betaFactor(a: number, b: number, x: number, y: number): number {
  if (x <= 0 || y <= 0) return 0;
  if (a >= 8 && b >= 8) {
    let x0: number;
    let y0: number;
    let lambda: number;
    if (a > b) {
      const h = b / a;
      x0 = 1 / (1 + h);
      y0 = h / (1 + h);
      lambda = (a + b) * y - b;
    } else {
      const h = a / b;
      x0 = h / (1 + h);
      y0 = 1 / (1 + h);
      lambda = a - (a + b) * x;
    }
    let e = -lambda / a;
    const u = Math.abs(e) > 0.6 ? e - Math.log(x / x0) : rlog1(e);
    e = lambda / b;
    const v = Math.abs(e) > 0.6 ? e - Math.log(y / y0) : rlog1(e);
    const bcorr = lgammaCorrection(a) + lgammaCorrection(b) - lgammaCorrection(a + b);
    return Math.sqrt(b * x0) * Math.exp(-(a * u + b * v) - bcorr) / SQRT_2PI;
  }
  const logX = x < 0.5 ? Math.log(x) : Math.log1p(-y);
  const logY = y < 0.5 ? Math.log(y) : Math.log1p(-x);
  return Math.exp(a * logX + b * logY - logBeta(a, b));
}

/** Continued fraction for I_x(a,b) (Numerical Recipes betacf, modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  const maxIterations = 1000 + Math.ceil(50 * Math.sqrt(Math.max(a, b)));
  for (let m = 1; m <= maxIterations; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) return h;
  }
  throw numericFailure(`incomplete beta (a=${a}, b=${b}, x=${x})`);
}

export interface TailPair {
  /** P(X <= x) */
  lower: number;
  /** P(X > x) */
  upper: number;
}

/**
 * Regularized incomplete beta I_x(a, b) and its complement. `y` must be 1 − x; pass it computed
 * directly when x is close to 1 so the upper tail keeps its precision.
 */
export function incompleteBeta(x: number, a: number, b: number, y: number = 1 - x): TailPair {
  if (x <= 0) return { lower: 0, upper: 1 };
  if (y <= 0) return { lower: 1, upper: 0 };
  if (x < (a + 1) / (a + b + 2)) {
    const lower = (betaFactor(a, b, x, y) * betaContinuedFraction(a, b, x)) / a;
    return { lower, upper: 1 - lower };
  }
  const upper = (betaFactor(b, a, y, x) * betaContinuedFraction(b, a, y)) / b;
  return { lower: 1 - upper, upper };
}

/** x^a · e^(−x) / Γ(a), accurate for large a. */
function gammaFactor(a: number, x: number): number {
  if (x <= 0) return 0;
  if (a >= 10) {
    return Math.exp(-a * rlog1(x / a - 1) + 0.5 * Math.log(a) - LOG_SQRT_2PI - lgammaCorrection(a));
  }
  return Math.exp(a * Math.log(x) - x - logGamma(a));
}

/** Above this shape the series/fraction need ~9·√a terms; Temme's expansion is used instead. */
const GAMMA_TEMME_SHAPE = 1e5;

/**
 * Temme's uniform asymptotic expansion to first order (DLMF 8.12.8–8.12.12):
 * Q(a, x) = ½·erfc(η·√(a/2)) + e^(−aη²/2)/√(2πa)·c₀(η) + O(a^(−3/2)·e^(−aη²/2)), with λ = x/a,
 * ½η² = λ − 1 − ln λ, sign η = sign(λ − 1), c₀ = 1/(λ−1) − 1/η. Absolute error < 1e-11 for
 * a > 1e5.
 */
function incompleteGammaTemme(a: number, x: number): TailPair {
  const d = x / a - 1;
  const eta = Math.sign(d) * Math.sqrt(2 * rlog1(d));
  const c0 = Math.abs(eta) < 1e-3 ? -1 / 3 + eta / 12 - (2 * eta * eta) / 135 + (eta * eta * eta) / 864 : 1 / d - 1 / eta;
  const w = eta * Math.sqrt(a);
  const correction = (normalPdf(w) / Math.sqrt(a)) * c0;
  const upper = Math.min(1, Math.max(0, normalCdf(-w) + correction));
  const lower = Math.min(1, Math.max(0, normalCdf(w) - correction));
  return { lower, upper };
}

/** Regularized incomplete gamma: lower P(a, x) and upper Q(a, x). */
export function incompleteGamma(a: number, x: number): TailPair {
  if (x <= 0) return { lower: 0, upper: 1 };
  if (!Number.isFinite(x)) return { lower: 1, upper: 0 };
  if (a > GAMMA_TEMME_SHAPE) return incompleteGammaTemme(a, x);
  const maxIterations = 1000 + Math.ceil(50 * Math.sqrt(a));
  if (x < a + 1) {
    let ap = a;
    let del = 1 / a;
    let sum = del;
    for (let n = 0; n < maxIterations; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) {
        const lower = Math.min(1, sum * gammaFactor(a, x));
        return { lower, upper: 1 - lower };
      }
    }
    throw numericFailure(`incomplete gamma series (a=${a}, x=${x})`);
  }
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i <= maxIterations; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) {
      const upper = Math.min(1, gammaFactor(a, x) * h);
      return { lower: 1 - upper, upper };
    }
  }
  throw numericFailure(`incomplete gamma fraction (a=${a}, x=${x})`);
}

// ---------------------------------------------------------------------------------------------
// Root finding for quantiles

/**
 * Solves g(x) = 0 for an increasing g on [lo, hi] (g(lo) <= 0 <= g(hi)) by Newton steps with
 * derivative `dg`, bisecting whenever a step would leave the current bracket.
 */
function solveIncreasing(
  g: (x: number) => number,
  dg: (x: number) => number,
  start: number,
  lo: number,
  hi: number,
): number {
  let x = Math.min(Math.max(start, lo), hi);
  for (let iter = 0; iter < 300; iter++) {
    const value = g(x);
    if (value === 0) return x;
    if (value < 0) lo = x;
    else hi = x;
    const slope = dg(x);
    let next = slope > 0 && Number.isFinite(slope) ? x - value / slope : Number.NaN;
    if (!(next > lo && next < hi)) next = lo + (hi - lo) / 2;
    if (Math.abs(next - x) <= 1e-15 * Math.max(1e-300, Math.abs(next)) || hi - lo <= 1e-15 * Math.abs(hi)) {
      return next;
    }
    x = next;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Normal

export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / SQRT_2PI;
}

/** Standard normal P(Z <= z). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  if (z === Number.POSITIVE_INFINITY) return 1;
  if (z === Number.NEGATIVE_INFINITY) return 0;
  const tail = 0.5 * incompleteGamma(0.5, 0.5 * z * z).upper;
  return z < 0 ? tail : 1 - tail;
}

/** Standard normal P(Z > z). */
export function normalSf(z: number): number {
  return normalCdf(-z);
}

// Acklam's rational approximation of the normal quantile (relative error ~1e-9), refined below.
const ACKLAM_A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
] as const;
const ACKLAM_B = [
  -5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1,
] as const;
const ACKLAM_C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
] as const;
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416] as const;

function acklamLowerHalf(p: number): number {
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((ACKLAM_C[0] * q + ACKLAM_C[1]) * q + ACKLAM_C[2]) * q + ACKLAM_C[3]) * q + ACKLAM_C[4]) * q + ACKLAM_C[5]) /
      ((((ACKLAM_D[0] * q + ACKLAM_D[1]) * q + ACKLAM_D[2]) * q + ACKLAM_D[3]) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((ACKLAM_A[0] * r + ACKLAM_A[1]) * r + ACKLAM_A[2]) * r + ACKLAM_A[3]) * r + ACKLAM_A[4]) * r + ACKLAM_A[5]) *
      q) /
    (((((ACKLAM_B[0] * r + ACKLAM_B[1]) * r + ACKLAM_B[2]) * r + ACKLAM_B[3]) * r + ACKLAM_B[4]) * r + 1)
  );
}

/** Standard normal quantile. */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p > 0.5) return -normalQuantile(1 - p);
  let x = acklamLowerHalf(p);
  if (p < 1e-300) return x;
  // Halley refinement against the accurate cdf brings it to full double precision.
  for (let i = 0; i < 3; i++) {
    const e = normalCdf(x) - p;
    const u = (e * SQRT_2PI) * Math.exp(0.5 * x * x);
    const next = x - u / (1 + 0.5 * x * u);
    if (!Number.isFinite(next)) break;
    if (Math.abs(next - x) <= 1e-16 * Math.abs(next)) return next;
    x = next;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Student t (standard, then location-scale)

/** Beyond this many degrees of freedom the t and normal cdfs differ by less than 1e-9. */
const T_AS_NORMAL_DF = 1e8;

export function studentTPdf(t: number, df: number): number {
  if (df > T_AS_NORMAL_DF) return normalPdf(t);
  return Math.exp(-logBeta(df / 2, 0.5) - 0.5 * Math.log(df) - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** P(T <= t) for Student t with `df` degrees of freedom (df may be fractional). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return Number.NaN;
  if (df > T_AS_NORMAL_DF) return normalCdf(t);
  if (t === 0) return 0.5;
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const t2 = t * t;
  // P(T < −|t|) = ½·I_{df/(df+t²)}(df/2, ½)
  const tail = 0.5 * incompleteBeta(df / (df + t2), df / 2, 0.5, t2 / (df + t2)).lower;
  return t < 0 ? tail : 1 - tail;
}

export function studentTSf(t: number, df: number): number {
  return studentTCdf(-t, df);
}

/** Quantile of Student t with `df` degrees of freedom. */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1 || !(df > 0)) return Number.NaN;
  if (df > T_AS_NORMAL_DF) return normalQuantile(p);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  if (p > 0.5) return -studentTQuantile(1 - p, df);
  // Cornish–Fisher start from the normal quantile.
  const z = normalQuantile(p);
  const z3 = z * z * z;
  const z5 = z3 * z * z;
  const z7 = z5 * z * z;
  let start =
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df * df * df);
  if (!(start < 0)) start = z;
  let lo = Math.min(start, z) * 2 - 1;
  while (studentTCdf(lo, df) > p) lo *= 4;
  return solveIncreasing(
    (x) => studentTCdf(x, df) - p,
    (x) => studentTPdf(x, df),
    start,
    lo,
    0,
  );
}

// ---------------------------------------------------------------------------------------------
// Continuous distributions as objects, for the numerical integrals of the legacy methods

export interface ContinuousDistribution {
  pdf(x: number): number;
  cdf(x: number): number;
  sf(x: number): number;
  quantile(p: number): number;
}

export function betaDistribution(a: number, b: number): ContinuousDistribution {
  const mean = a / (a + b);
  const sd = Math.sqrt((a * b) / ((a + b) * (a + b) * (a + b + 1)));
  const pdf = (x: number): number => {
    if (x <= 0 || x >= 1) {
      if (x === 0 && a === 1) return b;
      if (x === 1 && b === 1) return a;
      return 0;
    }
    return betaFactor(a, b, x, 1 - x) / (x * (1 - x));
  };
  const cdf = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : incompleteBeta(x, a, b).lower);
  const sf = (x: number): number => (x <= 0 ? 1 : x >= 1 ? 0 : incompleteBeta(x, a, b).upper);
  return {
    pdf,
    cdf,
    sf,
    quantile(p: number): number {
      if (p <= 0) return 0;
      if (p >= 1) return 1;
      const start = Math.min(Math.max(mean + normalQuantile(p) * sd, 1e-300), 1 - 1e-16);
      // Solve on the side whose tail is small, so 0.975 keeps the precision of its 0.025 tail.
      return p <= 0.5
        ? solveIncreasing((x) => cdf(x) - p, pdf, start, 0, 1)
        : solveIncreasing((x) => 1 - p - sf(x), pdf, start, 0, 1);
    },
  };
}

/** Gamma with shape `a` and rate `rate`. */
export function gammaDistribution(a: number, rate: number): ContinuousDistribution {
  const pdf = (x: number): number => (x <= 0 ? (x === 0 && a === 1 ? rate : 0) : (gammaFactor(a, rate * x) / x));
  const cdf = (x: number): number => incompleteGamma(a, rate * x).lower;
  const sf = (x: number): number => incompleteGamma(a, rate * x).upper;
  return {
    pdf,
    cdf,
    sf,
    quantile(p: number): number {
      if (p <= 0) return 0;
      if (p >= 1) return Number.POSITIVE_INFINITY;
      const z = normalQuantile(p);
      // Wilson–Hilferty start; for small shapes use the lower-tail power law instead.
      let start = a * Math.pow(1 - 1 / (9 * a) + z / (3 * Math.sqrt(a)), 3);
      if (!(start > 0)) start = Math.pow(p * Math.exp(logGamma(a + 1)), 1 / a);
      start /= rate;
      let hi = Math.max(start, a / rate) * 2 + 1 / rate;
      while (cdf(hi) < p) hi *= 2;
      return p <= 0.5
        ? solveIncreasing((x) => cdf(x) - p, pdf, start, 0, hi)
        : solveIncreasing((x) => 1 - p - sf(x), pdf, start, 0, hi);
    },
  };
}

/** loc + scale·T with T Student t on `df` degrees of freedom. */
export function studentTDistribution(df: number, loc: number, scale: number): ContinuousDistribution {
  return {
    pdf: (x) => studentTPdf((x - loc) / scale, df) / scale,
    cdf: (x) => studentTCdf((x - loc) / scale, df),
    sf: (x) => studentTSf((x - loc) / scale, df),
    quantile: (p) => loc + scale * studentTQuantile(p, df),
  };
}
