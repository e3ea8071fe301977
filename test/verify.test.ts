/**
 * `ccmon verify` against live endpoints: a standalone ccmon fed by a real Claude Code session, scraped by a
 * real Prometheus (with the rules from the rendered claude-alerts.yaml loaded as rule_files) that sends to a
 * real Alertmanager. Loki and Grafana do not run here: they are small local servers answering the few API
 * calls verify makes, shaped after those APIs' documentation (test/support/fake-observability.ts); the fake
 * Grafana serves the dashboard JSON from the rendered claude-dashboard-configmap.yaml, as the sidecar would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { renderFiles } from '../src/deploy/render.js';
import { resolveDeployConfig } from '../src/deploy/settings.js';
import type { Outcome } from '../src/deploy/verify.js';
import { runSessions } from './support/claude-sessions.js';
import { runCli } from './support/cli.js';
import { deployParts } from './support/deploy-parts.js';
import {
  startFakeGrafana,
  startFakeLoki,
  type FakeGrafanaState,
  type FakeLokiState,
  type FakeServer,
} from './support/fake-observability.js';
import { eventually, startAlertmanager, startPrometheus, type Running } from './support/prom-stack.js';
import { startTestServer, type TestServer } from './support/server.js';

const GRAFANA_TOKEN = 'glsa_test_token';

function rendered(name: string): { data?: Record<string, string>; spec?: { groups?: unknown[] } } {
  const config = resolveDeployConfig({});
  const file = renderFiles(config, deployParts(config)).find((f) => f.name === name);
  return parse((file?.text ?? '').replace(/^(#.*\n)*---\n/, '')) as {
    data?: Record<string, string>;
    spec?: { groups?: unknown[] };
  };
}

async function promData(url: string): Promise<unknown> {
  const body = (await (await fetch(url)).json()) as { data?: unknown };
  return body.data;
}

describe('ccmon verify against live endpoints', { timeout: 170_000 }, () => {
  let ccmon: TestServer;
  let alertmanager: Running;
  let prometheus: Running;
  let loki: FakeServer;
  let grafana: FakeServer;
  const lokiState: FakeLokiState = { allowStructuredMetadata: true, events: [] };
  const grafanaState: FakeGrafanaState = { token: GRAFANA_TOKEN, dashboards: new Map() };

  before(async () => {
    ccmon = await startTestServer();
    await runSessions(ccmon, [{ name: 'verify', protocol: 'grpc', lines: 3, machine: 'verify-host' }]);
    alertmanager = await startAlertmanager();
    prometheus = await startPrometheus({
      targets: [new URL(ccmon.apiUrl).host],
      ruleGroups: rendered('claude-alerts.yaml').spec?.groups ?? [],
      alertmanager: new URL(alertmanager.url).host,
    });
    const now = Date.now();
    lokiState.events.push(
      { timeMs: now - 60_000, eventName: 'user_prompt', sessionId: 's1' },
      { timeMs: now - 59_000, eventName: 'api_request', sessionId: 's1' },
      { timeMs: now - 58_000, eventName: 'tool_result', sessionId: 's1' },
    );
    loki = await startFakeLoki(lokiState);
    const json = rendered('claude-dashboard-configmap.yaml').data?.['claude-code-monitoring.json'] ?? '{}';
    grafanaState.dashboards.set('claude-code-monitoring', JSON.parse(json) as object);
    grafana = await startFakeGrafana(grafanaState);
    const p = prometheus.url;
    await eventually('Prometheus to scrape the Claude Code cost', async () =>
      ((await promData(`${p}/api/v1/label/__name__/values`)) as string[]).includes(
        'claude_code_cost_usage_USD_total',
      ),
    );
    await eventually(
      'Prometheus to find the Alertmanager',
      async () =>
        (
          ((await promData(`${p}/api/v1/alertmanagers`)) as { activeAlertmanagers: unknown[] })
            .activeAlertmanagers ?? []
        ).length > 0,
    );
  });

  after(async () => {
    await Promise.all([prometheus?.stop(), alertmanager?.stop(), loki?.close(), grafana?.close()]);
    await ccmon?.stop();
  });

  const args = (): string[] => [
    'verify',
    '--collector-health',
    `${ccmon.healthUrl}/`,
    '--ccmon',
    ccmon.apiUrl,
    '--prometheus',
    prometheus.url,
    '--alertmanager',
    alertmanager.url,
    '--loki',
    loki.url,
    '--grafana',
    grafana.url,
    '--grafana-token',
    GRAFANA_TOKEN,
    '--machine',
    'verify-host',
    '--timeout',
    '3s',
  ];

  async function verify(
    extra: string[] = [],
    base = args(),
  ): Promise<{ code: number | null; checks: Map<string, Outcome> }> {
    const result = await runCli([...base, ...extra, '--json']);
    assert.equal(result.stderr, '');
    const body = JSON.parse(result.stdout) as { checks: Outcome[] };
    return { code: result.code, checks: new Map(body.checks.map((c) => [c.id, c])) };
  }

  it('passes every check of the list against a working deployment', async () => {
    const { code, checks } = await verify();
    const failed = [...checks.values()].filter((c) => c.status !== 'pass');
    assert.deepEqual(failed, []);
    assert.equal(code, 0);
    assert.equal(checks.size, 12);
    assert.match(checks.get('prometheus-rules')?.detail ?? '', /ClaudeCodeHighDailySpend.*OTelCollectorDown/);
    assert.match(checks.get('client-recent')?.detail ?? '', /verify-host/);
    assert.match(checks.get('loki-events')?.detail ?? '', /api_request 1/);
    // The table a person reads.
    const table = await runCli(args());
    assert.equal(table.code, 0, table.stdout);
    assert.match(table.stdout, /^pass +Prometheus scraping the collector \(target up\)/m);
    assert.match(table.stdout, /12 passed, 0 failed, 0 skipped/);
  });

  it('skips a check whose endpoint is not given, and fails it with --strict', async () => {
    const only = ['verify', '--prometheus', prometheus.url];
    const loose = await verify([], only);
    assert.equal(loose.code, 0);
    assert.equal(loose.checks.get('loki-events')?.status, 'skip');
    assert.match(loose.checks.get('grafana-dashboard')?.detail ?? '', /--grafana not given/);
    assert.equal(loose.checks.get('prometheus-target')?.status, 'pass');
    const strict = await verify(['--strict'], only);
    assert.equal(strict.code, 1);
    assert.equal(strict.checks.get('loki-events')?.status, 'fail');
  });

  it('says what to do when Loki or Grafana is not set up right', async () => {
    grafanaState.token = 'another-token';
    lokiState.allowStructuredMetadata = false;
    const { code, checks } = await verify();
    assert.equal(code, 1);
    assert.match(checks.get('grafana-dashboard')?.hint ?? '', /service account token/);
    assert.match(checks.get('loki-structured-metadata')?.hint ?? '', /allow_structured_metadata: true/);
    assert.match(checks.get('loki-events')?.hint ?? '', /otlphttp\/loki/);
    grafanaState.token = GRAFANA_TOKEN;
    grafanaState.dashboards.clear();
    lokiState.allowStructuredMetadata = true;
    const missing = await verify();
    assert.match(missing.checks.get('grafana-dashboard')?.hint ?? '', /grafana_dashboard: "1"/);
    assert.equal(missing.checks.get('loki-events')?.status, 'pass');
  });

  it('fails the Alertmanager check with a hint when Alertmanager is stopped', async () => {
    await alertmanager.stop();
    const { code, checks } = await verify();
    assert.equal(code, 1);
    const check = checks.get('alertmanager');
    assert.equal(check?.status, 'fail');
    assert.match(check?.detail ?? '', /connection refused/);
    assert.match(check?.hint ?? '', /did not answer/);
    assert.equal(checks.get('prometheus-target')?.status, 'pass');
  });

  it('fails the health and scrape checks with hints when the collector (here ccmon) is stopped', async () => {
    await ccmon.stop();
    await eventually('Prometheus to see the target down', async () => {
      const data = (await promData(`${prometheus.url}/api/v1/targets`)) as {
        activeTargets: { health: string }[];
      };
      return data.activeTargets[0]?.health === 'down';
    });
    const { code, checks } = await verify();
    assert.equal(code, 1);
    assert.equal(checks.get('collector-health')?.status, 'fail');
    assert.match(checks.get('collector-health')?.hint ?? '', /did not answer/);
    const target = checks.get('prometheus-target');
    assert.equal(target?.status, 'fail');
    assert.match(target?.hint ?? '', /the scrape fails/);
    assert.equal(checks.get('prometheus-rules')?.status, 'pass', 'the rules stay loaded');
  });
});
