import { useMemo } from 'react';
import { useProject } from '../../project.js';
import type { Paginated } from '../../types.js';
import { useApi } from '../../use-api.js';
import { eventLabel } from '../query.js';
import { type ChartClick, EChart, PALETTE } from './echart.js';
import { breakdownLabel, formatPercent, type VizProps } from './types.js';

/** One line of the funnel's `trends` answer: conversion rate (%) per entrance period. */
export interface FunnelTrendSeries {
  data: number[];
  days?: string[];
  labels?: string[];
  count: number;
  breakdown_value?: unknown;
  compare_label?: 'current' | 'previous';
}

export function isFunnelTrends(results: unknown): results is FunnelTrendSeries[] {
  return Array.isArray(results) && results.every((r) => r && typeof r === 'object' && Array.isArray((r as FunnelTrendSeries).data));
}

const rate = (percent: number) => formatPercent(percent / 100);

/**
 * Historical trends: the conversion rate of the persons who entered the funnel in each interval,
 * one line per breakdown value, and a table of the same rates. A point of the line lists the persons
 * who entered then and converted (as PostHog's); in the table each period also lists those who
 * dropped off. Both ask FunnelsActorsQuery with `funnelTrendsEntrancePeriodStart` (the period's
 * `days` entry) and `funnelTrendsDropOff`.
 */
export function FunnelTrendsViz({ query, results, onDrill, compact }: VizProps<FunnelTrendSeries[]>) {
  const { project } = useProject();
  const cohortBreakdown = query.breakdownFilter?.breakdown_type === 'cohort';
  // The trends answer carries cohort ids only; their names come from the cohorts list.
  const cohorts = useApi<Paginated<{ id: number; name: string | null }>>(cohortBreakdown ? `/api/projects/${project.id}/cohorts/?limit=1000` : null);
  const steps = query.series ?? [];
  const from = query.funnelsFilter?.funnelFromStep ?? 0;
  const to = query.funnelsFilter?.funnelToStep ?? steps.length - 1;
  const stepName = (i: number) => steps[i]?.custom_name || eventLabel(steps[i]?.event);
  const hasBreakdown = (s: FunnelTrendSeries) => s.breakdown_value !== undefined && s.breakdown_value !== null;

  const names = results.map((s) => {
    let name = 'Conversion rate';
    if (hasBreakdown(s)) {
      if (cohortBreakdown) {
        const id = Number(s.breakdown_value);
        name = id === 0 || s.breakdown_value === 'all' ? 'All users' : (cohorts.data?.results.find((c) => c.id === id)?.name ?? `Cohort ${id}`);
      } else name = breakdownLabel(s.breakdown_value);
    }
    return s.compare_label === 'previous' ? `${name} (previous period)` : name;
  });
  const labels = results[0]?.labels ?? results[0]?.days ?? [];

  /** "entered on 2-Mar-2024 and dropped off", and whose ("Chrome") when the line is one of several. */
  const whoAndWhat = (i: number, d: number, dropOff: boolean) => {
    const s = results[i]!;
    const what = `entered on ${s.labels?.[d] ?? s.days?.[d] ?? labels[d]} and ${dropOff ? 'dropped off' : 'converted'}`;
    return { who: hasBreakdown(s) || s.compare_label === 'previous' ? names[i]! : null, what };
  };
  const describe = (i: number, d: number, dropOff: boolean) => {
    const { who, what } = whoAndWhat(i, d, dropOff);
    return who ? `${who}: ${what}` : what[0]!.toUpperCase() + what.slice(1);
  };
  const ariaLabel = (i: number, d: number, dropOff: boolean) => {
    const { who, what } = whoAndWhat(i, d, dropOff);
    return `show the persons${who ? ` of ${who}` : ''} who ${what}`;
  };
  const open =
    onDrill &&
    ((i: number, d: number, dropOff: boolean) => {
      const s = results[i]!;
      const day = s.days?.[d];
      if (day === undefined) return;
      const source: Record<string, unknown> = { kind: 'FunnelsActorsQuery', source: query, funnelTrendsEntrancePeriodStart: day, funnelTrendsDropOff: dropOff };
      if (hasBreakdown(s)) source.funnelStepBreakdown = s.breakdown_value;
      if (s.compare_label) source.compare = s.compare_label;
      onDrill({ title: describe(i, d, dropOff), source });
    });

  const option = useMemo(
    () => ({
      grid: { left: 56, right: 24, top: 24, bottom: compact ? 28 : results.length > 1 ? 56 : 40 },
      tooltip: { trigger: 'axis', confine: true, valueFormatter: (v: number) => rate(v) },
      legend: compact || results.length < 2 ? undefined : { type: 'scroll', bottom: 0 },
      xAxis: { type: 'category', data: labels, boundaryGap: false },
      yAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      series: results.map((s, i) => ({
        name: names[i],
        type: 'line',
        data: s.data,
        symbolSize: 6,
        lineStyle: s.compare_label === 'previous' ? { type: 'dashed', opacity: 0.6 } : undefined,
        itemStyle: { color: PALETTE[i % PALETTE.length] },
      })),
    }),
    [results, compact, names.join('\u0000')],
  );

  // A click anywhere in a period's column: the line nearest the pointer there (or the only one).
  const onClick = open
    ? (click: ChartClick) => {
        const d = click.dataIndex;
        if (d === undefined || d < 0 || d >= labels.length || results.length === 0) return;
        let best = 0;
        if (click.value !== undefined) {
          const distance = (i: number) => Math.abs((results[i]!.data[d] ?? 0) - click.value!);
          results.forEach((_, i) => distance(i) < distance(best) && (best = i));
        }
        open(best, d, false);
      }
    : undefined;

  if (results.length === 0) return <p className="muted">No one entered this funnel in the date range.</p>;
  return (
    <div className={compact ? 'funnel-trends funnel-chart-compact' : 'funnel-trends'}>
      {!compact && (
        <p className="funnel-summary muted">
          Conversion from step {from + 1} ({stepName(from)}) to step {to + 1} ({stepName(to)}) of the persons who entered the funnel in each interval
          {open && ' · click a point for its persons'}
        </p>
      )}
      <EChart option={option} onClick={onClick} columnClick={!!onClick} label={`Conversion rate over time from step ${from + 1} to step ${to + 1}`} height={compact ? '100%' : 320} />
      {!compact && (
        <div className="table-scroll">
          <table className="table trends-table funnel-trends-table">
            <thead>
              <tr>
                <th scope="col">Conversion</th>
                {labels.map((l, i) => (
                  <th key={i} scope="col" className="num">
                    {l}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {results.map((s, i) => (
                <tr key={i}>
                  <th scope="row">
                    <span className="swatch" style={{ background: PALETTE[i % PALETTE.length] }} aria-hidden="true" />
                    {names[i]}
                  </th>
                  {labels.map((_, d) => (
                    <td key={d} className="num" data-value={s.data[d] ?? 0}>
                      {open ? (
                        <>
                          <button type="button" className="link-button" data-testid="trend-rate" onClick={() => open(i, d, false)} aria-label={`${rate(s.data[d] ?? 0)}: ${ariaLabel(i, d, false)}`}>
                            {rate(s.data[d] ?? 0)}
                          </button>
                          <button type="button" className="link-button funnel-trends-drop-off" onClick={() => open(i, d, true)} aria-label={ariaLabel(i, d, true).replace(/^s/, 'S')}>
                            dropped off
                          </button>
                        </>
                      ) : (
                        <span data-testid="trend-rate">{rate(s.data[d] ?? 0)}</span>
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
