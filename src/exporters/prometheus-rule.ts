/**
 * The alert rules (src/alerts/rules.ts) as a PrometheusRule for kube-prometheus-stack, over the
 * Collector's Prometheus metrics.
 *
 * Claude Code's counters are per session: each session is a new series whose first sample is already
 * above zero, and `increase()` ignores a series' first sample. Spend over a window W is therefore the
 * latest value minus the latest value one window earlier, a series that did not exist then counting
 * from zero: `last_over_time(m[W]) - (last_over_time(m[W] offset W) or last_over_time(m[W]) * 0)`.
 * (Counter resets are not handled; the Collector keeps a session's series cumulative.)
 */
import type { AlertsConfig } from '../alerts/config.js';
import { alertRules, type AlertRule, type Annotations } from '../alerts/rules.js';
import { localTimeExpr, localWindowExpr, promDuration } from './promql-time.js';

export const COST_METRIC = 'claude_code_cost_usage_USD_total';

export interface PrometheusRuleOptions {
  readonly namespace?: string;
  /** metadata labels; kube-prometheus-stack selects rules by `release` (default release: prometheus) */
  readonly labels?: Record<string, string>;
  /** the daylight-saving horizon starts on January 1 of this date's year (default: now) */
  readonly generatedAt?: Date;
}

/** How many years of DST transitions a generated working-hours condition carries. */
export const DST_HORIZON_YEARS = 10;

interface PromRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Per-series spend over the window, a series first seen inside the window counted from zero. */
function seriesSpend(windowMs: number): string {
  const w = promDuration(windowMs);
  return `last_over_time(${COST_METRIC}[${w}]) - (last_over_time(${COST_METRIC}[${w}] offset ${w}) or last_over_time(${COST_METRIC}[${w}]) * 0)`;
}

/** Total spend over the window, or per user (e-mail where known, else user id) / per machine. */
export function spendExpr(windowMs: number, by?: 'user' | 'machine'): string {
  const spend = seriesSpend(windowMs);
  if (by === undefined) return `sum(${spend})`;
  // The label ccmon's evaluator uses, so alerts from both carry the same labels.
  const labelled =
    by === 'machine'
      ? `label_replace(${spend}, "machine", "$1", "machine_name", "(.+)")`
      : `label_replace(label_replace(${spend}, "user", "$1", "user_id", "(.+)"), "user", "$1", "user_email", "(.+)")`;
  return `sum by (${by}) (label_replace(${labelled}, "${by}", "(unknown)", "${by}", ""))`;
}

/** `{{value}}` / `{{labels.x}}` -> Prometheus' Go templates. */
function goTemplate(text: string, unit: AlertRule['unit']): string {
  return text
    .replace(
      /\{\{value\}\}/g,
      unit === 'usd' ? '{{ $value | printf "%.2f" }}' : '{{ $value | humanizeDuration }}',
    )
    .replace(/\{\{labels\.([A-Za-z_][A-Za-z0-9_]*)\}\}/g, '{{ $labels.$1 }}');
}

function expression(rule: AlertRule, generatedAt: Date): string | undefined {
  const c = rule.condition;
  switch (c.kind) {
    case 'spend':
      return `${spendExpr(c.windowMs, c.by)} > ${c.threshold}`;
    case 'no_activity': {
      const from = Date.UTC(generatedAt.getUTCFullYear(), 0, 1);
      const to = Date.UTC(generatedAt.getUTCFullYear() + DST_HORIZON_YEARS, 0, 1);
      const local = localTimeExpr(c.timezone, from, to);
      return `absent(${spendExpr(c.windowMs)} > 0)\nand on() ${localWindowExpr(local, c.days, c.fromMinute, c.toMinute)}`;
    }
    case 'silence': {
      const up = `up{job="${c.job}"}`;
      // absent(): a Collector that is not scraped at all (no target) collects nothing either.
      return `${up} == 0 or absent(${up})`;
    }
    case 'billing_budget':
      // A range selector cannot start at a calendar day, so the billing-cycle rule is ccmon's alone.
      return undefined;
  }
}

function promRule(rule: AlertRule, generatedAt: Date): PromRule | undefined {
  const expr = expression(rule, generatedAt);
  if (expr === undefined) return undefined;
  const text: Annotations = rule.prometheusAnnotations ?? rule.annotations;
  return {
    alert: rule.name,
    expr,
    ...(rule.forMs > 0 ? { for: promDuration(rule.forMs) } : {}),
    labels: { severity: rule.severity },
    annotations: {
      summary: goTemplate(text.summary, rule.unit),
      description: goTemplate(text.description, rule.unit),
    },
  };
}

/** The rules as a Prometheus rule file (`groups:`), for plain Prometheus and promtool. */
export function prometheusRuleGroups(
  config: AlertsConfig,
  options: Pick<PrometheusRuleOptions, 'generatedAt'> = {},
): { groups: { name: string; rules: PromRule[] }[] } {
  const at = options.generatedAt ?? new Date();
  const rules = alertRules(config)
    .map((r) => promRule(r, at))
    .filter((r): r is PromRule => r !== undefined);
  return { groups: [{ name: 'claude-code', rules }] };
}

/** The PrometheusRule object (monitoring.coreos.com/v1) named claude-code-alerts. */
export function prometheusRule(config: AlertsConfig, options: PrometheusRuleOptions = {}): object {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'claude-code-alerts',
      namespace: options.namespace ?? 'monitoring',
      labels: { 'app.kubernetes.io/part-of': 'ccmon', ...(options.labels ?? { release: 'prometheus' }) },
    },
    spec: prometheusRuleGroups(config, options),
  };
}
