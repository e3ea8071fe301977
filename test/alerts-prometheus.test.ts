/**
 * One set of rules, two evaluators, one decision: real Claude Code sessions send to ccmon; ccmon's
 * evaluator reads its store while a real Prometheus scrapes ccmon's /metrics and evaluates the
 * generated rules. Thresholds are set around the measured spend (the total between the two
 * daily-spend thresholds, per machine and per user between the smallest and the largest), so each
 * rule has a side to be on; both must put every rule and label set on the same side, with the same value.
 *
 * Prometheus first scrapes after the sessions ended, so every session's series is first seen with
 * its whole value: the generated expressions must count those first samples (increase() would not).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAlertsConfig, type AlertsConfig } from '../src/alerts/config.js';
import type { AlertsView } from '../src/alerts/evaluator.js';
import { spendBetween, spendBetweenBy } from '../src/alerts/measures.js';
import { prometheusRuleGroups } from '../src/exporters/prometheus-rule.js';
import { runSessions } from './support/claude-sessions.js';
import { eventually, startPrometheus, type Running } from './support/prom-stack.js';
import { scrapeAfter } from './support/prometheus-api.js';
import { startTestServer, tempDir, type TestServer } from './support/server.js';

const JOB = 'otel-collector';

interface PromAlert {
  labels: Record<string, string>;
  state: string;
  value: string;
}

/** "alertname {labels}" for a firing alert, without the severity both sides add. */
function key(name: string, labels: Record<string, string>): string {
  const rest = Object.entries(labels)
    .filter(([k]) => k !== 'alertname' && k !== 'severity')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return `${name} ${JSON.stringify(Object.fromEntries(rest))}`;
}

function between(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const lo = sorted[0] ?? 0;
  const hi = sorted[sorted.length - 1] ?? 0;
  return lo === hi ? lo / 2 : (lo + hi) / 2;
}

describe('ccmon and Prometheus agree on the generated rules', () => {
  const dataDir = tempDir();
  let server: TestServer;
  let prometheus: Running;
  let config: AlertsConfig;

  before(async () => {
    const first = await startTestServer({ dataDir });
    await runSessions(first, [
      { name: 'cheap', protocol: 'grpc', lines: 2 },
      { name: 'dear', protocol: 'http/protobuf', lines: 9, command: 'sleep 1 && echo ok' },
    ]);
    const now = Date.now() + 1000;
    const measured = await first.db.withRead(async (r) => ({
      total: await spendBetween(r, now - 86_400_000, now),
      machines: (await spendBetweenBy(r, 'machine', now - 86_400_000, now)).map((m) => m.usd),
      users: (await spendBetweenBy(r, 'user', now - 86_400_000, now)).map((u) => u.usd),
    }));
    await first.stop();
    assert.ok(measured.total > 0 && measured.machines.length === 2);

    config = parseAlertsConfig({
      interval: '500ms',
      rules: {
        'high-daily-spend': { threshold: measured.total / 2, for: 0 },
        'critical-daily-spend': { threshold: measured.total * 2, for: 0 },
        'machine-daily-limit': { threshold: between(measured.machines), for: 0 },
        'user-daily-limit': { threshold: between(measured.users), for: 0 },
      },
    });
    server = await startTestServer({ dataDir }, config);
    prometheus = await startPrometheus({
      targets: [server.apiUrl.replace(/^http:\/\//, '')],
      ruleGroups: prometheusRuleGroups(config).groups,
    });
  });

  after(async () => {
    await prometheus?.stop();
    await server?.stop();
  });

  it('fires the same alerts, with the same values', async (t) => {
    await scrapeAfter(prometheus.url, JOB, Date.now());
    // An evaluation that starts after the scrape's start may still run before its samples are
    // committed (its first rules then see none, the later ones all): only one that starts after they
    // became visible counts.
    const scraped = Date.now();
    let promAlerts: PromAlert[] = [];
    await eventually(
      'Prometheus to evaluate the rules after a scrape of everything',
      async () => {
        const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
          data: { groups: { lastEvaluation: string }[] };
        };
        if (!(Date.parse(rules.data.groups[0]?.lastEvaluation ?? '') > scraped)) return false;
        const answer = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as {
          data: { alerts: PromAlert[] };
        };
        promAlerts = answer.data.alerts;
        return true;
      },
      30_000,
    );
    // ccmon evaluates every 500 ms; give it two rounds after the restart.
    await new Promise((r) => setTimeout(r, 1500));
    const ccmon = (await (await fetch(`${server.apiUrl}/api/v1/alerts`)).json()) as AlertsView;

    const inProm = new Map(
      promAlerts
        .filter((a) => a.state === 'firing')
        .map((a) => [key(a.labels.alertname ?? '', a.labels), Number(a.value)]),
    );
    const inCcmon = new Map(
      ccmon.rules.filter((r) => r.state === 'firing').map((r) => [key(r.name, r.labels), r.value]),
    );
    t.diagnostic(`firing in both: ${[...inCcmon].map(([k, v]) => `${k} = ${v}`).join('; ')}`);
    assert.deepEqual([...inCcmon.keys()].sort(), [...inProm.keys()].sort());
    for (const [k, value] of inCcmon) {
      const other = inProm.get(k) ?? NaN;
      assert.ok(
        Math.abs(value - other) <= 1e-9 * Math.max(1, Math.abs(value)),
        `${k}: ccmon ${value}, Prometheus ${other}`,
      );
    }
    // Each rule was put to the test: the expected sides, in both.
    const names = [...inCcmon.keys()].map((k) => k.split(' ')[0]);
    assert.ok(names.includes('ClaudeCodeHighDailySpend'));
    assert.ok(!names.includes('ClaudeCodeCriticalDailySpend'));
    assert.equal(
      names.filter((n) => n === 'ClaudeCodeMachineDailySpend').length,
      1,
      'the dearer machine only',
    );
    assert.ok(!names.includes('OTelCollectorDown') && !names.includes('ClaudeCodeNoActivity'));
    assert.deepEqual(
      ccmon.rules.filter((r) => r.state === 'pending').map((r) => r.name),
      [],
      '`for: 0` fires at once',
    );
  });
});
