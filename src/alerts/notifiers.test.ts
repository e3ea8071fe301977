import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { parseAlertsConfig, type ReceiverConfig } from './config.js';
import { DeliveryQueue } from './delivery-queue.js';
import { createReceiver, requestsFor, type Notice } from './notifiers.js';

const NOTICE: Notice = {
  status: 'firing',
  rule: 'ClaudeCodeHighDailySpend',
  severity: 'warning',
  labels: { alertname: 'ClaudeCodeHighDailySpend', severity: 'warning' },
  annotations: {
    summary: 'Claude Code daily spend exceeds $25',
    description: 'Claude Code has spent $26.00 in the last 24 hours.',
  },
  value: 26,
  startsAt: '2026-01-01T00:05:00.000Z',
  endsAt: undefined,
  generatorURL: 'http://ccmon/#/alerts',
};

function receiverOf(yaml: Record<string, unknown>): ReceiverConfig {
  const config = parseAlertsConfig({ receivers: [yaml] });
  const r = config.receivers[0];
  assert.ok(r);
  return r;
}

interface Hit {
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: unknown;
}

/** A receiver endpoint that answers from a script of status codes (then 200). */
async function endpoint(statuses: number[] = []): Promise<{ url: string; hits: Hit[]; server: Server }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) as unknown });
      res.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('notification payloads', () => {
  it("sends Alertmanager its v2 API's alert list", () => {
    const [req] = requestsFor(
      receiverOf({ type: 'alertmanager', url: 'http://am:9093/' }),
      [{ ...NOTICE, endsAt: '2026-01-01T00:09:00.000Z' }],
      'x',
    );
    assert.equal(req?.url, 'http://am:9093/api/v2/alerts');
    assert.deepEqual(JSON.parse(req?.body ?? ''), [
      {
        labels: NOTICE.labels,
        annotations: NOTICE.annotations,
        startsAt: NOTICE.startsAt,
        endsAt: '2026-01-01T00:09:00.000Z',
        generatorURL: NOTICE.generatorURL,
      },
    ]);
  });

  it("sends webhooks Alertmanager's webhook format, one alert each", () => {
    const reqs = requestsFor(
      receiverOf({ name: 'hook', type: 'webhook', url: 'http://h/x' }),
      [NOTICE, { ...NOTICE, status: 'resolved', endsAt: '2026-01-01T01:00:00.000Z' }],
      'http://ccmon',
    );
    assert.equal(reqs.length, 2);
    const first = JSON.parse(reqs[0]?.body ?? '') as Record<string, unknown> & {
      alerts: Record<string, unknown>[];
    };
    assert.equal(first.version, '4');
    assert.equal(first.status, 'firing');
    assert.equal(first.receiver, 'hook');
    assert.equal(first.externalURL, 'http://ccmon');
    assert.equal(first.alerts[0]?.endsAt, '0001-01-01T00:00:00Z');
    const second = JSON.parse(reqs[1]?.body ?? '') as { status: string; alerts: { endsAt: string }[] };
    assert.equal(second.status, 'resolved');
    assert.equal(second.alerts[0]?.endsAt, '2026-01-01T01:00:00.000Z');
  });

  it('sends ntfy a JSON message with priority and tags, Slack a text', () => {
    const [ntfy] = requestsFor(
      receiverOf({ type: 'ntfy', url: 'https://ntfy.sh', topic: 't' }),
      [{ ...NOTICE, severity: 'critical' }],
      'x',
    );
    assert.deepEqual(JSON.parse(ntfy?.body ?? ''), {
      topic: 't',
      title: '[FIRING] ClaudeCodeHighDailySpend: Claude Code daily spend exceeds $25',
      message: NOTICE.annotations.description,
      priority: 5,
      tags: ['rotating_light'],
      click: NOTICE.generatorURL,
    });
    const [slack] = requestsFor(
      receiverOf({ type: 'slack', url: 'https://hooks.example/x' }),
      [{ ...NOTICE, status: 'resolved' }],
      'x',
    );
    assert.match(
      (JSON.parse(slack?.body ?? '') as { text: string }).text,
      /^:white_check_mark: \*\[RESOLVED\] ClaudeCodeHighDailySpend/,
    );
  });
});

describe('delivery', () => {
  let target: Awaited<ReturnType<typeof endpoint>>;
  before(async () => {
    target = await endpoint([500, 503]);
  });
  after(() => target.server.close());

  it('retries a failed delivery with backoff until it succeeds, once', async () => {
    const logs: string[] = [];
    const receiver = createReceiver(
      receiverOf({ type: 'webhook', url: `${target.url}/hook`, headers: { Authorization: 'Bearer s3cret' } }),
      () => 'http://ccmon',
      (l) => logs.push(l),
      { retryBaseMs: 20 },
    );
    receiver.send([NOTICE]);
    await until(() => receiver.stats().delivered === 1);
    assert.equal(target.hits.length, 3, 'two failures, then delivered');
    assert.equal(target.hits[2]?.headers.authorization, 'Bearer s3cret');
    assert.equal(receiver.stats().failedAttempts, 2);
    assert.equal(logs.filter((l) => /retrying in/.test(l)).length, 2);
    await receiver.close();
  });

  it('does not retry an answer that will not change', async () => {
    const bad = await endpoint([400]);
    const receiver = createReceiver(
      receiverOf({ type: 'webhook', url: bad.url }),
      () => '',
      () => undefined,
      { retryBaseMs: 10 },
    );
    receiver.send([NOTICE]);
    await until(() => receiver.stats().dropped === 1);
    assert.equal(bad.hits.length, 1);
    await receiver.close();
    bad.server.close();
  });

  it('never blocks the sender and drops the oldest beyond its bound', async () => {
    const seen: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new DeliveryQueue<number>(
      'q',
      async (n) => {
        await gate;
        seen.push(n);
      },
      { maxQueue: 3, log: () => undefined },
    );
    const started = Date.now();
    for (let i = 1; i <= 6; i++) queue.push(i);
    assert.ok(Date.now() - started < 50, 'push returns at once');
    // 1 is in delivery; of the five waiting, the newest three are kept.
    assert.equal(queue.stats().queued, 4);
    assert.equal(queue.stats().dropped, 2);
    release();
    await until(() => queue.stats().queued === 0);
    assert.deepEqual(seen, [1, 4, 5, 6], 'delivered in order');
    await queue.close();
  });

  it('gives up on a dead endpoint at shutdown without waiting for backoff', async () => {
    const receiver = createReceiver(
      receiverOf({ type: 'webhook', url: 'http://127.0.0.1:1/' }),
      () => '',
      () => undefined,
      { retryBaseMs: 60_000 },
    );
    receiver.send([NOTICE]);
    await until(() => receiver.stats().failedAttempts === 1);
    const t = Date.now();
    await receiver.close();
    assert.ok(Date.now() - t < 1000);
    assert.equal(receiver.stats().dropped, 1);
  });
});
