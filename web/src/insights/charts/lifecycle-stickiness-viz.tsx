import { useMemo } from 'react';
import { EChart, PALETTE, type ChartClick } from './echart.js';
import { formatValue, seriesName, type SeriesResult, type VizProps } from './types.js';

const STATUS: Record<string, { label: string; color: string }> = {
  new: { label: 'New', color: '#1d4aff' },
  returning: { label: 'Returning', color: '#30b06e' },
  resurrecting: { label: 'Resurrecting', color: '#a56eff' },
  dormant: { label: 'Dormant', color: '#e34948' },
};

/** Lifecycle: new, returning and resurrecting stacked above zero, dormant below it. */
export function LifecycleViz({ query, results, onDrill, compact }: VizProps<SeriesResult[]>) {
  const option = useMemo(
    () => ({
      grid: { left: 56, right: 24, top: 24, bottom: compact ? 28 : 48 },
      tooltip: { trigger: 'axis', confine: true },
      legend: compact ? undefined : { bottom: 0 },
      xAxis: { type: 'category', data: results[0]?.labels ?? [] },
      yAxis: { type: 'value', minInterval: 1 },
      series: results.map((s) => ({
        name: STATUS[s.status ?? '']?.label ?? s.status,
        type: 'bar',
        stack: 'lifecycle',
        data: s.data,
        itemStyle: { color: STATUS[s.status ?? '']?.color },
      })),
    }),
    [results, compact],
  );
  const onClick = onDrill
    ? (click: ChartClick) => {
        const s = click.seriesIndex === undefined ? undefined : results[click.seriesIndex];
        const day = click.dataIndex === undefined ? undefined : s?.days?.[click.dataIndex];
        if (!s || day === undefined) return;
        onDrill({ title: `${STATUS[s.status ?? '']?.label ?? s.status} on ${s.labels?.[click.dataIndex!] ?? day}`, source: { kind: 'InsightActorsQuery', source: query, day, status: s.status } });
      }
    : undefined;
  return (
    <>
      <EChart option={option} onClick={onClick} label="Lifecycle chart: new, returning, resurrecting and dormant users per period" height={compact ? '100%' : 320} />
      {!compact && (
        <dl className="lifecycle-totals">
          {results.map((s) => (
            <div key={s.status}>
              <dt>
                <span className="swatch" style={{ background: STATUS[s.status ?? '']?.color }} aria-hidden="true" />
                {STATUS[s.status ?? '']?.label ?? s.status}
              </dt>
              <dd>{formatValue(s.count)}</dd>
            </div>
          ))}
        </dl>
      )}
    </>
  );
}

/** Stickiness: for each N, how many users did the event in exactly N intervals of the range. */
export function StickinessViz({ query, results, onDrill, compact }: VizProps<SeriesResult[]>) {
  const option = useMemo(
    () => ({
      grid: { left: 56, right: 24, top: 24, bottom: compact ? 28 : 48 },
      tooltip: { trigger: 'axis', confine: true },
      legend: compact || results.length < 2 ? undefined : { bottom: 0 },
      xAxis: { type: 'category', data: results[0]?.labels ?? [] },
      yAxis: { type: 'value', minInterval: 1, name: compact ? undefined : 'Users' },
      series: results.map((s, i) => ({
        name: seriesName(s),
        type: 'bar',
        data: s.data,
        itemStyle: { color: PALETTE[i % PALETTE.length], opacity: s.compare_label === 'previous' ? 0.5 : 1 },
      })),
    }),
    [results, compact],
  );
  const onClick = onDrill
    ? (click: ChartClick) => {
        const s = click.seriesIndex === undefined ? undefined : results[click.seriesIndex];
        if (!s || click.dataIndex === undefined) return;
        const source: Record<string, unknown> = { kind: 'InsightActorsQuery', source: query, day: click.dataIndex + 1, series: s.action?.order ?? 0 };
        if (s.compare_label) source.compare = s.compare_label;
        onDrill({ title: `${seriesName(s)}: ${s.labels?.[click.dataIndex] ?? click.dataIndex + 1}`, source });
      }
    : undefined;
  return <EChart option={option} onClick={onClick} label={`Stickiness chart of ${results.map(seriesName).join(', ')}`} height={compact ? '100%' : 320} />;
}
