/**
 * Dashboard query speed on a team-sized store: 50 users with 3 machines each, 90 days, about 8
 * sessions per user per workday (bench/team-data.ts), stored through the normal path (normalize +
 * BatchWriter: identity keys, deltas, dedup). Prints the data set's size, then the time to compute
 * all 33 panels with queryPanel over the last 24 hours, 30 days and 90 days (median of several runs).
 *
 *   npx tsx bench/dashboard.ts [--data-dir DIR] [--days 90] [--users 50] [--runs 7] [--verbose] [--ingest-rate 2000] [--store-memory-mib 192]
 *
 * The queries are timed while ingest keeps running: --ingest-rate records per second (half points, half
 * events; 0 for none) go through the same BatchWriter, far above what a 50-person team sends. A write
 * of a tenth of a second's records starts every 100 ms whether or not the previous one has committed
 * (at most 50 in flight), and each is timed to its commit: the ingest side's p50, p99 and max are
 * printed for each range's queries and for the whole run, next to the panels' times.
 * With --data-dir, a store generated earlier in DIR is reused (generation takes a few minutes).
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DASHBOARD } from '../src/dashboard/definition.js';
import type { PanelParams } from '../src/dashboard/panel-data.js';
import { queryPanel, queryPanels } from '../src/dashboard/query.js';
import { Database, STORE_FILE } from '../src/store/database.js';
import { BatchWriter } from '../src/store/writer.js';
import { normalizeLogs } from '../src/telemetry/normalize-logs.js';
import { normalizeMetrics } from '../src/telemetry/normalize-metrics.js';
import type { MetricPoint, TelemetryEvent } from '../src/telemetry/records.js';
import { tempDir } from '../test/support/server.js';
import { decodeLogsRequestJson, decodeMetricsRequestJson } from '../src/otlp/decode-json.js';
import { claudeLogsRequest, claudeMetricsRequest } from '../test/support/otlp-encode.js';
import { dayOfTelemetry, teamUsers, type TeamShape } from './team-data.js';
import { exitWithUsageIfAsked } from './usage.js';

exitWithUsageIfAsked(import.meta.url);

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    days: { type: 'string', default: '90' },
    users: { type: 'string', default: '50' },
    runs: { type: 'string', default: '7' },
    verbose: { type: 'boolean', default: false },
    'ingest-rate': { type: 'string', default: '2000' },
    'store-memory-mib': { type: 'string', default: '192' },
  },
});

/** A fixed "now" (a Friday evening, UTC), so a reused store gives the same figures. */
const NOW = Date.UTC(2026, 1, 27, 18);
const SHAPE: TeamShape = {
  users: Number(values.users),
  machinesPerUser: 3,
  days: Number(values.days),
  sessionsPerWorkday: 8,
  endMs: NOW,
};
const RUNS = Number(values.runs);
const BATCH = 50_000;

async function generate(db: Database): Promise<void> {
  const writer = await BatchWriter.create(db, { maxQueuedRecords: 10 * BATCH, maxBatchRecords: BATCH });
  const users = teamUsers(SHAPE);
  const started = performance.now();
  for (let day = 0; day < SHAPE.days; day++) {
    const points: MetricPoint[] = [];
    const events: TelemetryEvent[] = [];
    for (const session of dayOfTelemetry(SHAPE, users, day)) {
      for (const request of session.metrics) points.push(...normalizeMetrics(request).records);
      events.push(...normalizeLogs(session.logs, { dropContent: false }).records);
    }
    // In arrival order, as a live server would store them.
    points.sort((a, b) => a.endUs - b.endUs);
    events.sort((a, b) => a.timeUs - b.timeUs);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < Math.max(points.length, events.length); i += BATCH / 2) {
      writes.push(
        writer.write({ points: points.slice(i, i + BATCH / 2), events: events.slice(i, i + BATCH / 2) }),
      );
    }
    await Promise.all(writes);
    if (day % 10 === 9 || day === SHAPE.days - 1) {
      process.stdout.write(
        `  generated ${day + 1}/${SHAPE.days} days (${((performance.now() - started) / 1000).toFixed(0)} s)\n`,
      );
    }
  }
  await writer.close();
  await db.maintenance('CHECKPOINT');
}

/** Background ingest: `latencies` holds each write's time to commit (ms), in order of commit. */
interface Ingesting {
  readonly latencies: number[];
  /** stops writing, waits for the writes in flight; resolves with the records written */
  stop(): Promise<number>;
}

/** Unique per run, so that a reused store does not take this run's live writes for re-sends. */
const RUN = Date.now().toString(36);

/**
 * Writes `rate` records per second in the background until stopped: every 100 ms a tenth of a
 * second's records, whether or not the previous write has committed (as independent clients would;
 * the writer groups the writes in flight into one commit), at most 50 writes in flight.
 */
async function keepIngesting(db: Database, rate: number): Promise<Ingesting> {
  const writer = await BatchWriter.create(db, { maxQueuedRecords: 100_000, maxBatchRecords: 20_000 });
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let written = 0;
  let skipped = 0;
  let refused = 0;
  let round = 0;
  let running = true;
  const perTick = Math.max(1, Math.round(rate / 20)); // every 100 ms, half points and half events
  const loop = (async () => {
    const start = performance.now();
    while (running && rate > 0) {
      if (inFlight.size >= 50) skipped += 1;
      else {
        const opts = {
          count: perTick,
          sessionId: `live-${RUN}-${round}`,
          seed: round,
          timeBaseMs: NOW - 600_000 + round,
        };
        const points = normalizeMetrics(
          decodeMetricsRequestJson(JSON.stringify(claudeMetricsRequest(opts))),
        ).records;
        const events = normalizeLogs(decodeLogsRequestJson(JSON.stringify(claudeLogsRequest(opts))), {
          dropContent: false,
        }).records;
        const t0 = performance.now();
        const write: Promise<void> = writer.write({ points, events }).then(
          () => {
            latencies.push(performance.now() - t0);
            written += points.length + events.length;
          },
          () => {
            refused += 1;
          },
        );
        inFlight.add(write);
        void write.finally(() => inFlight.delete(write));
      }
      round += 1;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, start + round * 100 - performance.now())),
      );
    }
  })();
  return {
    latencies,
    stop: async () => {
      running = false;
      await loop;
      await Promise.all(inFlight);
      await writer.close();
      if (skipped + refused > 0) {
        console.log(`  ingest: ${skipped} writes skipped (50 in flight), ${refused} refused by the writer`);
      }
      return written;
    },
  };
}

/** Count, p50, p99 and max of the background writes' times from write() to commit. */
function writeLatencies(latencies: readonly number[], perWrite: number): string {
  if (latencies.length === 0) return 'no writes';
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number): string =>
    (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN).toFixed(0);
  return `${sorted.length} writes of ${perWrite} records, commit p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`;
}

async function size(db: Database, dir: string): Promise<string> {
  const [row] = await db.withRead((r) =>
    r.all(`SELECT (SELECT count(*) FROM points) AS points, (SELECT count(*) FROM events) AS events,
      (SELECT count(DISTINCT session_id) FROM points) AS sessions,
      (SELECT min(end_time)::VARCHAR FROM points) AS first, (SELECT max(end_time)::VARCHAR FROM points) AS last`),
  );
  const mb = statSync(join(dir, STORE_FILE)).size / 1024 / 1024;
  const n = (k: string): string => Number(row?.[k]).toLocaleString('en-US');
  return `${n('points')} points, ${n('events')} events, ${n('sessions')} sessions (${String(row?.first)} .. ${String(row?.last)}); store file ${mb.toFixed(0)} MiB`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Wall time of all 33 panels; `cpu` collects the process's CPU time (all DuckDB threads) per run. */
async function allPanels(
  db: Database,
  params: PanelParams,
  perPanel: Map<number, number[]>,
  cpu: number[] = [],
): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await db.withRead(async (r) => {
    for (const panel of DASHBOARD.panels) {
      const p0 = performance.now();
      await queryPanel(r, panel, params);
      const list = perPanel.get(panel.id) ?? [];
      list.push(performance.now() - p0);
      perPanel.set(panel.id, list);
    }
  });
  const used = process.cpuUsage(c0);
  cpu.push((used.user + used.system) / 1000);
  return performance.now() - t0;
}

const dir = values['data-dir'] ?? tempDir('ccmon-bench-dashboard-');
const reuse = existsSync(join(dir, STORE_FILE));
// The same buffer limit as `ccmon serve --store-memory`.
const db = await Database.open(dir, { memoryLimitBytes: Number(values['store-memory-mib']) * 1024 * 1024 });
try {
  console.log(
    `ccmon dashboard benchmark: ${SHAPE.users} users x ${SHAPE.machinesPerUser} machines, ${SHAPE.days} days, ~${SHAPE.sessionsPerWorkday} sessions per user per workday`,
  );
  if (reuse) console.log(`  reusing the store in ${dir}`);
  else {
    const t0 = performance.now();
    await generate(db);
    console.log(`  generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  console.log(`  data set: ${await size(db, dir)}`);
  const rate = Number(values['ingest-rate']);
  const ingestStarted = performance.now();
  const ingest = await keepIngesting(db, rate);
  const perWrite = 2 * Math.max(1, Math.round(rate / 20));
  console.log(`  ingesting ${rate} records/s in the background while the queries run`);
  const ranges = [
    { name: 'last 24 h', ms: 86_400_000 },
    { name: 'last 30 days', ms: 30 * 86_400_000 },
    { name: `last ${SHAPE.days} days`, ms: SHAPE.days * 86_400_000 },
  ];
  for (const range of ranges) {
    const params: PanelParams = {
      fromMs: NOW - range.ms,
      toMs: NOW,
      tz: 'Europe/Berlin',
      billingDay: 1,
      nowMs: NOW,
      filters: {},
    };
    const perPanel = new Map<number, number[]>();
    const writesBefore = ingest.latencies.length;
    await allPanels(db, params, new Map()); // warm-up
    const totals: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) totals.push(await allPanels(db, params, perPanel, cpu));
    const slowest = [...perPanel.entries()]
      .map(([id, ms]) => ({ id, ms: median(ms) }))
      .sort((a, b) => b.ms - a.ms);
    console.log(
      `  all 33 panels, ${range.name}: ${median(totals).toFixed(0)} ms (median of ${RUNS}; min ${Math.min(...totals).toFixed(0)}, max ${Math.max(...totals).toFixed(0)}; CPU ${median(cpu).toFixed(0)} ms)` +
        `; slowest: ${slowest
          .slice(0, 3)
          .map((s) => `#${s.id} ${s.ms.toFixed(0)} ms`)
          .join(', ')}`,
    );
    if (values.verbose === true) {
      for (const s of slowest)
        console.log(`    panel ${String(s.id).padStart(2)} ${s.ms.toFixed(1).padStart(7)} ms`);
    }
    // What the UI asks for: the API's batch, in which the 17 stat and gauge panels share their scans.
    const batch: number[] = [];
    const batchCpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await db.withRead((r) => queryPanels(r, DASHBOARD.panels, params));
      batch.push(performance.now() - t0);
      const used = process.cpuUsage(c0);
      batchCpu.push((used.user + used.system) / 1000);
    }
    console.log(
      `  all 33 panels as one API batch (queryPanels), ${range.name}: ${median(batch).toFixed(0)} ms (min ${Math.min(...batch).toFixed(0)}; CPU ${median(batchCpu).toFixed(0)} ms)`,
    );
    if (rate > 0) {
      console.log(
        `  ingest while the ${range.name} queries ran: ${writeLatencies(ingest.latencies.slice(writesBefore), perWrite)}`,
      );
    }
  }
  const written = await ingest.stop();
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  console.log(
    `  ingested ${written} records meanwhile (${Math.round(written / ingestSeconds)} per second)` +
      (rate > 0 ? `; ${writeLatencies(ingest.latencies, perWrite)}` : ''),
  );
} finally {
  await db.close();
  if (values['data-dir'] === undefined) rmSync(dir, { recursive: true, force: true });
}
