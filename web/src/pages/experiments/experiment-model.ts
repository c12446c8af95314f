/** Experiments as `/api/projects/:id/experiments/` returns them, and `ExperimentQuery`'s answer. */

export interface EventsNode {
  kind: 'EventsNode';
  event: string;
  name?: string;
  math?: 'total' | 'sum' | 'dau';
  math_property?: string;
}

export interface ExperimentMetric {
  kind: 'ExperimentMetric';
  metric_type: 'mean' | 'funnel';
  name?: string | null;
  uuid?: string | null;
  source?: EventsNode | null;
  series?: EventsNode[] | null;
  goal?: 'increase' | 'decrease' | null;
}

export interface Experiment {
  id: number;
  name: string;
  description: string;
  start_date: string | null;
  end_date: string | null;
  feature_flag_key: string | null;
  feature_flag: {
    id: number;
    key: string;
    active: boolean;
    filters: { multivariate?: { variants: Array<{ key: string; rollout_percentage: number }> } | null; groups?: Array<{ rollout_percentage?: number | null; description?: string | null }> };
  } | null;
  parameters: { feature_flag_variants?: Array<{ key: string; rollout_percentage: number }> | null } | null;
  metrics: ExperimentMetric[];
  stats_config: { method?: string | null; ci_level?: number | null } | null;
  exposure_criteria: Record<string, unknown> | null;
  status: 'draft' | 'running' | 'stopped';
  created_at: string;
  conclusion: Conclusion | null;
  conclusion_comment: string | null;
  archived: boolean;
}

/** What the page and the list show: the API's status, with a running experiment whose flag is off shown as paused. */
export type DisplayStatus = Experiment['status'] | 'paused';

export const STATUS_LABELS: Record<DisplayStatus, string> = { draft: 'Draft', running: 'Running', paused: 'Paused', stopped: 'Complete' };

export function displayStatus(e: Experiment): DisplayStatus {
  return e.status === 'running' && e.feature_flag && !e.feature_flag.active ? 'paused' : e.status;
}

/** PostHog's conclusions, in the order its end dialog lists them. */
export const CONCLUSIONS = ['won', 'lost', 'inconclusive', 'stopped_early', 'invalid'] as const;
export type Conclusion = (typeof CONCLUSIONS)[number];
export const CONCLUSION_LABELS: Record<Conclusion, string> = { won: 'Won', lost: 'Lost', inconclusive: 'Inconclusive', stopped_early: 'Stopped early', invalid: 'Invalid' };

/** `ExperimentExposureQuery`'s answer: cumulative first exposures per variant and day. */
export interface ExposureAnswer {
  timeseries: Array<{ variant: string; days: string[]; exposure_counts: number[] }>;
  total_exposures: Record<string, number>;
  date_range: { date_from: string; date_to: string | null };
}

/** Actors seen in more than one variant (left out of the results under PostHog's default handling). */
export const MULTIPLE_VARIANT_KEY = '$multiple';

export type ValidationFailure = 'not-enough-exposures' | 'not-enough-metric-data' | 'baseline-mean-is-zero';

export interface VariantStats {
  key: string;
  number_of_samples: number;
  sum: number;
  sum_squares: number;
  step_counts?: number[];
  validation_failures: ValidationFailure[];
}

export interface VariantResult extends VariantStats {
  method: 'bayesian' | 'frequentist';
  chance_to_win?: number;
  credible_interval?: [number, number];
  p_value?: number;
  confidence_interval?: [number, number];
  significant?: boolean;
}

export interface ExperimentResult {
  baseline: VariantStats;
  variant_results: VariantResult[];
  significance_code?: 'significant' | 'not_enough_exposure' | 'low_win_probability' | 'high_loss' | 'high_p_value';
  probability?: Record<string, number>;
}

/** PostHog's minimums before it computes statistics (new engine). */
const MIN_EXPOSURES = 50;
const MIN_CONVERSIONS = 5;

export const mean = (v: VariantStats) => (v.number_of_samples > 0 ? v.sum / v.number_of_samples : 0);
export const percent = (x: number, digits = 1) => `${(x * 100).toFixed(digits)}%`;
export const signedPercent = (x: number, digits = 1) => `${x > 0 ? '+' : ''}${(x * 100).toFixed(digits)}%`;

export function metricTitle(metric: ExperimentMetric, index: number): string {
  if (metric.name) return metric.name;
  if (metric.metric_type === 'funnel') return `Funnel: exposure → ${(metric.series ?? []).map((s) => s.event).join(' → ')}`;
  const s = metric.source;
  if (!s) return `Metric ${index + 1}`;
  if (s.math === 'sum') return `Mean sum of ${s.math_property} of ${s.event} per user`;
  if (s.math === 'dau') return `Share of users with ${s.event}`;
  return `Mean count of ${s.event} per user`;
}

const FAILURE_TEXT: Record<ValidationFailure, (key: string, v: VariantStats) => string> = {
  'not-enough-exposures': (key, v) => `${key} has ${v.number_of_samples} exposure${v.number_of_samples === 1 ? '' : 's'}; each variant needs at least ${MIN_EXPOSURES}`,
  'not-enough-metric-data': (key, v) => `${key} has ${v.sum} conversion${v.sum === 1 ? '' : 's'}; each variant needs at least ${MIN_CONVERSIONS}`,
  'baseline-mean-is-zero': (key) => `${key} has a mean of zero, so a relative change cannot be computed`,
};

const LEGACY_TEXT: Record<string, string> = {
  significant: 'significant',
  not_enough_exposure: 'not enough exposure (fewer than 100 per variant)',
  low_win_probability: 'no variant has a 90% probability of being best',
  high_loss: 'the expected loss of picking the best variant is 1% or more',
  high_p_value: 'the p-value is too high',
};

export interface Significance {
  state: 'significant' | 'not-significant' | 'not-enough-data';
  headline: string;
  /** Why it is not significant (or what won), in words. */
  reasons: string[];
  /** PostHog's legacy rule, which many users know, when the server computed it. */
  legacy?: string;
}

/** The state of one metric's result, always with the reason when it is not significant. */
export function significance(result: ExperimentResult, ciLevel: number): Significance {
  const legacy = result.significance_code ? `Legacy rule: ${LEGACY_TEXT[result.significance_code] ?? result.significance_code}.` : undefined;
  const failures = [result.baseline, ...result.variant_results].flatMap((v) => v.validation_failures.map((f) => FAILURE_TEXT[f](v.key, v)));
  if (failures.length) return { state: 'not-enough-data', headline: 'Not enough data yet', reasons: failures, legacy };
  const winners = result.variant_results.filter((v) => v.significant);
  if (winners.length) {
    return {
      state: 'significant',
      headline: 'Significant',
      reasons: winners.map((v) => {
        const ctw = v.chance_to_win;
        const won = ctw !== undefined ? ctw > 0.5 : (v.confidence_interval?.[0] ?? 0) > 0;
        return `${v.key} ${won ? 'beats' : 'loses to'} ${result.baseline.key}${ctw !== undefined ? ` (chance to win ${percent(ctw)})` : ''}.`;
      }),
      legacy,
    };
  }
  const upper = percent(ciLevel, 0);
  const lower = percent(1 - ciLevel, 0);
  return {
    state: 'not-significant',
    headline: 'Not significant',
    reasons: result.variant_results.map((v) => {
      const interval = v.credible_interval ?? v.confidence_interval;
      const crosses = interval ? `its interval (${signedPercent(interval[0])} to ${signedPercent(interval[1])}) includes zero` : 'no interval';
      if (v.chance_to_win !== undefined) return `${v.key}: chance to win ${percent(v.chance_to_win)} is between ${lower} and ${upper}, and ${crosses}.`;
      if (v.p_value !== undefined) return `${v.key}: p-value ${v.p_value.toFixed(3)} is above ${(1 - ciLevel).toFixed(2)}, and ${crosses}.`;
      return `${v.key}: ${crosses}.`;
    }),
    legacy,
  };
}

/**
 * The variant a significant result recommends shipping: the test variant that significantly beats
 * the baseline (the most likely one if several do), or the baseline when every test variant
 * significantly loses to it. Nothing when the result is not significant.
 */
export function significantWinner(result: ExperimentResult, goal: ExperimentMetric['goal']): string | null {
  const decrease = goal === 'decrease';
  const wins = (v: VariantResult) => {
    if (!v.significant) return false;
    if (v.chance_to_win !== undefined) return v.chance_to_win > 0.5;
    const interval = v.confidence_interval ?? v.credible_interval;
    return interval ? (decrease ? interval[1] < 0 : interval[0] > 0) : false;
  };
  const winners = result.variant_results.filter(wins).sort((a, b) => (b.chance_to_win ?? 0) - (a.chance_to_win ?? 0) || mean(b) - mean(a));
  if (winners[0]) return winners[0].key;
  if (result.variant_results.length > 0 && result.variant_results.every((v) => v.significant)) return result.baseline.key;
  return null;
}
