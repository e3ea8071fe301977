import type { Dimension, FilterName, Match } from './types.js';
import { joinSql, literal, param, sql, timestampParam, type Sql } from './sql-fragment.js';

/*
 * How the definition's words map onto the store's columns. Metric measures read `points`, event
 * measures read `events`; the same dimension can live in a typed column in one table and only in the
 * JSON attributes in the other.
 */

export type Source = 'points' | 'events';

/** The one notion of a user: the e-mail where known, else the anonymous user id. */
export const USER_SQL = 'coalesce(user_email, user_id)';

/** What a breakdown row or series is called when the dimension has no value. */
export const NONE_LABEL = '(none)';

// `->>` binds more loosely than comparison operators in DuckDB, hence the parentheses.
const DIMENSIONS: Readonly<Record<Dimension, Readonly<Partial<Record<Source, string>>>>> = {
  model: { points: 'model', events: 'model' },
  type: { points: 'type' },
  user: { points: USER_SQL, events: USER_SQL },
  machine: { points: 'machine_name', events: 'machine_name' },
  tool_name: { points: "(attributes->>'tool_name')", events: 'tool_name' },
  language: { points: "(attributes->>'language')" },
  decision: { points: "(attributes->>'decision')", events: 'decision' },
  status: { events: 'coalesce(status_code::VARCHAR, error)' },
};

/** The stored field each dashboard filter compares with; the same column in both tables. */
export const FILTER_COLUMNS: Readonly<Record<FilterName, string>> = {
  machine: 'machine_name',
  user: USER_SQL,
  model: 'model',
  session: 'session_id',
  terminal: 'terminal_type',
  service_version: 'service_version',
};

export const TIME_COLUMN: Readonly<Record<Source, string>> = { points: 'end_time', events: 'time' };

/** A definition that asks for a dimension a table does not have is a bug in the definition. */
export class DashboardDefinitionError extends Error {
  override readonly name = 'DashboardDefinitionError';
}

export function dimensionSql(dimension: Dimension, source: Source): string {
  const expr = DIMENSIONS[dimension][source];
  if (expr === undefined) throw new DashboardDefinitionError(`${source} have no dimension "${dimension}"`);
  return expr;
}

/** A definition condition (`type IN ('added')`); its values are definition constants. */
export function matchSql(match: Match, source: Source): string {
  if (match.values.length === 0) throw new DashboardDefinitionError(`empty match on ${match.dimension}`);
  return `${dimensionSql(match.dimension, source)} IN (${match.values.map(literal).join(', ')})`;
}

/** [from, to) on the table's time column. */
export function rangeSql(source: Source, fromMs: number, toMs: number): Sql {
  const column = TIME_COLUMN[source];
  return sql`${column} >= ${timestampParam(fromMs)} AND ${column} < ${timestampParam(toMs)}`;
}

/** The request's filters as bound conditions, in a fixed order so the SQL text is stable. */
export function filterSql(filters: Readonly<Partial<Record<FilterName, string>>>): Sql[] {
  return (Object.keys(FILTER_COLUMNS) as FilterName[]).flatMap((name) => {
    const value = filters[name];
    return value === undefined ? [] : [sql`${FILTER_COLUMNS[name]} = ${param(value)}`];
  });
}

/** Conditions joined with AND (`true` when there are none). */
export function allOf(conditions: readonly (Sql | string)[]): Sql {
  return conditions.length === 0 ? sql`true` : joinSql(conditions, ' AND ');
}
