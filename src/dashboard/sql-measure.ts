import {
  allOf,
  DashboardDefinitionError,
  dimensionSql,
  filterSql,
  matchSql,
  rangeSql,
  type Source,
} from './dimensions.js';
import type { PanelParams } from './panel-data.js';
import { literal, sql, type Sql } from './sql-fragment.js';
import type { EventAggregate, Measure } from './types.js';
import { billingCycleStart } from './zoned-time.js';

/*
 * What every compiled query shares about one measure: which table it reads, which rows it counts
 * (metric or event name, definition conditions, request filters, time window) and how it aggregates.
 */

export function sourceOf(measure: Measure): Source {
  return measure.kind === 'metric_sum' || measure.kind === 'metric_distinct' ? 'points' : 'events';
}

export interface TimeWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/** The selected range, or the billing cycle (its start until now) when the measure asks for it. */
export function windowOf(measure: Measure, params: PanelParams): TimeWindow {
  if (measure.kind === 'metric_sum' && measure.window === 'billing_cycle') {
    return { fromMs: billingCycleStart(params.nowMs, params.billingDay, params.tz), toMs: params.nowMs };
  }
  return { fromMs: params.fromMs, toMs: params.toMs };
}

/** The column that names what a row is: the metric of a point, the event name of an event. */
export const NAME_COLUMN: Readonly<Record<Source, string>> = { points: 'metric', events: 'name' };

/** The measure's metric or event name as an SQL literal. */
export function nameLiteral(measure: Measure): string {
  return literal(
    measure.kind === 'metric_sum' || measure.kind === 'metric_distinct' ? measure.metric : measure.event,
  );
}

/**
 * The measure's own row conditions: its metric or event name, then the definition's matches. A
 * distinct count skips rows without a value of its dimension: a user nobody knows is not counted.
 */
export function measureConditions(measure: Measure): string[] {
  const source = sourceOf(measure);
  return [
    `${NAME_COLUMN[source]} = ${nameLiteral(measure)}`,
    ...(measure.where ?? []).map((m) => matchSql(m, source)),
    ...(measure.kind === 'metric_distinct' ? [`${dimensionSql(measure.of, source)} IS NOT NULL`] : []),
  ];
}

/** The numeric event field a mean or sum reads. */
export function fieldOf(measure: EventAggregate): string {
  if (measure.field === undefined) {
    throw new DashboardDefinitionError(`${measure.kind} of ${measure.event} needs a field`);
  }
  return measure.field;
}

/** The rows a query reads: time window, request filters and any extra conditions. */
export function rowsWhere(
  source: Source,
  window: TimeWindow,
  params: PanelParams,
  conditions: readonly string[],
): Sql {
  return allOf([rangeSql(source, window.fromMs, window.toMs), ...conditions, ...filterSql(params.filters)]);
}

/**
 * The aggregate over the measure's rows, for the measures that are one aggregate (all but
 * metric_distinct). `sum`/`count` of nothing is 0 after the caller's coalesce; a mean of nothing is
 * left NULL so callers can tell "no data" from 0.
 */
export function aggregateOf(measure: Exclude<Measure, { kind: 'metric_distinct' }>): {
  readonly total: string;
  readonly count: string;
} {
  switch (measure.kind) {
    case 'metric_sum':
      return { total: 'sum(value)', count: 'count(*)' };
    case 'event_count':
      return { total: 'count(*)', count: 'count(*)' };
    case 'event_mean':
    case 'event_sum': {
      const field = fieldOf(measure);
      return { total: `sum(${field})`, count: `count(${field})` };
    }
  }
}

/** `FILTER (WHERE ...)` for conditions, or nothing when there are none. */
export function filterClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : ` FILTER (WHERE ${conditions.join(' AND ')})`;
}

/** `<table> WHERE <rows>` for one measure alone. */
export function fromMeasure(measure: Measure, params: PanelParams): Sql {
  const source = sourceOf(measure);
  return sql`${source} WHERE ${rowsWhere(source, windowOf(measure, params), params, measureConditions(measure))}`;
}
