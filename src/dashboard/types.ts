/**
 * The dashboard as data. Each panel's query is a small typed expression that the compilers turn into
 * DuckDB SQL (sql.ts, for ccmon's own UI), PromQL (promql.ts) and LogQL (logql.ts, for Grafana).
 * Nothing here knows about a store or a query language.
 */

export type PanelType = 'stat' | 'gauge' | 'timeseries' | 'table' | 'piechart' | 'logs';

/** Grafana unit ids; the web UI formats them the same way. */
export type Unit = 'currencyUSD' | 'short' | 'percent' | 's' | 'ms' | 'h' | 'dtdurations' | 'none';

/** Claude Code's metrics (OTLP names; promql.ts knows their Prometheus names). */
export type MetricName =
  | 'claude_code.session.count'
  | 'claude_code.lines_of_code.count'
  | 'claude_code.pull_request.count'
  | 'claude_code.commit.count'
  | 'claude_code.cost.usage'
  | 'claude_code.token.usage'
  | 'claude_code.code_edit_tool.decision'
  | 'claude_code.active_time.total';

export type EventName = 'api_request' | 'api_error' | 'tool_result' | 'tool_decision' | 'user_prompt';

/**
 * What a number is broken down by. `user` is the one notion of a user everywhere: the e-mail where
 * known, else the anonymous user id. `status` is an api_error's status code, or its error text when
 * it has no code.
 */
export type Dimension =
  'model' | 'type' | 'user' | 'machine' | 'tool_name' | 'language' | 'decision' | 'status';

/** A condition on a dimension: equal to one value or to any of several. */
export interface Match {
  readonly dimension: Dimension;
  readonly values: readonly string[];
}

/** Which time the measure covers: the selected range, or the billing cycle (last billing day 00:00 until now). */
export type Window = 'range' | 'billing_cycle';

/** The sum of a metric's stored deltas (no first-sample loss). */
export interface MetricSum {
  readonly kind: 'metric_sum';
  readonly metric: MetricName;
  readonly where?: readonly Match[];
  readonly window?: Window;
}

/** How many distinct values of a dimension have a positive sum of the metric (e.g. active users). */
export interface MetricDistinct {
  readonly kind: 'metric_distinct';
  readonly metric: MetricName;
  readonly of: Dimension;
  readonly where?: readonly Match[];
}

/** Events: how many, or the mean / sum of a numeric field. */
export interface EventAggregate {
  readonly kind: 'event_count' | 'event_mean' | 'event_sum';
  readonly event: EventName;
  /** the numeric field for mean and sum */
  readonly field?: 'duration_ms' | 'cost_usd';
  readonly where?: readonly Match[];
}

export type Measure = MetricSum | MetricDistinct | EventAggregate;

/** Arithmetic between expressions; division by zero gives 0, never NaN or Infinity. */
export interface Binary {
  readonly kind: 'div' | 'mul' | 'sub' | 'add';
  readonly left: Expr;
  readonly right: Expr;
}

export interface Constant {
  readonly kind: 'const';
  readonly value: number;
}

/** The length of the selected range in hours (Cost / Hour). */
export interface RangeHours {
  readonly kind: 'range_hours';
}

export type Expr = Measure | Binary | Constant | RangeHours;

/** One number for the range (stat, gauge). */
export interface ScalarQuery {
  readonly shape: 'scalar';
  readonly expr: Expr;
}

/** A measure broken down by dimensions (table, piechart). */
export interface BreakdownQuery {
  readonly shape: 'breakdown';
  readonly measure: Measure;
  readonly by: readonly Dimension[];
}

/** A measure per hour over the range, one series per value of `by` (timeseries). */
export interface SeriesQuery {
  readonly shape: 'series';
  readonly measure: Measure;
  readonly by?: Dimension;
  readonly bucket: 'hour';
}

/** The latest events, newest first (logs panels). */
export interface LogQuery {
  readonly shape: 'log';
  readonly event?: EventName;
  readonly columns: readonly LogColumn[];
  readonly limit: number;
}

export type LogColumn =
  | 'time'
  | 'name'
  | 'session'
  | 'user'
  | 'machine'
  | 'model'
  | 'tool_name'
  | 'success'
  | 'duration_ms'
  | 'cost_usd'
  | 'status';

export type Query = ScalarQuery | BreakdownQuery | SeriesQuery | LogQuery;

export type SectionId =
  | 'overview'
  | 'productivity'
  | 'sessions_activity'
  | 'trends'
  | 'cost_analysis'
  | 'performance'
  | 'token_efficiency'
  | 'insights';

export interface Section {
  readonly id: SectionId;
  readonly title: string;
  /** open (expanded) when the dashboard loads */
  readonly open: boolean;
}

export interface Panel {
  /** 1..33, the spec's numbering */
  readonly id: number;
  readonly section: SectionId;
  readonly title: string;
  readonly type: PanelType;
  readonly unit: Unit;
  readonly description: string;
  readonly query: Query;
  /** width in Grafana's 24-column grid */
  readonly width: number;
  /** gauge and percent panels: the top of the scale */
  readonly max?: number;
}

/** Filters every panel takes (dashboard variables), by the stored field they match. */
export type FilterName = 'machine' | 'user' | 'model' | 'session' | 'terminal' | 'service_version';

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly sections: readonly Section[];
  readonly panels: readonly Panel[];
  readonly filters: readonly FilterName[];
  readonly defaults: { readonly range: string; readonly refresh: string; readonly billingDay: number };
}
