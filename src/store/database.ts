import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  DuckDBConnection,
  DuckDBInstance,
  listValue,
  type DuckDBAppender,
  type DuckDBValue,
} from '@duckdb/node-api';
import { MIGRATIONS } from './migrations.js';

export const STORE_FILE = 'ccmon.duckdb';

export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** Another process (a running `ccmon serve`) holds the store file. */
export class StoreLockedError extends StoreError {}

export type Row = Record<string, unknown>;
export type Params = readonly DuckDBValue[];

/** A list bound as one parameter (`x IN (SELECT unnest(?::UUID[]))`): no statement built from values. */
export function listParam(items: readonly string[]): DuckDBValue {
  return listValue([...items]);
}

/** What a reader may do: run queries. */
export interface ReadDb {
  all(sql: string, params?: Params): Promise<Row[]>;
}

/** What the single writer may do, inside one transaction. */
export interface WriteDb extends ReadDb {
  run(sql: string, params?: Params): Promise<void>;
  /** Appends rows to a table (`catalog` 'temp' for a temp table) within the transaction. */
  append<T>(table: string, rows: readonly T[], appendRow: AppendRow<T>, catalog?: 'temp'): Promise<void>;
}

export type AppendRow<T> = (appender: DuckDBAppender, row: T) => void;

const READERS = 2;
/**
 * One transaction commits on one while the next group's rows are appended to the other's appenders
 * (see RowBuffer).
 */
const WRITERS = 2;
/** DuckDB's default for max_vacuum_tasks. */
const VACUUM_TASKS = 100;
const DEFAULT_MEMORY_LIMIT = 96 * 1024 * 1024;
/**
 * DuckDB's limit while no query runs. DuckDB keeps blocks it has read or written cached up to its
 * limit, and ingest needs few of them: the closed-loop benchmark's peak RSS was 314 MB with 96 MiB
 * and 267-273 MB with this, at no less throughput (docs/benchmarks.md). Queries get the whole limit
 * while they run: the 30-day dashboard over a large store runs out of memory under 64 MiB.
 */
const INGEST_MEMORY_LIMIT = 48 * 1024 * 1024;
/**
 * Twice DuckDB's default checkpoint_threshold. DuckDB appends to a checkpointed table in a new row
 * group (for its vacuum to merge later, which ccmon leaves to `compact`), so each checkpoint leaves one
 * row group per table, and DuckDB keeps the metadata of every row group it has written or read: some
 * 60-75 KB each with ccmon's tables. At 16 MB of log a row group held about 15,000 rows (DuckDB alone
 * with ccmon's schema: malloc in use grew 6.4 MB over 750,000 rows written to each table, against
 * 2.3 MB with 50,000-row groups); at 32 MB it holds twice that. At 64 MB the rows awaiting their
 * checkpoint spill past the ingest memory limit to the temp folder (docs/benchmarks.md).
 */
const DEFAULT_CHECKPOINT_WAL_BYTES = 32 * 1024 * 1024;
/** DuckDB's automatic checkpoint, left only as a backstop in case ccmon's own keep failing. */
const BACKSTOP_CHECKPOINT_THRESHOLD = '1GB';

/** A table a RowBuffer appends to: `catalog` 'temp' for a connection's temp table. */
export interface BufferedTable {
  readonly table: string;
  readonly catalog?: 'temp';
}

/**
 * Rows appended ahead of their transaction, into one writer connection's appenders. DuckDB's appender
 * holds rows in native memory until it is flushed (or, on its own, at 204,800 rows), and a flush
 * inside a transaction on the same connection makes them part of it: `withWrite(fn, { lane })`.
 * Appending each request's rows as it arrives lets its JavaScript objects die young, instead of
 * waiting for a commit in the old generation of the heap (docs/benchmarks.md, knee section: 42-49
 * instead of 78-86 µs of CPU per event).
 */
export class RowBuffer {
  constructor(private readonly appenders: ReadonlyMap<string, DuckDBAppender>) {}

  /** Appends one row to `table` (named as in BufferedTable: `temp.name` for a temp table). */
  append<T>(table: string, row: T, appendRow: AppendRow<T>): void {
    const appender = this.appenders.get(table);
    if (appender === undefined) throw new StoreError(`no buffered appender for ${table}`);
    appendRow(appender, row);
  }

  /** Moves every held row into the connection's current transaction, in the tables' order. */
  flush(): void {
    for (const appender of this.appenders.values()) appender.flushSync();
  }

  /** Drops every held row, and a row left half-written by a failed append. */
  discard(): void {
    for (const appender of this.appenders.values()) appender.clear();
  }
}

/**
 * The only owner of the DuckDB file. Callers get closures over a connection (withRead / withWrite),
 * never the connection itself, so every write goes through one ordered path: transactions commit in
 * the order they were asked for.
 */
export class Database {
  private readonly readers: ConnectionPool;
  /** Settles when every transaction asked for so far has committed or failed. */
  private committed: Promise<unknown> = Promise.resolve();
  private closed = false;
  private checkpointing = false;
  /**
   * Each writer connection's appenders, one per table, reused by every transaction. A native appender
   * keeps its buffers (megabytes, with long strings) until JavaScript's GC finalizes it, and the GC
   * does not see that memory: an appender per commit held hundreds of MB of RSS under load.
   */
  private readonly appenders = new Map<DuckDBConnection, Map<string, DuckDBAppender>>();
  /** The RowBuffers' appenders, closed with the store. */
  private readonly bufferAppenders: DuckDBAppender[] = [];
  /** Queries (reads, compaction) running now: while any does, DuckDB has memoryLimits.queries. */
  private queriesRunning = 0;
  /** Settles when the last change of DuckDB's memory limit asked for has been made (or failed). */
  private limitChanged: Promise<void> = Promise.resolve();
  private appliedLimit: number;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writerConnections: readonly DuckDBConnection[],
    private readonly readerConnections: readonly DuckDBConnection[],
    readonly path: string,
    private readonly checkpointWalBytes: number,
    private readonly memoryLimits: { readonly ingest: number; readonly queries: number },
  ) {
    this.readers = new ConnectionPool(readerConnections);
    this.appliedLimit = memoryLimits.ingest;
  }

  /** Opens (and creates, unless read-only) the store in `dataDir`, applying pending migrations. */
  static async open(
    dataDir: string,
    options: { readOnly?: boolean; memoryLimitBytes?: number; checkpointWalBytes?: number } = {},
  ): Promise<Database> {
    const readOnly = options.readOnly === true;
    const path = join(dataDir, STORE_FILE);
    // Private: the store holds spend figures and, when users opt in, their prompts.
    if (!readOnly) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // DuckDB would take 80% of the machine's memory for its buffers; a monitoring agent must not.
    // Queries that need more spill to the data dir's tmp folder instead of growing the process.
    const queries = options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT;
    const memoryLimits = { queries, ingest: readOnly ? queries : Math.min(queries, INGEST_MEMORY_LIMIT) };
    const settings: Record<string, string> = {
      // A checkpoint that also merges small row groups (vacuum) blocks every commit for a second or
      // more, a few times a minute under load; merging is left to `compact`, run on a schedule.
      max_vacuum_tasks: '0',
      // ccmon checkpoints between transactions itself (see checkpointIfDue).
      checkpoint_threshold: BACKSTOP_CHECKPOINT_THRESHOLD,
      memory_limit: `${memoryLimits.ingest}B`,
      ...(readOnly ? { access_mode: 'READ_ONLY' } : { temp_directory: join(dataDir, 'tmp') }),
    };
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, settings);
    } catch (error) {
      throw translateOpenError(error, dataDir);
    }
    const connect = (n: number) => Promise.all(Array.from({ length: n }, () => instance.connect()));
    const writers = readOnly ? [] : await connect(WRITERS);
    if (writers[0] !== undefined) await migrate(writers[0]);
    return new Database(
      instance,
      writers,
      await connect(READERS),
      path,
      options.checkpointWalBytes ?? DEFAULT_CHECKPOINT_WAL_BYTES,
      memoryLimits,
    );
  }

  async withRead<T>(fn: (db: ReadDb) => Promise<T>): Promise<T> {
    return this.onReader((conn) =>
      this.withQueryMemory(conn, () => fn({ all: (sql, params) => all(conn, sql, params) })),
    );
  }

  /** Runs `fn` on a reader connection, taken from the pool and given back. */
  private async onReader<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = await this.readers.take();
    try {
      return await fn(conn);
    } finally {
      this.readers.give(conn);
    }
  }

  /** Runs `fn` (a query on `conn`) with DuckDB's whole memory limit. */
  private async withQueryMemory<T>(conn: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
    if (this.queriesRunning++ === 0) await this.applyMemoryLimit(conn);
    try {
      return await fn();
    } finally {
      if (--this.queriesRunning === 0) await this.applyMemoryLimit(conn);
    }
  }

  /**
   * Gives DuckDB the limit for what runs now. Changes are made one at a time, each for the state when
   * it runs, so the last one made is right whatever order queries start and end in. The limit is
   * global: any connection sets it.
   */
  private applyMemoryLimit(conn: DuckDBConnection): Promise<void> {
    this.limitChanged = this.limitChanged.then(async () => {
      const bytes = this.queriesRunning > 0 ? this.memoryLimits.queries : this.memoryLimits.ingest;
      if (bytes === this.appliedLimit) return;
      // Lowering fails while writes pin more than the lower limit; the next query's end tries again.
      await conn.run(`SET memory_limit = '${bytes}B'`).then(
        () => (this.appliedLimit = bytes),
        () => undefined,
      );
    });
    return this.limitChanged;
  }

  /** Bytes of the store on disk: the DuckDB file and its write-ahead log. */
  diskBytes(): number {
    return fileBytes(this.path) + fileBytes(this.walPath);
  }

  private get walPath(): string {
    return `${this.path}.wal`;
  }

  /** Memory DuckDB's buffer manager holds now, in bytes. */
  async memoryBytes(): Promise<number> {
    // Not through withRead: reading DuckDB's own counters needs no memory, and a scrape every few
    // seconds must not raise the limit it reports on.
    const [row] = await this.onReader((conn) =>
      all(conn, 'SELECT sum(memory_usage_bytes)::BIGINT AS bytes FROM duckdb_memory()'),
    );
    return Number(row?.bytes ?? 0);
  }

  /**
   * Runs `fn` in one transaction, after every earlier one has committed, on writer connection `lane`
   * (the one whose RowBuffer holds the rows `fn` flushes; 0 when there are none).
   */
  withWrite<T>(fn: (db: WriteDb) => Promise<T>, { lane = 0 }: { lane?: number } = {}): Promise<T> {
    const writer = this.writerConnections[lane];
    if (writer === undefined)
      return Promise.reject(
        new StoreError(
          this.writerConnections.length === 0 ? 'the store was opened read-only' : `no writer ${lane}`,
        ),
      );
    const next = this.committed.then(async () => {
      if (this.closed) throw new StoreError('the store is closed');
      try {
        await writer.run('BEGIN TRANSACTION');
        const result = await fn(this.writeDb(writer));
        await writer.run('COMMIT');
        this.checkpointIfDue();
        return result;
      } catch (error) {
        await writer.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    this.committed = next.catch(() => undefined);
    return next;
  }

  /**
   * One RowBuffer per writer connection (lane), over appenders of its own for `tables`: WriteDb.append
   * flushes its appenders in whatever transaction calls it, and must never take rows held for another.
   */
  async rowBuffers(tables: readonly BufferedTable[]): Promise<RowBuffer[]> {
    return Promise.all(
      this.writerConnections.map(async (writer) => {
        const appenders = new Map<string, DuckDBAppender>();
        for (const { table, catalog } of tables) {
          const appender = await writer.createAppender(table, 'main', catalog ?? null);
          this.bufferAppenders.push(appender);
          appenders.set(tableName(table, catalog), appender);
        }
        return new RowBuffer(appenders);
      }),
    );
  }

  /**
   * Checkpoints once the write-ahead log has grown past its threshold, after the transactions asked for
   * so far and before any later one. DuckDB's own automatic checkpoint runs inside a COMMIT while the
   * other writer connection appends the next group, and every append waits for it: the JavaScript
   * thread stood blocked 15-20% of its time under load (docs/benchmarks.md). Between transactions the
   * thread goes on receiving and decoding meanwhile.
   */
  private checkpointIfDue(): void {
    if (this.checkpointing || fileBytes(this.walPath) < this.checkpointWalBytes) return;
    this.checkpointing = true;
    // A failed checkpoint leaves the log to the next commit's check (and DuckDB's backstop).
    void this.maintenance('CHECKPOINT')
      .catch(() => undefined)
      .finally(() => (this.checkpointing = false));
  }

  private writeDb(writer: DuckDBConnection): WriteDb {
    return {
      all: (sql, params) => all(writer, sql, params),
      run: async (sql, params) => {
        await writer.run(sql, params as DuckDBValue[] | undefined);
      },
      append: async (table, rows, appendRow, catalog) => {
        if (rows.length === 0) return;
        const appender = await this.appenderFor(writer, table, catalog);
        try {
          for (const row of rows) appendRow(appender, row);
          appender.flushSync();
        } catch (error) {
          // A failed append or flush leaves rows (or half a row) behind: the next transaction must not get them.
          appender.clear();
          throw error;
        }
      },
    };
  }

  private async appenderFor(
    writer: DuckDBConnection,
    table: string,
    catalog?: 'temp',
  ): Promise<DuckDBAppender> {
    let appenders = this.appenders.get(writer);
    if (appenders === undefined) {
      appenders = new Map();
      this.appenders.set(writer, appenders);
    }
    const name = tableName(table, catalog);
    let appender = appenders.get(name);
    if (appender === undefined) {
      appender = await writer.createAppender(table, 'main', catalog ?? null);
      appenders.set(name, appender);
    }
    return appender;
  }

  /**
   * A checkpoint that merges small row groups and reclaims the space of deleted rows: the work the
   * automatic checkpoints leave out. It blocks writes while it runs, which they answer with 503 and a
   * retry hint: some seconds when many row groups changed since the last one (21 s for the 3 million
   * rows of a 90-day team store never compacted), far less when run after every retention pass.
   */
  async compact(): Promise<void> {
    await this.whenWritersIdle(async ([writer]) => {
      if (writer === undefined) return;
      await this.withQueryMemory(writer, async () => {
        await writer.run(`SET max_vacuum_tasks = ${VACUUM_TASKS}`);
        // A failed compaction must not leave every later checkpoint merging (and blocking writes).
        try {
          await writer.run('CHECKPOINT');
        } finally {
          await writer.run('SET max_vacuum_tasks = 0');
        }
      });
    });
  }

  /** Runs a statement outside any transaction (CHECKPOINT), after every earlier write. */
  async maintenance(sql: string): Promise<void> {
    await this.whenWritersIdle(async ([writer]) => {
      await writer?.run(sql);
    });
  }

  /** Runs a statement on every writer connection: session state such as temp tables. */
  async prepareWriters(sql: string): Promise<void> {
    await this.whenWritersIdle(async (writers) => {
      for (const writer of writers) await writer.run(sql);
    });
  }

  async close(): Promise<void> {
    await this.committed;
    this.closed = true;
    const appenders = [
      ...this.bufferAppenders,
      ...[...this.appenders.values()].flatMap((m) => [...m.values()]),
    ];
    for (const appender of appenders) {
      // Closing flushes, and outside a transaction that would commit: rows still held were never acknowledged.
      appender.clear();
      appender.closeSync();
    }
    this.appenders.clear();
    this.bufferAppenders.length = 0;
    const [first] = this.writerConnections;
    await first?.run('CHECKPOINT').catch(() => undefined);
    for (const conn of [...this.writerConnections, ...this.readerConnections]) conn.closeSync();
    this.instance.closeSync();
  }

  private whenWritersIdle(fn: (writers: readonly DuckDBConnection[]) => Promise<void>): Promise<void> {
    if (this.writerConnections.length === 0)
      return Promise.reject(new StoreError('the store was opened read-only'));
    const next = this.committed.then(() => fn(this.writerConnections));
    this.committed = next.catch(() => undefined);
    return next;
  }
}

/** Connections handed out one caller at a time, in the order they were asked for. */
class ConnectionPool {
  private readonly idle: DuckDBConnection[];
  private readonly waiting: ((conn: DuckDBConnection) => void)[] = [];

  constructor(connections: readonly DuckDBConnection[]) {
    this.idle = [...connections];
  }

  take(): Promise<DuckDBConnection> {
    const conn = this.idle.pop();
    if (conn !== undefined) return Promise.resolve(conn);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(conn: DuckDBConnection): void {
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter(conn);
    else this.idle.push(conn);
  }
}

async function all(conn: DuckDBConnection, sql: string, params?: Params): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql, params as DuckDBValue[] | undefined);
  return reader.getRowObjectsJS() as Row[];
}

async function migrate(conn: DuckDBConnection): Promise<void> {
  await conn.run(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)',
  );
  const applied = await all(conn, 'SELECT max(version) AS v FROM schema_migrations');
  const current = Number(applied[0]?.v ?? 0);
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(migration.sql);
      await conn.run('INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)', [
        migration.version,
        migration.name,
      ]);
      await conn.run('COMMIT');
    } catch (error) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw new StoreError(
        `schema migration ${migration.version} (${migration.name}) failed: ${String(error)}`,
      );
    }
  }
}

function tableName(table: string, catalog?: 'temp'): string {
  return catalog === undefined ? table : `${catalog}.${table}`;
}

/** A file's size; 0 when it does not exist (no write-ahead log: everything is checkpointed). */
function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function translateOpenError(error: unknown, dataDir: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  if (/Could not set lock|Conflicting lock/i.test(message)) {
    const pid = /PID (\d+)/.exec(message)?.[1];
    return new StoreLockedError(
      `the data dir ${dataDir} is in use by another ccmon${pid === undefined ? '' : ` (pid ${pid})`}: ` +
        'stop it, or use another --data-dir; to read its data, ask it with --server URL',
    );
  }
  if (/No such file|does not exist|Cannot open file/i.test(message)) {
    return new StoreError(`no ccmon store in ${dataDir}: start \`ccmon serve --data-dir ${dataDir}\` first`);
  }
  return new StoreError(`cannot open the store in ${dataDir}: ${message}`);
}
