import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { CustomChart } from 'echarts/charts';
import { GridComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { CustomSeriesRenderItemAPI, CustomSeriesRenderItemParams } from 'echarts';

// Only what interval bars need: a custom series, axes, the zero line and a tooltip (SVG: crisp and light).
echarts.use([CustomChart, GridComponent, MarkLineComponent, TooltipComponent, SVGRenderer]);

export interface IntervalRow {
  label: string;
  /** Interval bounds and point estimate, as fractions (0.12 = +12%). */
  low: number;
  high: number;
  estimate: number | null;
  /** win / loss when significant, otherwise neutral. */
  tone: 'win' | 'loss' | 'neutral';
}

const pct = (v: number) => `${v > 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/**
 * Horizontal interval bars on one shared axis with zero marked: one row per variant, the bar spans
 * the credible interval of its change against control, a tick marks the estimate. The same numbers
 * are in the results table; the chart's label says them in words for screen readers.
 */
export function IntervalChart({ rows, title }: { rows: IntervalRow[]; title: string }) {
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el || rows.length === 0) return;
    const chart = echarts.init(el, undefined, { renderer: 'svg' });
    const colors = { win: cssVar('--accent', '#2f6f3e'), loss: cssVar('--danger', '#b3261e'), neutral: cssVar('--fg-muted', '#5c665a') };
    const fg = cssVar('--fg', '#1d231c');
    const border = cssVar('--border', '#d5dbd0');
    // Symmetric around zero, rounded up to a tick step, so "no change" sits in the middle of every chart.
    const widest = Math.max(0.05, ...rows.flatMap((r) => [Math.abs(r.low), Math.abs(r.high)])) * 1.1;
    const step = widest > 1 ? 0.5 : widest > 0.4 ? 0.2 : widest > 0.1 ? 0.05 : 0.02;
    const extent = Math.ceil(widest / step) * step;

    chart.setOption({
      animation: false,
      grid: { left: 8, right: 24, top: 12, bottom: 28, containLabel: true },
      tooltip: {
        trigger: 'item',
        formatter: (p: { dataIndex: number }) => {
          const r = rows[p.dataIndex]!;
          return `${r.label}<br/>${pct(r.low)} to ${pct(r.high)}${r.estimate === null ? '' : `<br/>estimate ${pct(r.estimate)}`}`;
        },
      },
      xAxis: {
        type: 'value',
        min: -extent,
        max: extent,
        interval: extent / 4,
        axisLabel: { formatter: (v: number) => pct(v), color: fg },
        splitLine: { lineStyle: { color: border } },
      },
      yAxis: { type: 'category', data: rows.map((r) => r.label), inverse: true, axisLabel: { color: fg }, axisTick: { show: false } },
      series: [
        {
          type: 'custom',
          data: rows.map((r, i) => [r.low, r.high, i, r.estimate ?? NaN]),
          encode: { x: [0, 1], y: 2 },
          renderItem: (_params: CustomSeriesRenderItemParams, api: CustomSeriesRenderItemAPI) => {
            const index = api.value(2) as number;
            const row = rows[index]!;
            const start = api.coord([api.value(0), index]);
            const end = api.coord([api.value(1), index]);
            const band = (api.size!([0, 1]) as number[])[1]!;
            const height = Math.min(22, band * 0.45);
            const color = colors[row.tone];
            const children: unknown[] = [
              {
                type: 'rect',
                shape: { x: start[0]!, y: start[1]! - height / 2, width: Math.max(2, end[0]! - start[0]!), height, r: 3 },
                style: { fill: color, opacity: 0.35, stroke: color, lineWidth: 1.5 },
              },
            ];
            if (row.estimate !== null) {
              const mid = api.coord([row.estimate, index]);
              children.push({ type: 'line', shape: { x1: mid[0]!, y1: mid[1]! - height / 2 - 3, x2: mid[0]!, y2: mid[1]! + height / 2 + 3 }, style: { stroke: color, lineWidth: 3 } });
            }
            return { type: 'group', children } as never;
          },
          markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: fg, type: 'solid', width: 1.5 }, data: [{ xAxis: 0 }] },
        },
      ],
    });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [rows]);

  const summary = rows.map((r) => `${r.label}: ${pct(r.low)} to ${pct(r.high)}`).join('; ');
  return <div ref={ref} className="interval-chart" role="img" aria-label={`${title}. ${summary}`} style={{ height: `${Math.max(110, rows.length * 56 + 48)}px` }} />;
}
