import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { summary } from '../report/queries.js';
import { normalizeLogs } from '../telemetry/normalize-logs.js';
import { normalizeMetrics } from '../telemetry/normalize-metrics.js';
import { logsRequest, metricsRequest } from '../../test/support/requests.js';
import { Database } from './database.js';
import { SECOND_COST } from './key-index.js';
import { BatchWriter } from './writer.js';

const T0 = Date.UTC(2026, 0, 5, 9) * 1000;
const MIN = 60_000_000;
const RES = { 'service.name': 'claude-code', 'machine.name': 'laptop' };
const ALL = { fromMs: T0 / 1000 - 86_400_000, toMs: T0 / 1000 + 86_400_000, tz: 'UTC' };

describe('BatchWriter', () => {
  let dir: string;
  let db: Database;
  let writer: BatchWriter;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccmon-writer-'));
    db = await Database.open(dir);
    writer = await BatchWriter.create(db, { maxQueuedRecords: 10_000, maxBatchRecords: 1_000 });
  });
  after(async () => {
    await writer.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cost = async (): Promise<number> => (await db.withRead((r) => summary(r, ALL))).cost_usd;

  it('stores delta points once, however often an export is re-sent', async () => {
    const request = metricsRequest(RES, [
      {
        metric: 'claude_code.cost.usage',
        unit: 'USD',
        value: 0.25,
        startUs: T0,
        endUs: T0 + MIN,
        attrs: { 'session.id': 's1', model: 'm' },
      },
    ]);
    const { records } = normalizeMetrics(request);
    await Promise.all([
      writer.write({ points: records, events: [] }),
      writer.write({ points: records, events: [] }),
    ]);
    await writer.write({ points: normalizeMetrics(request).records, events: [] });
    assert.equal(await cost(), 0.25);
  });

  it('turns cumulative points into deltas: first point whole, re-sends ignored, resets counted', async () => {
    const point = (value: number, startUs: number, endUs: number) =>
      normalizeMetrics(
        metricsRequest(RES, [
          {
            metric: 'claude_code.commit.count',
            value,
            startUs,
            endUs,
            attrs: { 'session.id': 's2' },
            temporality: 2,
          },
        ]),
      ).records;
    await writer.write({ points: point(2, T0, T0 + MIN), events: [] });
    await writer.write({ points: point(5, T0, T0 + 2 * MIN), events: [] });
    await writer.write({ points: point(5, T0, T0 + 2 * MIN), events: [] }); // re-sent
    await writer.write({ points: point(1, T0 + 3 * MIN, T0 + 4 * MIN), events: [] }); // restarted counter
    const commits = (await db.withRead((r) => summary(r, ALL))).commits;
    assert.equal(commits, 6);
  });

  it('keeps cumulative state across a restart, so a re-sent point is not counted again', async () => {
    await writer.close();
    writer = await BatchWriter.create(db, { maxQueuedRecords: 10_000, maxBatchRecords: 1_000 });
    const again = normalizeMetrics(
      metricsRequest(RES, [
        {
          metric: 'claude_code.commit.count',
          value: 1,
          startUs: T0 + 3 * MIN,
          endUs: T0 + 4 * MIN,
          attrs: { 'session.id': 's2' },
          temporality: 2,
        },
      ]),
    ).records;
    await writer.write({ points: again, events: [] });
    assert.equal((await db.withRead((r) => summary(r, ALL))).commits, 6);
  });

  it('stores events once with coerced typed fields', async () => {
    const request = logsRequest(RES, [
      {
        timeUs: T0,
        attrs: {
          'event.name': 'tool_result',
          'event.timestamp': new Date(T0 / 1000).toISOString(),
          'event.sequence': 3,
          'session.id': 's1',
          tool_name: 'Bash',
          success: 'true',
          duration_ms: '31',
        },
      },
    ]);
    const { records } = normalizeLogs(request, { dropContent: false });
    await writer.write({ points: [], events: records });
    await writer.write({ points: [], events: normalizeLogs(request, { dropContent: false }).records });
    const rows = await db.withRead((r) =>
      r.all('SELECT name, tool_name, success, duration_ms, sequence, machine_name FROM events'),
    );
    assert.deepEqual(rows, [
      {
        name: 'tool_result',
        tool_name: 'Bash',
        success: true,
        duration_ms: 31,
        sequence: 3n,
        machine_name: 'laptop',
      },
    ]);
  });

  it('stores a re-sent event once whether its key is in memory, trimmed away, or before a restart', async () => {
    const events = (from: number, count: number) =>
      normalizeLogs(
        logsRequest(
          RES,
          Array.from({ length: count }, (_, i) => ({
            timeUs: T0 + (from + i) * MIN,
            attrs: { 'event.name': 'user_prompt', 'event.sequence': from + i, 'session.id': 'resend' },
          })),
        ),
        { dropContent: false },
      ).records;
    const stored = async (): Promise<number> =>
      Number(
        (await db.withRead((r) => r.all("SELECT count(*) AS n FROM events WHERE session_id = 'resend'")))[0]
          ?.n,
      );
    // A budget of 3 keys, each in a second of its own: the oldest seconds leave memory and their re-sends
    // are checked in the table.
    const tiny = await BatchWriter.create(db, {
      maxQueuedRecords: 1_000,
      maxBatchRecords: 1_000,
      keyIndexBudget: 3 * (1 + SECOND_COST),
    });
    await tiny.write({ points: [], events: events(100, 6) });
    await tiny.write({ points: [], events: events(100, 6) });
    await tiny.write({ points: [], events: [...events(103, 5), ...events(100, 2)] });
    assert.equal(await stored(), 8);
    await tiny.close();
    // After a restart the index is loaded back from the table's most recent rows.
    const restarted = await BatchWriter.create(db, {
      maxQueuedRecords: 1_000,
      maxBatchRecords: 1_000,
      keyIndexBudget: 3 * (1 + SECOND_COST),
    });
    await restarted.write({ points: [], events: events(100, 10) });
    assert.equal(await stored(), 10);
    await restarted.close();
  });

  it('fails the whole group when a row cannot be appended, stores none of it, and takes the retries', async () => {
    const events = (session: string, timeUs = T0 + 300 * MIN) =>
      normalizeLogs(
        logsRequest(RES, [
          { timeUs, attrs: { 'event.name': 'user_prompt', 'event.sequence': 1, 'session.id': session } },
        ]),
        { dropContent: false },
      ).records;
    // A time that is no whole microsecond cannot become a TIMESTAMP: the append throws half-way through the row.
    const poison = events('poison').map((e) => ({ ...e, timeUs: T0 + 0.5 }));
    const results = await Promise.allSettled([
      writer.write({ points: [], events: events('before') }),
      writer.write({ points: [], events: poison }),
      writer.write({ points: [], events: events('after') }),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected', 'fulfilled'],
    );
    await writer.write({ points: [], events: events('before') }); // the client's retry
    const rows = await db.withRead((r) =>
      r.all(
        "SELECT session_id, count(*)::INTEGER AS n FROM events WHERE session_id IN ('before', 'poison', 'after') GROUP BY ALL ORDER BY ALL",
      ),
    );
    assert.deepEqual(rows, [
      { session_id: 'after', n: 1 },
      { session_id: 'before', n: 1 },
    ]);
  });

  it('refuses writes beyond its queue as overload', async () => {
    const small = await BatchWriter.create(db, { maxQueuedRecords: 1, maxBatchRecords: 1 });
    const make = (i: number) =>
      normalizeMetrics(
        metricsRequest(RES, [{ metric: 'x.count', value: 1, startUs: T0 + i, endUs: T0 + i + 1, attrs: {} }]),
      ).records;
    const first = small.write({ points: make(1), events: [] });
    await assert.rejects(small.write({ points: make(2), events: [] }), /write queue is full/);
    await first;
    await small.close();
  });

  it('refuses writes as overload while the oldest waiting one has waited too long', async () => {
    let now = 0;
    const slow = await BatchWriter.create(db, {
      maxQueuedRecords: 1_000,
      maxBatchRecords: 1_000,
      maxQueueDelayMs: 1_000,
      now: () => now,
    });
    const make = (i: number) =>
      normalizeMetrics(
        metricsRequest(RES, [{ metric: 'y.count', value: 1, startUs: T0 + i, endUs: T0 + i + 1, attrs: {} }]),
      ).records;
    const first = slow.write({ points: make(1), events: [] });
    now = 1_000;
    assert.equal(slow.overload, undefined, 'waiting exactly the limit is still fine');
    const second = slow.write({ points: make(2), events: [] });
    now = 1_001;
    assert.match(slow.overload ?? '', /waited more than 1000 ms/);
    await assert.rejects(slow.write({ points: make(3), events: [] }), /waited more than 1000 ms/);
    await Promise.all([first, second]);
    assert.equal(slow.overload, undefined, 'once the queue drains, writes are taken again');
    await slow.write({ points: make(3), events: [] });
    await slow.close();
  });

  it(
    'spaces commits: the first at once, later ones after the interval unless half a batch waits',
    { timeout: 30_000 },
    async () => {
      const groups: number[] = [];
      const spaced = await BatchWriter.create(db, {
        maxQueuedRecords: 100,
        maxBatchRecords: 10,
        // Longer than the test: only the first commit, half a batch and closing may start a commit.
        minCommitIntervalMs: 600_000,
        onCommit: (rows) => groups.push(rows),
      });
      const make = (from: number, count: number) =>
        normalizeMetrics(
          metricsRequest(
            RES,
            Array.from({ length: count }, (_, i) => ({
              metric: 'spaced.count',
              value: 1,
              startUs: T0 + from + i,
              endUs: T0 + from + i + 1,
              attrs: {},
            })),
          ),
        ).records;
      await spaced.write({ points: make(0, 1), events: [] });
      assert.deepEqual(groups, [1], 'a write to an idle store commits at once');

      let waited = false;
      const second = spaced.write({ points: make(10, 1), events: [] }).then(() => (waited = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(waited, false, 'a write right after a commit waits for the interval');
      await Promise.all([second, spaced.write({ points: make(20, 4), events: [] })]);
      assert.deepEqual(groups, [1, 5], 'half a batch commits without waiting, as one group');

      const last = spaced.write({ points: make(30, 1), events: [] });
      await spaced.close();
      await last;
      assert.deepEqual(groups, [1, 5, 1], 'closing commits what waits');
    },
  );

  describe('appending the next group while one commits', () => {
    const sessionEvents = (session: string, from: number, count: number) =>
      normalizeLogs(
        logsRequest(
          RES,
          Array.from({ length: count }, (_, i) => ({
            // After every row of the tests before, so that the key index knows these keys are new.
            timeUs: T0 + 200 * MIN + (from + i) * 1_000_000,
            attrs: { 'event.name': 'tool_result', 'event.sequence': from + i, 'session.id': session },
          })),
        ),
        { dropContent: false },
      ).records;
    const count = async (session: string): Promise<number> =>
      Number(
        (
          await db.withRead((r) => r.all('SELECT count(*) AS n FROM events WHERE session_id = ?', [session]))
        )[0]?.n,
      );

    it('stores every record once in groups, also when a group repeats the one committing', async () => {
      const committed: number[] = [];
      // Five writes per group: the rest wait, and each group is appended while the one before commits.
      const piped = await BatchWriter.create(db, {
        maxQueuedRecords: 100_000,
        maxBatchRecords: 1_000,
        onCommit: (records) => committed.push(records),
      });
      const writes = [];
      for (let i = 0; i < 20; i++)
        writes.push(piped.write({ points: [], events: sessionEvents('pipe', i * 200, 200) }));
      // Re-sends of groups in flight, committed, or just queued: each must wait and find its keys.
      for (const i of [19, 0, 7, 7])
        writes.push(piped.write({ points: [], events: sessionEvents('pipe', i * 200, 200) }));
      // Readers rely on committed rows forming a prefix in rowid order (claude-series.ts): with no
      // deletes in this table, the rowids seen are always 0 .. count - 1, on whichever connection they commit.
      const gaps: string[] = [];
      let polls = 0;
      let writing = true;
      const watch = (async () => {
        while (writing) {
          const [row] = await db.withRead((r) =>
            r.all('SELECT count(*) AS n, max(rowid) AS last FROM events'),
          );
          polls += 1;
          if (row !== undefined && Number(row.n) !== Number(row.last) + 1)
            gaps.push(`${row.n} rows, last ${row.last}`);
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      await Promise.all(writes);
      writing = false;
      await watch;
      await piped.close();
      assert.deepEqual(gaps, []);
      assert.ok(polls > 5, `rowids checked ${polls} times while writing`);
      assert.equal(await count('pipe'), 4_000);
      // Every row went through a commit: 4,000 new ones, 800 re-sent ones staged and then left out.
      assert.equal(
        committed.reduce((a, b) => a + b, 0),
        4_800,
      );
      assert.ok(committed.length >= 5, `rows per commit: ${committed.join(' ')}`);
      assert.ok(
        committed.every((rows) => rows <= 1_000),
        `no group over maxBatchRecords: ${committed.join(' ')}`,
      );
      const doubles = await db.withRead((r) =>
        r.all("SELECT key FROM events WHERE session_id = 'pipe' GROUP BY key HAVING count(*) > 1"),
      );
      assert.deepEqual(doubles, []);
    });

    it('does not overlap a cumulative series with the group that changes it', async () => {
      const piped = await BatchWriter.create(db, { maxQueuedRecords: 10_000, maxBatchRecords: 1 });
      const point = (value: number, endUs: number) =>
        normalizeMetrics(
          metricsRequest(RES, [
            {
              metric: 'claude_code.pull_request.count',
              value,
              startUs: T0,
              endUs,
              attrs: { 'session.id': 'pipe-cumulative' },
              temporality: 2,
            },
          ]),
        ).records;
      // Each point's delta depends on the one before it, committed or not.
      await Promise.all(
        [1, 3, 4, 8].map((v, i) => piped.write({ points: point(v, T0 + (i + 1) * MIN), events: [] })),
      );
      await piped.close();
      const rows = await db.withRead((r) =>
        r.all("SELECT sum(value) AS v FROM points WHERE session_id = 'pipe-cumulative'"),
      );
      assert.equal(rows[0]?.v, 8);
    });
  });
});
