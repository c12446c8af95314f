/**
 * Deterministic replacements for the Monte-Carlo estimates in PostHog's legacy (v2) experiment
 * statistics. PostHog draws 10,000 posterior samples per variant and counts; here the same
 * quantities are one-dimensional integrals, evaluated by adaptive Gauss–Legendre quadrature, so a
 * result is reproducible and accurate to ~1e-10 instead of ±1%:
 *
 * - P(X_i > X_c)              = ∫ f_c(x) · S_i(x) dx
 * - P(X_c > max_i X_i)        = ∫ f_c(x) · Π_i F_i(x) dx
 * - E[max(0, max_i X_i − T)]  = ∫ F_T(x) · (1 − Π_i F_i(x)) dx
 *
 * (the last because max(0, M − T) = ∫ 1[T ≤ x < M] dx, and T, M are independent). The same
 * identity gives the beta-binomial expected loss exactly, as a finite sum over the lattice points
 * k/n of the discrete distributions.
 */
import { betaDistribution, type ContinuousDistribution } from './stats-distributions.js';

// Gauss–Legendre nodes and weights on [−1, 1], computed once by Newton's method on P_n.
const GL_ORDER = 20;
const GL_NODES: number[] = [];
const GL_WEIGHTS: number[] = [];
{
  const n = GL_ORDER;
  for (let i = 0; i < n; i++) {
    GL_NODES.push(0);
    GL_WEIGHTS.push(0);
  }
  for (let i = 0; i < (n + 1) / 2; i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    let derivative = 1;
    for (let iter = 0; iter < 100; iter++) {
      let p1 = 1;
      let p2 = 0;
      for (let j = 1; j <= n; j++) {
        const p3 = p2;
        p2 = p1;
        p1 = ((2 * j - 1) * z * p2 - (j - 1) * p3) / j;
      }
      derivative = (n * (z * p1 - p2)) / (z * z - 1);
      const previous = z;
      z = previous - p1 / derivative;
      if (Math.abs(z - previous) < 1e-16) break;
    }
    const w = 2 / ((1 - z * z) * derivative * derivative);
    GL_NODES[i] = -z;
    GL_NODES[n - 1 - i] = z;
    GL_WEIGHTS[i] = w;
    GL_WEIGHTS[n - 1 - i] = w;
  }
}

function gaussLegendre(f: (x: number) => number, a: number, b: number): number {
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  let sum = 0;
  for (let i = 0; i < GL_ORDER; i++) sum += GL_WEIGHTS[i]! * f(mid + half * GL_NODES[i]!);
  return sum * half;
}

/**
 * ∫_a^b f(x) dx by adaptive bisection of 20-point Gauss–Legendre panels: a panel is accepted when
 * its two halves agree with it to within its width's share of `absTol`, or to 1e-12 of its value
 * (the rounding noise of huge-shape densities and cdfs, which no further split removes).
 */
export function integrate(f: (x: number) => number, a: number, b: number, absTol = 1e-13): number {
  if (!(b > a)) return 0;
  const tolPerWidth = absTol / (b - a);
  const stack: { a: number; b: number; whole: number; depth: number }[] = [{ a, b, whole: gaussLegendre(f, a, b), depth: 0 }];
  let total = 0;
  let panels = 0;
  while (stack.length > 0) {
    const panel = stack.pop()!;
    const mid = (panel.a + panel.b) / 2;
    const left = gaussLegendre(f, panel.a, mid);
    const right = gaussLegendre(f, mid, panel.b);
    panels++;
    const error = Math.abs(left + right - panel.whole);
    const tolerance = Math.max(tolPerWidth * (panel.b - panel.a), 1e-12 * (Math.abs(left) + Math.abs(right)));
    if (error <= tolerance || panel.depth >= 40 || panels > 5000) {
      total += left + right;
    } else {
      stack.push({ a: panel.a, b: mid, whole: left, depth: panel.depth + 1 });
      stack.push({ a: mid, b: panel.b, whole: right, depth: panel.depth + 1 });
    }
  }
  return total;
}

function gaussLegendreVector(f: (x: number) => number[], a: number, b: number, size: number): number[] {
  const half = (b - a) / 2;
  const mid = (a + b) / 2;
  const sum = new Array<number>(size).fill(0);
  for (let i = 0; i < GL_ORDER; i++) {
    const values = f(mid + half * GL_NODES[i]!);
    for (let k = 0; k < size; k++) sum[k]! += GL_WEIGHTS[i]! * values[k]!;
  }
  return sum.map((v) => v * half);
}

/**
 * Several integrals of one density-weighted family at once, sharing evaluations. Component 0 must
 * be the density itself: every component's error is judged against the panel's probability mass,
 * so cdf rounding noise (~1e-12) in thin tails does not force endless splitting.
 */
function integrateMass(f: (x: number) => number[], size: number, a: number, b: number, absTol: number): number[] {
  const total = new Array<number>(size).fill(0);
  if (!(b > a)) return total;
  const tolPerWidth = absTol / (b - a);
  const stack: { a: number; b: number; whole: number[]; depth: number }[] = [
    { a, b, whole: gaussLegendreVector(f, a, b, size), depth: 0 },
  ];
  let panels = 0;
  while (stack.length > 0) {
    const panel = stack.pop()!;
    const mid = (panel.a + panel.b) / 2;
    const left = gaussLegendreVector(f, panel.a, mid, size);
    const right = gaussLegendreVector(f, mid, panel.b, size);
    panels++;
    let error = 0;
    for (let k = 0; k < size; k++) error = Math.max(error, Math.abs(left[k]! + right[k]! - panel.whole[k]!));
    const tolerance = Math.max(tolPerWidth * (panel.b - panel.a), 1e-11 * Math.abs(left[0]! + right[0]!));
    if (error <= tolerance || panel.depth >= 40 || panels > 5000) {
      for (let k = 0; k < size; k++) total[k]! += left[k]! + right[k]!;
    } else {
      stack.push({ a: panel.a, b: mid, whole: left, depth: panel.depth + 1 });
      stack.push({ a: mid, b: panel.b, whole: right, depth: panel.depth + 1 });
    }
  }
  return total;
}

/** The integral over [lo, hi], split at `breakpoints` so sharp features get their own panels. */
function integrateWithBreaks(f: (x: number) => number, lo: number, hi: number, breakpoints: number[]): number {
  const cuts = [lo, ...breakpoints.filter((x) => x > lo && x < hi).sort((x, y) => x - y), hi];
  let total = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const a = cuts[i]!;
    const b = cuts[i + 1]!;
    if (b > a) total += integrate(f, a, b, (1e-13 * (b - a)) / (hi - lo));
  }
  return total;
}

/** Below/above these quantiles a distribution's mass is treated as zero. */
const TAIL = 1e-15;
const BREAK_LEVELS = [TAIL, 1e-9, 1e-5, 1e-3, 0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.98, 1 - 1e-3, 1 - 1e-5, 1 - 1e-9];

interface Prepared {
  dist: ContinuousDistribution;
  lo: number;
  hi: number;
  breaks: number[];
}

function prepare(dist: ContinuousDistribution): Prepared {
  const breaks = BREAK_LEVELS.map((p) => dist.quantile(p)).filter((x) => Number.isFinite(x));
  return { dist, lo: dist.quantile(TAIL), hi: dist.quantile(1 - TAIL), breaks };
}

function allBreaks(items: Prepared[]): number[] {
  return items.flatMap((item) => [item.lo, item.hi, ...item.breaks]);
}

function clampProbability(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/**
 * P(X_i > X_c) for each `others[i]` against `reference`, and P(reference > max others),
 * integrated over the reference density (normalised over the same range, which cancels any
 * error in the density's normalising constant).
 */
export function winProbabilities(
  reference: ContinuousDistribution,
  others: ContinuousDistribution[],
): { referenceBeatsAll: number; beatsReference: number[] } {
  const ref = prepare(reference);
  const prepared = others.map(prepare);
  const breaks = allBreaks(prepared).concat(ref.breaks);
  // components: [density, density·S_1, …, density·S_k, density·Π F_i]
  const size = prepared.length + 2;
  const integrand = (x: number): number[] => {
    const values = new Array<number>(size).fill(0);
    const density = reference.pdf(x);
    if (density === 0) return values;
    values[0] = density;
    let product = density;
    prepared.forEach((other, i) => {
      const below = other.dist.cdf(x);
      values[i + 1] = density * (1 - below);
      product *= below;
    });
    values[size - 1] = product;
    return values;
  };
  const cuts = [ref.lo, ...breaks.filter((x) => x > ref.lo && x < ref.hi).sort((x, y) => x - y), ref.hi];
  const sums = new Array<number>(size).fill(0);
  for (let i = 0; i + 1 < cuts.length; i++) {
    const part = integrateMass(integrand, size, cuts[i]!, cuts[i + 1]!, 1e-13);
    for (let k = 0; k < size; k++) sums[k]! += part[k]!;
  }
  const mass = sums[0]!;
  return {
    referenceBeatsAll: clampProbability(sums[size - 1]! / mass),
    beatsReference: prepared.map((_, i) => clampProbability(sums[i + 1]! / mass)),
  };
}

/**
 * E[max(0, max_i X_i − T)] for independent continuous X_i (`others`) and T (`target`). With
 * `transform = exp` the variables are exp(X), i.e. the loss is measured on the exponentiated
 * scale while the distributions are given on the log scale.
 */
export function expectedLoss(
  target: ContinuousDistribution,
  others: ContinuousDistribution[],
  transform: 'identity' | 'exp' = 'identity',
): number {
  if (others.length === 0) return 0;
  const t = prepare(target);
  const prepared = others.map(prepare);
  const lo = t.lo;
  const hi = Math.max(...prepared.map((p) => p.hi));
  if (!(hi > lo)) return 0;
  const integrand = (x: number): number => {
    const below = target.cdf(x);
    if (below === 0) return 0;
    let maxBelow = 1;
    for (const other of prepared) maxBelow *= other.dist.cdf(x);
    const value = below * (1 - maxBelow);
    return transform === 'exp' ? value * Math.exp(x) : value;
  };
  return Math.max(0, integrateWithBreaks(integrand, lo, hi, allBreaks(prepared).concat(t.breaks)));
}

// ---------------------------------------------------------------------------------------------
// Beta-binomial (legacy funnel expected loss)

interface LatticeDistribution {
  /** support points k/n in increasing order (only those with non-negligible mass) */
  points: Float64Array;
  /** P(R <= points[j]) */
  cdf: Float64Array;
}

/**
 * The distribution of K/n for K ~ BetaBinomial(n, α, β), restricted to the lattice points whose
 * mass is above 1e-20 of the mode's (the rest is below double precision of the sums built on it).
 */
function betaBinomialRate(n: number, alpha: number, beta: number): LatticeDistribution {
  // log p(k+1) − log p(k)
  const logRatio = (k: number): number =>
    Math.log(n - k) + Math.log(k + alpha) - Math.log(k + 1) - Math.log(n - k - 1 + beta);
  const guess = Math.min(n, Math.max(0, Math.round((n * (alpha - 1)) / Math.max(1, alpha + beta - 2))));
  const cutoff = Math.log(1e-20);
  const upward: number[] = [0];
  let logWeight = 0;
  let best = 0;
  for (let k = guess; k < n; k++) {
    logWeight += logRatio(k);
    best = Math.max(best, logWeight);
    upward.push(logWeight);
    if (logWeight < best + cutoff) break;
  }
  const downward: number[] = [];
  logWeight = 0;
  for (let k = guess - 1; k >= 0; k--) {
    logWeight -= logRatio(k);
    best = Math.max(best, logWeight);
    downward.push(logWeight);
    if (logWeight < best + cutoff) break;
  }
  const first = guess - downward.length;
  const logWeights = downward.reverse().concat(upward);
  const weights = logWeights.map((w) => Math.exp(w - best));
  const total = weights.reduce((s, w) => s + w, 0);
  const points = new Float64Array(weights.length);
  const cdf = new Float64Array(weights.length);
  let running = 0;
  for (let j = 0; j < weights.length; j++) {
    running += weights[j]! / total;
    points[j] = (first + j) / n;
    cdf[j] = Math.min(1, running);
  }
  return { points, cdf };
}

/** Right-continuous cdf of a lattice distribution at x, advancing a cursor over sorted queries. */
class LatticeCursor {
  private index = -1;
  constructor(private readonly dist: LatticeDistribution) {}
  at(x: number): number {
    const { points, cdf } = this.dist;
    while (this.index + 1 < points.length && points[this.index + 1]! <= x) this.index++;
    if (this.index < 0) return 0;
    if (this.index === points.length - 1) return 1;
    return cdf[this.index]!;
  }
}

export interface BetaBinomialVariant {
  successes: number;
  failures: number;
}

/**
 * E[max(0, max_i R_i − R_T)] where R = K/n, K ~ BetaBinomial(n, 1+successes, 1+failures): the
 * posterior-predictive conversion rate PostHog samples in `calculate_expected_loss_v2`.
 */
export function betaBinomialExpectedLoss(target: BetaBinomialVariant, others: BetaBinomialVariant[]): number {
  if (others.length === 0) return 0;
  const toLattice = (v: BetaBinomialVariant): LatticeDistribution | null => {
    const n = v.successes + v.failures;
    return n > 0 ? betaBinomialRate(n, 1 + v.successes, 1 + v.failures) : null;
  };
  const t = toLattice(target);
  const os = others.map(toLattice);
  // A variant without trials has no predictive rate; fall back to its Beta(1,1)-prior posterior.
  if (t === null || os.some((o) => o === null)) {
    const asBeta = (v: BetaBinomialVariant) => betaDistribution(1 + v.successes, 1 + v.failures);
    return expectedLoss(asBeta(target), others.map(asBeta));
  }
  const lattices = [t, ...(os as LatticeDistribution[])];
  const merged = Array.from(new Set(lattices.flatMap((l) => Array.from(l.points)))).sort((a, b) => a - b);
  const targetCursor = new LatticeCursor(t);
  const otherCursors = (os as LatticeDistribution[]).map((o) => new LatticeCursor(o));
  let loss = 0;
  for (let j = 0; j + 1 < merged.length; j++) {
    const x = merged[j]!;
    const below = targetCursor.at(x);
    let maxBelow = 1;
    for (const cursor of otherCursors) maxBelow *= cursor.at(x);
    loss += below * (1 - maxBelow) * (merged[j + 1]! - x);
  }
  return Math.max(0, loss);
}
