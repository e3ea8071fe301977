import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  BigValueColorMode,
  BigValueGraphMode,
  LegendDisplayMode,
  LegendPlacement,
  LogsSortOrder,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugeBuilder } from '@grafana/grafana-foundation-sdk/gauge';
import { PanelBuilder as LogsBuilder } from '@grafana/grafana-foundation-sdk/logs';
import {
  DataqueryBuilder as LokiQueryBuilder,
  LokiQueryDirection,
} from '@grafana/grafana-foundation-sdk/loki';
import {
  PanelBuilder as PieChartBuilder,
  PieChartLegendOptionsBuilder,
  PieChartLegendValues,
  PieChartType,
} from '@grafana/grafana-foundation-sdk/piechart';
import {
  DataqueryBuilder as PromQueryBuilder,
  PromQueryFormat,
  QueryEditorMode,
} from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { panelSource } from '../dashboard/grafana-vars.js';
import { compileLokiPanel } from '../dashboard/logql.js';
import { compilePromPanel } from '../dashboard/promql.js';
import type { Panel, PanelType } from '../dashboard/types.js';

/** One definition panel as a Grafana panel: its type, unit, width, datasource and compiled queries. */

/** The datasource variables every panel points at (dashboard variables of type "datasource"). */
export const PROMETHEUS_VARIABLE = 'datasource';
export const LOKI_VARIABLE = 'loki_datasource';
export const PROMETHEUS_DS = { type: 'prometheus', uid: `\${${PROMETHEUS_VARIABLE}}` };
export const LOKI_DS = { type: 'loki', uid: `\${${LOKI_VARIABLE}}` };

/** The billing-cycle panels' time range: a Grafana variable holding the cycle start as date math. */
export const BILLING_VARIABLE = 'billing_day';

const HEIGHTS: Readonly<Record<PanelType, number>> = {
  stat: 4,
  gauge: 8,
  piechart: 8,
  table: 8,
  timeseries: 8,
  logs: 10,
};

/** What every panel builder has; the SDK's builders share these methods but no interface. */
interface CommonBuilder extends cog.Builder<dashboard.Panel> {
  id(id: number): this;
  title(title: string): this;
  description(description: string): this;
  datasource(ref: { type: string; uid: string }): this;
  span(w: number): this;
  height(h: number): this;
  unit(unit: string): this;
  withTarget(target: cog.Builder<cog.Dataquery>): this;
  interval(interval: string): this;
  timeFrom(timeFrom: string): this;
  hideTimeOverride(hide: boolean): this;
}

function lastValue(): ReduceDataOptionsBuilder {
  return new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);
}

function typed(panel: Panel): CommonBuilder {
  switch (panel.type) {
    case 'stat':
      return new StatBuilder()
        .reduceOptions(lastValue())
        .graphMode(BigValueGraphMode.None)
        .colorMode(BigValueColorMode.Value);
    case 'gauge':
      return new GaugeBuilder()
        .reduceOptions(lastValue())
        .min(0)
        .max(panel.max ?? 100);
    case 'piechart':
      return new PieChartBuilder()
        .reduceOptions(lastValue())
        .pieType(PieChartType.Pie)
        .legend(
          new PieChartLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(LegendDisplayMode.Table)
            .placement(LegendPlacement.Right)
            .values([PieChartLegendValues.Value, PieChartLegendValues.Percent]),
        );
    case 'timeseries':
      return new TimeseriesBuilder()
        .fillOpacity(10)
        .legend(
          new VizLegendOptionsBuilder()
            .showLegend(true)
            .displayMode(LegendDisplayMode.List)
            .placement(LegendPlacement.Bottom),
        );
    case 'table':
      return new TableBuilder().withTransformation({
        // An instant table query has a Time column with one value: leave it out.
        id: 'organize',
        options: { excludeByName: { Time: true }, renameByName: { Value: panel.title } },
      });
    case 'logs':
      return new LogsBuilder()
        .showTime(true)
        .sortOrder(LogsSortOrder.Descending)
        .wrapLogMessage(true)
        .enableLogDetails(true);
  }
}

function promTargets(panel: Panel, builder: CommonBuilder): void {
  const compiled = compilePromPanel(panel);
  for (const t of compiled.targets) {
    const query = new PromQueryBuilder()
      .refId(t.refId)
      .datasource(PROMETHEUS_DS)
      .editorMode(QueryEditorMode.Code)
      .expr(t.expr)
      .format(t.format === 'table' ? PromQueryFormat.Table : PromQueryFormat.TimeSeries);
    if (t.instant) query.instant();
    else query.range();
    if (t.legendFormat !== undefined) query.legendFormat(t.legendFormat);
    builder.withTarget(query);
  }
  if (compiled.minInterval !== undefined) builder.interval(compiled.minInterval);
  if (compiled.window === 'billing_cycle') {
    // The cycle start is Grafana date math (now-13d/M+13d: the 14th, in the dashboard's time zone), so
    // the panel's range is the cycle and `$__range` in the query is its length.
    builder.timeFrom(`$${BILLING_VARIABLE}`).hideTimeOverride(true);
  }
}

function lokiTargets(panel: Panel, builder: CommonBuilder): void {
  const compiled = compileLokiPanel(panel);
  for (const t of compiled.targets) {
    const query = new LokiQueryBuilder()
      .refId(t.refId)
      .datasource(LOKI_DS)
      .expr(t.expr)
      .queryType(t.instant ? 'instant' : 'range')
      .instant(t.instant)
      .range(!t.instant);
    if (t.legendFormat !== undefined) query.legendFormat(t.legendFormat);
    if (t.maxLines !== undefined) query.maxLines(t.maxLines).direction(LokiQueryDirection.Backward);
    builder.withTarget(query);
  }
  if (compiled.minInterval !== undefined) builder.interval(compiled.minInterval);
}

export function grafanaPanel(panel: Panel): cog.Builder<dashboard.Panel> {
  const metrics = panelSource(panel) === 'metrics';
  const builder = typed(panel);
  builder
    .id(panel.id)
    .title(panel.title)
    .description(panel.description)
    .datasource(metrics ? PROMETHEUS_DS : LOKI_DS)
    .span(panel.width)
    .height(HEIGHTS[panel.type]);
  if (panel.unit !== 'none') builder.unit(panel.unit);
  if (metrics) promTargets(panel, builder);
  else lokiTargets(panel, builder);
  return builder;
}
