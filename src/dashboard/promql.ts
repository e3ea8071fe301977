import { claudeCodeMetricName } from '../telemetry/prometheus-names.js';
import { anyOf, FILTER_VARIABLES, panelSource, panelWindow, quote } from './grafana-vars.js';
import type { Dimension, Expr, FilterName, Match, Measure, MetricName, Panel, Window } from './types.js';

/*
 * Panels -> PromQL over the Collector's metric names (which ccmon's /metrics also writes). Every sum
 * is "how much each series grew in the window": the series' latest value minus its value one window
 * earlier, 0 for a series that did not exist then. Unlike increase(), that counts a series first seen
 * in the window from zero (a session that exported once, a new session) and does not extrapolate.
 * docs/promql.md explains the forms and their limits.
 */

/** One Grafana target. */
export interface PromTarget {
  readonly refId: string;
  readonly expr: string;
  /** instant queries for numbers of the whole window (stat, gauge, table, pie), range for timeseries */
  readonly instant: boolean;
  readonly format: 'time_series' | 'table';
  readonly legendFormat?: string;
}

export interface PromPanel {
  readonly targets: readonly PromTarget[];
  /** billing_cycle: Grafana narrows the panel's time range to the cycle, so `$__range` is the cycle */
  readonly window: Window;
  /** the smallest step of a timeseries panel: its values are per hour */
  readonly minInterval?: string;
}

/** The Grafana variables the queries use for their windows. */
export const RANGE = '$__range';
export const RANGE_SECONDS = '$__range_s';
export const STEP = '$__interval';
export const STEP_MS = '$__interval_ms';

export function promMetricName(metric: MetricName): string {
  return claudeCodeMetricName(metric);
}

/** The label a dimension reads; `user` is computed (user_email where set, else user_id). */
const DIMENSION_LABELS: Readonly<Partial<Record<Dimension, string>>> = {
  model: 'model',
  type: 'type',
  user: 'user',
  machine: 'machine_name',
  tool_name: 'tool_name',
  language: 'language',
  decision: 'decision',
};

export function promLabelOf(dimension: Dimension): string {
  const label = DIMENSION_LABELS[dimension];
  if (label === undefined) throw new Error(`metrics have no dimension "${dimension}"`);
  return label;
}

/** Filters as label matchers; `user` has two selectors (see userBranches). */
const FILTER_LABELS: Readonly<Record<Exclude<FilterName, 'user'>, string>> = {
  machine: 'machine_name',
  model: 'model',
  session: 'session_id',
  terminal: 'terminal_type',
  // The Collector puts service.version into target_info only; Claude Code's scope version is the same.
  service_version: 'otel_scope_version',
};

function matcher(match: Match): string {
  const label = promLabelOf(match.dimension);
  if (label === 'user') throw new Error('a metric condition on "user" is not supported');
  const [only] = match.values;
  return match.values.length === 1 && only !== undefined
    ? `${label}=${quote(only)}`
    : `${label}=~${quote(anyOf(match.values))}`;
}

/**
 * The selectors of a metric with the dashboard filters. The user filter matches the e-mail where a
 * series has one, else the user id: two selectors, joined with `or` by the callers.
 */
function selectors(metric: MetricName, where: readonly Match[] = []): string[] {
  const name = promMetricName(metric);
  const common = [
    ...where.map(matcher),
    ...(Object.keys(FILTER_LABELS) as (keyof typeof FILTER_LABELS)[]).map(
      (f) => `${FILTER_LABELS[f]}=~"$${FILTER_VARIABLES[f]}"`,
    ),
  ];
  const user = `$${FILTER_VARIABLES.user}`;
  return [
    `${name}{${[...common, `user_email=~"${user}"`].join(',')}}`,
    `${name}{${[...common, 'user_email=""', `user_id=~"${user}"`].join(',')}}`,
  ];
}

/** `fn(sel[window] offset)` over every selector, joined with `or` (the selectors match disjoint series). */
function overSelectors(sels: readonly string[], window: string, offset: boolean): string {
  const parts = sels.map((s) => `last_over_time(${s}[${window}]${offset ? ` offset ${window}` : ''})`);
  return parts.length === 1 ? (parts[0] ?? '') : `(${parts.join(' or ')})`;
}

/**
 * How much each series grew in the window ending at the evaluation time: its last value in the
 * window minus its last value in the window before, or minus 0 when it had no sample then.
 */
export function growth(metric: MetricName, window: string, where: readonly Match[] = []): string {
  const sels = selectors(metric, where);
  const now = overSelectors(sels, window, false);
  const before = overSelectors(sels, window, true);
  return `${now} - (${before} or ${now} * 0)`;
}

/** Adds the `user` label: user_email where the series has one, else user_id. */
export function withUserLabel(vector: string): string {
  return `label_replace(label_replace(${vector}, "user", "$1", "user_id", "(.+)"), "user", "$1", "user_email", "(.+)")`;
}

function grouped(measure: Measure, window: string, by: readonly Dimension[]): string {
  if (measure.kind !== 'metric_sum') throw new Error(`${measure.kind} cannot be grouped in PromQL`);
  const inner = growth(measure.metric, window, measure.where);
  const labels = by.map(promLabelOf);
  const source = labels.includes('user') ? withUserLabel(inner) : inner;
  return labels.length === 0 ? `sum(${source})` : `sum by (${labels.join(', ')}) (${source})`;
}

/** A number for the whole window, 0 when nothing matched (never "No data"). */
function scalarMeasure(measure: Measure, window: string): string {
  switch (measure.kind) {
    case 'metric_sum':
      return `(${grouped(measure, window, [])} or vector(0))`;
    case 'metric_distinct': {
      const label = promLabelOf(measure.of);
      const inner = growth(measure.metric, window, measure.where);
      const source = label === 'user' ? withUserLabel(inner) : inner;
      return `(count(sum by (${label}) (${source}) > 0) or vector(0))`;
    }
    default:
      throw new Error(`${measure.kind} is an event measure: LogQL, not PromQL`);
  }
}

function isScalarLiteral(expr: Expr): boolean {
  return expr.kind === 'const' || expr.kind === 'range_hours';
}

/** An expression as PromQL: measures are one-element vectors, constants scalars; x / 0 gives 0. */
export function exprPromQL(expr: Expr, window: string): string {
  switch (expr.kind) {
    case 'const':
      return String(expr.value);
    case 'range_hours':
      return `(${RANGE_SECONDS} / 3600)`;
    case 'add':
    case 'sub':
    case 'mul': {
      const op = expr.kind === 'add' ? '+' : expr.kind === 'sub' ? '-' : '*';
      return `(${exprPromQL(expr.left, window)} ${op} ${exprPromQL(expr.right, window)})`;
    }
    case 'div': {
      const left = exprPromQL(expr.left, window);
      const right = exprPromQL(expr.right, window);
      if (expr.right.kind === 'const' && expr.right.value === 0) return 'vector(0)';
      if (isScalarLiteral(expr.right)) return `(${left} / ${right})`;
      // Dividing by a filtered vector drops the element when the divisor is 0; `or` puts 0 back.
      return `((${left} / (${right} != 0)) or vector(0))`;
    }
    default:
      return scalarMeasure(expr, window);
  }
}

const HOUR_MS = 3_600_000;

/** A panel's PromQL. Event and log panels are LogQL (logql.ts). */
export function compilePromPanel(panel: Panel): PromPanel {
  if (panelSource(panel) !== 'metrics') throw new Error(`panel ${panel.id} (${panel.title}) reads events`);
  const window = panelWindow(panel);
  const q = panel.query;
  switch (q.shape) {
    case 'scalar':
      return {
        window,
        targets: [{ refId: 'A', expr: exprPromQL(q.expr, RANGE), instant: true, format: 'time_series' }],
      };
    case 'breakdown': {
      const labels = q.by.map(promLabelOf);
      return {
        window,
        targets: [
          {
            refId: 'A',
            expr: grouped(q.measure, RANGE, q.by),
            instant: true,
            format: panel.type === 'table' ? 'table' : 'time_series',
            legendFormat: labels.map((l) => `{{${l}}}`).join(' '),
          },
        ],
      };
    }
    case 'series': {
      const by = q.by === undefined ? [] : [q.by];
      // Each step sums the growth over the step before it; scaled to one hour when steps are longer.
      const expr = `${grouped(q.measure, STEP, by)} / (${STEP_MS} / ${HOUR_MS})`;
      return {
        window,
        minInterval: '1h',
        targets: [
          {
            refId: 'A',
            expr,
            instant: false,
            format: 'time_series',
            legendFormat: by.length === 0 ? panel.title : `{{${promLabelOf(by[0] as Dimension)}}}`,
          },
        ],
      };
    }
    case 'log':
      throw new Error(`panel ${panel.id} (${panel.title}) is a log panel`);
  }
}
