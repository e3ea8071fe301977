import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { tempDir } from '../../test/support/server.js';
import { serveConfigFromArgs } from '../cli/serve.js';
import { parseAlertsConfig } from './config.js';
import { alertRules, renderTemplate } from './rules.js';

function fromYaml(text: string): ReturnType<typeof parseAlertsConfig> {
  return parseAlertsConfig((parse(text) as { alerts?: unknown }).alerts);
}

describe('alerts config', () => {
  it("defaults to the original rules' values", () => {
    const c = parseAlertsConfig(undefined);
    assert.equal(c.enabled, true);
    assert.equal(c.intervalMs, 30_000);
    assert.equal(c.timezone, 'UTC');
    assert.deepEqual(
      [c.rules.highDailySpend.threshold, c.rules.highDailySpend.windowMs, c.rules.highDailySpend.forMs],
      [25, 86_400_000, 300_000],
    );
    assert.equal(c.rules.criticalDailySpend.threshold, 50);
    assert.equal(c.rules.criticalDailySpend.severity, 'critical');
    assert.deepEqual(c.rules.noActivity.days, [1, 2, 3, 4, 5]);
    assert.deepEqual([c.rules.noActivity.fromMinute, c.rules.noActivity.toMinute], [17 * 60, 18 * 60]);
    assert.equal(c.rules.noActivity.windowMs, 8 * 3_600_000);
    assert.equal(c.rules.collectorDown.forMs, 120_000);
    assert.equal(c.rules.collectorDown.silenceMs, 600_000);
    assert.equal(c.rules.collectorDown.job, 'otel-collector');
    assert.equal(c.rules.billingBudget.enabled, false, 'off until a budget is set');
    assert.equal(c.rules.userDailyLimit.enabled, false, 'off until a threshold is set');
    assert.equal(c.rules.machineDailyLimit.enabled, false);
    assert.deepEqual(c.receivers, []);
    assert.deepEqual(
      alertRules(c).map((r) => r.name),
      [
        'ClaudeCodeHighDailySpend',
        'ClaudeCodeCriticalDailySpend',
        'ClaudeCodeNoActivity',
        'OTelCollectorDown',
      ],
    );
  });

  it('reads every setting of the documented example', () => {
    const c = fromYaml(`
alerts:
  interval: 15s
  timezone: Asia/Manila
  external-url: https://ccmon.example.com/
  rules:
    high-daily-spend: { threshold: 100, window: 12h, for: 10m }
    critical-daily-spend: { threshold: 150, severity: warning }
    no-activity: { days: [mon, wed, fri], from: "16:30", to: "18:00", window: 6h }
    collector-down: { silence: 15m, lookback: 2h, job: collector, for: 0 }
    billing-budget: { budget: 500, billing-day: 15, min-elapsed: 2d }
    user-daily-limit: { threshold: 20 }
    machine-daily-limit: { threshold: 30, window: 1d }
  receivers:
    - { type: webhook, url: "http://127.0.0.1:9000/hook", headers: { Authorization: Bearer x } }
    - { name: am, type: alertmanager, url: "http://127.0.0.1:9093", resend-interval: 30s }
    - { type: ntfy, url: "https://ntfy.sh", topic: claude-alerts, send-resolved: false }
    - { type: slack, url: "https://hooks.slack.com/services/T/B/X", timeout: 5s }
`);
    assert.equal(c.intervalMs, 15_000);
    assert.equal(c.externalUrl, 'https://ccmon.example.com');
    assert.deepEqual(
      [c.rules.highDailySpend.threshold, c.rules.highDailySpend.windowMs, c.rules.highDailySpend.forMs],
      [100, 12 * 3_600_000, 600_000],
    );
    assert.equal(c.rules.criticalDailySpend.severity, 'warning');
    assert.deepEqual(c.rules.noActivity.days, [1, 3, 5]);
    assert.equal(c.rules.noActivity.fromMinute, 16 * 60 + 30);
    assert.equal(c.rules.collectorDown.forMs, 0);
    assert.equal(c.rules.collectorDown.job, 'collector');
    assert.equal(c.rules.billingBudget.enabled, true);
    assert.equal(c.rules.billingBudget.billingDay, 15);
    assert.equal(c.rules.billingBudget.minElapsedMs, 2 * 86_400_000);
    assert.equal(c.rules.userDailyLimit.enabled, true);
    assert.equal(c.rules.machineDailyLimit.threshold, 30);
    assert.deepEqual(
      c.receivers.map((r) => [r.name, r.type, r.sendResolved, r.timeoutMs, r.resendMs]),
      [
        ['webhook-1', 'webhook', true, 10_000, 60_000],
        ['am', 'alertmanager', true, 10_000, 30_000],
        ['ntfy-3', 'ntfy', false, 10_000, 60_000],
        ['slack-4', 'slack', true, 5000, 60_000],
      ],
    );
    assert.equal(c.receivers[0]?.headers.Authorization, 'Bearer x');
    assert.equal(c.receivers[2]?.topic, 'claude-alerts');
    assert.deepEqual(
      alertRules(c).map((r) => r.name),
      [
        'ClaudeCodeHighDailySpend',
        'ClaudeCodeCriticalDailySpend',
        'ClaudeCodeNoActivity',
        'OTelCollectorDown',
        'ClaudeCodeBillingCycleBudget',
        'ClaudeCodeUserDailySpend',
        'ClaudeCodeMachineDailySpend',
      ],
    );
  });

  it('refuses bad settings with a message naming them', () => {
    const cases: [string, RegExp][] = [
      ['alerts: { timezone: Mars/Olympus }', /alerts\.timezone: unknown time zone "Mars\/Olympus"/],
      ['alerts: { interval: soon }', /alerts\.interval: expected a duration/],
      ['alerts: { colour: red }', /unknown setting alerts\.colour/],
      [
        'alerts: { rules: { high-daily-spend: { threshold: -1 } } }',
        /alerts\.rules\.high-daily-spend\.threshold: expected an amount of USD/,
      ],
      [
        'alerts: { rules: { high-daily-spend: { treshold: 3 } } }',
        /unknown setting alerts\.rules\.high-daily-spend\.treshold/,
      ],
      [
        'alerts: { rules: { critical-daily-spend: { severity: page } } }',
        /critical-daily-spend\.severity: expected info, warning or critical/,
      ],
      [
        'alerts: { rules: { no-activity: { days: [mon, funday] } } }',
        /no-activity\.days: expected a list of weekdays/,
      ],
      [
        'alerts: { rules: { no-activity: { from: "18:00", to: "17:00" } } }',
        /no-activity\.to: must be later than/,
      ],
      ['alerts: { rules: { no-activity: { from: "25:00" } } }', /no-activity\.from: expected a local time/],
      [
        'alerts: { rules: { collector-down: { silence: 1h, lookback: 30m } } }',
        /collector-down\.lookback: must be longer than/,
      ],
      [
        'alerts: { rules: { collector-down: { job: "a\\"b" } } }',
        /collector-down\.job: must not contain quotes/,
      ],
      [
        'alerts: { rules: { billing-budget: { budget: 100, billing-day: 31 } } }',
        /billing-budget\.billing-day: expected a day of the month from 1 to 28/,
      ],
      [
        'alerts: { rules: { billing-budget: { enabled: true } } }',
        /billing-budget\.budget: needed to enable this rule/,
      ],
      [
        'alerts: { rules: { user-daily-limit: { enabled: true } } }',
        /user-daily-limit\.threshold: needed to enable this rule/,
      ],
      [
        'alerts: { rules: { high-daily-spend: { enabled: maybe } } }',
        /high-daily-spend\.enabled: expected true or false/,
      ],
      ['alerts: { receivers: { type: webhook } }', /alerts\.receivers: must be a list/],
      [
        'alerts: { receivers: [ { type: pager, url: "http://x" } ] }',
        /alerts\.receivers\[0\]\.type: expected webhook, alertmanager, ntfy or slack/,
      ],
      [
        'alerts: { receivers: [ { type: webhook, url: "ftp://x" } ] }',
        /alerts\.receivers\[0\]\.url: expected an http/,
      ],
      ['alerts: { receivers: [ { type: webhook } ] }', /alerts\.receivers\[0\]\.url/],
      [
        'alerts: { receivers: [ { type: ntfy, url: "https://ntfy.sh" } ] }',
        /alerts\.receivers\[0\]\.topic: an ntfy receiver needs a topic/,
      ],
      [
        'alerts: { receivers: [ { type: webhook, url: "http://x", headers: { "a b": c } } ] }',
        /receivers\[0\]\.headers\.a b/,
      ],
      [
        'alerts: { receivers: [ { name: a, type: webhook, url: "http://x" }, { name: a, type: slack, url: "http://y" } ] }',
        /the name "a" is used twice/,
      ],
      ['alerts: [1, 2]', /alerts: must be a mapping/],
    ];
    for (const [text, message] of cases) assert.throws(() => fromYaml(text), message, text);
  });

  it('writes rule texts with the value and labels', () => {
    const rules = alertRules(fromYaml('alerts: { rules: { user-daily-limit: { threshold: 0.5 } } }'));
    const user = rules.find((r) => r.name === 'ClaudeCodeUserDailySpend');
    assert.ok(user);
    assert.equal(
      renderTemplate(user.annotations.summary, 1.234, user.unit, { user: 'ann' }),
      'Claude Code spend of user ann exceeds $0.5 in 24 hours',
    );
    assert.equal(
      renderTemplate(user.annotations.description, 1.236, user.unit, { user: 'ann' }),
      'User ann has spent $1.24 in the last 24 hours.',
    );
    const silence = rules.find((r) => r.name === 'OTelCollectorDown');
    assert.ok(silence);
    assert.match(
      renderTemplate(silence.annotations.description, 725, silence.unit, { machine: 'laptop' }),
      /laptop sent .* until 12m 5s ago/,
    );
  });

  it('is read by `ccmon serve --config` from the same file as serve:', () => {
    const file = join(tempDir(), 'config.yaml');
    writeFileSync(
      file,
      'serve:\n  retention: 30d\nalerts:\n  timezone: Asia/Manila\n  rules:\n    high-daily-spend: { threshold: 7 }\n',
    );
    const config = serveConfigFromArgs(['--config', file]);
    assert.ok(config !== 'help');
    assert.equal(config.retentionMs, 30 * 86_400_000);
    assert.equal(config.alerts?.timezone, 'Asia/Manila');
    assert.equal(config.alerts?.rules.highDailySpend.threshold, 7);
    writeFileSync(file, 'alerts:\n  rules:\n    high-daily-spend: { window: forever }\n');
    assert.throws(
      () => serveConfigFromArgs(['--config', file]),
      /alerts\.rules\.high-daily-spend\.window: expected a duration/,
    );
  });
});
