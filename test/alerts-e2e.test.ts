/**
 * ccmon's evaluator driven by real Claude Code sessions: with a tiny threshold and a short window the
 * spend rule goes pending, firing and resolved (the spend leaves the window); a real Alertmanager
 * holds the alert while it fires (ccmon re-sends it) and a webhook gets exactly one firing and one
 * resolved notification.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseAlertsConfig } from '../src/alerts/config.js';
import type { AlertsView } from '../src/alerts/evaluator.js';
import { runSessions } from './support/claude-sessions.js';
import { eventually, startAlertmanager, type Running } from './support/prom-stack.js';
import { startTestServer, type TestServer } from './support/server.js';

const WINDOW_S = 20;
const FOR_S = 2;

interface WebhookCall {
  readonly at: number;
  readonly body: {
    status: string;
    receiver: string;
    alerts: {
      status: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
      value: number;
    }[];
  };
}

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  endsAt: string;
  status: { state: string };
}

async function webhookServer(): Promise<{ url: string; calls: WebhookCall[]; server: Server }> {
  const calls: WebhookCall[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      calls.push({ at: Date.now(), body: JSON.parse(text) as WebhookCall['body'] });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls, server };
}

async function amAlerts(am: Running): Promise<AmAlert[]> {
  const response = await fetch(`${am.url}/api/v2/alerts`);
  assert.equal(response.status, 200);
  return ((await response.json()) as AmAlert[]).filter(
    (a) => a.labels.alertname === 'ClaudeCodeHighDailySpend',
  );
}

describe('alerts from real Claude Code sessions', () => {
  let am: Running;
  let hook: Awaited<ReturnType<typeof webhookServer>>;
  let server: TestServer;
  const seen: { at: number; state: string }[] = [];
  let polling: NodeJS.Timeout | undefined;

  const view = async (): Promise<AlertsView> =>
    (await (await fetch(`${server.apiUrl}/api/v1/alerts`)).json()) as AlertsView;

  before(async () => {
    [am, hook] = await Promise.all([startAlertmanager(), webhookServer()]);
    const alerts = parseAlertsConfig({
      interval: '500ms',
      rules: {
        'high-daily-spend': { threshold: 0.001, window: `${WINDOW_S}s`, for: `${FOR_S}s` },
        'critical-daily-spend': { enabled: false },
        'no-activity': { enabled: false },
        'collector-down': { enabled: false },
      },
      receivers: [
        { name: 'hook', type: 'webhook', url: hook.url },
        { name: 'am', type: 'alertmanager', url: am.url, 'resend-interval': '1s' },
      ],
    });
    server = await startTestServer({}, alerts);
    // Watch the API as a UI would, to see every state the rule passes through.
    polling = setInterval(() => {
      void view().then((v) => {
        const state = v.rules[0]?.state ?? 'missing';
        if (seen.at(-1)?.state !== state) seen.push({ at: Date.now(), state });
      });
    }, 100);
  });

  after(async () => {
    clearInterval(polling);
    await server?.stop();
    await am?.stop();
    hook?.server.close();
  });

  it('goes pending, firing, then resolved; Alertmanager and a webhook hear of it', async () => {
    const before = await view();
    assert.deepEqual(
      before.rules.map((r) => [r.name, r.severity, r.state, r.value, r.activeAt, r.labels]),
      [['ClaudeCodeHighDailySpend', 'warning', 'inactive', 0, null, {}]],
    );

    await runSessions(server, [
      { name: 'alerting', protocol: 'grpc', lines: 3, command: 'sleep 2 && echo ok' },
    ]);
    await eventually('the alert to fire', async () => (await view()).rules[0]?.state === 'firing', 30_000);
    const firing = (await view()).rules[0];
    assert.ok(firing !== undefined && firing.value > 0.001);
    assert.equal(firing.summary, 'Claude Code spend over 20 seconds exceeds $0.001');
    assert.equal(
      firing.description,
      `Claude Code has spent $${firing.value.toFixed(2)} in the last 20 seconds.`,
    );
    const firedAt = Date.now();

    // Alertmanager shows it, and still does after 4 resend intervals (ccmon re-sends while it fires).
    await eventually('Alertmanager to show the alert', async () => (await amAlerts(am)).length === 1, 10_000);
    const [inAm] = await amAlerts(am);
    assert.equal(inAm?.status.state, 'active');
    assert.equal(inAm?.labels.severity, 'warning');
    assert.equal(inAm?.annotations.summary, firing.summary);
    // Each send is valid for 4 resend intervals (4 s): after 5 s only the re-sends keep it there.
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal((await view()).rules[0]?.state, 'firing', `the window is ${WINDOW_S} s`);
    assert.equal((await amAlerts(am))[0]?.status.state, 'active', 'kept alive by re-sends');

    // No new spend: WINDOW_S after the last cost point the spend leaves the window.
    await eventually(
      'the alert to resolve',
      async () => (await view()).rules[0]?.state === 'inactive',
      (WINDOW_S + 20) * 1000,
    );
    await eventually(
      'Alertmanager to see it resolved',
      async () => (await amAlerts(am)).length === 0,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 2000));

    const statuses = hook.calls.map((c) => c.body.status);
    assert.deepEqual(statuses, ['firing', 'resolved'], 'one firing and one resolved notification');
    for (const call of hook.calls) {
      assert.equal(call.body.receiver, 'hook');
      assert.equal(call.body.alerts[0]?.labels.alertname, 'ClaudeCodeHighDailySpend');
    }
    assert.ok((hook.calls[0]?.at ?? Infinity) <= firedAt + 1000);

    const states = seen.map((s) => s.state);
    assert.deepEqual(
      states.slice(states.indexOf('inactive')),
      ['inactive', 'pending', 'firing', 'inactive'],
      states.join(' '),
    );
    const history = (await view()).history.map((h) => [h.rule, h.from, h.to, h.labels] as const);
    assert.deepEqual(history, [
      ['ClaudeCodeHighDailySpend', 'firing', 'inactive', {}],
      ['ClaudeCodeHighDailySpend', 'pending', 'firing', {}],
      ['ClaudeCodeHighDailySpend', 'inactive', 'pending', {}],
    ]);
    const [resolvedAt, firedTime, pendingAt] = (await view()).history.map((h) => Date.parse(h.time));
    assert.ok((firedTime ?? 0) - (pendingAt ?? 0) >= FOR_S * 1000, '`for` was respected');
    assert.ok((resolvedAt ?? 0) > (firedTime ?? 0));
  });
});
