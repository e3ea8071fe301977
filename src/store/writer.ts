import type { MetricPoint, TelemetryEvent } from '../telemetry/records.js';
import { appendEvent, appendPoint } from './appenders.js';
import { toStored, type SeriesState } from './cumulative.js';
import {
  StoreError,
  type AppendRow,
  type Database,
  type ReadDb,
  type RowBuffer,
  type WriteDb,
} from './database.js';
import { KeyIndex } from './key-index.js';

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
   * How long the oldest write not yet committing may have waited before new ones are refused as
   * overload. This keeps answers prompt when more arrives than the store can commit: the excess is
   * told to retry now, instead of every client waiting ever longer until its deadline passes.
   */
  readonly maxQueueDelayMs?: number;
  /**
   * Largest number of records committed in one transaction (at most 100,000: DuckDB's appender
   * commits on its own at 204,800 rows). Writes beyond it wait, decoded, for the next group.
   */
  readonly maxBatchRecords: number;
  /**
   * Least time between the starts of two commits. Each transaction costs DuckDB some 3.5 ms of CPU
   * whatever its size (measured: appending and committing 1 row 3.7 ms, 100 rows 4.8 ms), so committing as soon
   * as the previous commit ends spends most of the CPU on that fixed cost at moderate rates. A write
   * that finds the store idle for longer still commits at once. Default 0: no wait.
   */
  readonly minCommitIntervalMs?: number;
  /**
   * The memory budget of each table's key index (which finds re-sends without reading the table), in
   * keys; each second of row time held costs SECOND_COST keys more.
   */
  readonly keyIndexBudget?: number;
  /** The clock queue delays are measured with (tests set it). */
  readonly now?: () => number;
  /**
   * Called after every commit, for the health figures: rows committed (re-sends staged for the
   * table's check included) and how long the commit took.
   */
  readonly onCommit?: (records: number, durationMs: number) => void;
}

/**
 * 7-8 bytes a key (measured): some 8 MB for both tables when full. At 20,000 records/s that is
 * about 25 s of history (a re-send older than that is checked against the table instead: exact, but
 * slower), at a team's rate a day and more. Halved from 1,000,000 with the checkpoint threshold
 * doubled (database.ts): together they took the overload benchmark's peak RSS from 328-334 MB to
 * 307-312 MB (docs/benchmarks.md).
 */
const DEFAULT_KEY_INDEX_BUDGET = 500_000;
/** How much recent history a restart loads back into the key index: at most 10 minutes... */
const RELOAD_US = 10 * 60_000_000;
/** ...and 200,000 keys: they come back as row objects, all at once, while the server starts. */
const RELOAD_KEYS = 200_000;
const MAX_BATCH_RECORDS = 100_000;

/** The tables each writer connection appends to ahead of its transaction (RowBuffer), in flush order. */
const BUFFERED = [
  { table: 'points' },
  { table: 'events' },
  { table: 'stage_points', catalog: 'temp' },
  { table: 'stage_events', catalog: 'temp' },
] as const;

/** A write waiting for its commit. */
interface Pending {
  readonly size: number;
  readonly queuedAt: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** A write that did not fit the open group: its records are appended when the next group opens. */
interface Waiting extends Pending {
  readonly batch: WriteBatch;
}

type Span = [fromUs: number, toUs: number];

/** The writes of one transaction, their rows held in one writer connection's RowBuffer (`lane`). */
class Group {
  readonly pending: Pending[] = [];
  /** Records of its writes, as the queue counts them. */
  records = 0;
  /** Rows appended (a re-sent cumulative point or a repeated key adds none, or a staged one). */
  rows = 0;
  /** Cumulative series states its points move to, kept once it commits. */
  readonly series = new Map<string, SeriesState>();
  /** Time span of the rows staged as maybe stored already, per table. */
  readonly staged: { points?: Span; events?: Span } = {};

  constructor(readonly lane: number) {}
}

/**
 * Group commit with rows appended as they arrive. Each write's records go straight into the open
 * group's appenders (a RowBuffer on one writer connection); when no transaction is committing, the open
 * group is sealed and committed on its connection, and the next writes open a group on the other one.
 * Every caller is answered only after its group has committed, so a 2xx always means stored.
 *
 * Appending at once keeps a record's JavaScript objects from outliving their request: held until a
 * commit they were promoted to the old generation, and collecting them took 29% of the JavaScript thread.
 * The price: a group's rows cannot be taken back one write at a time, so when a commit fails, all of
 * its writes fail (retryable), and so does the open group, whose cumulative deltas were computed on
 * top of it. Commits fail for the store's reasons (a full disk, an I/O error), not a request's: every
 * value is typed by the normalizer before it gets here.
 */
export class BatchWriter {
  private open: Group | undefined;
  private committing: Group | undefined;
  private readonly waiting: Waiting[] = [];
  private queued = 0;
  private running: Promise<void> | undefined;
  private closing = false;
  /** When the last commit started (performance.now()), for minCommitIntervalMs. */
  private lastCommitAt = -Infinity;
  /** Ends the wait between commits early. */
  private wake: (() => void) | undefined;
  /** Committed state of every cumulative series. */
  private readonly series = new Map<string, SeriesState>();

  private constructor(
    private readonly db: Database,
    private readonly options: WriterOptions,
    private readonly pointKeys: KeyIndex,
    private readonly eventKeys: KeyIndex,
    private readonly buffers: readonly RowBuffer[],
  ) {}

  static async create(db: Database, options: WriterOptions): Promise<BatchWriter> {
    if (options.maxBatchRecords > MAX_BATCH_RECORDS)
      throw new StoreError(`maxBatchRecords is at most ${MAX_BATCH_RECORDS}`);
    const maxKeys = options.keyIndexBudget ?? DEFAULT_KEY_INDEX_BUDGET;
    const [pointKeys, eventKeys] = await db.withRead((r) =>
      Promise.all([
        loadKeyIndex(r, 'points', 'end_time', maxKeys),
        loadKeyIndex(r, 'events', 'time', maxKeys),
      ]),
    );
    // Staging tables live as long as each writer connection; creating them here keeps that statement
    // out of every commit.
    await db.prepareWriters(
      `CREATE TEMP TABLE IF NOT EXISTS stage_points AS SELECT * FROM points LIMIT 0;
       CREATE TEMP TABLE IF NOT EXISTS stage_events AS SELECT * FROM events LIMIT 0;
       CREATE TEMP TABLE IF NOT EXISTS stage_series AS SELECT * FROM cumulative_series LIMIT 0`,
    );
    const writer = new BatchWriter(db, options, pointKeys, eventKeys, await db.rowBuffers(BUFFERED));
    await writer.loadSeries();
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
      const pending = { size, queuedAt: this.now(), resolve, reject };
      this.queued += size;
      if (this.waiting.length === 0 && this.fits(size)) this.add(pending, batch);
      else this.waiting.push({ ...pending, batch });
      this.running ??= this.drain();
    });
  }

  /** Finishes every queued write, then refuses new ones. */
  async close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    await this.running;
  }

  /** Why a write of `size` records would be refused as overload, if it would. */
  private refusal(size: number): string | undefined {
    const oldest = this.open?.pending[0] ?? this.waiting[0];
    const maxDelay = this.options.maxQueueDelayMs ?? Infinity;
    if (oldest !== undefined && this.now() - oldest.queuedAt > maxDelay)
      return `the store is behind: writes have waited more than ${maxDelay} ms`;
    // An empty queue takes any write, so that one request larger than the queue is not refused forever.
    if (this.queued > 0 && this.queued + size > this.options.maxQueuedRecords)
      return `the store's write queue is full (${this.queued} records waiting)`;
    return undefined;
  }

  /** Whether a write of `size` records may join the open group (an empty group takes any). */
  private fits(size: number): boolean {
    const records = this.open?.records ?? 0;
    return records === 0 || records + size <= this.options.maxBatchRecords;
  }

  /** Appends a write's records to the open group, opening one on the lane not committing. */
  private add(pending: Pending, batch: WriteBatch): void {
    const group = (this.open ??= new Group(this.committing?.lane === 0 ? 1 : 0));
    const buffer = this.buffers[group.lane];
    group.pending.push(pending);
    group.records += pending.size;
    try {
      if (buffer === undefined) throw new StoreError('the store was opened read-only');
      this.appendRows(group, buffer, batch);
    } catch (error) {
      // Half a row may be in the appender: the whole group goes, this write with it.
      this.fail(group, asError(error));
      this.open = undefined;
    }
    if (this.open === undefined || this.halfFull()) this.wake?.();
  }

  /**
   * A record whose key the index has not seen is appended to its table; one it may have seen (a
   * re-send, or a repeat within the group) to the staging table, from which the commit inserts it
   * only when the table lacks its key. Keys are indexed as they are appended: a key of a group that
   * then fails stays indexed, which only sends its re-send through the staging table.
   */
  private appendRows(group: Group, buffer: RowBuffer, { points, events }: WriteBatch): void {
    const lookup = (key: string): SeriesState | undefined =>
      group.series.get(key) ?? this.committing?.series.get(key) ?? this.series.get(key);
    for (const point of points) {
      const { stored, state } = toStored(point, lookup);
      if (state !== undefined) group.series.set(point.seriesKey, state);
      if (stored !== undefined)
        this.place(group, buffer, this.pointKeys, 'points', stored, stored.key, point.endUs, appendPoint);
    }
    for (const event of events)
      this.place(group, buffer, this.eventKeys, 'events', event, event.key, event.timeUs, appendEvent);
    this.pointKeys.trim();
    this.eventKeys.trim();
  }

  /** Appends one row to its table, or to the table's staging table when its key may be stored. */
  private place<T>(
    group: Group,
    buffer: RowBuffer,
    keys: KeyIndex,
    table: 'points' | 'events',
    row: T,
    key: string,
    atUs: number,
    appendRow: AppendRow<T>,
  ): void {
    if (keys.lookup(key, atUs) === 'new') buffer.append(table, row, appendRow);
    else {
      buffer.append(`temp.stage_${table}`, row, appendRow);
      group.staged[table] = widen(group.staged[table], atUs);
    }
    keys.add(key, atUs);
    group.rows += 1;
  }

  /**
   * Commits group after group: the open one is sealed as soon as the one before it has committed, so
   * it gathers every write that arrived meanwhile.
   */
  private async drain(): Promise<void> {
    // Yield once so that requests decoded in the same tick join this group.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.open !== undefined) {
      await this.spaceCommits();
      const group = this.open;
      // A write whose rows failed to append drops the open group, maybe during that wait.
      if (group === undefined) break;
      this.open = undefined;
      this.committing = group;
      this.admitWaiting();
      const started = performance.now();
      this.lastCommitAt = started;
      const error = await this.commit(group).then(
        () => undefined,
        (e: unknown) => asError(e),
      );
      this.committing = undefined;
      if (error === undefined) {
        for (const [key, state] of group.series) this.series.set(key, state);
        this.queued -= group.records;
        for (const p of group.pending) p.resolve();
        this.options.onCommit?.(group.rows, performance.now() - started);
      } else {
        this.fail(group, error);
        if (this.open !== undefined) {
          this.fail(this.open, new StoreError(`an earlier group failed to commit: ${error.message}`));
          this.open = undefined;
          this.admitWaiting();
        }
      }
    }
    this.running = undefined;
  }

  /**
   * Waits until minCommitIntervalMs has passed since the last commit started, or the open group holds
   * half a batch (a full queue would refuse writes), or the writer closes.
   */
  private async spaceCommits(): Promise<void> {
    const wait = this.lastCommitAt + (this.options.minCommitIntervalMs ?? 0) - performance.now();
    if (wait <= 0 || this.closing || this.halfFull()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake?.(), wait);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private halfFull(): boolean {
    return (this.open?.records ?? 0) >= this.options.maxBatchRecords / 2;
  }

  /** Moves writes that waited for room into the open group, as many as fit. */
  private admitWaiting(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      if (next === undefined || !this.fits(next.size)) break;
      this.waiting.shift();
      this.add(next, next.batch);
    }
  }

  private async commit(group: Group): Promise<void> {
    const buffer = this.buffers[group.lane];
    await this.db.withWrite(
      async (db) => {
        buffer?.flush();
        const { points, events } = group.staged;
        if (points !== undefined) await insertNew(db, 'points', 'end_time', points);
        if (events !== undefined) await insertNew(db, 'events', 'time', events);
        await saveSeries(db, group.series);
      },
      { lane: group.lane },
    );
  }

  /** Rejects every write of a group that will not commit, and drops the rows it holds. */
  private fail(group: Group, error: Error): void {
    this.buffers[group.lane]?.discard();
    this.queued -= group.records;
    for (const p of group.pending) p.reject(error);
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

function widen(span: Span | undefined, us: number): Span {
  if (span === undefined) return [us, us];
  return [Math.min(span[0], us), Math.max(span[1], us)];
}

/**
 * The key index of a table, loaded with the keys of its most recent rows (up to RELOAD_KEYS), so that
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
  const limit = Math.min(maxKeys, RELOAD_KEYS);
  const rows = await db.all(
    `SELECT key::VARCHAR AS k, epoch_us(${timeColumn}) AS t FROM ${table}
     WHERE ${timeColumn} > make_timestamp(?::BIGINT) ORDER BY ${timeColumn} DESC LIMIT ${limit + 1}`,
    [BigInt(Number(latest.t) - RELOAD_US)],
  );
  // When the budget cuts the recent rows short, the horizon is the oldest row that was loaded: its
  // second may be incomplete, so it is left to the table.
  const oldest = rows.length > limit ? Number(rows.at(-1)?.t) : Number(latest.t) - RELOAD_US;
  const index = new KeyIndex(oldest, maxKeys);
  for (const row of rows) index.add(String(row.k), Number(row.t));
  index.trim();
  return index;
}

/**
 * Moves the staged rows whose key is not stored yet into the table, one row per key. A key determines
 * its row's time (points: end time, events: event time are part of the key), so looking for
 * duplicates only among rows in the batch's time span is exact, and cheap: DuckDB's zone maps skip the
 * rest of the table. The table's rows include this transaction's own, appended before. This replaces
 * a primary key, whose index would have to live in memory for the whole history.
 */
async function insertNew(
  db: WriteDb,
  table: 'points' | 'events',
  timeColumn: string,
  [fromUs, toUs]: [number, number],
): Promise<void> {
  await db.run(
    `INSERT INTO ${table} SELECT DISTINCT ON (s.key) s.* FROM temp.stage_${table} s
     WHERE s.key NOT IN (SELECT key FROM ${table} WHERE ${timeColumn} BETWEEN make_timestamp(?::BIGINT) AND make_timestamp(?::BIGINT))`,
    [BigInt(fromUs), BigInt(toUs)],
  );
  await db.run(`DELETE FROM temp.stage_${table}`);
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
