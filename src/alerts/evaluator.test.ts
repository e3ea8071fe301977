/**
 * The evaluator over a real store with a clock the test moves: states, history, persistence across a
 * restart, notifications handed to receivers, and each kind of rule.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { metricsRequest } from '../../test/support/requests.js';
import { tempDir } from '../../test/support/server.js';
import { Database } from '../store/database.js';
import { BatchWriter } from '../store/writer.js';
import { normalizeMetrics } from '../telemetry/normalize-metrics.js';
import { parseAlertsConfig, type ReceiverConfig } from './config.js';
import { AlertEvaluator } from './evaluator.js';
import type { Notice, Receiver } from './notifiers.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 7, 3); // a Wednesday, 03:00 UTC

class Captured implements Receiver {
  readonly sent: Notice[] = [];
  constructor(readonly config: ReceiverConfig) {}
  send(notices: readonly Notice[]): void {
    this.sent.push(...notices);
  }
  stats() {
    return { queued: 0, delivered: this.sent.length, failedAttempts: 0, dropped: 0 };
  }
  async close(): Promise<void> {}
}

function receivers(): { webhook: Captured; am: Captured } {
  const config = parseAlertsConfig({
    receivers: [
      { name: 'hook', type: 'webhook', url: 'http://127.0.0.1:9/hook' },
      { name: 'am', type: 'alertmanager', url: 'http://127.0.0.1:9', 'resend-interval': '2m' },
    ],
  });
  const [hook, am] = config.receivers;
  assert.ok(hook && am);
  return { webhook: new Captured(hook), am: new Captured(am) };
}

describe('alert evaluator', () => {
  let dir: string;
  let db: Database;
  let writer: BatchWriter;
  let now = T0;

  const cost = async (
    usd: number,
    atMs: number,
    machine = 'laptop',
    email = 'ann@example.com',
  ): Promise<void> => {
    const request = metricsRequest({ 'service.name': 'claude-code', 'machine.name': machine }, [
      {
        metric: 'claude_code.cost.usage',
        unit: 'USD',
        value: usd,
        startUs: (atMs - MIN) * 1000,
        endUs: atMs * 1000,
        attrs: { 'session.id': `s-${machine}-${atMs}`, 'user.email': email },
      },
    ]);
    await writer.write({ points: normalizeMetrics(request).records, events: [] });
  };

  const config = (rules: Record<string, unknown>): ReturnType<typeof parseAlertsConfig> =>
    parseAlertsConfig({
      interval: '1m',
      rules: {
        'high-daily-spend': { enabled: false },
        'critical-daily-spend': { enabled: false },
        'no-activity': { enabled: false },
        'collector-down': { enabled: false },
        ...rules,
      },
    });

  before(async () => {
    dir = tempDir();
    db = await Database.open(dir);
    writer = await BatchWriter.create(db, { maxQueuedRecords: 1000, maxBatchRecords: 100 });
  });
  after(async () => {
    await writer.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes pending, firing and resolved, notifies once each, and keeps state across a restart', async () => {
    const rules = config({ 'high-daily-spend': { threshold: 1, window: '1h', for: '3m' } });
    const r1 = receivers();
    let alerts = await AlertEvaluator.open({
      db,
      config: rules,
      now: () => now,
      receivers: [r1.webhook, r1.am],
    });
    alerts.start('http://ccmon.test');
    await alerts.evaluate();
    let view = await alerts.view();
    assert.deepEqual(
      view.rules.map((r) => [r.name, r.state, r.value]),
      [['ClaudeCodeHighDailySpend', 'inactive', 0]],
    );

    await cost(0.6, T0 + MIN);
    await cost(0.6, T0 + 2 * MIN);
    now = T0 + 2 * MIN;
    await alerts.evaluate();
    view = await alerts.view();
    const pending = view.rules[0];
    assert.equal(pending?.state, 'pending');
    assert.equal(pending?.value, 1.2);
    assert.equal(pending?.activeAt, new Date(now).toISOString());
    assert.equal(pending?.summary, 'Claude Code spend over 1 hour exceeds $1');
    assert.equal(pending?.description, 'Claude Code has spent $1.20 in the last 1 hour.');
    assert.deepEqual(pending?.labels, {});
    assert.equal(r1.webhook.sent.length, 0, 'pending is not notified');

    now = T0 + 5 * MIN;
    await alerts.evaluate();
    assert.equal((await alerts.view()).rules[0]?.state, 'firing');
    assert.deepEqual(
      r1.webhook.sent.map((n) => n.status),
      ['firing'],
    );
    const fired = r1.webhook.sent[0];
    assert.equal(fired?.startsAt, new Date(T0 + 5 * MIN).toISOString());
    assert.equal(fired?.endsAt, undefined);
    assert.deepEqual(fired?.labels, { alertname: 'ClaudeCodeHighDailySpend', severity: 'warning' });
    assert.equal(fired?.generatorURL, 'http://ccmon.test/#/alerts');
    assert.deepEqual(
      r1.am.sent.map((n) => n.status),
      ['firing'],
    );
    assert.equal(
      r1.am.sent[0]?.endsAt,
      new Date(now + 4 * 2 * MIN).toISOString(),
      "valid for 4 resend intervals, as Prometheus' alerts are",
    );
    await alerts.stop();

    // A restart: the firing alert is restored, not fired again; Alertmanager hears of it again.
    const r2 = receivers();
    alerts = await AlertEvaluator.open({ db, config: rules, now: () => now, receivers: [r2.webhook, r2.am] });
    alerts.start('http://ccmon.test');
    now = T0 + 6 * MIN;
    await alerts.evaluate();
    view = await alerts.view();
    assert.equal(view.rules[0]?.state, 'firing');
    assert.equal(view.rules[0]?.activeAt, new Date(T0 + 2 * MIN).toISOString(), 'activeAt survived');
    assert.equal(r2.webhook.sent.length, 0);
    assert.deepEqual(
      r2.am.sent.map((n) => n.status),
      ['firing'],
    );
    now = T0 + 7 * MIN;
    await alerts.evaluate();
    assert.equal(r2.am.sent.length, 1, 'not re-sent before the resend interval');
    now = T0 + 8 * MIN;
    await alerts.evaluate();
    assert.equal(r2.am.sent.length, 2, 're-sent after it');

    // The spend leaves the one-hour window: resolved.
    now = T0 + 62 * MIN + 1;
    await alerts.evaluate();
    view = await alerts.view();
    assert.equal(view.rules[0]?.state, 'inactive');
    assert.equal(view.rules[0]?.activeAt, null);
    assert.deepEqual(
      r2.webhook.sent.map((n) => n.status),
      ['resolved'],
    );
    assert.equal(r2.webhook.sent[0]?.endsAt, new Date(now).toISOString());
    assert.equal(r2.webhook.sent[0]?.startsAt, new Date(T0 + 5 * MIN).toISOString());
    assert.equal(r2.am.sent.at(-1)?.status, 'resolved');
    assert.deepEqual(
      view.history.map((h) => [h.rule, h.from, h.to, h.value, h.time]),
      [
        ['ClaudeCodeHighDailySpend', 'firing', 'inactive', 0, new Date(now).toISOString()],
        ['ClaudeCodeHighDailySpend', 'pending', 'firing', 1.2, new Date(T0 + 5 * MIN).toISOString()],
        ['ClaudeCodeHighDailySpend', 'inactive', 'pending', 1.2, new Date(T0 + 2 * MIN).toISOString()],
      ],
    );
    await alerts.stop();
  });

  it('keeps per-machine and per-user alerts apart, labelled', async () => {
    now = T0 + 3 * 3_600_000;
    await cost(3, now - MIN, 'desktop', 'bob@example.com');
    await cost(1, now - MIN, 'laptop', 'ann@example.com');
    const rules = config({
      'machine-daily-limit': { threshold: 2.5, for: 0 },
      'user-daily-limit': { threshold: 2.5, for: 0 },
    });
    const alerts = await AlertEvaluator.open({ db, config: rules, now: () => now, receivers: [] });
    alerts.start('http://x');
    await alerts.evaluate();
    const view = await alerts.view();
    assert.deepEqual(
      view.rules.map((r) => [r.name, r.state, r.labels, r.value]),
      [
        ['ClaudeCodeUserDailySpend', 'firing', { user: 'bob@example.com' }, 3],
        ['ClaudeCodeMachineDailySpend', 'firing', { machine: 'desktop' }, 3],
      ],
    );
    assert.equal(view.rules[1]?.summary, 'Claude Code spend of machine desktop exceeds $2.5 in 24 hours');
    await alerts.stop();
  });

  it('watches machines that went silent, and forgets them after the lookback', async () => {
    now = T0 + 5 * 3_600_000;
    await cost(0.01, now - 20 * MIN, 'quiet');
    await cost(0.01, now - MIN, 'busy');
    const rules = config({ 'collector-down': { silence: '10m', lookback: '1h', for: 0 } });
    const alerts = await AlertEvaluator.open({ db, config: rules, now: () => now, receivers: [] });
    alerts.start('http://x');
    await alerts.evaluate();
    let view = await alerts.view();
    assert.deepEqual(
      view.rules.map((r) => [r.state, r.labels, r.value]),
      [['firing', { machine: 'quiet' }, 1200]],
    );
    assert.equal(view.rules[0]?.summary, 'No telemetry from machine quiet');
    assert.match(view.rules[0]?.description ?? '', /until 20m 0s ago/);
    // 50 minutes on: quiet is past the lookback (forgotten, resolved); busy has now been silent too.
    now += 50 * MIN;
    await alerts.evaluate();
    view = await alerts.view();
    assert.deepEqual(
      view.rules.map((r) => [r.state, r.labels]),
      [['firing', { machine: 'busy' }]],
    );
    assert.deepEqual(
      view.history.slice(0, 3).map((h) => [h.labels.machine, h.from, h.to]),
      [
        ['quiet', 'firing', 'inactive'],
        ['busy', 'pending', 'firing'],
        ['busy', 'inactive', 'pending'],
      ],
    );
    await alerts.stop();
  });

  it('projects the billing cycle and drops states of rules no longer configured', async () => {
    // Billing day 1: on January 7 at 04:00, 6 days 4 hours into a 31-day cycle, $1.20 spent so far
    // (the later points of the tests above lie after this "now").
    now = T0 + 3_600_000;
    const rules = config({ 'billing-budget': { budget: 5, 'min-elapsed': '1d', for: 0 } });
    const alerts = await AlertEvaluator.open({ db, config: rules, now: () => now, receivers: [] });
    alerts.start('http://x');
    await alerts.evaluate();
    const row = (await alerts.view()).rules[0];
    const projected = (1.2 * 31) / (6 + 4 / 24);
    assert.equal(row?.state, 'firing');
    assert.ok(Math.abs((row?.value ?? 0) - projected) < 1e-9, `${row?.value} vs ${projected}`);
    assert.match(
      row?.description ?? '',
      /will have spent \$6\.03 by the end of this cycle; the budget is \$5\./,
    );
    await alerts.stop();

    const reopened = await AlertEvaluator.open({ db, config: config({}), now: () => now, receivers: [] });
    const stored = await db.withRead((r) => r.all('SELECT count(*) AS n FROM alert_states'));
    assert.equal(Number(stored[0]?.n), 0);
    assert.deepEqual((await reopened.view()).rules, []);
    await reopened.stop();
  });
});
