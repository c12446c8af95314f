import { z } from 'zod';
import { HedgerowError } from '../errors.js';
import { HogQLError } from '../hogql/ast.js';
import { addUnits, localParts, parseDate, startOf } from '../query/dates.js';
import { executeHogQL } from '../query/execute.js';
import type { QueryContext } from '../query/query-context.js';
import { exposedActorsQuery, exposureCriteriaSchema, MULTIPLE_VARIANT_KEY, parseSelectWith, variantKeys } from './experiment-data.js';

/**
 * PostHog's `ExperimentExposureQuery`: how many actors were first exposed to each variant, per day
 * of the project's timezone, as cumulative counts (the Exposures panel's chart and totals).
 */
export const experimentExposureQuerySchema = z.object({
  kind: z.literal('ExperimentExposureQuery'),
  experiment_id: z.number().int().positive(),
  experiment_name: z.string().max(400).nullish(),
  /** Defaults to the experiment's own criteria. */
  exposure_criteria: exposureCriteriaSchema.nullish(),
  /** PostHog's clients send the flag along; the experiment's stored flag is what is counted. */
  feature_flag: z.object({ key: z.string().nullish() }).passthrough().nullish(),
  /** Default to the experiment's own window. */
  start_date: z.string().max(64).nullish(),
  end_date: z.string().max(64).nullish(),
  holdout: z.unknown().optional(),
});
export type ExperimentExposureQuery = z.infer<typeof experimentExposureQuerySchema>;

export interface ExposureTimeseries {
  variant: string;
  /** Every day from the start to the end (or today), `YYYY-MM-DD` in the project timezone. */
  days: string[];
  /** Cumulative exposures up to and including each day. */
  exposure_counts: number[];
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function dayOf(epochMs: number, tz: string): string {
  const p = localParts(epochMs, tz);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}`;
}

/** An instant as ISO 8601 with the project timezone's offset (how PostHog echoes the range). */
function isoInZone(epochMs: number, tz: string): string {
  const p = localParts(epochMs, tz);
  const offsetMinutes = Math.round((Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms) - epochMs) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}.${pad(p.ms, 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function instant(text: string, what: 'start_date' | 'end_date', ctx: QueryContext): number {
  try {
    return parseDate(text, ctx.now.getTime(), ctx.project.timezone, what).epochMs;
  } catch (err) {
    if (err instanceof HogQLError) throw new HedgerowError('invalid_input', err.message, what);
    throw err;
  }
}

/** Days from the first to the last instant's day, inclusive, in the project timezone. */
function daysBetween(from: number, to: number, tz: string): string[] {
  const days: string[] = [];
  const last = dayOf(to, tz);
  for (let t = startOf(from, 'day', tz); days.length < 100_000; t = addUnits(t, 'day', 1, tz)) {
    const day = dayOf(t, tz);
    days.push(day);
    if (day >= last) break;
  }
  return days;
}

export async function runExperimentExposureQuery(query: ExperimentExposureQuery, ctx: QueryContext): Promise<Record<string, unknown>> {
  const found = await ctx.experiment(query.experiment_id);
  if (!found) throw new HedgerowError('not_found', `Experiment ${query.experiment_id} not found.`, 'experiment_id');
  const { experiment, flag } = found;
  if (!experiment.startDate) throw new HedgerowError('invalid_input', 'This experiment has not been launched yet, so it has no exposures: launch it (set its start_date) first.', 'experiment_id');
  if (query.holdout !== undefined && query.holdout !== null) throw new HedgerowError('invalid_input', 'Holdouts are not supported by Hedgerow: send holdout null.', 'holdout');
  if (query.feature_flag?.key && query.feature_flag.key !== flag.key) {
    throw new HedgerowError('invalid_input', `feature_flag.key "${query.feature_flag.key}" is not this experiment's flag ("${flag.key}").`, 'feature_flag');
  }

  const tz = ctx.project.timezone;
  const now = ctx.now.getTime();
  const from = instant(query.start_date ?? experiment.startDate, 'start_date', ctx);
  const endText = query.end_date !== undefined ? query.end_date : experiment.endDate;
  const end = endText ? instant(endText, 'end_date', ctx) : null;
  if (end !== null && end < from) throw new HedgerowError('invalid_input', 'end_date is before start_date.', 'end_date');
  const to = Math.max(from, Math.min(end ?? now, now));

  const exposures = exposedActorsQuery(flag, query.exposure_criteria ?? experiment.exposureCriteria, { from, to }, ctx, { keepMultiple: true });
  // The day of each actor's first exposure, in the project timezone (the column is already converted to it).
  const perDay = parseSelectWith(
    `SELECT formatDateTime(exposures.first_exposure, '%Y-%m-%d', {tz}) AS day, exposures.variant AS variant, count() AS exposed
     FROM {exposures} AS exposures
     GROUP BY day, variant
     ORDER BY day, variant`,
    { exposures, tz: { node: 'Constant', value: tz } },
  );
  const result = await executeHogQL(ctx.ch, ctx.log, perDay, { ...ctx.compileOptions, defaultLimit: 100_000 });

  const counts = new Map<string, Map<string, number>>();
  for (const [day, variant, exposed] of result.results) {
    const key = String(variant);
    if (!counts.has(key)) counts.set(key, new Map());
    counts.get(key)!.set(String(day), Number(exposed));
  }
  // As PostHog: every day of the window, only variants with at least one exposure, in the flag's order, `$multiple` last.
  const days = daysBetween(from, to, tz);
  const order = [...variantKeys(flag), MULTIPLE_VARIANT_KEY].filter((k) => counts.has(k));
  const timeseries: ExposureTimeseries[] = order.map((variant) => {
    const daily = counts.get(variant)!;
    let running = 0;
    return { variant, days, exposure_counts: days.map((d) => (running += daily.get(d) ?? 0)) };
  });
  const total_exposures = Object.fromEntries(timeseries.map((s) => [s.variant, s.exposure_counts.at(-1) ?? 0]));

  return {
    kind: 'ExperimentExposureQueryResponse',
    timeseries,
    total_exposures,
    date_range: { date_from: isoInZone(from, tz), date_to: end === null ? null : isoInZone(end, tz), explicitDate: true },
    hogql: result.compiled.hogql,
  };
}
