import type { JoinExpr, SampleExpr, SelectQuery, SelectSetQuery } from '../hogql/ast.js';
import { STATISTIC_MATHS } from './insight-schemas.js';

/**
 * PostHog's `samplingFactor` on insights: the events scans read `SAMPLE <factor>` (events are
 * `SAMPLE BY cityHash64(distinct_id)`, so the same distinct ids are sampled every time), and
 * count-like results are scaled back by 1/factor (`correct_result_for_sampling`): every math except
 * the property and count-per-actor statistics (avg, min, max, medians and percentiles), which a
 * sample estimates as they are; `sum` is scaled.
 */

/** The sampling of a query: undefined when absent, 0 or 1 (the full data is read, nothing is scaled). */
export function samplingOf(factor: number | null | undefined): number | undefined {
  return factor !== null && factor !== undefined && factor > 0 && factor < 1 ? factor : undefined;
}

export function sampleExpr(factor: number): SampleExpr {
  return { node: 'SampleExpr', sample_value: { node: 'RatioExpr', left: { node: 'Constant', value: factor } } };
}

/**
 * Adds `SAMPLE factor` to every read of the `events` table in a query tree (subqueries, joins, CTEs
 * and set queries included), in place. Returns the tree. A no-op without sampling.
 */
export function sampleEvents<T extends SelectQuery | SelectSetQuery>(tree: T, factor: number | null | undefined): T {
  const f = samplingOf(factor);
  if (f === undefined) return tree;
  const seen = new Set<unknown>();
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const n of node) visit(n);
      return;
    }
    const n = node as { node?: string };
    if (n.node === 'JoinExpr') {
      const j = node as JoinExpr;
      if (j.table?.node === 'Field' && j.table.chain.length === 1 && j.table.chain[0] === 'events' && !j.table_args && !j.sample) j.sample = sampleExpr(f);
    }
    for (const value of Object.values(node)) if (value && typeof value === 'object') visit(value);
  };
  visit(tree);
  return tree;
}

/** Python's `round` (half to even), as PostHog rounds corrected results. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const UNSCALED_MATHS: ReadonlySet<string> = new Set(STATISTIC_MATHS);

/** PostHog's `correct_result_for_sampling`: `round(value / factor)`, except for statistics (see above). */
export function correctForSampling(value: number, factor: number | null | undefined, math?: string | null): number {
  const f = samplingOf(factor);
  if (f === undefined || !Number.isFinite(value) || (math && UNSCALED_MATHS.has(math))) return value;
  return roundHalfEven(value * (1 / f));
}

