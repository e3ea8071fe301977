/**
 * The real Claude Code CLI sends to ccmon over every protocol and temporality; what ccmon stores must
 * equal what the fake Anthropic API reported and what the sessions did.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { grouped, summary, type Summary } from '../src/report/queries.js';
import { runSessions, type SessionSpec, type SessionsResult } from './support/claude-sessions.js';
import { startTestServer, type TestServer } from './support/server.js';

const SESSIONS: readonly SessionSpec[] = [
  { name: 'grpc-gzip-delta', protocol: 'grpc', temporality: 'delta', compression: 'gzip', lines: 3 },
  {
    name: 'http-proto-cumulative',
    protocol: 'http/protobuf',
    temporality: 'cumulative',
    lines: 5,
    command: 'sleep 3 && echo slept',
  },
  {
    name: 'http-json-delta',
    protocol: 'http/json',
    temporality: 'delta',
    lines: 7,
    command: 'sleep 2 && echo ok',
  },
  { name: 'grpc-cumulative', protocol: 'grpc', temporality: 'cumulative', lines: 2 },
];

describe('real Claude Code sessions into ccmon', () => {
  let server: TestServer;
  let sent: SessionsResult;
  let total: Summary;

  before(async () => {
    server = await startTestServer();
    // The last two run side by side, as two terminals would.
    sent = await runSessions(server, SESSIONS.slice(0, 2));
    const parallel = await runSessions(server, SESSIONS.slice(2), { parallel: 2 });
    sent = merge(sent, parallel);
    total = await server.db.withRead((db) =>
      summary(db, { fromMs: Date.now() - 3_600_000, toMs: Date.now() + 60_000, tz: 'UTC' }),
    );
  });

  after(() => server.stop());

  it('stores token counts equal to what the API reported', () => {
    const reported = sent.usage;
    assert.deepEqual(total.tokens, {
      input: reported.input_tokens,
      output: reported.output_tokens,
      cacheRead: reported.cache_read_input_tokens,
      cacheCreation: reported.cache_creation_input_tokens,
    });
  });

  it('counts one session per run and the lines each run wrote', () => {
    assert.equal(total.sessions, SESSIONS.length);
    assert.equal(total.lines.added, sent.linesAdded);
    assert.equal(total.code_edit_decisions.accept, SESSIONS.length);
  });

  it('has the same cost in the metrics as in the api_request events', async () => {
    const [row] = await server.db.withRead((db) =>
      db.all(`SELECT sum(cost_usd) AS cost, count(*) AS n FROM events WHERE name = 'api_request'`),
    );
    assert.ok(total.cost_usd > 0);
    assert.ok(
      Math.abs(total.cost_usd - Number(row?.cost)) < 1e-9,
      `${total.cost_usd} vs ${String(row?.cost)}`,
    );
  });

  it('stores every event the CLI sent, once: sequences complete per session, one api_request per API call', async () => {
    const rows = await server.db.withRead((db) =>
      db.all(`SELECT machine_name, count(*) AS n, count(DISTINCT sequence) AS distinct_seq, min(sequence) AS lo, max(sequence) AS hi,
                count(*) FILTER (WHERE name = 'api_request') AS api, count(*) FILTER (WHERE name = 'tool_result') AS tools,
                count(*) FILTER (WHERE name = 'user_prompt') AS prompts, count(DISTINCT session_id) AS sessions
              FROM events GROUP BY machine_name ORDER BY machine_name`),
    );
    assert.equal(rows.length, SESSIONS.length);
    for (const row of rows) {
      const machine = String(row.machine_name);
      assert.equal(Number(row.sessions), 1, machine);
      assert.equal(Number(row.distinct_seq), Number(row.n), `${machine}: no duplicate sequence`);
      assert.equal(Number(row.lo), 0, `${machine}: sequences start at 0`);
      assert.equal(Number(row.hi) + 1, Number(row.n), `${machine}: no gap in sequences`);
      assert.equal(
        Number(row.api),
        sent.apiCalls.get(machine.replace(/^host-/, '')),
        `${machine}: api_request per API call`,
      );
      assert.equal(Number(row.tools), 2, `${machine}: tool results`);
      assert.equal(Number(row.prompts), 1, `${machine}: prompts`);
    }
  });

  it('kept per-series state for the cumulative sessions (their exact deltas are checked by the token totals above)', async () => {
    const [row] = await server.db.withRead((db) => db.all(`SELECT count(*) AS n FROM cumulative_series`));
    assert.ok(Number(row?.n) > 0, 'cumulative series state was kept');
  });

  it('keeps each machine apart through its resource attribute', async () => {
    const machines = await server.db.withRead((db) =>
      grouped(db, 'machines', { fromMs: 0, toMs: Date.now() + 60_000, tz: 'UTC' }),
    );
    assert.deepEqual(machines.map((m) => m.key).sort(), SESSIONS.map((s) => `host-${s.name}`).sort());
    for (const m of machines) assert.equal(m.sessions, 1);
  });
});

function merge(a: SessionsResult, b: SessionsResult): SessionsResult {
  const usage = { ...a.usage };
  for (const key of [
    'input_tokens',
    'output_tokens',
    'cache_read_input_tokens',
    'cache_creation_input_tokens',
    'requests',
  ] as const) {
    usage[key] = a.usage[key] + b.usage[key];
  }
  return {
    usage,
    apiCalls: new Map([...a.apiCalls, ...b.apiCalls]),
    linesAdded: a.linesAdded + b.linesAdded,
    fake: b.fake,
  };
}
