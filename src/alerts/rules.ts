/**
 * The alert rules as data, built from the settings. ccmon's evaluator and the PrometheusRule generator
 * both read this list, so a name, threshold, `for` or text cannot differ between the two.
 *
 * Annotation texts are templates: `{{value}}` is the rule's value (formatted by its `unit`) and
 * `{{labels.NAME}}` a label of the alert. The generator turns them into Prometheus' Go templates.
 */
import type { AlertsConfig, Severity, SpendLimitConfig } from './config.js';

/** What the rule measures; each kind has an evaluation in ccmon and (except billing) a PromQL form. */
export type Condition =
  /** spend over `windowMs` above `threshold`, in total or per user / per machine */
  | {
      readonly kind: 'spend';
      readonly windowMs: number;
      readonly threshold: number;
      readonly by?: 'user' | 'machine';
    }
  /** no spend over `windowMs`, checked only inside the local working-hours window */
  | {
      readonly kind: 'no_activity';
      readonly windowMs: number;
      readonly timezone: string;
      readonly days: readonly number[];
      readonly fromMinute: number;
      readonly toMinute: number;
    }
  /**
   * ccmon: a machine that sent in the last `lookbackMs` has been silent for `silenceMs` (per machine).
   * Prometheus: the Collector's scrape target `job` is down or missing.
   */
  | {
      readonly kind: 'silence';
      readonly silenceMs: number;
      readonly lookbackMs: number;
      readonly job: string;
    }
  /** spend since the billing day, projected linearly to the cycle's end, above `budget` */
  | {
      readonly kind: 'billing_budget';
      readonly budget: number;
      readonly billingDay: number;
      readonly minElapsedMs: number;
      readonly timezone: string;
    };

export interface Annotations {
  readonly summary: string;
  readonly description: string;
}

export interface AlertRule {
  readonly name: string;
  readonly severity: Severity;
  readonly forMs: number;
  readonly condition: Condition;
  /** how `{{value}}` is written: dollars with cents, or a duration */
  readonly unit: 'usd' | 'duration';
  readonly annotations: Annotations;
  /** texts for the PrometheusRule where its meaning differs from ccmon's (the collector rule) */
  readonly prometheusAnnotations?: Annotations;
}

/** "24 hours", "10 minutes", "1 day 6 hours": how windows read in alert texts. */
export function describeDuration(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  if (ms % 86_400_000 === 0 && ms / 3_600_000 <= 48) return plural(ms / 3_600_000, 'hour');
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(plural(n, name));
    rest -= n * size;
  }
  return parts.length === 0 ? `${ms} ms` : parts.slice(0, 2).join(' ');
}

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** A configured amount as written in texts: "$25", "$0.5", "$0.001" (never rounded to a misleading "$0"). */
export function dollars(n: number): string {
  return `$${String(n)}`;
}

function dailySpend(name: string, c: SpendLimitConfig, extraDescription: string): AlertRule {
  const window = describeDuration(c.windowMs);
  const daily = c.windowMs === 86_400_000;
  return {
    name,
    severity: c.severity,
    forMs: c.forMs,
    condition: { kind: 'spend', windowMs: c.windowMs, threshold: c.threshold },
    unit: 'usd',
    annotations: {
      summary: daily
        ? `Claude Code daily spend exceeds ${dollars(c.threshold)}`
        : `Claude Code spend over ${window} exceeds ${dollars(c.threshold)}`,
      description: `Claude Code has spent \${{value}} in the last ${window}.${extraDescription}`,
    },
  };
}

function groupSpend(name: string, c: SpendLimitConfig, by: 'user' | 'machine'): AlertRule {
  const window = describeDuration(c.windowMs);
  return {
    name,
    severity: c.severity,
    forMs: c.forMs,
    condition: { kind: 'spend', windowMs: c.windowMs, threshold: c.threshold, by },
    unit: 'usd',
    annotations: {
      summary: `Claude Code spend of ${by} {{labels.${by}}} exceeds ${dollars(c.threshold)} in ${window}`,
      description: `${by === 'user' ? 'User' : 'Machine'} {{labels.${by}}} has spent \${{value}} in the last ${window}.`,
    },
  };
}

function clockText(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The enabled rules, in a fixed order (the original four first). */
export function alertRules(config: AlertsConfig): AlertRule[] {
  const r = config.rules;
  const rules: AlertRule[] = [];
  if (r.highDailySpend.enabled) rules.push(dailySpend('ClaudeCodeHighDailySpend', r.highDailySpend, ''));
  if (r.criticalDailySpend.enabled)
    rules.push(dailySpend('ClaudeCodeCriticalDailySpend', r.criticalDailySpend, ' Review active sessions.'));
  if (r.noActivity.enabled) {
    const n = r.noActivity;
    rules.push({
      name: 'ClaudeCodeNoActivity',
      severity: n.severity,
      forMs: n.forMs,
      condition: {
        kind: 'no_activity',
        windowMs: n.windowMs,
        timezone: config.timezone,
        days: n.days,
        fromMinute: n.fromMinute,
        toMinute: n.toMinute,
      },
      unit: 'usd',
      annotations: {
        summary: 'No Claude Code activity today',
        description:
          `No Claude Code usage detected in the last ${describeDuration(n.windowMs)} ` +
          `(checked ${clockText(n.fromMinute)}-${clockText(n.toMinute)} ${config.timezone}). ` +
          'Telemetry pipeline may need attention.',
      },
    });
  }
  if (r.collectorDown.enabled) {
    const c = r.collectorDown;
    rules.push({
      name: 'OTelCollectorDown',
      severity: c.severity,
      forMs: c.forMs,
      condition: { kind: 'silence', silenceMs: c.silenceMs, lookbackMs: c.lookbackMs, job: c.job },
      unit: 'duration',
      annotations: {
        summary: 'No telemetry from machine {{labels.machine}}',
        description:
          'Machine {{labels.machine}} sent Claude Code telemetry until {{value}} ago and nothing since. ' +
          'Its telemetry is not being collected.',
      },
      prometheusAnnotations: {
        summary: 'OTel Collector is unreachable',
        description:
          'Prometheus cannot scrape OTel Collector metrics. Claude Code telemetry is not being collected.',
      },
    });
  }
  if (r.billingBudget.enabled) {
    const b = r.billingBudget;
    rules.push({
      name: 'ClaudeCodeBillingCycleBudget',
      severity: b.severity,
      forMs: b.forMs,
      condition: {
        kind: 'billing_budget',
        budget: b.budget,
        billingDay: b.billingDay,
        minElapsedMs: b.minElapsedMs,
        timezone: config.timezone,
      },
      unit: 'usd',
      annotations: {
        summary: `Claude Code is on course to exceed the ${dollars(b.budget)} billing-cycle budget`,
        description:
          `At the rate since the billing day (${b.billingDay}), Claude Code will have spent \${{value}} by the ` +
          `end of this cycle; the budget is ${dollars(b.budget)}.`,
      },
    });
  }
  if (r.userDailyLimit.enabled) rules.push(groupSpend('ClaudeCodeUserDailySpend', r.userDailyLimit, 'user'));
  if (r.machineDailyLimit.enabled)
    rules.push(groupSpend('ClaudeCodeMachineDailySpend', r.machineDailyLimit, 'machine'));
  return rules;
}

/** Fills `{{value}}` and `{{labels.x}}` for ccmon's own notifications and API. */
export function renderTemplate(
  template: string,
  value: number,
  unit: AlertRule['unit'],
  labels: Readonly<Record<string, string>>,
): string {
  return template.replace(/\{\{(value|labels\.([A-Za-z_][A-Za-z0-9_]*))\}\}/g, (_m, _all, label?: string) =>
    label !== undefined ? (labels[label] ?? '') : unit === 'usd' ? value.toFixed(2) : humanDuration(value),
  );
}

/** Seconds as Prometheus' humanizeDuration writes them ("12m 5s"). */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  let s = Math.floor(Math.abs(seconds));
  const parts: string[] = [];
  for (const [size, suffix] of [
    [86_400, 'd'],
    [3600, 'h'],
    [60, 'm'],
  ] as const) {
    // Once a larger unit is written, the smaller ones follow even when zero ("1h 0m 5s").
    if (s >= size || parts.length > 0) {
      parts.push(`${Math.floor(s / size)}${suffix}`);
      s %= size;
    }
  }
  parts.push(`${s}s`);
  return (seconds < 0 ? '-' : '') + parts.join(' ');
}
