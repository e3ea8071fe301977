import { parseAlertsConfig } from '../alerts/config.js';
import { readConfigSection } from '../config/config-file.js';
import { ConfigError, parseDurationMs } from '../config/values.js';
import { CHECKS } from '../deploy/verify-checks.js';
import { exitCode, renderJson, renderTable, runChecks, type VerifyTargets } from '../deploy/verify.js';
import { prometheusRule } from '../exporters/prometheus-rule.js';
import { parse, UsageError } from './args.js';
import type { Command } from './main.js';

const HELP = `Usage: ccmon verify [endpoints] [options]

The design document's Verification Checklist against live endpoints: the collector's health check,
Prometheus scraping it, the Claude Code metric names, Loki's OTLP events, the Grafana dashboard, the
alert rules and Alertmanager, and a client sending recently. A check whose endpoint is not given is
skipped (failed with --strict). Exit 0 when nothing failed, 1 otherwise. Port-forward what is not
exposed, e.g. kubectl -n monitoring port-forward svc/prometheus-operated 9090.

Endpoints:
  --collector-health URL   the collector's health_check (http://10.10.30.22:13133/), or a ccmon's --health
  --prometheus URL         Prometheus (http://localhost:9090)
  --alertmanager URL       Alertmanager (http://localhost:9093)
  --loki URL               Loki (http://localhost:3100); --loki-tenant ID sends X-Scope-OrgID
  --grafana URL            Grafana, with --grafana-token T (env CCMON_GRAFANA_TOKEN)
  --ccmon URL              a standalone ccmon's API (http://127.0.0.1:4380), with --ccmon-token T (env CCMON_TOKEN)

Options:
  --job NAME               the collector's scrape job (default otel-collector)
  --rule-group NAME        the alert rule group (default: the generated rules' group)
  --dashboard-uid UID      default claude-code-monitoring
  --recent DURATION        a client counts as sending when it sent within this (default 15m)
  --events-since DURATION  how far back to look for events in Loki (default 24h)
  --machine NAME           this machine.name must be among the recent senders
  --timeout DURATION       per request (default 10s)
  --config FILE            settings file whose alerts: section the expected rules come from
  --json                   print JSON
  --strict                 a check that cannot run (endpoint not given) fails
  -h, --help               show this help`;

const options = {
  'collector-health': { type: 'string' },
  prometheus: { type: 'string' },
  alertmanager: { type: 'string' },
  loki: { type: 'string' },
  'loki-tenant': { type: 'string' },
  grafana: { type: 'string' },
  'grafana-token': { type: 'string' },
  ccmon: { type: 'string' },
  'ccmon-token': { type: 'string' },
  job: { type: 'string' },
  'rule-group': { type: 'string' },
  'dashboard-uid': { type: 'string' },
  recent: { type: 'string' },
  'events-since': { type: 'string' },
  machine: { type: 'string' },
  timeout: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  strict: { type: 'boolean' },
} as const;

const ENDPOINTS = ['collector-health', 'prometheus', 'alertmanager', 'loki', 'grafana', 'ccmon'] as const;

function url(flag: string, raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return raw;
  } catch {
    // reported below
  }
  throw new ConfigError(`--${flag}: expected an http(s) URL, got "${raw}"`);
}

/** The alert rules `deploy k8s` renders: their group name and alert names are what must be loaded. */
function expectedRules(configPath: string | undefined): { group: string; alerts: string[] } {
  const rule = prometheusRule(parseAlertsConfig(readConfigSection(configPath, 'alerts') ?? {})) as {
    spec?: { groups?: { name?: string; rules?: { alert?: string }[] }[] };
  };
  const group = rule.spec?.groups?.[0];
  return {
    group: group?.name ?? 'claude-code',
    alerts: (group?.rules ?? []).flatMap((r) => (r.alert !== undefined ? [r.alert] : [])),
  };
}

export const verifyCommand: Command = {
  summary: "check a deployment against the design document's Verification Checklist",
  async run(args) {
    const { values, positionals } = parse(args, options, 'verify');
    if (values.help === true) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected arguments: ${positionals.join(' ')}`);
    const v = values as Record<string, string | boolean | undefined>;
    const str = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
    if (ENDPOINTS.every((e) => str(e) === undefined))
      throw new UsageError(
        `give at least one endpoint (${ENDPOINTS.map((e) => `--${e}`).join(', ')})\nRun \`ccmon verify --help\` for the options.`,
      );
    const rules = expectedRules(str('config'));
    const ruleGroup = str('rule-group') ?? rules.group;
    const targets: VerifyTargets = {
      collectorHealth: url('collector-health', str('collector-health')),
      prometheus: url('prometheus', str('prometheus')),
      alertmanager: url('alertmanager', str('alertmanager')),
      loki: url('loki', str('loki')),
      lokiTenant: str('loki-tenant'),
      grafana: url('grafana', str('grafana')),
      grafanaToken: str('grafana-token') ?? process.env.CCMON_GRAFANA_TOKEN,
      ccmon: url('ccmon', str('ccmon')),
      ccmonToken: str('ccmon-token') ?? process.env.CCMON_TOKEN,
      job: str('job') ?? 'otel-collector',
      ruleGroup,
      expectedAlerts: ruleGroup === rules.group ? rules.alerts : [],
      dashboardUid: str('dashboard-uid') ?? 'claude-code-monitoring',
      expectedRows: 8,
      expectedPanels: 33,
      recentMs: parseDurationMs('--recent', str('recent') ?? '15m'),
      eventsSinceMs: parseDurationMs('--events-since', str('events-since') ?? '24h'),
      machine: str('machine'),
      timeoutMs: parseDurationMs('--timeout', str('timeout') ?? '10s'),
    };
    const outcomes = await runChecks(CHECKS, targets, v.strict === true);
    process.stdout.write(v.json === true ? renderJson(outcomes) : renderTable(outcomes));
    return exitCode(outcomes);
  },
};
