import { GaugeChart, LineChart, PieChart } from 'echarts/charts';
import type { GaugeSeriesOption, LineSeriesOption, PieSeriesOption } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import type { GridComponentOption, LegendComponentOption, TooltipComponentOption } from 'echarts/components';
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { Unit } from '../../src/dashboard/types.js';
import { formatValue } from './format.js';

/*
 * ECharts, reduced to what the panels draw: lines (timeseries), pies and a gauge, on canvas.
 * Tooltips are rendered as rich text on the canvas (renderMode 'richText'), never as HTML, so series
 * names from telemetry (models, tools, error texts) cannot become markup.
 */
use([LineChart, PieChart, GaugeChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

type Option = ComposeOption<
  | LineSeriesOption
  | PieSeriesOption
  | GaugeSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
>;

/** Grafana's classic palette, readable on the dark background. */
export const PALETTE = [
  '#73bf69',
  '#f2cc0c',
  '#8ab8ff',
  '#ff780a',
  '#f2495c',
  '#5794f2',
  '#b877d9',
  '#37872d',
  '#fade2a',
  '#ff9830',
];

const TEXT = '#9fa7b3';
const GRID_LINE = 'rgba(204, 204, 220, 0.08)';
const AXIS_LINE = 'rgba(204, 204, 220, 0.2)';

const TOOLTIP: TooltipComponentOption = {
  renderMode: 'richText',
  confine: true,
  backgroundColor: '#22252b',
  borderColor: '#34373f',
  textStyle: { color: '#d8d9da', fontSize: 12 },
};

export interface ChartHandle {
  show(option: Option): void;
  dispose(): void;
}

/** A chart in `container` that follows the container's size. */
export function mountChart(container: HTMLElement): ChartHandle {
  let chart: EChartsType | undefined;
  const observer = new ResizeObserver(() => chart?.resize());
  observer.observe(container);
  return {
    show(option) {
      // Created on first data, when the container is laid out (collapsed sections have no size).
      chart ??= init(container, undefined, { renderer: 'canvas' });
      // Series are replaced, components merged: a legend entry the user switched off stays off on refresh.
      chart.setOption(
        { color: PALETTE, backgroundColor: 'transparent', animation: false, ...option },
        { replaceMerge: ['series'] },
      );
    },
    dispose() {
      observer.disconnect();
      chart?.dispose();
      chart = undefined;
    },
  };
}

export interface LineSeries {
  readonly name: string;
  /** [x, value (null: a gap), start of the value's bucket] */
  readonly points: readonly (readonly [number, number | null, number])[];
}

/** What the tooltip gets for each series under the pointer (the part of ECharts' params it reads). */
interface AxisItem {
  readonly marker?: unknown;
  readonly seriesName?: string;
  readonly value?: unknown;
}

/** "Nov 27 14:00–15:00": the hour a step stands for. */
function bucketLabel(startMs: number, bucketMs: number): string {
  const time = (ms: number): string =>
    new Date(ms).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
  const day = new Date(startMs).toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
  return `${day} ${time(startMs)}–${time(startMs + bucketMs)}`;
}

export function timeseriesOption(
  series: readonly LineSeries[],
  unit: Unit,
  range: { readonly fromMs: number; readonly toMs: number; readonly bucketMs: number },
): Option {
  // Plain text lines: the rich-text tooltip draws them on the canvas, so names cannot become markup.
  const tooltipText = (params: unknown): string => {
    const items = (Array.isArray(params) ? params : [params]) as AxisItem[];
    const lines = items.flatMap((item) => {
      const [, value] = Array.isArray(item.value) ? (item.value as unknown[]) : [];
      if (typeof value !== 'number') return [];
      return [
        `${typeof item.marker === 'string' ? item.marker : ''}${item.seriesName ?? ''}: ${formatValue(value, unit)}`,
      ];
    });
    const first = items[0]?.value;
    const start = Array.isArray(first) ? first[2] : undefined;
    return [typeof start === 'number' ? bucketLabel(start, range.bucketMs) : '', ...lines].join('\n');
  };
  return {
    grid: { left: 8, right: 16, top: 12, bottom: series.length > 1 ? 40 : 12, containLabel: true },
    tooltip: { ...TOOLTIP, trigger: 'axis', formatter: tooltipText },
    legend: {
      show: series.length > 1,
      type: 'scroll',
      bottom: 0,
      left: 0,
      icon: 'roundRect',
      itemWidth: 12,
      itemHeight: 4,
      textStyle: { color: TEXT, fontSize: 11 },
      pageTextStyle: { color: TEXT },
      pageIconColor: TEXT,
    },
    xAxis: {
      type: 'time',
      min: range.fromMs,
      max: range.toMs,
      axisLine: { lineStyle: { color: AXIS_LINE } },
      axisLabel: { color: TEXT, fontSize: 11, hideOverlap: true },
      splitLine: { show: true, lineStyle: { color: GRID_LINE } },
    },
    yAxis: {
      type: 'value',
      min: 0,
      axisLabel: { color: TEXT, fontSize: 11, formatter: (v: number) => formatValue(v, unit) },
      splitLine: { lineStyle: { color: GRID_LINE } },
    },
    series: series.map((s): LineSeriesOption => ({
      type: 'line',
      name: s.name,
      data: s.points.map((p) => [...p]),
      // Steps (see series.ts) are visible without markers; a marker on each step end would be noise.
      showSymbol: false,
      connectNulls: false,
      lineStyle: { width: 1.5 },
      areaStyle: { opacity: 0.08 },
    })),
  };
}

export function pieOption(rows: readonly { name: string; value: number }[], unit: Unit): Option {
  return {
    tooltip: {
      ...TOOLTIP,
      trigger: 'item',
      formatter: (p) => {
        const item = Array.isArray(p) ? p[0] : p;
        const value = typeof item?.value === 'number' ? formatValue(item.value, unit) : '';
        return `${item?.name ?? ''}: ${value} (${item?.percent ?? 0}%)`;
      },
    },
    series: [
      {
        type: 'pie',
        radius: ['45%', '80%'],
        center: ['50%', '50%'],
        label: { show: false },
        itemStyle: { borderColor: '#181b1f', borderWidth: 2 },
        data: rows.map((r) => ({ name: r.name, value: r.value })),
      },
    ],
  };
}

/** The arc only; the number is DOM text below it, so it can be read and copied. */
export function gaugeOption(value: number, max: number, color: string): Option {
  return {
    series: [
      {
        type: 'gauge',
        min: 0,
        max,
        startAngle: 210,
        endAngle: -30,
        radius: '95%',
        center: ['50%', '58%'],
        progress: { show: true, width: 12, itemStyle: { color } },
        axisLine: { lineStyle: { width: 12, color: [[1, 'rgba(204, 204, 220, 0.1)']] } },
        axisTick: { show: false },
        splitLine: { show: false },
        axisLabel: { show: false },
        pointer: { show: false },
        anchor: { show: false },
        title: { show: false },
        detail: { show: false },
        data: [{ value: Math.max(0, Math.min(max, value)) }],
      },
    ],
  };
}
