import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance, type DuckDBAppender, type DuckDBValue } from '@duckdb/node-api';
import { MIGRATIONS } from './migrations.js';

export const STORE_FILE = 'ccmon.duckdb';

export class StoreError extends Error {
  override readonly name = 'StoreError';
}

/** Another process (a running `ccmon serve`) holds the store file. */
export class StoreLockedError extends StoreError {}

export type Row = Record<string, unknown>;
export type Params = readonly DuckDBValue[];

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
/** One transaction commits on one while the next appends on the other (see WriteOptions.overlap). */
const WRITERS = 2;
/** DuckDB's default for max_vacuum_tasks. */
const VACUUM_TASKS = 100;
const DEFAULT_MEMORY_LIMIT = 96 * 1024 * 1024;
/** DuckDB's own default for checkpoint_threshold. */
const DEFAULT_CHECKPOINT_WAL_BYTES = 16 * 1024 * 1024;
/** DuckDB's automatic checkpoint, left only as a backstop in case ccmon's own keep failing. */
const BACKSTOP_CHECKPOINT_THRESHOLD = '1GB';

/** How a write transaction may run alongside the one before it. */
export interface WriteOptions {
  /**
   * Run this transaction's statements while the previous transaction commits, on the other writer
   * connection; its own commit still waits for the previous one. The caller promises that the two
   * touch no common rows and that this one reads nothing the previous one writes: its snapshot may
   * not include it.
   */
  readonly overlap?: boolean;
}

/**
 * The only owner of the DuckDB file. Callers get closures over a connection (withRead / withWrite),
 * never the connection itself, so every write goes through one ordered path: transactions commit in
 * the order they were asked for.
 */
export class Database {
  private readonly readers: ConnectionPool;
  private readonly writers: ConnectionPool;
  /** Settles when every transaction asked for so far has committed or failed. */
  private committed: Promise<unknown> = Promise.resolve();
  /** Settles when every transaction asked for so far has run its statements (or failed). */
  private bodiesDone: Promise<unknown> = Promise.resolve();
  private closed = false;
  private checkpointing = false;
  /**
   * Each writer connection's appenders, one per table, reused by every transaction. A native appender
   * keeps its buffers (megabytes, with long strings) until JavaScript's GC finalizes it, and the GC
   * does not see that memory: an appender per commit held hundreds of MB of RSS under load.
   */
  private readonly appenders = new Map<DuckDBConnection, Map<string, DuckDBAppender>>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writerConnections: readonly DuckDBConnection[],
    private readonly readerConnections: readonly DuckDBConnection[],
    readonly path: string,
    private readonly checkpointWalBytes: number,
  ) {
    this.readers = new ConnectionPool(readerConnections);
    this.writers = new ConnectionPool(writerConnections);
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
    const settings: Record<string, string> = {
      // A checkpoint that also merges small row groups (vacuum) blocks every commit for a second or
      // more, a few times a minute under load; merging is left to `compact`, run on a schedule.
      max_vacuum_tasks: '0',
      // ccmon checkpoints between transactions itself (see checkpointIfDue).
      checkpoint_threshold: BACKSTOP_CHECKPOINT_THRESHOLD,
      memory_limit: `${Math.floor((options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT) / 1024 / 1024)}MB`,
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
    );
  }

  async withRead<T>(fn: (db: ReadDb) => Promise<T>): Promise<T> {
    const conn = await this.readers.take();
    try {
      return await fn({ all: (sql, params) => all(conn, sql, params) });
    } finally {
      this.readers.give(conn);
    }
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
    const [row] = await this.withRead((db) =>
      db.all('SELECT sum(memory_usage_bytes)::BIGINT AS bytes FROM duckdb_memory()'),
    );
    return Number(row?.bytes ?? 0);
  }

  /**
   * Runs `fn` in one transaction, after every earlier write has committed, or, with `overlap`, while
   * the previous one commits (see WriteOptions). Either way it commits after every earlier write.
   */
  withWrite<T>(fn: (db: WriteDb) => Promise<T>, options: WriteOptions = {}): Promise<T> {
    if (this.writerConnections.length === 0)
      return Promise.reject(new StoreError('the store was opened read-only'));
    const earlierCommits = this.committed;
    // Two stages: the statements (BEGIN and fn), then the commit, after every earlier one.
    const body = (options.overlap === true ? this.bodiesDone : earlierCommits).then(async () => {
      if (this.closed) throw new StoreError('the store is closed');
      const writer = await this.writers.take();
      try {
        await writer.run('BEGIN TRANSACTION');
        return { writer, result: await fn(this.writeDb(writer)) };
      } catch (error) {
        await this.abandon(writer);
        throw error;
      }
    });
    const next = body.then(async ({ writer, result }) => {
      try {
        await earlierCommits;
        await writer.run('COMMIT');
        this.writers.give(writer);
        this.checkpointIfDue();
        return result;
      } catch (error) {
        await this.abandon(writer);
        throw error;
      }
    });
    this.bodiesDone = Promise.all([this.bodiesDone, body.catch(() => undefined)]);
    this.committed = next.catch(() => undefined);
    return next;
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

  /** Rolls back a failed transaction and hands its connection back. */
  private async abandon(writer: DuckDBConnection): Promise<void> {
    // An appender that failed mid-flush may hold rows of the failed transaction: start afresh.
    this.appenders.delete(writer);
    await writer.run('ROLLBACK').catch(() => undefined);
    this.writers.give(writer);
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
        for (const row of rows) appendRow(appender, row);
        appender.flushSync();
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
    const name = `${catalog ?? 'main'}.${table}`;
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
    await this.maintenance(`SET max_vacuum_tasks = ${VACUUM_TASKS}; CHECKPOINT; SET max_vacuum_tasks = 0`);
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
    for (const appenders of this.appenders.values())
      for (const appender of appenders.values()) appender.closeSync();
    this.appenders.clear();
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
    this.bodiesDone = this.committed;
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
