import type { MetricPoint, TelemetryEvent } from '../telemetry/records.js';
import { appendEvent, appendPoint } from './appenders.js';
import { toStored, type SeriesState, type StoredPoint } from './cumulative.js';
import { StoreError, type Database, type ReadDb, type WriteDb } from './database.js';
import { KeyIndex, type KeyState } from './key-index.js';

export interface WriteBatch {
  readonly points: readonly MetricPoint[];
  readonly events: readonly TelemetryEvent[];
}

/** The writer's queue is full: the caller should answer 503 / UNAVAILABLE and let the client retry. */
export class OverloadedError extends StoreError {}

export interface WriterOptions {
  /** Records that may wait for a commit; above it writes are refused as overload. */
  readonly maxQueuedRecords: number;
  /**
   * How long the oldest waiting write may have waited before new ones are refused as overload. This
   * keeps answers prompt when more arrives than the store can commit: the excess is told to retry
   * now, instead of every client waiting ever longer until its deadline passes.
   */
  readonly maxQueueDelayMs?: number;
  /** Largest number of records committed in one transaction. */
  readonly maxBatchRecords: number;
  /** Identity keys kept in memory per table to find re-sends without reading the table. */
  readonly maxIndexedKeys?: number;
  /** The clock queue delays are measured with (tests set it). */
  readonly now?: () => number;
  /**
   * Called after every commit, for the health figures; `overlapped` when its rows were appended while
   * the group before it committed.
   */
  readonly onCommit?: (records: number, durationMs: number, overlapped: boolean) => void;
}

/**
 * About 40 bytes each (measured): some 16 MB for both tables; at the most ccmon can take, about 13 s of history
 * (a re-send older than that is checked against the table instead), at a team's rate hours.
 */
const DEFAULT_INDEXED_KEYS = 200_000;
/** How much recent history a restart loads back into the key index. */
const RELOAD_US = 10 * 60_000_000;

interface Pending {
  readonly batch: WriteBatch;
  readonly size: number;
  readonly queuedAt: number;
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
    private readonly pointKeys: KeyIndex,
    private readonly eventKeys: KeyIndex,
  ) {}

  static async create(db: Database, options: WriterOptions): Promise<BatchWriter> {
    const maxKeys = options.maxIndexedKeys ?? DEFAULT_INDEXED_KEYS;
    const [pointKeys, eventKeys] = await db.withRead((r) =>
      Promise.all([
        loadKeyIndex(r, 'points', 'end_time', maxKeys),
        loadKeyIndex(r, 'events', 'time', maxKeys),
      ]),
    );
    const writer = new BatchWriter(db, options, pointKeys, eventKeys);
    await writer.loadSeries();
    // Staging tables live as long as each writer connection; creating them here keeps that statement
    // out of every commit.
    await db.prepareWriters(
      `CREATE TEMP TABLE IF NOT EXISTS stage_points AS SELECT * FROM points LIMIT 0;
       CREATE TEMP TABLE IF NOT EXISTS stage_events AS SELECT * FROM events LIMIT 0;
       CREATE TEMP TABLE IF NOT EXISTS stage_series AS SELECT * FROM cumulative_series LIMIT 0`,
    );
    return writer;
  }

  private now(): number {
    return this.options.now?.() ?? performance.now();
  }

  get queuedRecords(): number {
    return this.queued;
  }

  /** Why a write would be refused now, if it would: receivers ask before decoding a request. */
  get overload(): string | undefined {
    return this.refusal(1);
  }

  write(batch: WriteBatch): Promise<void> {
    const size = batch.points.length + batch.events.length;
    if (this.closing) return Promise.reject(new StoreError('ccmon is shutting down'));
    if (size === 0) return Promise.resolve();
    const overload = this.refusal(size);
    if (overload !== undefined) return Promise.reject(new OverloadedError(overload));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ batch, size, queuedAt: this.now(), resolve, reject });
      this.queued += size;
      this.running ??= this.drain();
    });
  }

  /** Finishes every queued write, then refuses new ones. */
  async close(): Promise<void> {
    this.closing = true;
    await this.running;
  }

  /** Why a write of `size` records would be refused as overload, if it would. */
  private refusal(size: number): string | undefined {
    const oldest = this.queue[0];
    const maxDelay = this.options.maxQueueDelayMs ?? Infinity;
    if (oldest !== undefined && this.now() - oldest.queuedAt > maxDelay)
      return `the store is behind: writes have waited more than ${maxDelay} ms`;
    // An empty queue takes any write, so that one request larger than the queue is not refused forever.
    if (this.queued > 0 && this.queued + size > this.options.maxQueuedRecords)
      return `the store's write queue is full (${this.queued} records waiting)`;
    return undefined;
  }

  /**
   * Commits queued writes, group after group. While one group commits, the next one's rows are
   * appended on the other writer connection (when the two are independent, see canOverlap), so that
   * the JavaScript thread's work and DuckDB's commit run side by side instead of in turns.
   */
  private async drain(): Promise<void> {
    // Yield once so that requests decoded in the same tick join this group.
    await new Promise((resolve) => setImmediate(resolve));
    let committing: Commit | undefined;
    for (;;) {
      if (this.queue.length === 0) {
        if (committing === undefined) break;
        await this.finish(committing);
        committing = undefined;
        continue;
      }
      const group = this.takeGroup();
      let next = this.prepare(group);
      const overlap = committing !== undefined && canOverlap(next, committing.prepared);
      if (committing !== undefined && !overlap) {
        await this.finish(committing);
        committing = undefined;
        next = this.prepare(group);
      }
      const current = this.start(next, overlap);
      if (committing !== undefined) await this.finish(committing);
      // The next group is taken once this one's rows are appended, so it gathers what arrives meanwhile.
      await current.appended;
      committing = current;
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

  /** What a group will store, decided against the committed state (series, key index). */
  private prepare(group: readonly Pending[]): Prepared {
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
    const uniquePoints = uniqueBy(points, (p) => p.key);
    const uniqueEvents = uniqueBy(events, (e) => e.key);
    return {
      group,
      staged,
      points: split(uniquePoints, (p) => this.pointKeys.lookup(p.key, p.point.endUs)),
      events: split(uniqueEvents, (e) => this.eventKeys.lookup(e.key, e.timeUs)),
      records: group.reduce((n, p) => n + p.size, 0),
    };
  }

  /** Starts a group's transaction; `outcome` never rejects, so a failure waits for finish(). */
  private start(prepared: Prepared, overlap: boolean): Commit {
    let appended!: () => void;
    const rowsIn = new Promise<void>((resolve) => (appended = resolve));
    const outcome = this.store(prepared, overlap, appended).then(
      () => undefined,
      (error: unknown) => asError(error),
    );
    return { prepared, outcome, appended: Promise.race([rowsIn, outcome.then(() => undefined)]) };
  }

  /** Waits for a group's commit and answers its writers; a failed group is retried write by write. */
  private async finish({ prepared, outcome }: Commit): Promise<void> {
    const { group } = prepared;
    try {
      const error = await outcome;
      if (error === undefined) for (const p of group) p.resolve();
      else if (group.length === 1) group[0]?.reject(error);
      else
        for (const p of group)
          await this.store(this.prepare([p]), false).then(p.resolve, (e: unknown) => p.reject(asError(e)));
    } finally {
      this.queued -= prepared.records;
    }
  }

  private async store(prepared: Prepared, overlap: boolean, appended?: () => void): Promise<void> {
    const started = performance.now();
    const { points, events, staged } = prepared;
    await this.db.withWrite(
      async (db) => {
        await insertPoints(db, points);
        await insertEvents(db, events);
        await saveSeries(db, staged);
        appended?.();
      },
      { overlap },
    );
    for (const [key, state] of staged) this.series.set(key, state);
    for (const p of [...points.fresh, ...points.unknown]) this.pointKeys.add(p.key, p.point.endUs);
    for (const e of [...events.fresh, ...events.unknown]) this.eventKeys.add(e.key, e.timeUs);
    this.pointKeys.trim();
    this.eventKeys.trim();
    const stored = points.fresh.length + points.unknown.length + events.fresh.length + events.unknown.length;
    this.options.onCommit?.(stored, performance.now() - started, overlap);
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

interface Split<T> {
  /** Not stored yet, as the key index proves: appended to the table directly. */
  readonly fresh: T[];
  /** Maybe stored already: staged, then inserted only where the table lacks the key. */
  readonly unknown: T[];
}

/** A group of writes with what it will store. */
interface Prepared {
  readonly group: readonly Pending[];
  readonly points: Split<StoredPoint>;
  readonly events: Split<TelemetryEvent>;
  /** Cumulative series states this group changes. */
  readonly staged: ReadonlyMap<string, SeriesState>;
  readonly records: number;
}

interface Commit {
  readonly prepared: Prepared;
  /** Settles once the group's rows are appended and its commit may follow. */
  readonly appended: Promise<void>;
  /** The commit's error, or undefined once committed. */
  readonly outcome: Promise<Error | undefined>;
}

/**
 * Whether `next` may be appended while `committing` commits: its snapshot will not show the
 * committing group's rows, so it must not depend on them. It does not when every record of `next` is
 * fresh by the key index (no anti-join against the table), none of its keys is in the committing
 * group, and the committing group changes no cumulative series (whose state `next` was prepared with).
 */
function canOverlap(next: Prepared, committing: Prepared): boolean {
  if (next.points.unknown.length > 0 || next.events.unknown.length > 0 || committing.staged.size > 0)
    return false;
  const keys = new Set<string>();
  for (const p of committing.points.fresh) keys.add(p.key);
  for (const p of committing.points.unknown) keys.add(p.key);
  for (const e of committing.events.fresh) keys.add(e.key);
  for (const e of committing.events.unknown) keys.add(e.key);
  return !next.points.fresh.some((p) => keys.has(p.key)) && !next.events.fresh.some((e) => keys.has(e.key));
}

function split<T>(records: readonly T[], state: (record: T) => KeyState): Split<T> {
  const fresh: T[] = [];
  const unknown: T[] = [];
  for (const r of records) (state(r) === 'new' ? fresh : unknown).push(r);
  return { fresh, unknown };
}

async function insertPoints(db: WriteDb, { fresh, unknown }: Split<StoredPoint>): Promise<void> {
  await db.append('points', fresh, appendPoint);
  if (unknown.length === 0) return;
  await db.append('stage_points', unknown, appendPoint, 'temp');
  await insertNew(db, 'points', 'end_time', span(unknown.map((p) => p.point.endUs)));
}

async function insertEvents(db: WriteDb, { fresh, unknown }: Split<TelemetryEvent>): Promise<void> {
  await db.append('events', fresh, appendEvent);
  if (unknown.length === 0) return;
  await db.append('stage_events', unknown, appendEvent, 'temp');
  await insertNew(db, 'events', 'time', span(unknown.map((e) => e.timeUs)));
}

/**
 * The key index of a table, loaded with the keys of its most recent rows (up to the budget), so that
 * a client re-sending after a restart is still deduplicated in memory.
 */
async function loadKeyIndex(
  db: ReadDb,
  table: 'points' | 'events',
  timeColumn: string,
  maxKeys: number,
): Promise<KeyIndex> {
  const [latest] = await db.all(`SELECT epoch_us(max(${timeColumn})) AS t FROM ${table}`);
  if (latest?.t === null || latest?.t === undefined) return new KeyIndex(-Infinity, maxKeys);
  const rows = await db.all(
    `SELECT key::VARCHAR AS k, epoch_us(${timeColumn}) AS t FROM ${table}
     WHERE ${timeColumn} > make_timestamp(?::BIGINT) ORDER BY ${timeColumn} DESC LIMIT ${maxKeys + 1}`,
    [BigInt(Number(latest.t) - RELOAD_US)],
  );
  // When the budget cuts the recent rows short, the horizon is the oldest row that was loaded: its
  // minute may be incomplete, so it is left to the table.
  const oldest = rows.length > maxKeys ? Number(rows.at(-1)?.t) : Number(latest.t) - RELOAD_US;
  const index = new KeyIndex(oldest, maxKeys);
  for (const row of rows) index.add(String(row.k), Number(row.t));
  return index;
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
  await db.append(
    'stage_series',
    [...staged],
    (appender, [key, s]) => {
      appender.appendVarchar(key);
      appender.appendBigInt(BigInt(s.startUs));
      appender.appendBigInt(BigInt(s.endUs));
      appender.appendDouble(s.value);
      appender.endRow();
    },
    'temp',
  );
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
