import { useEffect, useRef } from 'react';
import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent, type GridComponentOption, type LegendComponentOption, type TooltipComponentOption } from 'echarts/components';
import { init, use, type ComposeOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

// Only what a line/bar chart needs, so the chunk that imports this stays small. SVG rather than
// canvas: crisp at any zoom and the labels are real text.
use([LineChart, BarChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

type Option = ComposeOption<LineSeriesOption | BarSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption>;

export interface ChartSeries {
  name: string;
  /** One value per x label; null leaves a gap. */
  data: Array<number | null>;
}

/**
 * A line or bar chart of one or more series over shared x labels.
 *
 *   <SeriesChart type="line" label="Pageviews per day" x={['2024-05-01', '2024-05-02']} series={[{ name: 'count', data: [3, 5] }]} />
 *
 * `label` is the chart's accessible name; the numbers themselves should also be available as a
 * table next to it (a chart alone is not readable by screen readers).
 */
export interface SeriesChartProps {
  type: 'line' | 'bar';
  x: string[];
  series: ChartSeries[];
  label: string;
  /** CSS height; the width follows the container. */
  height?: string;
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function SeriesChart({ type, x, series, label, height = '22rem' }: SeriesChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof init> | null>(null);

  useEffect(() => {
    const el = host.current!;
    const instance = init(el, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const muted = cssVar('--fg-muted', '#5c665a');
    const border = cssVar('--border', '#d5dbd0');
    const fg = cssVar('--fg', '#1d231c');
    const option: Option = {
      animation: false,
      grid: { left: 8, right: 16, top: series.length > 1 ? 36 : 16, bottom: 8, containLabel: true },
      legend: series.length > 1 ? { top: 0, textStyle: { color: fg } } : { show: false },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: x, axisLabel: { color: muted }, axisLine: { lineStyle: { color: border } } },
      yAxis: { type: 'value', axisLabel: { color: muted }, splitLine: { lineStyle: { color: border } } },
      series: series.map((s) => (type === 'line' ? { type: 'line', name: s.name, data: s.data, showSymbol: x.length <= 60 } : { type: 'bar', name: s.name, data: s.data })),
    };
    chart.current?.setOption(option, { notMerge: true });
  }, [type, x, series]);

  return <div ref={host} className="series-chart" role="img" aria-label={label} style={{ height }} />;
}
