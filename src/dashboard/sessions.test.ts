import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { at, HAIKU, OPUS, SONNET, writeFixture } from '../../test/support/dashboard-fixture.js';
import { Database } from '../store/database.js';
import { listEvents } from './event-list.js';
import { filterValues } from './filter-values.js';
import { listSessions, sessionDetail } from './sessions.js';

/* Sessions, events and filter values over the hand-built day of test/support/dashboard-fixture.ts. */

const RANGE = { fromMs: at(0), toMs: at(8) };
const iso = (ms: number): string => new Date(ms).toISOString();

describe('sessions, events and filter values', () => {
  let dir: string;
  let db: Database;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccmon-sessions-'));
    db = await Database.open(dir);
    await writeFixture(db);
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the sessions seen in the range, newest first, with metric cost and event counts', async () => {
    const sessions = await db.withRead((r) => listSessions(r, { ...RANGE, limit: 100, filters: {} }));
    const brief = sessions.map((s) => [
      s.session_id,
      s.started,
      s.ended,
      s.cost_usd,
      s.tokens,
      s.model,
      s.user,
    ]);
    assert.deepEqual(brief, [
      ['s4', iso(at(6, 14)), iso(at(6, 20)), 0.5, 0, HAIKU, null],
      ['s3', iso(at(5, 40)), iso(at(5, 45)), 0.1, 100, SONNET, 'alice@example.com'],
      ['s2', iso(at(3, 20)), iso(at(3, 30)), 1.05, 3550, OPUS, 'ub'],
      ['s0', iso(at(0)), iso(at(0)), 0, 0, null, 'alice@example.com'],
      // its first export started a minute before the range (the export ending at 00:00 counts)
      ['s1', iso(at(23, 59, 0, 9)), iso(at(2, 20)), 0.5, 6300, SONNET, 'alice@example.com'],
    ]);
    const s1 = sessions[4];
    assert.deepEqual(
      [s1?.prompts, s1?.api_requests, s1?.tool_calls, s1?.errors, s1?.machine, s1?.duration_s],
      [2, 3, 2, 1, 'laptop', 2 * 3600 + 21 * 60],
    );
  });

  it('filters sessions by model as whole sessions that used it', async () => {
    const sessions = await db.withRead((r) =>
      listSessions(r, { ...RANGE, limit: 100, filters: { model: HAIKU } }),
    );
    assert.deepEqual(
      sessions.map((s) => [s.session_id, s.cost_usd, s.prompts]),
      [
        ['s4', 0.5, 0],
        ['s2', 1.05, 1],
      ],
    );
    const limited = await db.withRead((r) =>
      listSessions(r, { ...RANGE, limit: 1, filters: { user: 'alice@example.com' } }),
    );
    assert.deepEqual(
      limited.map((s) => s.session_id),
      ['s3'],
    );
  });

  it("shows one session's events in order, grouped by prompt", async () => {
    const detail = await db.withRead((r) => sessionDetail(r, 's1'));
    assert.equal(detail?.session.cost_usd, 0.5);
    assert.deepEqual(
      detail?.prompts.map((p) => [p.prompt_id, p.events.map((e) => `${e.sequence} ${e.name}`)]),
      [
        ['p1', ['0 user_prompt', '1 api_request', '2 tool_decision', '3 tool_result', '4 api_request']],
        ['p2', ['5 user_prompt', '6 api_request', '7 tool_result', '8 api_error']],
      ],
    );
    const error = detail?.prompts[1]?.events[3];
    assert.deepEqual([error?.status_code, error?.error, error?.model], [529, 'Overloaded', SONNET]);
    assert.equal(detail?.prompts[0]?.events[3]?.success, true);
    assert.equal(await db.withRead((r) => sessionDetail(r, 'nope')), undefined);
  });

  it('lists the filter values seen in the range, sorted', async () => {
    assert.deepEqual(await db.withRead((r) => filterValues(r, RANGE)), {
      machine: ['desktop', 'laptop', 'laptop2'],
      user: ['alice@example.com', 'ub'],
      model: [HAIKU, OPUS, SONNET],
      session: ['s0', 's1', 's2', 's3', 's4'],
      terminal: ['iTerm.app', 'vscode'],
      service_version: ['2.1.190', '2.1.197'],
    });
  });

  it('pages through events newest first, by name and filters', async () => {
    const page = await db.withRead((r) => listEvents(r, { ...RANGE, limit: 2, offset: 0, filters: {} }));
    assert.equal(page.total, 18);
    assert.deepEqual(
      page.events.map((e) => [e.time, e.name, e.session_id, e.user]),
      [
        [iso(at(6, 20)), 'api_error', 's4', null],
        [iso(at(6, 14)), 'api_request', 's4', null],
      ],
    );
    const tools = await db.withRead((r) =>
      listEvents(r, { ...RANGE, limit: 10, offset: 1, name: 'tool_result', filters: {} }),
    );
    assert.equal(tools.total, 4);
    assert.deepEqual(
      tools.events.map((e) => [e.tool_name, e.success, e.duration_ms]),
      [
        ['Bash', false, 500],
        ['Write', true, 31],
        ['Write', true, 10],
      ],
    );
    const ub = await db.withRead((r) =>
      listEvents(r, { ...RANGE, limit: 10, offset: 0, filters: { user: 'ub' } }),
    );
    assert.equal(ub.total, 5);
    assert.equal((ub.events[0]?.attributes as Record<string, unknown>)['event.name'], 'tool_result');
  });
});
