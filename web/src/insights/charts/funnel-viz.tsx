import { eventLabel } from '../query.js';
import { formatDuration } from './format-duration.js';
import { FunnelTrendsViz, isFunnelTrends, type FunnelTrendSeries } from './funnel-trends.js';
import { isTimeToConvert, TimeToConvertViz, type TimeToConvertResult } from './funnel-time-to-convert.js';
import { breakdownLabel, formatPercent, formatValue, type VizProps } from './types.js';

export interface FunnelStep {
  action_id?: string | number | null;
  name?: string | null;
  custom_name?: string | null;
  order: number;
  count: number;
  average_conversion_time?: number | null;
  median_conversion_time?: number | null;
  breakdown_value?: unknown;
  /** The breakdown's display value (a cohort breakdown: the cohort's name, `breakdown_value` its id). */
  breakdown?: unknown;
  /** "Compare to previous period": which period the step (or breakdown funnel) counts. */
  compare_label?: 'current' | 'previous';
}

/** What a FunnelsQuery answers, by graph type: steps (one list, or one per breakdown value), a histogram, or rate series. */
export type FunnelResults = FunnelStep[] | FunnelStep[][] | TimeToConvertResult | FunnelTrendSeries[];

const stepName = (s: FunnelStep) => s.custom_name || eventLabel(s.name ?? (typeof s.action_id === 'string' ? s.action_id : null));

/** A funnel's chart for its graph type (`funnelsFilter.funnelVizType`); an answer of another shape shows as none. */
export function FunnelViz({ query, results, onDrill, compact }: VizProps<FunnelResults>) {
  const viz = query.funnelsFilter?.funnelVizType ?? 'steps';
  const none = <p className="muted">No results yet.</p>;
  if (viz === 'time_to_convert') return isTimeToConvert(results) ? <TimeToConvertViz query={query} results={results} onDrill={onDrill} compact={compact} /> : none;
  if (viz === 'trends') return isFunnelTrends(results) ? <FunnelTrendsViz query={query} results={results} onDrill={onDrill} compact={compact} /> : none;
  if (!Array.isArray(results) || isFunnelTrends(results)) return none;
  return <FunnelStepsViz query={query} results={results as FunnelStep[] | FunnelStep[][]} onDrill={onDrill} compact={compact} />;
}

/**
 * Conversion steps as horizontal bars: persons who reached each step, conversion from the first
 * step, and the drop-off from the previous one. Both numbers open the persons behind them.
 */
function FunnelStepsViz({ query, results, onDrill, compact }: VizProps<FunnelStep[] | FunnelStep[][]>) {
  if (results.length === 0) return <p className="muted">No one entered this funnel in the date range.</p>;
  const grouped = Array.isArray(results[0]);
  if (grouped) return <FunnelBreakdownTable query={query} results={results as FunnelStep[][]} onDrill={onDrill} compact={compact} />;
  // Compared: the current period's steps, then the previous period's (the server's order).
  const all = results as FunnelStep[];
  const steps = all.filter((s) => s.compare_label !== 'previous');
  const previousSteps = all.some((s) => s.compare_label === 'previous') ? all.filter((s) => s.compare_label === 'previous') : null;
  const first = steps[0]!.count;
  const last = steps[steps.length - 1]!.count;
  const drill = (step: number, dropped: boolean, previous = false) =>
    onDrill?.({
      title: `${dropped ? 'Dropped off before' : 'Completed'} step ${step}: ${stepName(steps[step - 1]!)}${previous ? ' (previous period)' : ''}`,
      source: { kind: 'FunnelsActorsQuery', source: query, funnelStep: dropped ? -step : step, ...(previousSteps ? { compare: previous ? 'previous' : 'current' } : {}) },
    });
  const previousFirst = previousSteps?.[0]?.count ?? 0;
  const previousLast = previousSteps?.[previousSteps.length - 1]?.count ?? 0;

  return (
    <div className={compact ? 'funnel funnel-compact' : 'funnel'}>
      <p className="funnel-summary">
        <strong data-testid="funnel-total-conversion">{formatPercent(first ? last / first : 0)}</strong> total conversion rate
        {previousSteps && (
          <span className="muted">
            {' '}
            · previous period <span data-testid="funnel-previous-conversion">{formatPercent(previousFirst ? previousLast / previousFirst : 0)}</span>
          </span>
        )}
        {steps.length > 1 && steps[steps.length - 1]!.average_conversion_time != null && !compact && (
          <span className="muted"> · average time to convert {formatDuration(steps.slice(1).reduce((sum, s) => sum + (s.average_conversion_time ?? 0), 0))}</span>
        )}
      </p>
      <ol className="funnel-steps">
        {steps.map((s, i) => {
          const previous = i === 0 ? s.count : steps[i - 1]!.count;
          const dropped = previous - s.count;
          const ratio = first ? s.count / first : 0;
          return (
            <li key={i} className="funnel-step" data-testid={`funnel-step-${i + 1}`}>
              <div className="funnel-step-head">
                <span className="funnel-step-name">
                  <span className="series-badge">{i + 1}</span> {stepName(s)}
                </span>
                {i > 0 && !compact && <span className="muted">median time from previous step {formatDuration(s.median_conversion_time)}</span>}
              </div>
              <div className="funnel-bar-track" title={previousSteps ? 'Current period' : undefined}>
                <div className="funnel-bar" style={{ width: `${Math.max(ratio * 100, 0.5)}%` }} />
              </div>

              <div className="funnel-step-stats">
                {previousSteps && <span>Current period:</span>}
                {onDrill ? (
                  <button type="button" className="link-button" onClick={() => drill(i + 1, false)}>
                    <span data-testid="step-count">{formatValue(s.count)}</span> persons
                  </button>
                ) : (
                  <span>
                    <span data-testid="step-count">{formatValue(s.count)}</span> persons
                  </span>
                )}
                <span>
                  <span data-testid="step-conversion">{formatPercent(ratio)}</span> converted
                </span>
                {i > 0 &&
                  (onDrill ? (
                    <button type="button" className="link-button muted" onClick={() => drill(i + 1, true)}>
                      {formatValue(dropped)} dropped off ({formatPercent(previous ? dropped / previous : 0)})
                    </button>
                  ) : (
                    <span className="muted">
                      {formatValue(dropped)} dropped off ({formatPercent(previous ? dropped / previous : 0)})
                    </span>
                  ))}
              </div>
              {previousSteps && <PreviousPeriodBar step={i} steps={previousSteps} onDrill={onDrill ? () => drill(i + 1, false, true) : undefined} />}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/**
 * A step's previous-period bar and numbers under the current one, scaled to the previous period's
 * first step (each period's bars read as its own conversion).
 */
function PreviousPeriodBar({ step, steps, onDrill }: { step: number; steps: FunnelStep[]; onDrill?: () => void }) {
  const s = steps[step];
  if (!s) return null;
  const first = steps[0]?.count ?? 0;
  const ratio = first ? s.count / first : 0;
  const count = <span data-testid="previous-step-count">{formatValue(s.count)}</span>;
  return (
    <div className="funnel-previous" data-testid={`funnel-previous-step-${step + 1}`}>
      <div className="funnel-bar-track funnel-bar-track-previous" title="Previous period">
        <div className="funnel-bar funnel-bar-previous" style={{ width: `${s.count ? Math.max(ratio * 100, 0.5) : 0}%` }} />
      </div>
      <div className="funnel-step-stats muted">
        <span>Previous period:</span>
        {onDrill ? (
          <button type="button" className="link-button" onClick={onDrill}>
            {count} persons
          </button>
        ) : (
          <span>{count} persons</span>
        )}
        <span>
          <span data-testid="previous-step-conversion">{formatPercent(ratio)}</span> converted
        </span>
      </div>
    </div>
  );
}

/** With a breakdown: one row per value, persons and conversion per step. */
function FunnelBreakdownTable({ query, results, onDrill }: VizProps<FunnelStep[][]>) {
  const steps = results[0] ?? [];
  const cohorts = query.breakdownFilter?.breakdown_type === 'cohort';
  return (
    <div className="table-scroll">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Breakdown</th>
            {steps.map((s, i) => (
              <th key={i} scope="col" className="num">
                {i + 1}. {stepName(s)}
              </th>
            ))}
            <th scope="col" className="num">
              Conversion
            </th>
          </tr>
        </thead>
        <tbody>
          {results.map((row, r) => {
            const value = row[0]?.breakdown_value;
            const first = row[0]?.count ?? 0;
            // Cohort breakdowns: the value is the cohort id ("0" = all users), the name comes with it.
            const valueLabel = cohorts ? (Number(value) === 0 ? 'All users' : String(row[0]?.breakdown ?? value)) : breakdownLabel(value);
            const previous = row[0]?.compare_label === 'previous';
            const label = row[0]?.compare_label ? `${valueLabel} (${previous ? 'previous' : 'current'} period)` : valueLabel;
            return (
              <tr key={r}>
                <th scope="row">{label}</th>
                {row.map((s, i) => (
                  <td key={i} className="num">
                    {onDrill ? (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() =>
                          onDrill({ title: `${label}: completed step ${i + 1}`, source: { kind: 'FunnelsActorsQuery', source: query, funnelStep: i + 1, funnelStepBreakdown: value, ...(row[0]?.compare_label ? { compare: row[0].compare_label } : {}) } })
                        }
                      >
                        {formatValue(s.count)}
                      </button>
                    ) : (
                      formatValue(s.count)
                    )}
                    {i > 0 && <span className="muted"> ({formatPercent(first ? s.count / first : 0)})</span>}
                  </td>
                ))}
                <td className="num">{formatPercent(first ? (row[row.length - 1]?.count ?? 0) / first : 0)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
