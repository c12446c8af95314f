import { useMemo } from 'react';
import { eventLabel } from '../query.js';
import { type ChartClick, EChart } from './echart.js';
import { formatDuration } from './format-duration.js';
import { formatPercent, formatValue, type VizProps } from './types.js';

/** The funnel's `time_to_convert` answer: histogram bins as [bin start in seconds, persons], and the average. */
export interface TimeToConvertResult {
  bins: Array<[number, number]>;
  average_conversion_time: number | null;
}

export function isTimeToConvert(results: unknown): results is TimeToConvertResult {
  return Boolean(results) && typeof results === 'object' && Array.isArray((results as TimeToConvertResult).bins);
}

/** ISO 8601 duration for `<time dateTime>` (whole seconds). */
const isoDuration = (seconds: number) => `PT${Math.round(seconds)}S`;

/**
 * Time to convert: a histogram of how long persons took from one step to another (the bins the
 * server made), the average above it, and the same bins as a table. A bar (or its row's count) lists
 * the persons of that bin: FunnelsActorsQuery with `funnelStepConversionTimeRange: [start, end)`, a
 * Hedgerow extension (PostHog's histogram has no drill-down).
 */
export function TimeToConvertViz({ query, results, onDrill, compact }: VizProps<TimeToConvertResult>) {
  const steps = query.series ?? [];
  const from = query.funnelsFilter?.funnelFromStep ?? 0;
  const to = query.funnelsFilter?.funnelToStep ?? steps.length - 1;
  const stepName = (i: number) => `${i + 1}. ${steps[i]?.custom_name || eventLabel(steps[i]?.event)}`;
  const bins = results.bins;
  const total = bins.reduce((sum, [, count]) => sum + count, 0);
  // Each bin runs to the next one's start; the last is as wide as the others.
  const width = bins.length > 1 ? bins[1]![0] - bins[0]![0] : 60;
  const ranges = bins.map(([start], i) => [start, bins[i + 1]?.[0] ?? start + width] as const);
  const rangeLabel = (i: number) => `${formatDuration(ranges[i]![0])} – ${formatDuration(ranges[i]![1])}`;
  const open =
    onDrill &&
    ((i: number) =>
      onDrill({
        title: `Converted from step ${from + 1} to step ${to + 1} in ${rangeLabel(i)}`,
        source: { kind: 'FunnelsActorsQuery', source: query, funnelStepConversionTimeRange: [...ranges[i]!] },
      }));
  // A click anywhere in a bin's column (a short bar is a small target); empty bins have nobody to list.
  const onClick = open ? ({ dataIndex }: ChartClick) => dataIndex !== undefined && (bins[dataIndex]?.[1] ?? 0) > 0 && open(dataIndex) : undefined;

  const option = useMemo(
    () => ({
      grid: { left: 48, right: 16, top: 24, bottom: compact ? 24 : 40 },
      tooltip: {
        trigger: 'axis',
        confine: true,
        axisPointer: { type: 'shadow' },
        formatter: (params: Array<{ dataIndex: number }>) => {
          const i = params[0]?.dataIndex ?? 0;
          const count = bins[i]?.[1] ?? 0;
          return `${rangeLabel(i)}<br/>${formatValue(count)} persons (${formatPercent(total ? count / total : 0)})`;
        },
      },
      xAxis: { type: 'category', data: bins.map(([start]) => formatDuration(start)), name: compact ? undefined : 'Time to convert', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'bar', data: bins.map(([, count]) => count), barCategoryGap: '8%', label: { show: !compact, position: 'top', formatter: ({ value }: { value: number }) => (value ? formatPercent(total ? value / total : 0) : '') } }],
    }),
    // `bins` comes from the response: its identity changes exactly when the answer does.
    [bins, total, compact],
  );

  if (total === 0) return <p className="muted">No one converted from step {from + 1} to step {to + 1} in this date range.</p>;
  return (
    <div className={compact ? 'time-to-convert funnel-chart-compact' : 'time-to-convert'}>
      <p className="funnel-summary">
        Average time to convert{' '}
        <strong>
          <time dateTime={isoDuration(results.average_conversion_time ?? 0)} data-testid="average-time-to-convert">
            {formatDuration(results.average_conversion_time)}
          </time>
        </strong>
        {!compact && (
          <span className="muted">
            {' '}
            · {formatValue(total)} {total === 1 ? 'person' : 'persons'} converted from {stepName(from)} to {stepName(to)}
          </span>
        )}
      </p>
      <EChart option={option} onClick={onClick} columnClick={!!onClick} label={`Histogram of the time to convert from step ${from + 1} to step ${to + 1}`} height={compact ? '100%' : 300} />
      {!compact && (
        <div className="table-scroll">
          <table className="table time-to-convert-table">
            <caption className="visually-hidden">Persons by time to convert</caption>
            <thead>
              <tr>
                <th scope="col">Time to convert</th>
                <th scope="col" className="num">
                  Persons
                </th>
                <th scope="col" className="num">
                  Share
                </th>
              </tr>
            </thead>
            <tbody>
              {bins.map(([start, count], i) => (
                <tr key={i}>
                  <th scope="row">
                    <time dateTime={isoDuration(start)}>{rangeLabel(i)}</time>
                  </th>
                  <td className="num">
                    {open && count > 0 ? (
                      <button type="button" className="link-button" onClick={() => open(i)} aria-label={`${formatValue(count)}: show the persons who converted in ${rangeLabel(i)}`}>
                        {formatValue(count)}
                      </button>
                    ) : (
                      formatValue(count)
                    )}
                  </td>
                  <td className="num">{formatPercent(total ? count / total : 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
