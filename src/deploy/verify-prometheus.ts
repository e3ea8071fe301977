/** The checklist lines Prometheus and Alertmanager answer: target up, metric names, rules, alert routing, a recent client. */
import { apiUrl, httpGet, jsonOf } from './http-get.js';
import type { Finding, VerifyCheck, VerifyTargets } from './verify.js';

const COST_METRIC = 'claude_code_cost_usage_USD_total';

interface PromResponse<T> {
  status?: string;
  data?: T;
  error?: string;
}

async function promGet<T>(t: VerifyTargets, path: string, query: Record<string, string> = {}): Promise<T> {
  const result = await httpGet(apiUrl(t.prometheus ?? '', path, query), { timeoutMs: t.timeoutMs });
  const body = jsonOf(result) as PromResponse<T> | undefined;
  if (result.status !== 200 || body?.status !== 'success' || body.data === undefined)
    throw new Error(
      `Prometheus ${path} answered ${result.status}: ${body?.error ?? result.text.slice(0, 200)}`,
    );
  return body.data;
}

const needsPrometheus = (t: VerifyTargets) => (t.prometheus === undefined ? '--prometheus' : undefined);

interface Target {
  labels?: Record<string, string>;
  scrapePool?: string;
  scrapeUrl?: string;
  health?: string;
  lastError?: string;
}

const target: VerifyCheck = {
  id: 'prometheus-target',
  title: 'Prometheus scraping the collector (target up)',
  missing: needsPrometheus,
  run: async (t) => {
    const data = await promGet<{ activeTargets?: Target[] }>(t, '/api/v1/targets', { state: 'active' });
    const mine = (data.activeTargets ?? []).filter((x) => x.labels?.job === t.job);
    if (mine.length === 0)
      return {
        ok: false,
        detail: `no active target with job="${t.job}"`,
        hint: "Prometheus did not select the ServiceMonitor: its `release` label must match the kube-prometheus-stack release (kubectl -n monitoring get prometheus -o jsonpath='{.items[0].spec.serviceMonitorSelector}'), and the Service needs the label app=otel-collector",
      };
    const down = mine.filter((x) => x.health !== 'up');
    if (down.length > 0)
      return {
        ok: false,
        detail:
          `${down.length} of ${mine.length} ${t.job} target(s) ${down[0]?.health ?? 'down'}: ${down[0]?.scrapeUrl ?? ''} ${down[0]?.lastError ?? ''}`.trim(),
        hint: 'the scrape fails: is the collector pod ready (kubectl -n monitoring get pods -l app=otel-collector) and does its prometheus exporter listen on :8889 (the Service port named metrics)?',
      };
    return {
      ok: true,
      detail: `${mine.length} target(s) up: ${mine.map((x) => x.scrapeUrl ?? '').join(', ')}`,
    };
  },
};

const metricNames: VerifyCheck = {
  id: 'prometheus-metric',
  title: `${COST_METRIC} visible in Prometheus`,
  missing: needsPrometheus,
  run: async (t) => {
    const names = await promGet<string[]>(t, '/api/v1/label/__name__/values');
    const claude = names.filter((n) => n.startsWith('claude_code_'));
    if (names.includes(COST_METRIC))
      return { ok: true, detail: `${claude.length} Claude Code metrics: ${claude.join(', ')}` };
    if (claude.length > 0)
      return {
        ok: false,
        detail: `Claude Code metrics are there under other names: ${claude.join(', ')}`,
        hint: 'the exporter does not add units and _total: remove add_metric_suffixes / translation_strategy / namespace from the prometheus exporter',
      };
    return {
      ok: false,
      detail: 'no claude_code_* metric in Prometheus yet',
      hint: 'no client has sent metrics (or they expired): run `ccmon client check`, then a Claude Code session; metrics arrive after the export interval (60 s) and the next scrape',
    };
  },
};

interface RuleGroup {
  name?: string;
  rules?: { name?: string; type?: string; health?: string; lastError?: string }[];
}

const rules: VerifyCheck = {
  id: 'prometheus-rules',
  title: 'Cost alerts loaded in Prometheus',
  missing: needsPrometheus,
  run: async (t) => {
    const data = await promGet<{ groups?: RuleGroup[] }>(t, '/api/v1/rules');
    const groups = (data.groups ?? []).filter((g) => g.name === t.ruleGroup);
    const loaded = groups.flatMap((g) => g.rules ?? []);
    if (loaded.length === 0)
      return {
        ok: false,
        detail: `no rule group "${t.ruleGroup}" (groups: ${(data.groups ?? []).map((g) => g.name).join(', ') || 'none'})`,
        hint: 'Prometheus did not select the PrometheusRule: its `release` label must match the kube-prometheus-stack release (kubectl -n monitoring get prometheusrules | grep claude)',
      };
    const names = loaded.map((r) => r.name ?? '');
    const absent = t.expectedAlerts.filter((a) => !names.includes(a));
    if (absent.length > 0)
      return {
        ok: false,
        detail: `group ${t.ruleGroup} lacks ${absent.join(', ')} (has ${names.join(', ')})`,
        hint: 'apply the current claude-alerts.yaml (render it again with `ccmon deploy k8s`)',
      };
    const broken = loaded.filter((r) => r.health === 'err');
    if (broken.length > 0)
      return {
        ok: false,
        detail: `rule ${broken[0]?.name ?? ''} fails to evaluate: ${broken[0]?.lastError ?? ''}`,
        hint: 'the rule expression does not work on this Prometheus: look at its rules page',
      };
    return { ok: true, detail: `group ${t.ruleGroup}: ${names.join(', ')}` };
  },
};

const alertmanagers: VerifyCheck = {
  id: 'prometheus-alertmanagers',
  title: 'Prometheus sends alerts to an Alertmanager',
  missing: needsPrometheus,
  run: async (t) => {
    const data = await promGet<{ activeAlertmanagers?: { url?: string }[] }>(t, '/api/v1/alertmanagers');
    const active = data.activeAlertmanagers ?? [];
    if (active.length === 0)
      return {
        ok: false,
        detail: 'Prometheus has no active Alertmanager',
        hint: 'alerts go nowhere: check the alerting section of Prometheus (kube-prometheus-stack: alertmanager.enabled)',
      };
    return { ok: true, detail: active.map((a) => a.url ?? '').join(', ') };
  },
};

const alertmanager: VerifyCheck = {
  id: 'alertmanager',
  title: 'Alertmanager reachable (cost alerts are routed there)',
  missing: (t) => (t.alertmanager === undefined ? '--alertmanager' : undefined),
  run: async (t): Promise<Finding> => {
    const result = await httpGet(apiUrl(t.alertmanager ?? '', '/api/v2/status'), { timeoutMs: t.timeoutMs });
    const body = jsonOf(result) as
      { versionInfo?: { version?: string }; cluster?: { status?: string } } | undefined;
    if (result.status !== 200 || body === undefined)
      return {
        ok: false,
        detail: `/api/v2/status answered ${result.status}`,
        hint: 'is this the Alertmanager URL (port 9093)?',
      };
    return {
      ok: true,
      detail: `Alertmanager ${body.versionInfo?.version ?? '?'}, cluster ${body.cluster?.status ?? '?'} (${result.ms} ms)`,
    };
  },
};

interface Sample {
  metric?: Record<string, string>;
}

/** Counters that moved within the window, or series that appeared in it (a new session), by machine. */
export function recentQuery(windowSeconds: number): string {
  const all = `{__name__=~"claude_code_.+_total"}`;
  return `group by (machine_name) (changes(${all}[${windowSeconds}s]) > 0) or group by (machine_name) (${all} unless ${all} offset ${windowSeconds}s)`;
}

export async function recentMachinesFromPrometheus(t: VerifyTargets): Promise<string[]> {
  const data = await promGet<{ result?: Sample[] }>(t, '/api/v1/query', {
    query: recentQuery(Math.round(t.recentMs / 1000)),
  });
  return [...new Set((data.result ?? []).map((s) => s.metric?.machine_name ?? '(no machine.name)'))].sort();
}

export const PROMETHEUS_CHECKS = { target, metricNames, rules, alertmanagers, alertmanager };
