/**
 * /metrics cost: a store with many sessions, then the first scrape (every total computed from the
 * store, as after a restart), a scrape after new points (only those are read) and a scrape with
 * nothing new. Prints each scrape's time and the exposition size.
 *
 *   npx tsx bench/metrics.ts [--sessions 5000] [--points-per-session 200]
 */
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CommitStats } from '../src/exporters/ccmon-health.js';
import { prometheusExposition } from '../src/exporters/prometheus-exposition.js';
import { IngestStats } from '../src/otlp/stats.js';
import { Database } from '../src/store/database.js';
import { BatchWriter } from '../src/store/writer.js';
import { normalizeMetrics } from '../src/telemetry/normalize-metrics.js';
import { metricsRequest, type PointSpec } from '../test/support/requests.js';
import { tempDir } from '../test/support/server.js';
import { exitWithUsageIfAsked } from './usage.js';

exitWithUsageIfAsked(import.meta.url);

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '5000' },
    'points-per-session': { type: 'string', default: '200' },
  },
});
const SESSIONS = Number(values.sessions);
const PER_SESSION = Number(values['points-per-session']);
const T0 = Date.UTC(2026, 0, 1) * 1000;
const MIN = 60_000_000;
const TYPES = ['input', 'output', 'cacheRead', 'cacheCreation'];

/** One export of a session: cost and the four token types, one minute each. */
function exportOf(session: number, minute: number): PointSpec[] {
  const attrs = { 'session.id': `s-${session}`, 'user.id': `u-${session % 50}`, model: 'claude-sonnet-4-5' };
  const span = { startUs: T0 + minute * MIN, endUs: T0 + (minute + 1) * MIN };
  return [
    { metric: 'claude_code.cost.usage', unit: 'USD', value: 0.01, ...span, attrs },
    ...TYPES.map((type) => ({
      metric: 'claude_code.token.usage',
      unit: 'tokens',
      value: 100,
      ...span,
      attrs: { ...attrs, type },
    })),
  ];
}

const dir = tempDir('ccmon-bench-metrics-');
const db = await Database.open(dir);
const writer = await BatchWriter.create(db, { maxQueuedRecords: 1_000_000, maxBatchRecords: 50_000 });
const exports = PER_SESSION / 5;
let written = 0;
for (let minute = 0; minute < exports; minute++) {
  const points = [];
  for (let s = 0; s < SESSIONS; s++) points.push(...exportOf(s, minute));
  await writer.write({
    points: normalizeMetrics(metricsRequest({ 'service.name': 'claude-code' }, points)).records,
    events: [],
  });
  written += points.length;
}
await writer.close();
console.log(`store: ${written} points in ${SESSIONS * 5} series`);

const exposition = prometheusExposition(
  db,
  {
    version: 'bench',
    startedAtMs: Date.now(),
    stats: new IngestStats(),
    commits: new CommitStats(),
    queuedRecords: () => 0,
    inflightBytes: () => 0,
    inflightLimitBytes: 0,
    storeDiskBytes: () => db.diskBytes(),
    storeMemoryBytes: () => db.memoryBytes(),
    storeMemoryLimitBytes: 0,
  },
  // The points are from 2026-01-01: the clock reads an hour after them, so no series has expired.
  { expireAfterMs: 24 * 3_600_000, now: () => T0 / 1000 + (exports + 60) * 60_000 },
);

async function scrape(label: string): Promise<void> {
  const started = performance.now();
  const text = await exposition.render();
  console.log(
    `${label.padEnd(34)} ${(performance.now() - started).toFixed(0).padStart(6)} ms  ${(text.length / 1e6).toFixed(1)} MB`,
  );
}

await scrape('first scrape (whole store)');
await scrape('scrape, nothing new');
const more = await BatchWriter.create(db, { maxQueuedRecords: 1_000_000, maxBatchRecords: 50_000 });
const fresh = [];
for (let s = 0; s < 200; s++) fresh.push(...exportOf(s, exports));
await more.write({
  points: normalizeMetrics(metricsRequest({ 'service.name': 'claude-code' }, fresh)).records,
  events: [],
});
await scrape(`scrape after ${fresh.length} new points`);
await more.close();
await db.close();
rmSync(dir, { recursive: true, force: true });
