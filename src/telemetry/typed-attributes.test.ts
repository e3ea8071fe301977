import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { kv, logsRequest } from '../../test/support/requests.js';
import { listEvents } from '../dashboard/event-list.js';
import { sessionDetail } from '../dashboard/sessions.js';
import { Database, STORE_FILE } from '../store/database.js';
import { MIGRATIONS } from '../store/migrations.js';
import { BatchWriter } from '../store/writer.js';
import { canonicalJson, toAttributes } from './attributes.js';
import { normalizeLogs } from './normalize-logs.js';
import type { TelemetryEvent } from './records.js';
import { TYPED_EVENT_ATTRIBUTES, withTypedAttributes } from './typed-attributes.js';

const T0 = Date.UTC(2026, 2, 3, 10) * 1000;
const RES = { 'service.name': 'claude-code', 'machine.name': 'box', 'session.id': 'from-resource' };
type Attrs = Record<string, string | number | boolean>;

const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** What the attributes look like as sent (canonical JSON parsed back). */
const asSent = (attrs: Attrs): unknown => JSON.parse(canonicalJson(toAttributes(kv(attrs))));

const API_REQUEST: Attrs = {
  'event.name': 'api_request',
  'event.sequence': 3,
  'event.timestamp': '2026-03-03T10:00:03.000Z',
  'session.id': 's-typed',
  'user.id': 'a087eaf300b349c98706c4ebfb2627fdf7e79d2b47f666309ce301f0b8829f5c',
  'user.email': 'dev@example.com',
  'user.account_uuid': '239126bd-675b-4122-af5d-b9e0278cdcb2',
  'organization.id': '6d010770-feac-4771-a48c-a60a7d213b2e',
  'terminal.type': 'iTerm.app',
  'prompt.id': '492e3b0b-30dd-4741-aaf0-55936d68e763',
  model: 'claude-sonnet-4-5-20250929',
  cost_usd: 0.0936822,
  duration_ms: 7324,
  input_tokens: 21,
  output_tokens: 1429,
  cache_read_tokens: 6173,
  cache_creation_tokens: 1103,
};

/** Values that the typed columns hold differently from how they were sent: they stay in the JSON. */
const COERCED: Attrs = {
  'event.name': 'claude_code.tool_result',
  'event.sequence': 2.5,
  'session.id': 's-typed',
  input_tokens: '31',
  success: 'true',
  status_code: 1000,
  model: '',
  cost_usd: 1e308,
  duration_ms: -0,
  tool_name: 'Bash',
  decision: 'accept',
  source: 'config',
  error: 'boom',
};

describe('event attributes kept in typed columns', () => {
  let dir: string;
  let db: Database;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccmon-typed-'));
    db = await Database.open(dir);
    const writer = await BatchWriter.create(db, { maxQueuedRecords: 100, maxBatchRecords: 100 });
    const { records } = normalizeLogs(
      logsRequest(RES, [
        { timeUs: T0 + 3_000_000, attrs: API_REQUEST },
        { timeUs: T0 + 4_000_000, attrs: COERCED },
        // session.id only on the resource: the event's attributes must not gain one.
        { timeUs: T0 + 5_000_000, attrs: { 'event.name': 'user_prompt', prompt_length: '12' } },
      ]),
      { dropContent: false },
    );
    await writer.write({ points: [], events: records });
    await writer.close();
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives every event its attributes back exactly as sent, in the event list and the session', async () => {
    const range = { fromMs: T0 / 1000, toMs: T0 / 1000 + 60_000, limit: 10, offset: 0, filters: {} };
    const { events } = await db.withRead((r) => listEvents(r, range));
    // As the API sends them: JSON (where -0 is 0, as it was in the stored JSON).
    const byName = new Map(events.map((e) => [e.name, wire(e.attributes)]));
    assert.deepEqual(byName.get('api_request'), asSent(API_REQUEST));
    assert.deepEqual(
      Object.keys(byName.get('api_request') as object),
      Object.keys(asSent(API_REQUEST) as object),
      'in the stored JSON’s order, sorted keys',
    );
    assert.deepEqual(byName.get('tool_result'), asSent(COERCED));
    assert.deepEqual(byName.get('user_prompt'), asSent({ 'event.name': 'user_prompt', prompt_length: '12' }));

    const detail = await db.withRead((r) => sessionDetail(r, 's-typed'));
    const timeline = detail?.prompts.flatMap((p) => p.events) ?? [];
    assert.deepEqual(
      timeline.map((e) => wire(e.attributes)),
      [asSent(API_REQUEST), asSent(COERCED)],
    );
  });

  it('stores the typed ones only in their columns, and the coerced ones in the JSON too', async () => {
    const rows = await db.withRead((r) =>
      r.all(`SELECT name, attributes, typed_attributes FROM events ORDER BY time`),
    );
    const apiRequest = JSON.parse(String(rows[0]?.attributes)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(apiRequest), ['event.timestamp', 'user.account_uuid']);
    const coerced = JSON.parse(String(rows[1]?.attributes)) as Record<string, unknown>;
    for (const key of ['event.name', 'event.sequence', 'input_tokens', 'success', 'status_code', 'model'])
      assert.ok(key in coerced, `${key} stays in the JSON`);
    for (const key of ['session.id', 'cost_usd', 'duration_ms', 'tool_name', 'decision', 'source', 'error'])
      assert.ok(!(key in coerced), `${key} is only in its column`);
    assert.equal(rows[2]?.typed_attributes, 1, 'only event.name');
  });

  it('gives back any attributes of the typed names, whatever their types (property)', () => {
    const keys = TYPED_EVENT_ATTRIBUTES.map((t) => t.key);
    const value = fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.constantFrom('', '0', '31', 'true', 'false', '1', 'api_request'),
      fc.integer({ min: -1000, max: 1000 }),
      fc.double({ noNaN: false }),
      fc.boolean(),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...keys), value), (attrs) => {
        const [event] = normalizeLogs(logsRequest(RES, [{ timeUs: T0, attrs }]), {
          dropContent: false,
        }).records;
        assert.ok(event);
        const row = storedRow(event);
        const back = withTypedAttributes(JSON.parse(event.attributesJson) as Record<string, unknown>, row);
        assert.deepEqual(JSON.parse(canonicalJson(back as never)), asSent(attrs));
      }),
      { numRuns: 500 },
    );
  });
});

describe('a store from before typed_attributes', () => {
  it('gives back the attributes of rows stored before, and of rows stored after the upgrade', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccmon-typed-upgrade-'));
    try {
      // The schema as the release before it left it, with one event stored whole in its JSON.
      const old = await DuckDBInstance.create(join(dir, STORE_FILE));
      const conn = await old.connect();
      await conn.run(
        'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)',
      );
      for (const m of MIGRATIONS.filter((m) => m.version <= 2)) {
        await conn.run(m.sql);
        await conn.run('INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)', [m.version, m.name]);
      }
      await conn.run(
        `INSERT INTO events (key, time, observed_time, name, session_id, cost_usd, scope_name, attributes, resource)
         VALUES (uuid(), make_timestamp(?::BIGINT), make_timestamp(?::BIGINT), 'api_request', 's-old', 0.5,
                 'scope', ?, '{}')`,
        [
          BigInt(T0),
          BigInt(T0),
          canonicalJson({ 'event.name': 'api_request', 'session.id': 's-old', cost_usd: 0.5 }),
        ],
      );
      conn.closeSync();
      old.closeSync();

      const db = await Database.open(dir);
      try {
        const writer = await BatchWriter.create(db, { maxQueuedRecords: 100, maxBatchRecords: 100 });
        const attrs: Attrs = { 'event.name': 'api_request', 'session.id': 's-new', cost_usd: 0.25 };
        const { records } = normalizeLogs(logsRequest(RES, [{ timeUs: T0 + 1_000_000, attrs }]), {
          dropContent: false,
        });
        await writer.write({ points: [], events: records });
        await writer.close();
        const range = { fromMs: T0 / 1000 - 1, toMs: T0 / 1000 + 60_000, limit: 10, offset: 0, filters: {} };
        const { events } = await db.withRead((r) => listEvents(r, range));
        assert.deepEqual(
          events.map((e) => wire(e.attributes)),
          [asSent(attrs), asSent({ 'event.name': 'api_request', 'session.id': 's-old', cost_usd: 0.5 })],
        );
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The typed columns of an event as DuckDB gives them back (BIGINT and INTEGER columns as bigint). */
function storedRow(event: TelemetryEvent): Record<string, unknown> {
  const bigints = new Set([
    'sequence',
    'input_tokens',
    'output_tokens',
    'cache_read_tokens',
    'cache_creation_tokens',
  ]);
  const row: Record<string, unknown> = { typed_attributes: event.typedAttributes };
  for (const typed of TYPED_EVENT_ATTRIBUTES) {
    const value = typed.of(event);
    row[`typed_${typed.column}`] =
      bigints.has(typed.column) && typeof value === 'number' ? BigInt(value) : value;
  }
  return row;
}
