import type { PanelData } from '../../src/dashboard/panel-data.js';
import type { PanelType, Unit } from '../../src/dashboard/types.js';
import type { PanelInfo } from './api-types.js';
import { gaugeOption, mountChart, PALETTE, pieOption, timeseriesOption, type ChartHandle } from './charts.js';
import { el, replace } from './dom.js';
import { formatValue } from './format.js';
import { breakdownTable, DIMENSION_TITLES, labelText, logTable, statBody } from './panel-tables.js';
import { gapValue, stepBuckets } from './series.js';
import type { UiState } from './state.js';

/*
 * One panel: its frame (title, description, state) and a body drawn by type. Chart panels keep their
 * ECharts instance across refreshes, so an update does not flicker.
 */

export interface PanelContext {
  readonly fromMs: number;
  readonly toMs: number;
  readonly state: UiState;
}

/** Which data shape each panel type draws. */
const SHAPE: Readonly<Record<PanelType, PanelData['kind']>> = {
  stat: 'scalar',
  gauge: 'scalar',
  table: 'breakdown',
  piechart: 'breakdown',
  timeseries: 'series',
  logs: 'log',
};

function tone(unit: Unit): string {
  if (unit === 'currencyUSD') return 'green';
  if (unit === 'percent') return 'yellow';
  if (unit === 's' || unit === 'dtdurations' || unit === 'h' || unit === 'ms') return 'purple';
  return 'blue';
}

function gaugeColor(percent: number): string {
  if (percent >= 70) return '#73bf69';
  if (percent >= 40) return '#f2cc0c';
  return '#ff780a';
}

export class PanelView {
  readonly root: HTMLElement;
  private readonly body: HTMLElement;
  private readonly spinner: HTMLElement;
  private chartBox: HTMLElement | undefined;
  private chart: ChartHandle | undefined;

  constructor(readonly info: PanelInfo) {
    this.spinner = el('span', { class: 'panel-spinner', 'aria-hidden': 'true' });
    this.body = el('div', { class: 'panel-body' }, el('div', { class: 'panel-note' }, 'Loading…'));
    const width = Math.max(1, Math.min(24, Math.round(info.width)));
    this.root = el(
      'article',
      {
        class: `panel type-${info.type}${width <= 6 && info.type !== 'stat' ? ' narrow' : ''}`,
        'data-panel-id': String(info.id),
        'data-state': 'loading',
      },
      el(
        'header',
        { class: 'panel-header' },
        el('h3', { class: 'panel-title', title: info.description }, info.title),
        el('span', { class: 'panel-info', title: info.description, 'aria-label': info.description }, 'i'),
        this.spinner,
      ),
      this.body,
    );
    // Through the CSSOM, which the content security policy allows (a style attribute it would not).
    this.root.style.setProperty('--span', String(width));
  }

  setLoading(loading: boolean): void {
    this.root.classList.toggle('loading', loading);
  }

  setError(message: string): void {
    this.setLoading(false);
    this.dropChart();
    this.root.dataset.state = 'error';
    replace(this.body, el('div', { class: 'panel-note error', title: message }, message));
  }

  setData(data: PanelData, ctx: PanelContext): void {
    this.setLoading(false);
    if (data.kind !== SHAPE[this.info.type]) {
      this.setError(`unexpected ${data.kind} data for a ${this.info.type} panel`);
      return;
    }
    const empty =
      (data.kind === 'breakdown' && data.rows.length === 0) ||
      (data.kind === 'series' && data.series.every((s) => s.points.length === 0)) ||
      (data.kind === 'log' && data.rows.length === 0);
    this.root.dataset.state = empty ? 'empty' : 'ready';
    if (empty) {
      this.dropChart();
      replace(this.body, el('div', { class: 'panel-note' }, 'No data'));
      return;
    }
    const { info } = this;
    switch (data.kind) {
      case 'scalar':
        if (info.type === 'gauge') this.drawGauge(data.value);
        else replace(this.body, statBody(data.value, info.unit, tone(info.unit)));
        return;
      case 'breakdown':
        if (info.type === 'piechart') this.drawPie(data);
        else this.showScrolling(breakdownTable(data, info.unit));
        return;
      case 'series':
        this.ensureChart().show(
          timeseriesOption(
            data.series.map((s) => ({
              name: s.name === '' ? info.title : s.name,
              points: stepBuckets(s.points, data.bucketMs, ctx.fromMs, ctx.toMs, gapValue(info.unit)),
            })),
            info.unit,
            { fromMs: ctx.fromMs, toMs: ctx.toMs, bucketMs: data.bucketMs },
          ),
        );
        return;
      case 'log':
        this.showScrolling(logTable(data, ctx.state));
        return;
    }
  }

  /** A table in a scrolling box that keeps its scroll position across refreshes. */
  private showScrolling(table: HTMLElement): void {
    const old = this.body.querySelector('.scroll');
    const box = el('div', { class: 'scroll' }, table);
    replace(this.body, box);
    if (old !== null) {
      box.scrollTop = old.scrollTop;
      box.scrollLeft = old.scrollLeft;
    }
  }

  dispose(): void {
    this.dropChart();
  }

  private drawGauge(value: number): void {
    const max = this.info.max ?? 100;
    const box = this.ensureChart(el('div', { class: 'gauge-value' }));
    box.show(gaugeOption(value, max, gaugeColor((value / max) * 100)));
    const label = this.body.querySelector('.gauge-value');
    if (label !== null) replace(label, statBody(value, this.info.unit, 'plain'));
  }

  private drawPie(data: Extract<PanelData, { kind: 'breakdown' }>): void {
    const rows = [...data.rows]
      .sort((a, b) => b.value - a.value)
      .map((r) => ({ name: data.by.map((d) => labelText(r.labels[d])).join(' / '), value: r.value }));
    const total = rows.reduce((sum, r) => sum + r.value, 0);
    const legend = el(
      'table',
      { class: 'pie-legend', 'aria-label': data.by.map((d) => DIMENSION_TITLES[d]).join(', ') },
      el(
        'tbody',
        {},
        ...rows.map((r, i) => {
          const swatch = el('span', { class: 'swatch' });
          swatch.style.backgroundColor = PALETTE[i % PALETTE.length] ?? '#888';
          return el(
            'tr',
            { class: 'legend-row' },
            el('td', { class: 'legend-name' }, swatch, r.name),
            el(
              'td',
              { class: 'num legend-value', 'data-value': String(r.value) },
              formatValue(r.value, this.info.unit),
            ),
            el('td', { class: 'num muted' }, total > 0 ? `${((r.value / total) * 100).toFixed(1)}%` : ''),
          );
        }),
      ),
    );
    this.ensureChart(el('div', { class: 'pie-side' }, legend)).show(pieOption(rows, this.info.unit));
    const side = this.body.querySelector('.pie-side');
    if (side !== null) replace(side, legend);
  }

  /** The chart container, created once; `extra` is placed beside it the first time. */
  private ensureChart(extra?: HTMLElement): ChartHandle {
    if (this.chart === undefined || this.chartBox === undefined) {
      this.chartBox = el('div', { class: 'chart' });
      replace(this.body, el('div', { class: 'chart-wrap' }, this.chartBox, extra));
      this.chart = mountChart(this.chartBox);
    }
    return this.chart;
  }

  private dropChart(): void {
    this.chart?.dispose();
    this.chart = undefined;
    this.chartBox = undefined;
  }
}
