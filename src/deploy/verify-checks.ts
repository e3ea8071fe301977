/**
 * The Verification Checklist, in the document's order: the collector's (or a standalone ccmon's) health,
 * Prometheus, Loki, Grafana, the alert rules and Alertmanager, and a client sending recently.
 */
import { parse as parseYaml } from 'yaml';
import { apiUrl, httpGet, jsonOf } from './http-get.js';
import { PROMETHEUS_CHECKS, recentMachinesFromPrometheus } from './verify-prometheus.js';
import type { Finding, VerifyCheck, VerifyTargets } from './verify.js';

const collectorHealth: VerifyCheck = {
  id: 'collector-health',
  title: 'Health check endpoint responding on :13133',
  missing: (t) => (t.collectorHealth === undefined ? '--collector-health' : undefined),
  run: async (t) => {
    const result = await httpGet(t.collectorHealth ?? '', { timeoutMs: t.timeoutMs });
    const status = (jsonOf(result) as { status?: string } | undefined)?.status;
    if (result.status === 200) return { ok: true, detail: `${status ?? 'answered 200'} (${result.ms} ms)` };
    return {
      ok: false,
      detail: `answered ${result.status}${status !== undefined ? `: ${status}` : ''}`,
      hint: 'the collector is starting, stopping or unhealthy: kubectl -n monitoring get pods -l app=otel-collector; kubectl -n monitoring logs deploy/otel-collector',
    };
  },
};

const needsCcmon = (t: VerifyTargets) => (t.ccmon === undefined ? '--ccmon' : undefined);

const ccmonStatus: VerifyCheck = {
  id: 'ccmon-status',
  title: 'Standalone ccmon serving (/api/v1/status)',
  missing: needsCcmon,
  run: async (t) => {
    const result = await httpGet(apiUrl(t.ccmon ?? '', '/api/v1/status'), {
      timeoutMs: t.timeoutMs,
      token: t.ccmonToken,
    });
    const body = jsonOf(result) as
      { phase?: string; version?: string; accepted?: number; rejected?: number } | undefined;
    if (result.status === 401)
      return { ok: false, detail: 'answered 401', hint: 'this ccmon requires a token: give --ccmon-token' };
    if (result.status !== 200 || body === undefined)
      return {
        ok: false,
        detail: `answered ${result.status}`,
        hint: 'is this the URL of `ccmon serve --http`?',
      };
    if (body.phase !== 'serving')
      return {
        ok: false,
        detail: `phase ${body.phase ?? '?'}`,
        hint: 'ccmon is starting or stopping; try again',
      };
    return {
      ok: true,
      detail: `ccmon ${body.version ?? '?'} serving; ${body.accepted ?? 0} requests accepted, ${body.rejected ?? 0} rejected`,
    };
  },
};

const ccmonMetrics: VerifyCheck = {
  id: 'ccmon-metrics',
  title: 'Standalone ccmon exposes /metrics for Prometheus',
  missing: needsCcmon,
  run: async (t) => {
    const result = await httpGet(apiUrl(t.ccmon ?? '', '/metrics'), {
      timeoutMs: t.timeoutMs,
      token: t.ccmonToken,
    });
    if (result.status !== 200)
      return {
        ok: false,
        detail: `/metrics answered ${result.status}`,
        hint: 'this ccmon has no /metrics endpoint (an older version?), or it needs --ccmon-token',
      };
    const families = [...result.text.matchAll(/^# TYPE (claude_code_\S+)/gm)].map((m) => m[1] ?? '');
    return {
      ok: true,
      detail:
        families.length > 0
          ? `${families.length} Claude Code families: ${families.join(', ')}`
          : 'answers; no Claude Code series yet',
    };
  },
};

function lokiHeaders(t: VerifyTargets): Record<string, string> {
  return t.lokiTenant !== undefined ? { 'X-Scope-OrgID': t.lokiTenant } : {};
}

const needsLoki = (t: VerifyTargets) => (t.loki === undefined ? '--loki' : undefined);

const lokiConfig: VerifyCheck = {
  id: 'loki-structured-metadata',
  title: 'Loki OTLP ingestion enabled (allow_structured_metadata)',
  missing: needsLoki,
  run: async (t) => {
    const result = await httpGet(apiUrl(t.loki ?? '', '/config'), {
      timeoutMs: t.timeoutMs,
      headers: lokiHeaders(t),
    });
    const manual =
      'kubectl -n monitoring exec deploy/loki -- cat /etc/loki/local-config.yaml | grep -A2 structured_metadata';
    if (result.status !== 200)
      return {
        ok: false,
        detail: `/config answered ${result.status}`,
        hint: `read the setting by hand: ${manual}`,
      };
    let value: unknown;
    try {
      value = (parseYaml(result.text) as { limits_config?: { allow_structured_metadata?: unknown } } | null)
        ?.limits_config?.allow_structured_metadata;
    } catch {
      value = undefined;
    }
    if (value === true) return { ok: true, detail: 'limits_config.allow_structured_metadata: true' };
    return {
      ok: false,
      detail: `limits_config.allow_structured_metadata is ${String(value)}`,
      hint: 'set loki.limits_config.allow_structured_metadata: true in the Loki Helm values and upgrade (OTLP ingestion needs it; schema v13)',
    };
  },
};

interface LokiStream {
  stream?: Record<string, string>;
  values?: [string, string, { structuredMetadata?: Record<string, string> }?][];
}

const lokiEvents: VerifyCheck = {
  id: 'loki-events',
  title: 'Events visible in Loki: {service_name="claude-code"} with event_name',
  missing: needsLoki,
  run: async (t): Promise<Finding> => {
    const endNs = BigInt(Date.now()) * 1_000_000n;
    const startNs = endNs - BigInt(t.eventsSinceMs) * 1_000_000n;
    const query = '{service_name="claude-code"} | event_name!=""';
    const result = await httpGet(
      apiUrl(t.loki ?? '', '/loki/api/v1/query_range', {
        query,
        start: String(startNs),
        end: String(endNs),
        limit: '200',
        direction: 'backward',
      }),
      // Asks Loki 3 to keep structured metadata apart from the stream labels, so where event_name lives shows.
      {
        timeoutMs: t.timeoutMs,
        headers: { ...lokiHeaders(t), 'X-Loki-Response-Encoding-Flags': 'categorize-labels' },
      },
    );
    const body = jsonOf(result) as
      { status?: string; data?: { result?: LokiStream[] }; error?: string } | undefined;
    if (result.status !== 200 || body?.status !== 'success')
      return {
        ok: false,
        detail: `query_range answered ${result.status}: ${(body?.error ?? result.text).slice(0, 200)}`,
        hint: 'Loki refused the query: is this Loki 3 (structured metadata filters need it)?',
      };
    const counts = new Map<string, number>();
    for (const stream of body.data?.result ?? []) {
      for (const entry of stream.values ?? []) {
        const name = entry[2]?.structuredMetadata?.event_name ?? stream.stream?.event_name;
        if (name !== undefined) counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
    if (counts.size === 0)
      return {
        ok: false,
        detail: `no Claude Code events in the last ${Math.round(t.eventsSinceMs / 3_600_000)}h`,
        hint: "events reach Loki through the collector's otlphttp/loki exporter: look for export errors in `kubectl -n monitoring logs deploy/otel-collector`, check allow_structured_metadata, then run a Claude Code session",
      };
    const list = [...counts].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c}`);
    return { ok: true, detail: `event_name: ${list.join(', ')}` };
  },
};

interface GrafanaPanel {
  type?: string;
  panels?: GrafanaPanel[];
}

const grafanaDashboard: VerifyCheck = {
  id: 'grafana-dashboard',
  title: 'Grafana dashboard loaded (33 panels across 8 sections)',
  missing: (t) =>
    t.grafana === undefined ? '--grafana' : t.grafanaToken === undefined ? '--grafana-token' : undefined,
  run: async (t) => {
    const result = await httpGet(
      apiUrl(t.grafana ?? '', `/api/dashboards/uid/${encodeURIComponent(t.dashboardUid)}`),
      {
        timeoutMs: t.timeoutMs,
        token: t.grafanaToken,
      },
    );
    if (result.status === 401 || result.status === 403)
      return {
        ok: false,
        detail: `answered ${result.status}`,
        hint: 'the Grafana token is missing or lacks the Viewer role: create a service account token',
      };
    if (result.status === 404)
      return {
        ok: false,
        detail: `no dashboard with uid ${t.dashboardUid}`,
        hint: 'Grafana\'s sidecar did not load the ConfigMap: it needs the label grafana_dashboard: "1" and the sidecar must watch this namespace (kubectl -n monitoring logs deploy/grafana -c grafana-sc-dashboard)',
      };
    const panels = (jsonOf(result) as { dashboard?: { panels?: GrafanaPanel[]; title?: string } } | undefined)
      ?.dashboard?.panels;
    if (result.status !== 200 || panels === undefined)
      return {
        ok: false,
        detail: `answered ${result.status} without a dashboard`,
        hint: 'is this the Grafana URL?',
      };
    // A collapsed row holds its panels; an expanded one is followed by them.
    const all = panels.flatMap((p) => [p, ...(p.panels ?? [])]);
    const rows = all.filter((p) => p.type === 'row').length;
    const count = all.length - rows;
    if (rows !== t.expectedRows || count !== t.expectedPanels)
      return {
        ok: false,
        detail: `${count} panels in ${rows} rows, expected ${t.expectedPanels} in ${t.expectedRows}`,
        hint: 'an older or edited dashboard is loaded: apply the current claude-dashboard-configmap.yaml',
      };
    return { ok: true, detail: `${count} panels in ${rows} rows (${result.ms} ms)` };
  },
};

const clientRecent: VerifyCheck = {
  id: 'client-recent',
  title: 'Client machine sending Claude Code telemetry',
  missing: (t) =>
    t.prometheus === undefined && t.ccmon === undefined ? '--prometheus or --ccmon' : undefined,
  run: async (t) => {
    const machines =
      t.prometheus !== undefined ? await recentMachinesFromPrometheus(t) : await recentMachinesFromCcmon(t);
    const window = `${Math.round(t.recentMs / 60_000)}m`;
    const hint = `start a Claude Code session on a client (after \`ccmon client setup\`; \`ccmon client check\` tests the path); metrics are exported every 60 s`;
    if (machines.length === 0)
      return { ok: false, detail: `no Claude Code telemetry in the last ${window}`, hint };
    if (t.machine !== undefined && !machines.includes(t.machine))
      return {
        ok: false,
        detail: `${t.machine} sent nothing in the last ${window} (others did: ${machines.join(', ')})`,
        hint,
      };
    return { ok: true, detail: `sent in the last ${window}: ${machines.join(', ')}` };
  },
};

async function recentMachinesFromCcmon(t: VerifyTargets): Promise<string[]> {
  const from = `${Math.max(1, Math.round(t.recentMs / 60_000))}m`;
  const result = await httpGet(apiUrl(t.ccmon ?? '', '/api/v1/report/sessions', { from }), {
    timeoutMs: t.timeoutMs,
    token: t.ccmonToken,
  });
  const rows = jsonOf(result);
  if (result.status !== 200 || !Array.isArray(rows))
    throw new Error(`ccmon /api/v1/report/sessions answered ${result.status}`);
  return [...new Set(rows.map((r: { machine?: string | null }) => r.machine ?? '(no machine.name)'))].sort();
}

const p = PROMETHEUS_CHECKS;

/** In the order of the document's Verification Checklist. */
export const CHECKS: readonly VerifyCheck[] = [
  collectorHealth,
  ccmonStatus,
  ccmonMetrics,
  p.target,
  lokiConfig,
  p.metricNames,
  lokiEvents,
  grafanaDashboard,
  p.rules,
  p.alertmanagers,
  p.alertmanager,
  clientRecent,
];
