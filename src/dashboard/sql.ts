import { dimensionSql, NONE_LABEL, TIME_COLUMN, USER_SQL, type Source } from './dimensions.js';
import type { PanelParams } from './panel-data.js';
import { literal, numberLiteral, param, sql, type Sql } from './sql-fragment.js';
import { compileScalar } from './sql-scalar.js';
import { aggregateOf, fromMeasure, rowsWhere, sourceOf, windowOf } from './sql-measure.js';
import { offsetsAreWholeHours } from './zoned-time.js';
import type { BreakdownQuery, Dimension, LogColumn, LogQuery, Panel, SeriesQuery } from './types.js';

/*
 * The dashboard's queries as DuckDB SQL over `points` and `events`. Metric numbers are sums of the
 * stored deltas whose end time is in [from, to) (the rule of report/queries.ts, so the dashboard and
 * `ccmon report` agree); events are counted by their own time. Every panel is one statement.
 */

export type CompiledPanel =
  | { readonly shape: 'scalar'; readonly sql: Sql }
  /** columns d0..dn (labels of `by`, in order) and value */
  | { readonly shape: 'breakdown'; readonly sql: Sql; readonly by: readonly Dimension[] }
  /** columns series, bucket_ms, value; ordered by series, then bucket */
  | { readonly shape: 'series'; readonly sql: Sql }
  /** one column per log column (time as time_us, epoch microseconds), newest first */
  | { readonly shape: 'log'; readonly sql: Sql; readonly columns: readonly LogColumn[] };

export const HOUR_MS = 3_600_000;

export function compilePanel(panel: Panel, params: PanelParams): CompiledPanel {
  const query = panel.query;
  switch (query.shape) {
    case 'scalar':
      return { shape: 'scalar', sql: compileScalar(query.expr, params) };
    case 'breakdown':
      return { shape: 'breakdown', sql: compileBreakdown(query, params), by: query.by };
    case 'series':
      return { shape: 'series', sql: compileSeries(query, params) };
    case 'log':
      return { shape: 'log', sql: compileLog(query, params), columns: query.columns };
  }
}

/*
 * Breakdowns and series group on the dimensions' raw values first and turn them into labels ("(none)"
 * for a missing value) only for the few groups that result: cheaper than labelling every row.
 */
const label = (column: string): string => `coalesce(${column}, ${literal(NONE_LABEL)})`;

function compileBreakdown(query: BreakdownQuery, params: PanelParams): Sql {
  const m = query.measure;
  const source = sourceOf(m);
  const aliases = query.by.map((_, i) => `d${i}`);
  const raw = query.by.map((d, i) => `${dimensionSql(d, source)} AS d${i}`).join(', ');
  const labels = aliases.map((a) => `${label(a)} AS ${a}`).join(', ');
  // By position: `value` is also a column of points.
  const order = [`${aliases.length + 1} DESC`, ...aliases.map((_, i) => `${i + 1}`)].join(', ');
  if (m.kind === 'metric_distinct') {
    return sql`SELECT ${labels}, count(*) AS value
FROM (
  SELECT ${raw}, ${dimensionSql(m.of, source)} AS k
  FROM ${fromMeasure(m, params)}
  GROUP BY ALL HAVING sum(value) > 0
)
GROUP BY ALL
ORDER BY ${order}`;
  }
  const { total, count } = aggregateOf(m);
  // A mean over rows without the field has no value: such groups are left out, not shown as 0.
  const mean = m.kind === 'event_mean';
  return sql`SELECT ${labels}, ${mean ? 'sum(s) / sum(n)' : 'sum(s)'} AS value
FROM (
  SELECT ${raw}, ${total} AS s, ${count} AS n
  FROM ${fromMeasure(m, params)}
  GROUP BY ALL
)
GROUP BY ALL${mean ? '\nHAVING sum(n) > 0' : ''}
ORDER BY ${order}`;
}

/*
 * Hour buckets in the user's zone. Where the zone's offset is a whole number of hours throughout the
 * range (most zones, DST included), local hours are UTC hours: rows are grouped by their UTC hour.
 * Elsewhere (India, Nepal, ...) rows are first summed per UTC quarter hour, and only those few sums
 * are moved to the local hour they fall in: every offset in use is a multiple of 15 minutes, so a
 * quarter hour never straddles a local hour, and at a DST change each real hour stays its own bucket.
 */
const QUARTER_US = '900000000';
const HOUR_US = '3600000000';

function compileSeries(query: SeriesQuery, params: PanelParams): Sql {
  const m = query.measure;
  const source = sourceOf(m);
  const raw = query.by === undefined ? literal('') : dimensionSql(query.by, source);
  const time = TIME_COLUMN[source];
  const distinct = m.kind === 'metric_distinct';
  const { total, count } = distinct ? { total: 'sum(value)', count: 'count(*)' } : aggregateOf(m);
  const key = distinct ? `, ${dimensionSql(m.of, source)} AS k` : '';
  const window = windowOf(m, params);
  const hourly = offsetsAreWholeHours(params.tz, window.fromMs, window.toMs)
    ? sql`hourly AS (
  SELECT ${raw} AS series${key}, epoch_us(date_trunc('hour', ${time})) AS bucket_us, ${total} AS s, ${count} AS n
  FROM ${fromMeasure(m, params)}
  GROUP BY ALL
)`
    : sql`quarter AS (
  SELECT ${raw} AS series${key}, epoch_us(${time}) // ${QUARTER_US} * ${QUARTER_US} AS t, ${total} AS s, ${count} AS n
  FROM ${fromMeasure(m, params)}
  GROUP BY ALL
),
hourly AS (
  SELECT series${distinct ? ', k' : ''}, t - (${localMicros(params.tz)} % ${HOUR_US} + ${HOUR_US}) % ${HOUR_US} AS bucket_us, s, n
  FROM quarter
)`;
  if (distinct) {
    return sql`WITH ${hourly},
active AS (SELECT series, bucket_us, k FROM hourly GROUP BY ALL HAVING sum(s) > 0)
SELECT ${label('series')} AS series, bucket_us // 1000 AS bucket_ms, count(*) AS value
FROM active
GROUP BY 1, 2
ORDER BY 1, 2`;
  }
  const mean = m.kind === 'event_mean';
  return sql`WITH ${hourly}
SELECT ${label('series')} AS series, bucket_us // 1000 AS bucket_ms, ${mean ? 'sum(s) / sum(n)' : 'sum(s)'} AS value
FROM hourly
GROUP BY 1, 2${mean ? '\nHAVING sum(n) > 0' : ''}
ORDER BY 1, 2`;
}

/** The wall-clock time in `tz` of the instant `t` (epoch µs), as epoch µs. */
function localMicros(tz: string): Sql {
  return sql`epoch_us((make_timestamp(t) AT TIME ZONE 'UTC') AT TIME ZONE ${param(tz, 'VARCHAR')})`;
}

const LOG_COLUMNS: Readonly<Record<LogColumn, string>> = {
  time: 'epoch_us(time)',
  name: 'name',
  session: 'session_id',
  user: USER_SQL,
  machine: 'machine_name',
  model: 'model',
  tool_name: 'tool_name',
  success: 'success',
  duration_ms: 'duration_ms',
  cost_usd: 'cost_usd',
  status: 'coalesce(status_code::VARCHAR, error)',
};

function compileLog(query: LogQuery, params: PanelParams): Sql {
  const source: Source = 'events';
  // The time leaves as epoch microseconds under its own name, so `time` in WHERE is the column.
  const columns = query.columns
    .map((c) => `${LOG_COLUMNS[c]} AS "${c === 'time' ? 'time_us' : c}"`)
    .join(', ');
  const conditions = query.event === undefined ? [] : [`name = ${literal(query.event)}`];
  const rows = rowsWhere(source, { fromMs: params.fromMs, toMs: params.toMs }, params, conditions);
  return sql`SELECT ${columns}
FROM events
WHERE ${rows}
ORDER BY events.time DESC, events.sequence DESC NULLS LAST
LIMIT ${numberLiteral(query.limit)}`;
}
