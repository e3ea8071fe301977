import { anyOf, FILTER_VARIABLES, panelSource, quote } from './grafana-vars.js';
import type { Dimension, EventAggregate, Expr, FilterName, LogColumn, Match, Panel } from './types.js';

/*
 * Event and log panels -> LogQL over Loki's native OTLP ingestion: the stream is
 * {service_name="claude-code"}, every event attribute is structured metadata with its name normalized
 * (event.name -> event_name) and its value a string. Range aggregations take no `by` here, so
 * grouping happens outside them: sum by (model) (count_over_time(... [w])).
 */

export const STREAM = '{service_name="claude-code"}';

export interface LokiTarget {
  readonly refId: string;
  readonly expr: string;
  readonly instant: boolean;
  readonly legendFormat?: string;
  /** log queries: how many lines, newest first */
  readonly maxLines?: number;
}

export interface LokiPanel {
  readonly targets: readonly LokiTarget[];
  readonly minInterval?: string;
}

const RANGE = '$__range';
const STEP = '$__interval';
const STEP_MS = '$__interval_ms';
const HOUR_MS = 3_600_000;

/** The structured metadata a dimension reads; `user` and `status` are made by label_format first. */
const DIMENSION_LABELS: Readonly<Partial<Record<Dimension, string>>> = {
  model: 'model',
  user: 'user',
  machine: 'machine_name',
  tool_name: 'tool_name',
  decision: 'decision',
  status: 'status',
};

/** The e-mail where an event has one, else the user id: the one notion of a user. */
const USER_LABEL =
  '| label_format user="{{ if .user_email }}{{ .user_email }}{{ else }}{{ .user_id }}{{ end }}"';
/** api_error's status code, or its error text when it has no code. */
const STATUS_LABEL =
  '| label_format status="{{ if .status_code }}{{ .status_code }}{{ else }}{{ .error }}{{ end }}"';

export function lokiLabelOf(dimension: Dimension): string {
  const label = DIMENSION_LABELS[dimension];
  if (label === undefined) throw new Error(`events have no dimension "${dimension}"`);
  return label;
}

const FILTER_LABELS: Readonly<Record<Exclude<FilterName, 'user'>, string>> = {
  machine: 'machine_name',
  model: 'model',
  session: 'session_id',
  terminal: 'terminal_type',
  service_version: 'service_version',
};

function filters(): string {
  const plain = (Object.keys(FILTER_LABELS) as (keyof typeof FILTER_LABELS)[]).map(
    (f) => `| ${FILTER_LABELS[f]}=~"$${FILTER_VARIABLES[f]}"`,
  );
  const user = `$${FILTER_VARIABLES.user}`;
  return [...plain, `| (user_email=~"${user}" or (user_email="" and user_id=~"${user}"))`].join(' ');
}

function condition(match: Match): string {
  const label = lokiLabelOf(match.dimension);
  if (label === 'user' || label === 'status')
    throw new Error(`an event condition on "${label}" is not supported`);
  const [only] = match.values;
  return match.values.length === 1 && only !== undefined
    ? `| ${label}=${quote(only)}`
    : `| ${label}=~${quote(anyOf(match.values))}`;
}

/** The events of one name (or all), filtered, with the labels the grouping needs. */
function pipeline(event: string | undefined, where: readonly Match[], by: readonly Dimension[]): string {
  const parts = [STREAM];
  if (event !== undefined) parts.push(`| event_name=${quote(event)}`);
  parts.push(filters(), ...where.map(condition));
  if (by.includes('user')) parts.push(USER_LABEL);
  if (by.includes('status')) parts.push(STATUS_LABEL);
  return parts.join(' ');
}

function outside(by: readonly Dimension[], inner: string): string {
  return by.length === 0 ? `sum(${inner})` : `sum by (${by.map(lokiLabelOf).join(', ')}) (${inner})`;
}

/**
 * An event measure per group over the window. Counts and sums are summed outside the range
 * aggregation (every event is its own stream once its metadata is labels). A mean groups inside
 * avg_over_time, which pools the samples of all streams of a group: the mean of all its events.
 */
function aggregate(measure: EventAggregate, window: string, by: readonly Dimension[]): string {
  const base = pipeline(measure.event, measure.where ?? [], by);
  if (measure.kind === 'event_count') return outside(by, `count_over_time(${base} [${window}])`);
  const field = measure.field;
  if (field === undefined) throw new Error(`${measure.kind} needs a field`);
  // Values arrive as strings; events without the field are left out before unwrap, bad numbers after.
  const values = `${base} | ${field}!="" | unwrap ${field} | __error__="" [${window}]`;
  if (measure.kind === 'event_sum') return outside(by, `sum_over_time(${values})`);
  return `avg_over_time(${values}) by (${by.map(lokiLabelOf).join(', ')})`;
}

function eventMeasure(expr: Expr): EventAggregate {
  if (expr.kind === 'event_count' || expr.kind === 'event_mean' || expr.kind === 'event_sum') return expr;
  throw new Error(`${expr.kind} is not an event measure`);
}

/** A number for the whole range; x / 0 gives 0. */
export function exprLogQL(expr: Expr): string {
  switch (expr.kind) {
    case 'const':
      return String(expr.value);
    case 'range_hours':
      return '($__range_s / 3600)';
    case 'add':
    case 'sub':
    case 'mul':
      return `(${exprLogQL(expr.left)} ${expr.kind === 'add' ? '+' : expr.kind === 'sub' ? '-' : '*'} ${exprLogQL(expr.right)})`;
    case 'div':
      if (expr.right.kind === 'const' || expr.right.kind === 'range_hours')
        return `(${exprLogQL(expr.left)} / ${exprLogQL(expr.right)})`;
      return `((${exprLogQL(expr.left)} / (${exprLogQL(expr.right)} != 0)) or vector(0))`;
    default:
      return `(${aggregate(eventMeasure(expr), RANGE, [])} or vector(0))`;
  }
}

/** The line a log panel shows: its columns as key=value (time and labels are Grafana's own). */
const COLUMN_TEMPLATES: Readonly<Record<Exclude<LogColumn, 'time'>, string>> = {
  name: '{{ .event_name }}',
  session: 'session={{ .session_id }}',
  user: 'user={{ if .user_email }}{{ .user_email }}{{ else }}{{ .user_id }}{{ end }}',
  machine: 'machine={{ .machine_name }}',
  model: 'model={{ .model }}',
  tool_name: 'tool={{ .tool_name }}',
  success: 'success={{ .success }}',
  duration_ms: 'duration_ms={{ .duration_ms }}',
  cost_usd: 'cost_usd={{ .cost_usd }}',
  status: 'status={{ if .status_code }}{{ .status_code }}{{ else }}{{ .error }}{{ end }}',
};

/** A panel's LogQL. Metric panels are PromQL (promql.ts). */
export function compileLokiPanel(panel: Panel): LokiPanel {
  if (panelSource(panel) !== 'events') throw new Error(`panel ${panel.id} (${panel.title}) reads metrics`);
  const q = panel.query;
  switch (q.shape) {
    case 'scalar':
      return { targets: [{ refId: 'A', expr: exprLogQL(q.expr), instant: true }] };
    case 'breakdown':
      return {
        targets: [
          {
            refId: 'A',
            expr: aggregate(eventMeasure(q.measure), RANGE, q.by),
            instant: true,
            legendFormat: q.by.map((d) => `{{${lokiLabelOf(d)}}}`).join(' '),
          },
        ],
      };
    case 'series': {
      const measure = eventMeasure(q.measure);
      const by = q.by === undefined ? [] : [q.by];
      const value = aggregate(measure, STEP, by);
      // Counts and sums per step, scaled to one hour; a mean is a mean whatever the step.
      const expr = measure.kind === 'event_mean' ? value : `${value} / (${STEP_MS} / ${HOUR_MS})`;
      return {
        minInterval: '1h',
        targets: [
          {
            refId: 'A',
            expr,
            instant: false,
            legendFormat: by.length === 0 ? panel.title : `{{${lokiLabelOf(by[0] as Dimension)}}}`,
          },
        ],
      };
    }
    case 'log': {
      const line = q.columns
        .filter((c): c is Exclude<LogColumn, 'time'> => c !== 'time')
        .map((c) => COLUMN_TEMPLATES[c])
        .join(' ');
      return {
        targets: [
          {
            refId: 'A',
            expr: `${pipeline(q.event, [], [])} | line_format ${quote(line)}`,
            instant: false,
            maxLines: q.limit,
          },
        ],
      };
    }
  }
}
