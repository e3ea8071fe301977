import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { normalizeMetrics } from '../telemetry/normalize-metrics.js';
import { metricsRequest, type PointSpec } from '../../test/support/requests.js';
import { checkMetrics } from '../../test/support/promtool.js';
import { Database } from '../store/database.js';
import { BatchWriter } from '../store/writer.js';
import { CommitStats } from './ccmon-health.js';
import { ClaudeSeries } from './claude-series.js';
import { prometheusExposition } from './prometheus-exposition.js';
import { IngestStats } from '../otlp/stats.js';

const T0 = Date.UTC(2026, 0, 5, 9) * 1000;
const MIN = 60_000_000;
const RES = { 'service.name': 'claude-code', 'service.version': '2.1.197', 'os.type': 'linux' };
const COST = 'claude_code_cost_usage_USD_total';
const HOUR_MS = 3_600_000;
/** A clock an hour after T0 (the points' times are in the past), series expiring after a day. */
const CLOCK = { expireAfterMs: 24 * HOUR_MS, now: () => T0 / 1000 + HOUR_MS };

function cost(session: string, value: number, minute: number): PointSpec {
  return {
    metric: 'claude_code.cost.usage',
    unit: 'USD',
    value,
    startUs: T0 + minute * MIN,
    endUs: T0 + (minute + 1) * MIN,
    attrs: { 'session.id': session, 'user.id': 'u1', model: 'claude-sonnet-4-5', 'machine.name': 'laptop' },
  };
}

/** The value of one series of a family, found by its session. */
function valueOf(series: ClaudeSeries, family: string, session: string): number | undefined {
  const f = series.metricFamilies().find((x) => x.name === family);
  return f?.samples.find((s) => s.labels.session_id === session)?.value;
}

describe('ClaudeSeries: cumulative series from the stored deltas', () => {
  let dir: string;
  let db: Database;
  let writer: BatchWriter;
  const write = (points: PointSpec[], resource: Record<string, string> = RES): Promise<void> =>
    writer.write({ points: normalizeMetrics(metricsRequest(resource, points)).records, events: [] });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccmon-series-'));
    db = await Database.open(dir);
    writer = await BatchWriter.create(db, { maxQueuedRecords: 10_000, maxBatchRecords: 1_000 });
  });
  after(async () => {
    await writer.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sums every delta of a series and labels it as the Collector does', async () => {
    await write([cost('a', 0.5, 0), cost('b', 1, 0)]);
    await write([cost('a', 0.25, 1)]);
    const series = new ClaudeSeries(db, CLOCK);
    await series.refresh();
    assert.equal(valueOf(series, COST, 'a'), 0.75);
    assert.equal(valueOf(series, COST, 'b'), 1);
    const family = series.metricFamilies().find((f) => f.name === COST);
    assert.equal(family?.type, 'counter');
    assert.equal(family?.help, 'Cost of the Claude Code session');
    assert.deepEqual(family?.samples[0]?.labels, {
      job: 'claude-code',
      machine_name: 'laptop',
      model: 'claude-sonnet-4-5',
      otel_scope_name: 'com.anthropic.claude_code',
      otel_scope_schema_url: '',
      otel_scope_version: '2.1.197',
      session_id: 'a',
      user_id: 'u1',
    });
  });

  it('reads only what was stored since the last refresh, whatever its time', async () => {
    const series = new ClaudeSeries(db, CLOCK);
    await series.refresh();
    // A point from before everything stored so far (a client with a slow clock) is still new.
    await write([cost('a', 0.125, -600)]);
    const info = await series.refresh();
    assert.equal(info.groups, 1);
    assert.equal(info.rebuilt, false);
    assert.equal(valueOf(series, COST, 'a'), 0.875);
    assert.equal((await series.refresh()).groups, 0);
  });

  it('is rebuilt from the store by a new instance (a restart)', async () => {
    const again = new ClaudeSeries(db, CLOCK);
    await again.refresh();
    assert.equal(valueOf(again, COST, 'a'), 0.875);
    assert.equal(valueOf(again, COST, 'b'), 1);
  });

  it('recomputes when rows are deleted under it, never lowering a series or dropping it', async () => {
    const series = new ClaudeSeries(db, CLOCK);
    await series.refresh();
    await write([cost('c', 2, 5)]);
    await series.refresh();
    // Retention deletes old rows (here: the newest row seen, so the anchor is gone for sure).
    await db.withWrite((w) => w.run("DELETE FROM points WHERE session_id IN ('b', 'c')"));
    await db.maintenance('CHECKPOINT');
    await write([cost('d', 4, 6)]);
    const info = await series.refresh();
    assert.equal(info.rebuilt, true);
    assert.equal(valueOf(series, COST, 'a'), 0.875);
    assert.equal(valueOf(series, COST, 'b'), 1);
    assert.equal(valueOf(series, COST, 'c'), 2);
    assert.equal(valueOf(series, COST, 'd'), 4);
    await write([cost('d', 1, 7)]);
    await series.refresh();
    assert.equal(valueOf(series, COST, 'd'), 5);
  });

  it('keeps series of different resources apart only where their labels differ', async () => {
    const series = new ClaudeSeries(db, CLOCK);
    // Same point attributes, different os.version: one Prometheus series, the sum of both.
    await write([cost('e', 1, 8)], { ...RES, 'os.version': '1' });
    await write([cost('e', 2, 8)], { ...RES, 'os.version': '2' });
    await series.refresh();
    assert.equal(valueOf(series, COST, 'e'), 3);
  });

  it('drops a series without new points after the expiry, and brings it back with its whole total', async () => {
    let nowMs = T0 / 1000 + 20 * 60_000;
    const series = new ClaudeSeries(db, { expireAfterMs: HOUR_MS, now: () => nowMs });
    await write([cost('x1', 1, 10), cost('x2', 2, 10)]);
    await series.refresh();
    assert.equal(valueOf(series, COST, 'x1'), 1);
    const before = series.seriesCount;

    // x1 keeps getting points; x2 falls silent for longer than the expiry.
    nowMs += 40 * 60_000;
    await write([cost('x1', 1, 50)]);
    await series.refresh();
    nowMs += 40 * 60_000;
    await write([cost('x1', 1, 90)]);
    await series.refresh();
    assert.equal(valueOf(series, COST, 'x1'), 3);
    assert.equal(valueOf(series, COST, 'x2'), undefined, 'x2 expired');
    assert.ok(series.expired >= 1);
    assert.ok(series.seriesCount < before, `${series.seriesCount} series after, ${before} before`);

    // A point for x2 brings it back with everything stored for it, not just the new point.
    nowMs += 10 * 60_000;
    await write([cost('x2', 0.5, 100)]);
    const info = await series.refresh();
    assert.equal(info.rebuilt, false);
    assert.equal(valueOf(series, COST, 'x2'), 2.5);
    assert.equal(valueOf(series, COST, 'x1'), 3);
  });

  it('loads at start only the series with points within the expiry, the others come back whole', async () => {
    // Stored so far: points up to T0 + 100 minutes. A restart three hours later, a one-hour expiry.
    const nowMs = T0 / 1000 + 180 * 60_000;
    const series = new ClaudeSeries(db, { expireAfterMs: HOUR_MS, now: () => nowMs });
    await series.refresh();
    assert.equal(series.seriesCount, 0);
    assert.ok(series.expired > 0);
    await write([cost('a', 0.125, 170)]);
    await series.refresh();
    assert.equal(valueOf(series, COST, 'a'), 1);
    assert.equal(series.seriesCount, 1);
  });

  it('renders text that promtool accepts, with the health figures', async () => {
    const commits = new CommitStats();
    commits.observe(10, 3);
    const stats = new IngestStats();
    stats.add('grpc', 'metrics', 'accepted', 'ok', 12);
    stats.add('http', 'logs', 'rejected', 'invalid', 1);
    stats.add('http', 'metrics', 'rejected', 'partial', 2);
    await write([
      {
        metric: 'claude_code.token.usage',
        unit: 'tokens',
        value: 1200,
        startUs: T0,
        endUs: T0 + MIN,
        attrs: { 'session.id': 'a', type: 'input', note: 'say "hi"\\\n' },
      },
    ]);
    const exposition = prometheusExposition(
      db,
      {
        version: '0.0.0-test',
        startedAtMs: Date.now(),
        stats,
        commits,
        queuedRecords: () => 0,
        inflightBytes: () => 0,
        inflightLimitBytes: 1024,
        storeDiskBytes: () => db.diskBytes(),
        storeMemoryBytes: () => db.memoryBytes(),
        storeMemoryLimitBytes: 64 * 1024 * 1024,
      },
      CLOCK,
    );
    const text = await exposition.render();
    const result = await checkMetrics(text);
    assert.equal(result.output, '', text);
    assert.equal(result.code, 0);
    assert.match(text, /^# TYPE claude_code_token_usage_tokens_total counter$/m);
    assert.match(text, /note="say \\"hi\\"\\\\\\n"/);
    assert.match(
      text,
      /^ccmon_receiver_refused_requests_total\{protocol="http",reason="invalid",signal="logs"\} 1$/m,
    );
    assert.match(text, /^ccmon_store_commit_duration_seconds_bucket\{le="0.005"\} 1$/m);
    assert.match(text, /^ccmon_store_memory_limit_bytes 67108864$/m);
    const storeMemory = Number(/^ccmon_store_memory_bytes (\d+)$/m.exec(text)?.[1]);
    assert.ok(storeMemory > 0, 'the store just written holds some memory');
    const rss = Number(/^process_resident_memory_bytes (\d+)$/m.exec(text)?.[1]);
    assert.ok(rss > 10e6 && rss > storeMemory, `RSS ${rss}`);
    assert.match(text, /^process_cpu_seconds_total \d+(\.\d+)?$/m);
    const storeSize = Number(/^ccmon_store_size_bytes (\d+)$/m.exec(text)?.[1]);
    assert.ok(storeSize >= statSync(db.path).size && statSync(db.path).size > 0, `store size ${storeSize}`);
    const names = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? '');
    assert.deepEqual(names, [...names].sort());
  });
});
