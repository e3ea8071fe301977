import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  CustomVariableBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  VariableRefresh,
  VariableSort,
  type VariableModel,
  type VariableOption,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { ALL_VALUE, FILTER_VARIABLES } from '../dashboard/grafana-vars.js';
import { promMetricName, withUserLabel } from '../dashboard/promql.js';
import type { FilterName } from '../dashboard/types.js';
import { BILLING_VARIABLE, LOKI_VARIABLE, PROMETHEUS_DS, PROMETHEUS_VARIABLE } from './grafana-panels.js';

/** The dashboard's variables: datasources, the billing day, and one filter per definition filter. */

export interface DatasourceChoice {
  /** uid (or name) of the Prometheus datasource to select; Grafana's default one otherwise */
  readonly prometheusDatasource?: string;
  readonly lokiDatasource?: string;
}

function datasourceVariable(name: string, type: string, label: string, current: string | undefined) {
  const variable = new DatasourceVariableBuilder(name).label(label).type(type);
  if (current !== undefined) variable.current({ text: current, value: current, selected: true });
  return variable;
}

/**
 * The cycle start of billing day D as Grafana date math: go back D-1 days, round down to the month,
 * go forward D-1 days. That is the D-th of this month when today is on or after it, else the D-th of
 * last month, at 00:00 in the dashboard's time zone. (Grafana's date math parser refuses digits past
 * the 10th character, so the expression stays this short.)
 */
export function billingCycleStart(day: number): string {
  return day === 1 ? 'now/M' : `now-${day - 1}d/M+${day - 1}d`;
}

function billingDayVariable(defaultDay: number): CustomVariableBuilder {
  const options: VariableOption[] = Array.from({ length: 28 }, (_, i) => ({
    text: String(i + 1),
    value: billingCycleStart(i + 1),
    selected: i + 1 === defaultDay,
  }));
  return new CustomVariableBuilder(BILLING_VARIABLE)
    .label('Billing day')
    .description(
      'The day of the month your billing cycle starts (1-28); the billing-cycle panels start there.',
    )
    .values(options.map((o) => `${String(o.text)} : ${String(o.value)}`).join(','))
    .options(options)
    .current({ text: String(defaultDay), value: billingCycleStart(defaultDay), selected: true });
}

const SESSIONS = promMetricName('claude_code.session.count');

/** Where each filter's values come from (Prometheus; the same values filter the Loki panels). */
const FILTER_QUERIES: Readonly<Record<FilterName, { label: string; query: string; regex?: string }>> = {
  machine: { label: 'Machine', query: `label_values(${SESSIONS}, machine_name)` },
  user: {
    label: 'User',
    query: `query_result(count by (user) (${withUserLabel(SESSIONS)}))`,
    regex: '/user="([^"]+)"/',
  },
  model: { label: 'Model', query: `label_values(${promMetricName('claude_code.cost.usage')}, model)` },
  session: { label: 'Session', query: `label_values(${SESSIONS}, session_id)` },
  terminal: { label: 'Terminal', query: `label_values(${SESSIONS}, terminal_type)` },
  service_version: { label: 'Claude Code version', query: `label_values(${SESSIONS}, otel_scope_version)` },
};

function filterVariable(filter: FilterName): QueryVariableBuilder {
  const spec = FILTER_QUERIES[filter];
  const variable = new QueryVariableBuilder(FILTER_VARIABLES[filter])
    .label(spec.label)
    .datasource(PROMETHEUS_DS)
    .query(spec.query)
    .definition(spec.query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    // Selected values are regex-escaped by Grafana (multi / include all) and matched with =~.
    .allValue(ALL_VALUE)
    .current({ text: 'All', value: '$__all', selected: true });
  if (spec.regex !== undefined) variable.regex(spec.regex);
  return variable;
}

export function dashboardVariables(
  choice: DatasourceChoice,
  filters: readonly FilterName[],
  billingDay: number,
): cog.Builder<VariableModel>[] {
  return [
    datasourceVariable(PROMETHEUS_VARIABLE, 'prometheus', 'Prometheus', choice.prometheusDatasource),
    datasourceVariable(LOKI_VARIABLE, 'loki', 'Loki', choice.lokiDatasource),
    billingDayVariable(billingDay),
    ...filters.map(filterVariable),
  ];
}
