/**
 * OTLP names -> Prometheus names, as the OpenTelemetry Collector's `prometheus` exporter writes them
 * (metric suffixes on, the translator's default). ccmon's `/metrics` and the PromQL compiler both use
 * these functions, so the dashboard queries always name what the exposition (or the Collector) writes.
 */

/** What decides a metric's Prometheus name besides its OTLP name. */
export interface MetricShape {
  readonly unit: string;
  readonly kind: 'sum' | 'gauge';
  readonly monotonic: boolean;
}

const MAIN_UNITS: Readonly<Record<string, string>> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};

const PER_UNITS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** Tokens of a name: runs of characters a metric name may hold, split on everything else. */
function tokens(text: string): string[] {
  return text.split(/[^a-zA-Z0-9:]+/).filter((t) => t !== '');
}

function unitTokens(unit: string, table: Readonly<Record<string, string>>): string {
  const trimmed = unit.trim();
  if (trimmed === '' || /[{}]/.test(trimmed)) return '';
  return (table[trimmed] ?? trimmed)
    .split(/[^a-zA-Z0-9:_]+/)
    .filter((t) => t !== '')
    .join('_')
    .replace(/^_+/, '');
}

/**
 * `claude_code.cost.usage` (USD, monotonic sum) -> `claude_code_cost_usage_USD_total`. The unit is
 * appended unless the name already holds it as a token; monotonic sums lose any `total` token and end
 * in `_total`; gauges in unit `1` end in `_ratio`.
 */
export function prometheusMetricName(name: string, shape: MetricShape): string {
  let parts = tokens(name);
  const [main = '', per] = shape.unit.split('/', 2) as [string?, string?];
  let mainUnit = unitTokens(main, MAIN_UNITS);
  if (parts.includes(mainUnit)) mainUnit = '';
  let perUnit = per === undefined ? '' : unitTokens(per, PER_UNITS);
  if (perUnit !== '') perUnit = parts.includes(`per_${perUnit}`) ? '' : `per_${perUnit}`;
  if (perUnit !== '') mainUnit = mainUnit.replace(/_+$/, '');
  if (mainUnit !== '') parts.push(mainUnit);
  if (perUnit !== '') parts.push(perUnit);
  if (shape.kind === 'sum' && shape.monotonic) parts = [...parts.filter((t) => t !== 'total'), 'total'];
  if (shape.unit === '1' && shape.kind === 'gauge') parts = [...parts.filter((t) => t !== 'ratio'), 'ratio'];
  const joined = parts.join('_');
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/**
 * `session.id` -> `session_id`: characters outside [a-zA-Z0-9_] become `_`, a leading digit gets
 * `key_`, a single leading `_` gets `key`. Names starting `__` are reserved to Prometheus, so they get
 * `key` too (the Collector would pass them on and Prometheus would drop them).
 */
export function prometheusLabelName(key: string): string {
  const clean = key.replace(/[^a-zA-Z0-9_]/g, '_');
  if (clean === '') return 'key_';
  if (/^[0-9]/.test(clean)) return `key_${clean}`;
  if (clean.startsWith('_')) return `key${clean}`;
  return clean;
}

/** Claude Code's metrics as it sends them (telemetry contract): what names them in Prometheus. */
export const CLAUDE_CODE_METRICS: Readonly<Record<string, MetricShape & { readonly help: string }>> = {
  'claude_code.session.count': {
    unit: '',
    kind: 'sum',
    monotonic: true,
    help: 'Count of CLI sessions started',
  },
  'claude_code.lines_of_code.count': {
    unit: '',
    kind: 'sum',
    monotonic: true,
    help: "Count of lines of code modified, with the 'type' attribute indicating whether lines were added or removed and the 'model' attribute indicating which model made the change",
  },
  'claude_code.pull_request.count': {
    unit: '',
    kind: 'sum',
    monotonic: true,
    help: 'Number of pull requests created',
  },
  'claude_code.commit.count': {
    unit: '',
    kind: 'sum',
    monotonic: true,
    help: 'Number of git commits created',
  },
  'claude_code.cost.usage': {
    unit: 'USD',
    kind: 'sum',
    monotonic: true,
    help: 'Cost of the Claude Code session',
  },
  'claude_code.token.usage': { unit: 'tokens', kind: 'sum', monotonic: true, help: 'Number of tokens used' },
  'claude_code.code_edit_tool.decision': {
    unit: '',
    kind: 'sum',
    monotonic: true,
    help: 'Count of code editing tool permission decisions (accept/reject) for Edit, Write, and NotebookEdit tools',
  },
  'claude_code.active_time.total': {
    unit: 's',
    kind: 'sum',
    monotonic: true,
    help: 'Total active time in seconds',
  },
};

/** The Prometheus name of one of Claude Code's metrics. */
export function claudeCodeMetricName(name: string): string {
  const shape = CLAUDE_CODE_METRICS[name];
  if (shape === undefined) throw new Error(`not one of Claude Code's metrics: ${name}`);
  return prometheusMetricName(name, shape);
}
