import { BarChart, LineChart, PieChart, SankeyChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the chart types the insights draw; this module is reached only from the insight and
// dashboard chunks, so ECharts never lands in the shell.
echarts.use([LineChart, BarChart, PieChart, SankeyChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type EChartsOption = echarts.EChartsCoreOption;

export interface ChartClick {
  seriesIndex?: number;
  dataIndex?: number;
  name?: string;
  data?: unknown;
  dataType?: string;
  /** Column clicks: the y value under the pointer, to pick the nearest series. */
  value?: number;
}

/** The chart palette: readable on light and dark backgrounds, the first colour is the app's accent family. */
export const PALETTE = ['#1d4aff', '#f5a623', '#30b06e', '#e34948', '#8e44ad', '#00a3c4', '#d35400', '#7f8c8d', '#c0398c', '#2c3e50'];

/**
 * One ECharts instance in a div that fills its parent. `onClick` gets the clicked item; with
 * `columnClick`, a click anywhere in the plot area reports the nearest category (x index) of the
 * first series, so a whole day's column is a target rather than a 4-pixel dot.
 */
export function EChart({ option, onClick, columnClick = false, label, height = 320 }: { option: EChartsOption; onClick?: (click: ChartClick) => void; columnClick?: boolean; label: string; height?: number | string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    const el = ref.current!;
    const dark = window.matchMedia?.('(prefers-color-scheme: dark)').matches;
    const chart = echarts.init(el, dark ? 'dark' : undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    chart.on('click', (params) => {
      if (!columnClick) clickRef.current?.(params as ChartClick);
    });
    if (columnClick) {
      chart.getZr().on('click', (event) => {
        const point = [event.offsetX, event.offsetY];
        if (!chart.containPixel('grid', point)) return;
        const [x, y] = chart.convertFromPixel({ seriesIndex: 0 }, point) as number[];
        if (x === undefined || !Number.isFinite(x)) return;
        clickRef.current?.({ dataIndex: Math.round(x), seriesIndex: 0, value: y });
      });
    }
    return () => {
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, [columnClick]);

  useEffect(() => {
    chartRef.current?.setOption({ backgroundColor: 'transparent', color: PALETTE, animation: false, ...option }, true);
  }, [option]);

  return <div ref={ref} className="echart" role="img" aria-label={label} style={{ height }} />;
}
