import type { MetricPoint, TelemetryEvent } from '../telemetry/records.js';
import { appendEvent, appendPoint } from './appenders.js';
import { toStored, type SeriesState, type StoredPoint } from './cumulative.js';
import { StoreError, type Database, type WriteDb } from './database.js';

export interface WriteBatch {
  readonly points: readonly MetricPoint[];
  readonly events: readonly TelemetryEvent[];
}

/** The writer's queue is full: the caller should answer 503 / UNAVAILABLE and let the client retry. */
export class OverloadedError extends StoreError {}

export interface WriterOptions {
  /** Records that may wait for a commit; above it writes are refused as overload. */
  readonly maxQueuedRecords: number;
  /** Largest number of records committed in one transaction. */
  readonly maxBatchRecords: number;
  /** Called after every commit, for the health figures. */
  readonly onCommit?: (records: number, durationMs: number) => void;
}

interface Pending {
  readonly batch: WriteBatch;
  readonly size: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Group commit: every write waits in a queue; one transaction at a time takes all that waits and
 * commits it, then every waiting caller is answered. A caller is answered only after its records are
 * committed, so a 2xx always means stored. When a group fails, each of its writes is retried alone,
 * so one bad request cannot fail its neighbours.
 */
export class BatchWriter {
  private queue: Pending[] = [];
  private queued = 0;
  private running: Promise<void> | undefined;
  private closing = false;
  private readonly series = new Map<string, SeriesState>();

  private constructor(
    private readonly db: Database,
    private readonly options: WriterOptions,
  ) {}

  static async create(db: Database, options: WriterOptions): Promise<BatchWriter> {
    const writer = new BatchWriter(db, options);
    await writer.loadSeries();
    // Staging tables live as long as the writer's connection; creating them here keeps that
    // statement out of every commit.
    await db.maintenance(
      `CREATE TEMP TABLE IF NOT EXISTS stage_points AS SELECT * FROM points LIMIT 0;
       CREATE TEMP TABLE IF NOT EXISTS stage_events AS SELECT * FROM events LIMIT 0;
       CREATE TEMP TABLE IF NOT EXISTS stage_series AS SELECT * FROM cumulative_series LIMIT 0`,
    );
    return writer;
  }

  get queuedRecords(): number {
    return this.queued;
  }

  write(batch: WriteBatch): Promise<void> {
    const size = batch.points.length + batch.events.length;
    if (this.closing) return Promise.reject(new StoreError('ccmon is shutting down'));
    if (size === 0) return Promise.resolve();
    if (this.queued > 0 && this.queued + size > this.options.maxQueuedRecords) {
      return Promise.reject(
        new OverloadedError(`the store's write queue is full (${this.queued} records waiting)`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ batch, size, resolve, reject });
      this.queued += size;
      this.running ??= this.drain();
    });
  }

  /** Finishes every queued write, then refuses new ones. */
  async close(): Promise<void> {
    this.closing = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    // Yield once so that requests decoded in the same tick join this group.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      const group = this.takeGroup();
      try {
        await this.commit(group);
        for (const p of group) p.resolve();
      } catch (error) {
        if (group.length === 1) group[0]?.reject(asError(error));
        else
          for (const p of group) await this.commit([p]).then(p.resolve, (e: unknown) => p.reject(asError(e)));
      } finally {
        this.queued -= group.reduce((n, p) => n + p.size, 0);
      }
    }
    this.running = undefined;
  }

  private takeGroup(): Pending[] {
    const group: Pending[] = [];
    let records = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next === undefined || (group.length > 0 && records + next.size > this.options.maxBatchRecords))
        break;
      group.push(next);
      records += next.size;
      this.queue.shift();
    }
    return group;
  }

  private async commit(group: readonly Pending[]): Promise<void> {
    const started = performance.now();
    // Series state changes are staged and only kept when the transaction commits.
    const staged = new Map<string, SeriesState>();
    const lookup = (key: string): SeriesState | undefined => staged.get(key) ?? this.series.get(key);
    const points: StoredPoint[] = [];
    const events: TelemetryEvent[] = [];
    for (const { batch } of group) {
      for (const point of batch.points) {
        const { stored, state } = toStored(point, lookup);
        if (stored !== undefined) points.push(stored);
        if (state !== undefined) staged.set(point.seriesKey, state);
      }
      events.push(...batch.events);
    }
    await this.db.withWrite(async (db) => {
      await insertPoints(
        db,
        uniqueBy(points, (p) => p.key),
      );
      await insertEvents(
        db,
        uniqueBy(events, (e) => e.key),
      );
      await saveSeries(db, staged);
    });
    for (const [key, state] of staged) this.series.set(key, state);
    this.options.onCommit?.(points.length + events.length, performance.now() - started);
  }

  private async loadSeries(): Promise<void> {
    const rows = await this.db.withRead((db) =>
      db.all('SELECT series_key::VARCHAR AS k, start_us, end_us, value FROM cumulative_series'),
    );
    for (const row of rows) {
      this.series.set(String(row.k), {
        startUs: Number(row.start_us),
        endUs: Number(row.end_us),
        value: Number(row.value),
      });
    }
  }
}

async function insertPoints(db: WriteDb, points: readonly StoredPoint[]): Promise<void> {
  if (points.length === 0) return;
  const appender = await db.appender('stage_points', 'temp');
  for (const p of points) appendPoint(appender, p);
  appender.closeSync();
  await insertNew(db, 'points', 'end_time', span(points.map((p) => p.point.endUs)));
}

async function insertEvents(db: WriteDb, events: readonly TelemetryEvent[]): Promise<void> {
  if (events.length === 0) return;
  const appender = await db.appender('stage_events', 'temp');
  for (const e of events) appendEvent(appender, e);
  appender.closeSync();
  await insertNew(db, 'events', 'time', span(events.map((e) => e.timeUs)));
}

/**
 * Moves the staged rows whose key is not stored yet into the table. A key determines its row's time
 * (points: end time, events: event time are part of the key), so looking for duplicates only among
 * rows in the batch's time span is exact, and cheap: DuckDB's zone maps skip the rest of the table.
 * This replaces a primary key, whose index would have to live in memory for the whole history.
 */
async function insertNew(
  db: WriteDb,
  table: 'points' | 'events',
  timeColumn: string,
  [fromUs, toUs]: [number, number],
): Promise<void> {
  await db.run(
    `INSERT INTO ${table} SELECT s.* FROM temp.stage_${table} s
     WHERE s.key NOT IN (SELECT key FROM ${table} WHERE ${timeColumn} BETWEEN make_timestamp(?::BIGINT) AND make_timestamp(?::BIGINT))`,
    [BigInt(fromUs), BigInt(toUs)],
  );
  await db.run(`DELETE FROM temp.stage_${table}`);
}

function span(times: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const t of times) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  return [lo, hi];
}

async function saveSeries(db: WriteDb, staged: ReadonlyMap<string, SeriesState>): Promise<void> {
  if (staged.size === 0) return;
  const appender = await db.appender('stage_series', 'temp');
  for (const [key, s] of staged) {
    appender.appendVarchar(key);
    appender.appendBigInt(BigInt(s.startUs));
    appender.appendBigInt(BigInt(s.endUs));
    appender.appendDouble(s.value);
    appender.endRow();
  }
  appender.closeSync();
  await db.run('INSERT OR REPLACE INTO cumulative_series SELECT * FROM temp.stage_series');
  await db.run('DELETE FROM temp.stage_series');
}

/** Keeps the first record of each key: duplicates inside one insert would break ON CONFLICT. */
function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
