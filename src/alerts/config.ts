/**
 * The `alerts:` section of the config file: thresholds, windows, the working-hours window, the time
 * zone and the receivers. Defaults are the original PrometheusRule's values; everything is validated
 * here, once, with messages that name the bad setting.
 */
import { ConfigError } from '../config/values.js';
import { Section, type Severity } from './config-section.js';
import { receivers, type ReceiverConfig } from './receiver-config.js';
import { checkTimeZone } from './timezone.js';

export type { Severity } from './config-section.js';
export type { ReceiverConfig, ReceiverType } from './receiver-config.js';

export interface SpendLimitConfig {
  readonly enabled: boolean;
  readonly severity: Severity;
  /** USD; the rule fires above it */
  readonly threshold: number;
  readonly windowMs: number;
  readonly forMs: number;
}

export interface NoActivityConfig {
  readonly enabled: boolean;
  readonly severity: Severity;
  /** how far back any spend counts as activity */
  readonly windowMs: number;
  readonly forMs: number;
  /** local weekdays the check runs on, 0 = Sunday */
  readonly days: readonly number[];
  /** local minutes after midnight: the check runs in [fromMinute, toMinute) */
  readonly fromMinute: number;
  readonly toMinute: number;
}

export interface CollectorDownConfig {
  readonly enabled: boolean;
  readonly severity: Severity;
  readonly forMs: number;
  /** standalone: a machine silent this long counts as down */
  readonly silenceMs: number;
  /** standalone: only machines that sent within this span are watched */
  readonly lookbackMs: number;
  /** cluster: the Collector's scrape job, for up{job="..."} */
  readonly job: string;
}

export interface BillingBudgetConfig {
  readonly enabled: boolean;
  readonly severity: Severity;
  /** USD per billing cycle; 0 when not configured */
  readonly budget: number;
  /** 1..28: the cycle starts on this day of the month, 00:00 in the alerts' time zone */
  readonly billingDay: number;
  readonly forMs: number;
  /** the projection is trusted only after this much of the cycle; actual spend over budget fires at once */
  readonly minElapsedMs: number;
}

export interface AlertsConfig {
  readonly enabled: boolean;
  readonly intervalMs: number;
  /** IANA zone of the working-hours window and the billing cycle */
  readonly timezone: string;
  /** base URL put in notifications (generatorURL); default: the server's own API address */
  readonly externalUrl: string | undefined;
  readonly rules: {
    readonly highDailySpend: SpendLimitConfig;
    readonly criticalDailySpend: SpendLimitConfig;
    readonly noActivity: NoActivityConfig;
    readonly collectorDown: CollectorDownConfig;
    readonly billingBudget: BillingBudgetConfig;
    readonly userDailyLimit: SpendLimitConfig;
    readonly machineDailyLimit: SpendLimitConfig;
  };
  readonly receivers: readonly ReceiverConfig[];
}

const SPEND_KEYS = ['enabled', 'severity', 'threshold', 'window', 'for'];

/** Threshold rules; `optional` ones (per user, per machine) stay off until a threshold is given. */
function spendLimit(
  parent: Section,
  key: string,
  defaults: { threshold?: number; severity: Severity },
): SpendLimitConfig {
  const s = Section.of(parent.name(key), parent.get(key), SPEND_KEYS);
  const threshold = s.number('threshold', defaults.threshold, 0, 'an amount of USD, such as 25 or 0.5');
  if (defaults.threshold === undefined && s.bool('enabled', false) && threshold === undefined)
    throw new ConfigError(`${s.name('threshold')}: needed to enable this rule`);
  return {
    enabled: s.bool('enabled', true) && threshold !== undefined,
    severity: s.severity(defaults.severity),
    threshold: threshold ?? 0,
    windowMs: s.duration('window', '24h', 1000),
    forMs: s.forDuration('5m'),
  };
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function days(s: Section): number[] {
  const v = s.get('days');
  if (v === undefined || v === null) return [1, 2, 3, 4, 5];
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : undefined;
  const out = (list ?? []).map((d) => DAY_NAMES.indexOf(String(d).trim().toLowerCase().slice(0, 3)));
  if (list === undefined || out.length === 0 || out.includes(-1))
    throw new ConfigError(
      `${s.name('days')}: expected a list of weekdays such as [mon, tue, wed, thu, fri], got "${String(v)}"`,
    );
  return [...new Set(out)].sort((a, b) => a - b);
}

/** "17:00" -> 1020; "24:00" is allowed as the end of the day. */
function clock(s: Section, key: string, fallback: string): number {
  const text = s.string(key, fallback);
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > 1440)
    throw new ConfigError(`${s.name(key)}: expected a local time such as 17:00, got "${text}"`);
  return minutes;
}

function noActivity(parent: Section): NoActivityConfig {
  const s = Section.of(parent.name('no-activity'), parent.get('no-activity'), [
    'enabled',
    'severity',
    'window',
    'for',
    'days',
    'from',
    'to',
  ]);
  const fromMinute = clock(s, 'from', '17:00');
  const toMinute = clock(s, 'to', '18:00');
  if (toMinute <= fromMinute)
    throw new ConfigError(`${s.name('to')}: must be later than ${s.name('from')} on the same day`);
  return {
    enabled: s.bool('enabled', true),
    severity: s.severity('info'),
    windowMs: s.duration('window', '8h', 1000),
    forMs: s.forDuration('5m'),
    days: days(s),
    fromMinute,
    toMinute,
  };
}

function collectorDown(parent: Section): CollectorDownConfig {
  const s = Section.of(parent.name('collector-down'), parent.get('collector-down'), [
    'enabled',
    'severity',
    'for',
    'silence',
    'lookback',
    'job',
  ]);
  const silenceMs = s.duration('silence', '10m', 1000);
  const lookbackMs = s.duration('lookback', '1h', 1000);
  if (lookbackMs <= silenceMs)
    throw new ConfigError(`${s.name('lookback')}: must be longer than ${s.name('silence')}`);
  const job = s.string('job', 'otel-collector');
  if (/["\\\n]/.test(job))
    throw new ConfigError(`${s.name('job')}: must not contain quotes, backslashes or newlines`);
  return {
    enabled: s.bool('enabled', true),
    severity: s.severity('critical'),
    forMs: s.forDuration('2m'),
    silenceMs,
    lookbackMs,
    job,
  };
}

function billingBudget(parent: Section): BillingBudgetConfig {
  const s = Section.of(parent.name('billing-budget'), parent.get('billing-budget'), [
    'enabled',
    'severity',
    'budget',
    'billing-day',
    'for',
    'min-elapsed',
  ]);
  const budget = s.number('budget', undefined, 0, 'an amount of USD per billing cycle, such as 500');
  const billingDay = s.number('billing-day', 1, 1, 'a day of the month from 1 to 28') ?? 1;
  if (!Number.isInteger(billingDay) || billingDay > 28)
    throw new ConfigError(
      `${s.name('billing-day')}: expected a day of the month from 1 to 28, got "${String(s.get('billing-day'))}"`,
    );
  if (s.bool('enabled', false) && budget === undefined)
    throw new ConfigError(`${s.name('budget')}: needed to enable this rule`);
  return {
    enabled: s.bool('enabled', true) && budget !== undefined && budget > 0,
    severity: s.severity('warning'),
    budget: budget ?? 0,
    billingDay,
    forMs: s.forDuration('5m'),
    minElapsedMs: s.duration('min-elapsed', '1d', 1000),
  };
}

/** Validates the `alerts:` section (undefined: all defaults). Throws ConfigError naming the bad setting. */
export function parseAlertsConfig(raw: unknown): AlertsConfig {
  const top = Section.of('alerts', raw, [
    'enabled',
    'interval',
    'timezone',
    'external-url',
    'rules',
    'receivers',
  ]);
  const rules = Section.of('alerts.rules', top.get('rules'), [
    'high-daily-spend',
    'critical-daily-spend',
    'no-activity',
    'collector-down',
    'billing-budget',
    'user-daily-limit',
    'machine-daily-limit',
  ]);
  const timezone = top.string('timezone', 'UTC');
  try {
    checkTimeZone(timezone);
  } catch (error) {
    throw new ConfigError(`alerts.timezone: ${error instanceof Error ? error.message : String(error)}`);
  }
  const externalUrl = top.has('external-url')
    ? top.string('external-url', '').replace(/\/+$/, '')
    : undefined;
  if (externalUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(externalUrl))
    throw new ConfigError(`alerts.external-url: expected an http:// or https:// URL, got "${externalUrl}"`);
  return {
    enabled: top.bool('enabled', true),
    intervalMs: top.duration('interval', '30s', 100),
    timezone,
    externalUrl,
    rules: {
      highDailySpend: spendLimit(rules, 'high-daily-spend', { threshold: 25, severity: 'warning' }),
      criticalDailySpend: spendLimit(rules, 'critical-daily-spend', { threshold: 50, severity: 'critical' }),
      noActivity: noActivity(rules),
      collectorDown: collectorDown(rules),
      billingBudget: billingBudget(rules),
      userDailyLimit: spendLimit(rules, 'user-daily-limit', { severity: 'warning' }),
      machineDailyLimit: spendLimit(rules, 'machine-daily-limit', { severity: 'warning' }),
    },
    receivers: receivers(top.get('receivers')),
  };
}

export function defaultAlertsConfig(): AlertsConfig {
  return parseAlertsConfig(undefined);
}
