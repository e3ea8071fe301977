/**
 * The real Claude Code CLI sends to ccmon over every protocol and temporality; what ccmon stores must
 * equal what the fake Anthropic API reported and what the sessions did.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { grouped, summary, type Summary } from '../src/report/queries.js';
import { runClaude, type OtlpOptions } from './support/claude.js';
import { createFakeAnthropic, type FakeAnthropic, type Turn } from './support/fake-anthropic.js';
import { startTestServer, tempDir, type TestServer } from './support/server.js';

interface Session {
  readonly name: string;
  readonly protocol: OtlpOptions['protocol'];
  readonly temporality: 'delta' | 'cumulative';
  readonly compression?: 'gzip';
  readonly lines: number;
  /** a command that keeps the session alive over several metric exports */
  readonly command: string;
}

const SESSIONS: readonly Session[] = [
  {
    name: 'grpc-gzip-delta',
    protocol: 'grpc',
    temporality: 'delta',
    compression: 'gzip',
    lines: 3,
    command: 'echo hi',
  },
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
  { name: 'grpc-cumulative', protocol: 'grpc', temporality: 'cumulative', lines: 2, command: 'echo done' },
];

function usage(seed: number): Turn['usage'] {
  return {
    input_tokens: 1000 + seed * 7,
    output_tokens: 30 + seed,
    cache_read_input_tokens: 3000 + seed * 11,
    cache_creation_input_tokens: 500 + seed * 3,
  };
}

function content(lines: number, name: string): string {
  return Array.from({ length: lines }, (_, i) => `${name} line ${i + 1}`).join('\n');
}

function turns(session: Session, index: number, cwd: string): Turn[] {
  return [
    {
      text: 'Writing the file.',
      toolUse: {
        name: 'Write',
        input: { file_path: join(cwd, `${session.name}.txt`), content: content(session.lines, session.name) },
      },
      usage: usage(index * 3 + 1),
    },
    {
      toolUse: { name: 'Bash', input: { command: session.command, description: 'Run a command' } },
      usage: usage(index * 3 + 2),
    },
    { text: 'All done.', usage: usage(index * 3 + 3) },
  ];
}

describe('real Claude Code sessions into ccmon', () => {
  let server: TestServer;
  let fake: FakeAnthropic;
  let total: Summary;
  const cwd = tempDir('ccmon-e2e-cwd-');
  const mainRequestsPerSession = new Map<string, number>();

  before(async () => {
    server = await startTestServer();
    let script: Turn[] = [];
    fake = createFakeAnthropic(() => script.shift() ?? { text: 'Done.', usage: usage(99) });
    const { url } = await fake.start();
    for (const [index, session] of SESSIONS.entries()) {
      script = turns(session, index, cwd);
      const before = fake.requests.length;
      const result = await runClaude({
        prompt: `Create ${session.name}.txt with ${session.lines} lines, then run a command.`,
        anthropicUrl: url,
        cwd,
        otlp: {
          protocol: session.protocol,
          endpoint: session.protocol === 'grpc' ? `http://${server.grpcTarget}` : server.otlpHttpUrl,
          temporality: session.temporality,
          ...(session.compression ? { compression: session.compression } : {}),
          metricIntervalMs: 1000,
          logsIntervalMs: 500,
          resourceAttributes: { 'machine.name': `host-${session.name}` },
        },
      });
      assert.equal(result.code, 0, `${session.name}: ${result.stderr}`);
      assert.equal(
        readFileSync(join(cwd, `${session.name}.txt`), 'utf8'),
        content(session.lines, session.name),
      );
      mainRequestsPerSession.set(
        `host-${session.name}`,
        fake.requests.slice(before).filter((r) => r.path === '/v1/messages').length,
      );
    }
    total = await server.db.withRead((db) =>
      summary(db, { fromMs: Date.now() - 3_600_000, toMs: Date.now() + 60_000, tz: 'UTC' }),
    );
  });

  after(async () => {
    await fake.close();
    await server.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('stores token counts equal to what the API reported', () => {
    const reported = fake.usageTotals();
    assert.deepEqual(total.tokens, {
      input: reported.input_tokens,
      output: reported.output_tokens,
      cacheRead: reported.cache_read_input_tokens,
      cacheCreation: reported.cache_creation_input_tokens,
    });
  });

  it('counts one session per run and the lines each run wrote', () => {
    assert.equal(total.sessions, SESSIONS.length);
    const written = SESSIONS.reduce((n, s) => n + content(s.lines, s.name).split('\n').length, 0);
    assert.equal(total.lines.added, written);
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
        mainRequestsPerSession.get(machine),
        `${machine}: api_request per API call`,
      );
      assert.equal(Number(row.tools), 2, `${machine}: tool results`);
      assert.equal(Number(row.prompts), 1, `${machine}: prompts`);
    }
  });

  it('converted the cumulative sessions to deltas per series, counting each first point whole', async () => {
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
