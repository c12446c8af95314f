/**
 * What a FunnelsActorsQuery asks for, beyond "the actors of step N": which drill-down it is, checked
 * against the funnel's graph type before any query runs.
 *
 * - Steps (PostHog's `funnelStep`, ± for drop-offs, with `funnelStepBreakdown`): any graph type.
 * - Historical trends (PostHog's `funnelTrendsEntrancePeriodStart` + `funnelTrendsDropOff`): the actors
 *   who entered the funnel in that period and converted, or entered and dropped off. PostHog's UDF
 *   runner ignores `funnelTrendsDropOff` (always the converted); its older runner and Hedgerow honour it.
 *   `funnelStep` is ignored alongside them, as PostHog does.
 * - Time to convert: PostHog has no drill-down into a histogram bin. Hedgerow's extension
 *   `funnelStepConversionTimeRange: [from, to)` (seconds) lists the actors whose conversion time from
 *   `funnelFromStep` to `funnelToStep` falls in it — a bin is `[bins[i][0], bins[i + 1][0])`.
 */
import { HedgerowError } from '../errors.js';
import { parseDate } from '../query/dates.js';
import type { ActorsRequest } from '../query/kinds.js';
import { bucketKey, type InsightRange } from './insight-range.js';

export interface FunnelsActorsRequest extends ActorsRequest {
  funnelTrendsDropOff?: boolean | null;
  funnelTrendsEntrancePeriodStart?: string | null;
  /** Hedgerow extension: `[from, to)` in seconds. */
  funnelStepConversionTimeRange?: [number, number] | null;
}

export type FunnelDrillDown =
  | { kind: 'step'; step: number }
  | { kind: 'period'; periodStart: string; dropOff: boolean }
  | { kind: 'conversionTime'; from: number; to: number };

const invalid = (message: string, attr: string) => new HedgerowError('invalid_input', message, attr);
const given = <T>(v: T | null | undefined): v is T => v !== null && v !== undefined;

/** The drill-down a request asks of a funnel with graph type `viz`, or a 400 saying what does not fit. */
export function funnelDrillDown(request: FunnelsActorsRequest, viz: 'steps' | 'time_to_convert' | 'trends'): FunnelDrillDown {
  const period = request.funnelTrendsEntrancePeriodStart?.trim();
  const range = request.funnelStepConversionTimeRange;
  if (request.funnelTrendsDropOff === true && !period) {
    throw invalid('funnelTrendsDropOff needs funnelTrendsEntrancePeriodStart: the drop-offs of which entrance period?', 'source.funnelTrendsEntrancePeriodStart');
  }
  if (period) {
    if (viz !== 'trends') throw invalid(`funnelTrendsEntrancePeriodStart drills into the historical trends graph (funnelVizType "trends"); this funnel's graph is "${viz}"`, 'source.funnelTrendsEntrancePeriodStart');
    if (given(range)) throw invalid('funnelStepConversionTimeRange and funnelTrendsEntrancePeriodStart are different drill-downs; send one', 'source.funnelStepConversionTimeRange');
    return { kind: 'period', periodStart: period, dropOff: request.funnelTrendsDropOff === true };
  }
  if (given(range)) {
    if (viz !== 'time_to_convert') throw invalid(`funnelStepConversionTimeRange drills into a time to convert bin (funnelVizType "time_to_convert"); this funnel's graph is "${viz}"`, 'source.funnelStepConversionTimeRange');
    if (given(request.funnelStep)) throw invalid('funnelStepConversionTimeRange lists the actors converting from funnelFromStep to funnelToStep; leave funnelStep out', 'source.funnelStep');
    const [from, to] = range;
    if (!(from >= 0 && to > from)) throw invalid(`funnelStepConversionTimeRange must be [from, to) seconds with 0 ≤ from < to; got [${from}, ${to}]`, 'source.funnelStepConversionTimeRange');
    return { kind: 'conversionTime', from, to };
  }
  if (given(request.funnelStep)) return { kind: 'step', step: request.funnelStep };
  const hint = viz === 'trends' ? ' (or funnelTrendsEntrancePeriodStart for a period)' : viz === 'time_to_convert' ? ' (or funnelStepConversionTimeRange for a bin)' : '';
  throw invalid(`FunnelsActorsQuery needs funnelStep (1-based; negative for drop-offs)${hint}`, 'source.funnelStep');
}

/**
 * The entrance period `text` names, as the trends engine keys it (`YYYY-MM-DD HH:MM:SS`, local), or
 * null if it is a date but not the start of one of the range's periods. Accepts what PostHog's
 * persons modal sends (`2024-03-01 00:00:00`), the `days` entries of the answer, and ISO 8601.
 */
export function entrancePeriodKey(text: string, range: InsightRange, now: number): string | null {
  const at = parseDate(text, now, range.timezone, 'funnelTrendsEntrancePeriodStart').epochMs;
  return range.buckets.includes(at) ? bucketKey(at, range.timezone) : null;
}

/** The 400 for a period that is not one of the range's. */
export function notAPeriodStart(text: string, range: InsightRange): HedgerowError {
  const keys = range.buckets.map((b) => bucketKey(b, range.timezone));
  const shown = keys.length <= 4 ? keys.join(', ') : `${keys.slice(0, 3).join(', ')}, …, ${keys[keys.length - 1]}`;
  return invalid(
    `funnelTrendsEntrancePeriodStart "${text.slice(0, 64)}" is not the start of a ${range.interval} in the funnel's date range (${range.timezone}): the periods start at ${shown}`,
    'source.funnelTrendsEntrancePeriodStart',
  );
}
