/**
 * The generated dashboard's PromQL, evaluated by a real Prometheus that scrapes ccmon's /metrics while
 * real Claude Code sessions send to ccmon, must give the numbers ccmon's own SQL gives from the store.
 *
 * Sessions run in two phases: A (a session that exports once, at exit, and a cumulative one), then B
 * (two sessions side by side). Hand-made exports add commits and pull requests (Claude Code makes none
 * here), for a series that grows in both phases and for one that appears in B only. Every metric panel
 * is checked over the whole test (A + B) and over phase B alone, where series from A must count only
 * what they grew and new series from zero.
 *
 * Tolerance: equal up to 1e-9 relative (at least 1e-9 absolute). Both sides sum the same stored
 * deltas; Prometheus sums them into cumulative values first and subtracts, so only floating-point
 * rounding differs. That holds because every window edge falls in a quiet moment (no export within
 * a scrape interval of it) and Prometheus scrapes every second: then the value Prometheus has at each
 * edge is exactly the sum of the deltas stored before it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DASHBOARD } from '../src/dashboard/definition.js';
import { interpolate, panelSource, ALL_VALUE, FILTER_VARIABLES } from '../src/dashboard/grafana-vars.js';
import { NONE_LABEL } from '../src/dashboard/dimensions.js';
import type { PanelData, PanelParams } from '../src/dashboard/panel-data.js';
import { compilePromPanel, promLabelOf } from '../src/dashboard/promql.js';
import { queryPanel } from '../src/dashboard/query.js';
import type { Panel } from '../src/dashboard/types.js';
import { billingCycleStart } from '../src/dashboard/zoned-time.js';
import { runSessions, type SessionSpec } from './support/claude-sessions.js';
import { startPrometheus, type Running } from './support/prom-stack.js';
import { instantQuery, rangeQuery, scrapeAfter } from './support/prometheus-api.js';
import { checkMetrics } from './support/promtool.js';
import { startTestServer, type TestServer } from './support/server.js';

const JOB = 'otel-collector';
const STEP_MS = 10_000;

const PHASE_A: readonly SessionSpec[] = [
  // A 60 s export interval in a run of a few seconds: its only export is the flush at exit.
  { name: 'once', protocol: 'grpc', lines: 2, metricIntervalMs: 60_000 },
  {
    name: 'steady',
    protocol: 'http/protobuf',
    temporality: 'cumulative',
    lines: 4,
    command: 'sleep 2 && echo ok',
  },
];
const PHASE_B: readonly SessionSpec[] = [
  { name: 'left', protocol: 'grpc', lines: 3, command: 'sleep 1 && echo left' },
  { name: 'right', protocol: 'http/json', lines: 5, command: 'sleep 1 && echo right' },
];

type Attrs = Record<string, string>;

function kv(attrs: Attrs): { key: string; value: { stringValue: string } }[] {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } }));
}

/** One OTLP/JSON export of delta counters, as Claude Code would send it. */
async function push(
  server: TestServer,
  points: { metric: string; unit?: string; value: number; attrs: Attrs }[],
  startMs: number,
): Promise<void> {
  const ns = (ms: number): string => `${BigInt(ms) * 1_000_000n}`;
  const endMs = Date.now();
  const body = {
    resourceMetrics: [
      {
        resource: { attributes: kv({ 'service.name': 'claude-code', 'service.version': '2.1.197' }) },
        scopeMetrics: [
          {
            scope: { name: 'com.anthropic.claude_code', version: '2.1.197' },
            metrics: points.map((p) => ({
              name: p.metric,
              unit: p.unit ?? '',
              sum: {
                aggregationTemporality: 1,
                isMonotonic: true,
                dataPoints: [
                  {
                    attributes: kv(p.attrs),
                    startTimeUnixNano: ns(startMs),
                    timeUnixNano: ns(endMs),
                    asDouble: p.value,
                  },
                ],
              },
            })),
          },
        ],
      },
    ],
  };
  const response = await fetch(`${server.otlpHttpUrl}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.text());
}

const alice = (session: string): Attrs => ({
  'session.id': session,
  'user.id': 'install-alice',
  'user.email': 'alice@example.com',
  'machine.name': 'hand-laptop',
  'terminal.type': 'vscode',
});

/** A panel's numbers in a comparable form: scalar, or value per label / series name (zeros left out). */
type Numbers = number | Map<string, number>;

function nonZero(entries: [string, number][]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of entries) if (v !== 0) out.set(k, (out.get(k) ?? 0) + v);
  return out;
}

function fromSql(data: PanelData): Numbers {
  switch (data.kind) {
    case 'scalar':
      return data.value;
    case 'breakdown':
      return nonZero(
        data.rows.map((r) => [data.by.map((d) => r.labels[d] ?? NONE_LABEL).join(' | '), r.value]),
      );
    case 'series':
      return nonZero(data.series.map((s) => [s.name, s.points.reduce((n, [, v]) => n + v, 0)]));
    case 'log':
      throw new Error('log panels are LogQL');
  }
}

const labelValue = (metric: Readonly<Record<string, string>>, label: string): string => {
  const v = metric[label];
  return v === undefined || v === '' ? NONE_LABEL : v;
};

/** Runs a panel's PromQL for [fromMs, toMs] as Grafana would, with its variables filled in. */
async function fromPrometheus(base: string, panel: Panel, fromMs: number, toMs: number): Promise<Numbers> {
  const compiled = compilePromPanel(panel);
  const target = compiled.targets[0];
  assert.ok(target !== undefined);
  const values: Record<string, string> = {
    __range: `${toMs - fromMs}ms`,
    __range_s: String((toMs - fromMs) / 1000),
    __interval: `${STEP_MS}ms`,
    __interval_ms: String(STEP_MS),
    ...Object.fromEntries(Object.values(FILTER_VARIABLES).map((v) => [v, ALL_VALUE])),
  };
  const query = interpolate(target.expr, values);
  const q = panel.query;
  if (q.shape === 'scalar') {
    const result = await instantQuery(base, query, toMs / 1000);
    assert.equal(result.length, 1, `panel ${panel.id}: ${JSON.stringify(result)}`);
    return result[0]?.value ?? NaN;
  }
  if (q.shape === 'breakdown') {
    const result = await instantQuery(base, query, toMs / 1000);
    const labels = q.by.map(promLabelOf);
    return nonZero(result.map((s) => [labels.map((l) => labelValue(s.metric, l)).join(' | '), s.value]));
  }
  if (q.shape === 'series') {
    // Steps tile (fromMs, end]; each value is per hour, so growth = value * step / 1 h.
    const steps = Math.ceil((toMs - fromMs) / STEP_MS);
    const result = await rangeQuery(
      base,
      query,
      (fromMs + STEP_MS) / 1000,
      (fromMs + steps * STEP_MS) / 1000,
      STEP_MS / 1000,
    );
    const label = q.by === undefined ? undefined : promLabelOf(q.by);
    return nonZero(
      result.map((s) => [
        label === undefined ? '' : labelValue(s.metric, label),
        s.values.reduce((n, [, v]) => n + (v * STEP_MS) / 3_600_000, 0),
      ]),
    );
  }
  throw new Error(`panel ${panel.id} is a log panel`);
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

function differences(prom: Numbers, sql: Numbers): string | undefined {
  if (typeof prom === 'number' || typeof sql === 'number') {
    return typeof prom === 'number' && typeof sql === 'number' && close(prom, sql)
      ? undefined
      : `PromQL ${String(prom)}, SQL ${String(sql)}`;
  }
  const keys = new Set([...prom.keys(), ...sql.keys()]);
  const wrong = [...keys].filter((k) => !close(prom.get(k) ?? 0, sql.get(k) ?? 0));
  return wrong.length === 0
    ? undefined
    : wrong.map((k) => `${k}: PromQL ${prom.get(k) ?? 0}, SQL ${sql.get(k) ?? 0}`).join('; ');
}

describe('generated PromQL on a real Prometheus scraping ccmon /metrics', () => {
  let server: TestServer;
  let prom: Running;
  const t = { start: 0, mid: 0, end: 0 };
  let billingDay = 1;

  before(async () => {
    server = await startTestServer();
    prom = await startPrometheus({ targets: [new URL(server.apiUrl).host] });
    t.start = await scrapeAfter(prom.url, JOB, Date.now());

    await runSessions(server, PHASE_A);
    const handStart = Date.now();
    await push(
      server,
      [
        { metric: 'claude_code.session.count', value: 1, attrs: { ...alice('hand-1'), start_type: 'fresh' } },
        { metric: 'claude_code.commit.count', value: 2, attrs: alice('hand-1') },
        { metric: 'claude_code.pull_request.count', value: 1, attrs: alice('hand-1') },
        {
          metric: 'claude_code.cost.usage',
          unit: 'USD',
          value: 0.5,
          attrs: { ...alice('hand-1'), model: 'claude-opus-4-1' },
        },
        {
          metric: 'claude_code.code_edit_tool.decision',
          value: 1,
          attrs: {
            ...alice('hand-1'),
            tool_name: 'Edit',
            decision: 'reject',
            source: 'user_reject',
            language: 'Python',
          },
        },
      ],
      handStart - 1000,
    );
    t.mid = (await scrapeAfter(prom.url, JOB, Date.now())) + 500;
    while (Date.now() < t.mid + 1500) await new Promise((r) => setTimeout(r, 100));

    // The two sessions of phase B run side by side; hand-1 grows (its next delta), hand-2 is new.
    await runSessions(server, PHASE_B, { parallel: 2 });
    await push(server, [{ metric: 'claude_code.commit.count', value: 3, attrs: alice('hand-1') }], handStart);
    await push(
      server,
      [
        {
          metric: 'claude_code.session.count',
          value: 1,
          attrs: { 'session.id': 'hand-2', 'user.id': 'install-bob', start_type: 'fresh' },
        },
        {
          metric: 'claude_code.commit.count',
          value: 1,
          attrs: { 'session.id': 'hand-2', 'user.id': 'install-bob' },
        },
        {
          metric: 'claude_code.pull_request.count',
          value: 1,
          attrs: { 'session.id': 'hand-2', 'user.id': 'install-bob' },
        },
      ],
      Date.now() - 1000,
    );
    t.end = (await scrapeAfter(prom.url, JOB, Date.now())) + 500;
    billingDay = Math.min(28, new Date(t.end).getUTCDate());
  });

  after(async () => {
    await prom?.stop();
    await server?.stop();
  });

  const params = (fromMs: number, toMs: number): PanelParams => ({
    fromMs,
    toMs,
    tz: 'UTC',
    billingDay,
    nowMs: toMs,
    filters: {},
  });

  async function compare(fromOf: () => number): Promise<Map<number, Numbers>> {
    const wrong: string[] = [];
    const seen = new Map<number, Numbers>();
    for (const panel of DASHBOARD.panels.filter((p) => panelSource(p) === 'metrics')) {
      const cycle = compilePromPanel(panel).window === 'billing_cycle';
      const from = cycle ? billingCycleStart(t.end, billingDay, 'UTC') : fromOf();
      const sql = fromSql(await server.db.withRead((db) => queryPanel(db, panel, params(fromOf(), t.end))));
      const promql = await fromPrometheus(prom.url, panel, from, t.end);
      const diff = differences(promql, sql);
      if (diff !== undefined) wrong.push(`panel ${panel.id} ${panel.title}: ${diff}`);
      seen.set(panel.id, promql);
    }
    assert.deepEqual(wrong, []);
    return seen;
  }

  it('every metric panel equals ccmon SQL over the whole test (series first seen in the range count from 0)', async () => {
    const got = await compare(() => t.start);
    // The original dashboard read 0 here; these are the counts the clients sent.
    assert.equal(got.get(3), 6, 'Sessions: 4 Claude Code runs (one exported once) and 2 hand-made');
    assert.equal(got.get(7), 6, 'Commits');
    assert.equal(got.get(8), 2, 'Pull Requests');
    assert.equal(got.get(9), 5, 'Code Edits: a Write per run, one hand-made reject');
    const edits = got.get(18);
    assert.ok(
      edits instanceof Map && edits.size >= 2,
      `Code Edit Decisions: ${JSON.stringify([...(edits as Map<string, number>)])}`,
    );
  });

  it('every metric panel equals ccmon SQL over phase B (older series count only their growth)', async () => {
    const got = await compare(() => t.mid);
    assert.equal(got.get(3), 3, 'Sessions: the two parallel runs and hand-2');
    assert.equal(got.get(7), 4, 'Commits: hand-1 grew by 3, hand-2 has 1');
    assert.equal(got.get(8), 1, 'Pull Requests');
    assert.equal(got.get(9), 2, 'Code Edits');
  });

  it('reproduces the original defect with increase(), and runs the cases it claims', async () => {
    const range = `${t.end - t.start}ms`;
    const [increase] = await instantQuery(
      prom.url,
      `sum(increase(claude_code_session_count_total[${range}]))`,
      t.end / 1000,
    );
    // Each session's counter is 1 from its first sample on: increase() sees no growth at all.
    assert.equal(increase?.value, 0);
    const [once] = await server.db.withRead((db) =>
      db.all(`SELECT count(DISTINCT end_time) AS exports FROM points WHERE machine_name = 'host-once'`),
    );
    assert.equal(Number(once?.exports), 1, 'the short session exported once');
  });

  it('/metrics passes promtool check metrics and names series as the Collector does', async () => {
    const response = await fetch(`${server.apiUrl}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    const result = await checkMetrics(text);
    assert.equal(result.output, '', text);
    assert.equal(result.code, 0);
    for (const family of [
      'claude_code_cost_usage_USD_total',
      'claude_code_token_usage_tokens_total',
      'claude_code_active_time_seconds_total',
      'claude_code_session_count_total',
      'claude_code_commit_count_total',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${family} counter$`, 'm'));
    }
    const cost = text
      .split('\n')
      .find((l) => l.startsWith('claude_code_cost_usage_USD_total{') && l.includes('session_id="hand-1"'));
    assert.ok(cost?.includes('job="claude-code"'), cost);
    assert.ok(cost?.includes('user_email="alice@example.com"'), cost);
    assert.ok(cost?.includes('otel_scope_name="com.anthropic.claude_code"'), cost);
    assert.match(text, /^ccmon_receiver_accepted_records_total\{protocol="grpc",signal="metrics"\} [1-9]/m);
  });
});
