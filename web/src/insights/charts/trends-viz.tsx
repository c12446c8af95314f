import { lazy, Suspense, useMemo } from 'react';
import { Loading } from '../../components/states.js';
import { formulaNodesOf, needsProperty, TOTAL_VALUE_DISPLAYS, type TrendsDisplay } from '../query.js';
import { useCohortLabels } from './cohort-labels.js';
import { EChart, PALETTE, type ChartClick } from './echart.js';
import { type Drill, formatPercent, formatValue, seriesName, type SeriesResult, type VizProps } from './types.js';

// The map geometry and ECharts' map chart load only when a world map is shown.
const WorldMap = lazy(() => import('./world-map.js'));

/** The trends displays: line/area/bar over time, a big number, total-value bars, a pie and a table. */
export function TrendsViz({ query, results: raw, onDrill, compact }: VizProps<SeriesResult[]>) {
  const results = useCohortLabels(query, raw);
  const display: TrendsDisplay = query.trendsFilter?.display ?? 'ActionsLineGraph';
  // Property-value maths and formulas have no persons behind a point (PostHog does not open the modal either).
  const drillable = onDrill && !(query.series ?? []).some((s) => needsProperty(s.math)) && formulaNodesOf(query.trendsFilter).length === 0;
  const drill = (s: SeriesResult, dayIndex?: number): Drill => {
    const day = dayIndex === undefined ? undefined : s.days?.[dayIndex];
    const source: Record<string, unknown> = { kind: 'InsightActorsQuery', source: query, series: s.action?.order ?? 0 };
    if (day !== undefined) source.day = day;
    if (s.breakdown_value !== undefined && s.breakdown_value !== null) source.breakdown = s.breakdown_value as string;
    if (s.compare_label) source.compare = s.compare_label;
    const when = day !== undefined ? ` on ${s.labels?.[dayIndex!] ?? day}` : '';
    return { title: `${seriesName(s)}${when}`, source };
  };
  const open = drillable ? (s: SeriesResult, dayIndex?: number) => onDrill(drill(s, dayIndex)) : undefined;

  if (results.length === 0) return <p className="muted">No results for this query.</p>;
  if (display === 'BoldNumber') return <BoldNumber results={results} onOpen={open} compact={compact} />;
  if (display === 'ActionsTable') return <TrendsTable results={results} totalOnly onOpen={open} />;
  if (display === 'ActionsPie') return <TotalValueChart results={results} pie onOpen={open} compact={compact} />;
  if (display === 'ActionsBarValue') return <TotalValueChart results={results} onOpen={open} compact={compact} />;
  if (display === 'WorldMap')
    return (
      <Suspense fallback={<Loading label="Loading the world map…" />}>
        <WorldMap results={results} onOpen={open} compact={compact} />
      </Suspense>
    );
  if (TOTAL_VALUE_DISPLAYS.has(display)) return null;
  return (
    <>
      <TimeSeriesChart results={results} display={display} onOpen={open} compact={compact} />
      {!compact && <TrendsTable results={results} onOpen={open} />}
    </>
  );
}

type Open = ((s: SeriesResult, dayIndex?: number) => void) | undefined;

function TimeSeriesChart({ results, display, onOpen, compact }: { results: SeriesResult[]; display: TrendsDisplay; onOpen: Open; compact?: boolean }) {
  const option = useMemo(() => {
    const labels = results[0]?.labels ?? [];
    const bar = display === 'ActionsBar';
    return {
      // A fixed grid (not containLabel) keeps point positions predictable for clicks.
      grid: { left: 56, right: 24, top: 24, bottom: compact ? 28 : 40 },
      tooltip: { trigger: 'axis', confine: true },
      legend: compact || results.length < 2 ? undefined : { type: 'scroll', bottom: 0 },
      xAxis: { type: 'category', data: labels, boundaryGap: bar },
      yAxis: { type: 'value', minInterval: 1 },
      series: results.map((s, i) => ({
        name: seriesName(s),
        type: bar ? 'bar' : 'line',
        stack: bar ? 'total' : undefined,
        data: s.data,
        symbolSize: 6,
        areaStyle: display === 'ActionsAreaGraph' ? { opacity: 0.25 } : undefined,
        lineStyle: s.compare_label === 'previous' ? { type: 'dashed', opacity: 0.6 } : undefined,
        itemStyle: { color: PALETTE[seriesColorIndex(results, i) % PALETTE.length] },
      })),
    };
  }, [results, display, compact]);

  const onClick = onOpen
    ? (click: ChartClick) => {
        const index = click.dataIndex;
        if (index === undefined || index < 0 || index >= (results[0]?.data.length ?? 0)) return;
        // The series nearest the pointer at that x (or the only one).
        let best = results[0]!;
        if (results.length > 1 && click.value !== undefined) {
          best = results.reduce((a, b) => (Math.abs((b.data[index] ?? 0) - click.value!) < Math.abs((a.data[index] ?? 0) - click.value!) ? b : a));
        }
        onOpen(best, index);
      }
    : undefined;

  return <EChart option={option} onClick={onClick} columnClick label={`Trend chart of ${results.map(seriesName).join(', ')}`} height={compact ? '100%' : 320} />;
}

/** The previous period keeps its current series' colour (drawn dashed). */
function seriesColorIndex(results: SeriesResult[], i: number): number {
  const s = results[i]!;
  if (s.compare_label !== 'previous') return results.slice(0, i).filter((r) => r.compare_label !== 'previous').length;
  const twin = results.findIndex((r) => r.compare_label === 'current' && r.action?.order === s.action?.order && JSON.stringify(r.breakdown_value) === JSON.stringify(s.breakdown_value));
  return twin >= 0 ? seriesColorIndex(results, twin) : i;
}

function totalOf(s: SeriesResult): number {
  return s.aggregated_value ?? s.count;
}

function BoldNumber({ results, onOpen, compact }: { results: SeriesResult[]; onOpen: Open; compact?: boolean }) {
  const current = results.find((s) => s.compare_label !== 'previous') ?? results[0]!;
  const previous = results.find((s) => s.compare_label === 'previous');
  const value = totalOf(current);
  const change = previous && totalOf(previous) !== 0 ? (value - totalOf(previous)) / totalOf(previous) : null;
  const number = <span className="bold-number-value" data-testid="bold-number">{formatValue(value)}</span>;
  return (
    <div className={compact ? 'bold-number bold-number-compact' : 'bold-number'}>
      {onOpen ? (
        <button type="button" className="link-button" onClick={() => onOpen(current)} aria-label={`${formatValue(value)}: show the persons behind ${seriesName(current)}`}>
          {number}
        </button>
      ) : (
        number
      )}
      <span className="muted">{seriesName(current)}</span>
      {previous && (
        <span className={change === null ? 'muted' : change >= 0 ? 'change-up' : 'change-down'}>
          {change === null ? `Previous period: ${formatValue(totalOf(previous))}` : `${change >= 0 ? '▲' : '▼'} ${formatPercent(Math.abs(change))} from previous period (${formatValue(totalOf(previous))})`}
        </span>
      )}
    </div>
  );
}

function TotalValueChart({ results, pie = false, onOpen, compact }: { results: SeriesResult[]; pie?: boolean; onOpen: Open; compact?: boolean }) {
  const option = useMemo(() => {
    const names = results.map(seriesName);
    if (pie) {
      return {
        tooltip: { trigger: 'item', confine: true },
        legend: compact ? undefined : { type: 'scroll', bottom: 0 },
        series: [{ type: 'pie', radius: ['35%', '70%'], data: results.map((s, i) => ({ name: names[i], value: totalOf(s) })), label: { show: !compact } }],
      };
    }
    return {
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: 'item', confine: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: names, inverse: true },
      series: [{ type: 'bar', data: results.map((s, i) => ({ value: totalOf(s), itemStyle: { color: PALETTE[i % PALETTE.length] } })), label: { show: true, position: 'right' } }],
    };
  }, [results, pie, compact]);
  const onClick = onOpen ? (click: ChartClick) => click.dataIndex !== undefined && results[click.dataIndex] && onOpen(results[click.dataIndex]!) : undefined;
  return <EChart option={option} onClick={onClick} label={`${pie ? 'Pie' : 'Bar'} chart of ${results.map(seriesName).join(', ')}`} height={compact ? '100%' : 320} />;
}

/**
 * One row per series (× breakdown value): each interval and the total, or only the total for the
 * total-value table. With drill-down, every number is a button that lists its persons, which also
 * makes the chart's points reachable from the keyboard.
 */
function TrendsTable({ results, totalOnly = false, onOpen }: { results: SeriesResult[]; totalOnly?: boolean; onOpen: Open }) {
  const labels = totalOnly ? [] : (results[0]?.labels ?? []);
  const cell = (s: SeriesResult, value: number, dayIndex?: number) =>
    onOpen ? (
      <button type="button" className="link-button" onClick={() => onOpen(s, dayIndex)} aria-label={`${formatValue(value)} (${seriesName(s)}${dayIndex === undefined ? '' : `, ${labels[dayIndex]}`}): show persons`}>
        {formatValue(value)}
      </button>
    ) : (
      formatValue(value)
    );
  return (
    <div className="table-scroll">
      <table className="table trends-table">
        <thead>
          <tr>
            <th scope="col">Series</th>
            {labels.map((l) => (
              <th key={l} scope="col" className="num">
                {l}
              </th>
            ))}
            <th scope="col" className="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {results.map((s, i) => (
            <tr key={i}>
              <th scope="row">
                <span className="swatch" style={{ background: PALETTE[seriesColorIndex(results, i) % PALETTE.length] }} aria-hidden="true" />
                {seriesName(s)}
              </th>
              {labels.map((l, d) => (
                <td key={l} className="num">
                  {cell(s, s.data[d] ?? 0, d)}
                </td>
              ))}
              <td className="num total-cell">{cell(s, totalOf(s))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
