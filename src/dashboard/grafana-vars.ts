import type { Expr, FilterName, Measure, Panel, Window } from './types.js';

/**
 * What the Grafana compilers (promql.ts, logql.ts) share: which backend a panel reads, its time
 * window, and the Grafana variables the generated queries use.
 */

export type PanelSource = 'metrics' | 'events';

/** A panel's measures, in the order they appear. */
export function measuresOf(panel: Panel): Measure[] {
  const q = panel.query;
  if (q.shape === 'log') return [];
  if (q.shape === 'scalar') return exprMeasures(q.expr);
  return [q.measure];
}

function exprMeasures(expr: Expr): Measure[] {
  switch (expr.kind) {
    case 'div':
    case 'mul':
    case 'sub':
    case 'add':
      return [...exprMeasures(expr.left), ...exprMeasures(expr.right)];
    case 'const':
    case 'range_hours':
      return [];
    default:
      return [expr];
  }
}

/** Metric panels go to Prometheus, event and log panels to Loki; one panel never mixes them. */
export function panelSource(panel: Panel): PanelSource {
  if (panel.query.shape === 'log') return 'events';
  const kinds = new Set(measuresOf(panel).map((m) => (m.kind.startsWith('metric_') ? 'metrics' : 'events')));
  if (kinds.size !== 1) throw new Error(`panel ${panel.id} (${panel.title}) mixes metrics and events`);
  return [...kinds][0] as PanelSource;
}

/** The billing cycle is the panel's own time range in Grafana; one panel never mixes windows. */
export function panelWindow(panel: Panel): Window {
  const windows = new Set(
    measuresOf(panel).map((m) => (m.kind === 'metric_sum' ? (m.window ?? 'range') : 'range')),
  );
  if (windows.size > 1)
    throw new Error(`panel ${panel.id} (${panel.title}) mixes the range and the billing cycle`);
  return windows.has('billing_cycle') ? 'billing_cycle' : 'range';
}

/** The Grafana variable of each dashboard filter (same names as the definition's filters). */
export const FILTER_VARIABLES: Readonly<Record<FilterName, string>> = {
  machine: 'machine',
  user: 'user',
  model: 'model',
  session: 'session',
  terminal: 'terminal',
  service_version: 'service_version',
};

/** What a filter variable holds when nothing is picked ("All"): a regex matching every value. */
export const ALL_VALUE = '.*';

/**
 * Replaces Grafana variables (`$name`, `${name}`) with values, leaving unknown ones (`$1` in
 * label_replace) alone, as Grafana does. Tests use it to run the generated queries.
 */
export function interpolate(query: string, values: Readonly<Record<string, string>>): string {
  return query.replace(
    /\$\{(\w+)\}|\$(\w+)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      const value = values[braced ?? bare ?? ''];
      return value ?? whole;
    },
  );
}

/** Values that stand for a dashboard at its defaults (8 h range, 1 h steps, every filter on All). */
export const SAMPLE_VALUES: Readonly<Record<string, string>> = {
  __range: '28800s',
  __range_s: '28800',
  __range_ms: '28800000',
  __interval: '3600s',
  __interval_ms: '3600000',
  ...Object.fromEntries(Object.values(FILTER_VARIABLES).map((name) => [name, ALL_VALUE])),
};

/** PromQL and LogQL string literal: double quotes, backslash escapes. */
export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** A regex matching exactly one of the values (RE2, fully anchored by the matcher). */
export function anyOf(values: readonly string[]): string {
  return values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
}
