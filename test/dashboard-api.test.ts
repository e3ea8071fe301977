/**
 * The dashboard API against real Claude Code sessions: panel numbers must equal the report's
 * summary and what the fake Anthropic API answered; filters, events and session timelines follow
 * the stored events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PanelData } from '../src/dashboard/panel-data.js';
import { grouped, summary, type Summary } from '../src/report/queries.js';
import { runSessions, type SessionSpec, type SessionsResult } from './support/claude-sessions.js';
import { startTestServer, type TestServer } from './support/server.js';

const SESSIONS: readonly SessionSpec[] = [
  { name: 'dash-a', protocol: 'grpc', lines: 4, machine: 'dash-laptop' },
  { name: 'dash-b', protocol: 'http/protobuf', lines: 6, machine: 'dash-desktop', command: 'echo b' },
];

type Json = Record<string, unknown>;

describe('dashboard API with real Claude Code sessions', () => {
  let server: TestServer;
  let sent: SessionsResult;
  let total: Summary;
  let range: string;
  let fromMs: number;
  let toMs: number;

  const get = async (path: string): Promise<{ status: number; body: Json }> => {
    const response = await fetch(`${server.apiUrl}${path}`);
    return { status: response.status, body: (await response.json()) as Json };
  };
  const ok = async (path: string): Promise<Json> => {
    const { status, body } = await get(path);
    assert.equal(status, 200, `${path}: ${JSON.stringify(body)}`);
    return body;
  };
  const panels = async (ids: number[], extra = ''): Promise<Record<string, PanelData>> =>
    (await ok(`/api/v1/panels?ids=${ids.join(',')}&${range}${extra}`)).panels as Record<string, PanelData>;
  const scalar = (data: PanelData | undefined): number => {
    assert.equal(data?.kind, 'scalar');
    return data.kind === 'scalar' ? data.value : NaN;
  };

  before(async () => {
    server = await startTestServer();
    fromMs = Date.now() - 60_000;
    sent = await runSessions(server, SESSIONS);
    toMs = Date.now() + 60_000;
    range = `from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}`;
    total = await server.db.withRead((db) => summary(db, { fromMs, toMs, tz: 'UTC' }));
  });
  after(() => server.stop());

  it('serves the definition without queries', async () => {
    const body = await ok('/api/v1/dashboard');
    const list = body.panels as Json[];
    assert.equal(list.length, 33);
    assert.equal((body.sections as Json[]).length, 8);
    assert.deepEqual(Object.keys(list[27] ?? {}).sort(), [
      'description',
      'id',
      'max',
      'section',
      'title',
      'type',
      'unit',
      'width',
    ]);
    assert.ok(!JSON.stringify(body).includes('SELECT'));
    assert.deepEqual((body.defaults as Json).billingDay, 1);
  });

  it('computes Cost, Sessions, Lines Added, Cache Hit Rate and Tool Usage as the report and the API saw them', async () => {
    const data = await panels([3, 4, 10, 28, 31]);
    assert.ok(total.cost_usd > 0);
    assert.ok(
      Math.abs(scalar(data['4']) - total.cost_usd) < 1e-9,
      `${scalar(data['4'])} vs ${total.cost_usd}`,
    );
    assert.equal(scalar(data['3']), SESSIONS.length);
    assert.equal(scalar(data['3']), total.sessions);
    assert.equal(scalar(data['10']), sent.linesAdded);
    const u = sent.usage;
    const hit = (u.cache_read_input_tokens / (u.input_tokens + u.cache_read_input_tokens)) * 100;
    assert.ok(Math.abs(scalar(data['28']) - hit) < 1e-9, `${scalar(data['28'])} vs ${hit}`);
    const tools = data['31'];
    assert.equal(tools?.kind, 'breakdown');
    if (tools?.kind !== 'breakdown') return;
    // Each session ran Write, then Bash.
    assert.deepEqual(
      tools.rows.map((r) => [r.labels.tool_name, r.value]),
      [
        ['Bash', SESSIONS.length],
        ['Write', SESSIONS.length],
      ],
    );
    assert.equal(
      tools.rows.reduce((n, r) => n + r.value, 0),
      total.events.tool_result,
    );
  });

  it('answers one panel alone as in a batch', async () => {
    const one = await ok(`/api/v1/panels/4?${range}`);
    assert.deepEqual(one, (await panels([4]))['4']);
    const all = await ok(`/api/v1/panels?${range}`);
    assert.equal(Object.keys(all.panels as Json).length, 33);
  });

  it('narrows every number by the filters', async () => {
    const machines = await server.db.withRead((db) => grouped(db, 'machines', { fromMs, toMs, tz: 'UTC' }));
    const laptop = machines.find((m) => m.key === 'dash-laptop');
    const data = await panels([3, 4, 31], '&machine=dash-laptop');
    assert.ok(Math.abs(scalar(data['4']) - Number(laptop?.cost_usd)) < 1e-9);
    assert.ok(scalar(data['4']) < total.cost_usd);
    assert.equal(scalar(data['3']), 1);
    const tools = data['31'];
    assert.deepEqual(tools?.kind === 'breakdown' ? tools.rows.map((r) => r.value) : [], [1, 1]);
    assert.equal(scalar((await panels([4], '&machine=nowhere'))['4']), 0);
  });

  it('lists the filter values seen in the range', async () => {
    const values = await ok(`/api/v1/filters?${range}`);
    assert.deepEqual(values.machine, ['dash-desktop', 'dash-laptop']);
    assert.equal((values.session as string[]).length, SESSIONS.length);
    assert.ok((values.model as string[]).length >= 1);
    assert.deepEqual(Object.keys(values).sort(), [
      'machine',
      'model',
      'service_version',
      'session',
      'terminal',
      'user',
    ]);
  });

  it('pages through the events, newest first', async () => {
    const all = await ok(`/api/v1/events?${range}&limit=1000`);
    const events = all.events as Json[];
    const stored = Object.values(total.events).reduce((a, b) => a + b, 0);
    assert.equal(all.total, stored);
    assert.equal(events.length, stored);
    const times = events.map((e) => String(e.time));
    assert.deepEqual(times, [...times].sort().reverse());
    const page = await ok(`/api/v1/events?${range}&limit=3&offset=2`);
    assert.deepEqual(
      (page.events as Json[]).map((e) => e.key),
      events.slice(2, 5).map((e) => e.key),
    );
    const prompts = await ok(`/api/v1/events?${range}&name=user_prompt&machine=dash-b`);
    assert.equal(prompts.total, 0);
    const promptsB = await ok(`/api/v1/events?${range}&name=user_prompt&machine=dash-desktop`);
    assert.equal(promptsB.total, 1);
    assert.equal(typeof ((promptsB.events as Json[])[0]?.attributes as Json)['prompt.id'], 'string');
  });

  it('lists sessions with their cost and counts, and shows one session as a timeline', async () => {
    const { sessions } = (await ok(`/api/v1/sessions?${range}`)) as { sessions: Json[] };
    assert.equal(sessions.length, SESSIONS.length);
    const cost = sessions.reduce((n, s) => n + Number(s.cost_usd), 0);
    assert.ok(Math.abs(cost - total.cost_usd) < 1e-9);
    assert.deepEqual(
      sessions.map((s) => s.machine),
      ['dash-desktop', 'dash-laptop'], // newest first: dash-b ran second
    );
    for (const s of sessions) {
      assert.equal(s.prompts, 1);
      assert.equal(s.tool_calls, 2);
      assert.equal(
        s.api_requests,
        sent.apiCalls.get(String(s.machine) === 'dash-laptop' ? 'dash-a' : 'dash-b'),
      );
      assert.ok(Number(s.duration_s) > 0);
    }

    const id = String(sessions[1]?.session_id);
    const detail = await ok(`/api/v1/sessions/${encodeURIComponent(id)}`);
    assert.equal((detail.session as Json).session_id, id);
    const prompts = detail.prompts as { prompt_id: string | null; events: Json[] }[];
    const withId = prompts.filter((p) => p.prompt_id !== null);
    assert.equal(withId.length, 1, JSON.stringify(prompts.map((p) => p.prompt_id)));
    const events = withId[0]?.events ?? [];
    assert.equal(events[0]?.name, 'user_prompt');
    const times = events.map((e) => String(e.time));
    assert.deepEqual(times, [...times].sort());
    const names = events.map((e) => e.name);
    for (const name of ['api_request', 'tool_decision', 'tool_result']) assert.ok(names.includes(name), name);
    assert.ok(names.indexOf('tool_decision') < names.lastIndexOf('tool_result'));
    const tools = events.filter((e) => e.name === 'tool_result').map((e) => e.tool_name);
    assert.deepEqual(tools, ['Write', 'Bash']);
    const sequences = events.map((e) => Number(e.sequence));
    assert.deepEqual(
      sequences,
      [...sequences].sort((a, b) => a - b),
    );

    const missing = await get('/api/v1/sessions/no-such-session');
    assert.equal(missing.status, 404);
  });

  it('refuses bad parameters with a message naming them', async () => {
    const cases: [string, number, RegExp][] = [
      ['/api/v1/panels/4?from=yesterday-ish', 400, /^from:/],
      ['/api/v1/panels/4?tz=Mars/Olympus', 400, /^tz:/],
      ['/api/v1/panels/4?billingDay=29', 400, /^billingDay:/],
      ['/api/v1/panels/4?from=2026-01-02&to=2026-01-01', 400, /^from:/],
      ['/api/v1/panels?ids=1,x', 400, /^ids:/],
      ['/api/v1/panels/99', 404, /panel 99/],
      ['/api/v1/events?limit=5000', 400, /^limit:/],
      ['/api/v1/sessions?limit=0', 400, /^limit:/],
    ];
    for (const [path, status, message] of cases) {
      const response = await get(path);
      assert.equal(response.status, status, path);
      assert.match(String(response.body.error), message, path);
    }
  });
});
