import { mkdirSync } from 'node:fs';
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
/** DuckDB's default for max_vacuum_tasks. */
const VACUUM_TASKS = 100;
const DEFAULT_MEMORY_LIMIT = 192 * 1024 * 1024;

/**
 * The only owner of the DuckDB file. Callers get closures over a connection (withRead / withWrite),
 * never the connection itself, so every write goes through one serialized path.
 */
export class Database {
  private readonly idleReaders: DuckDBConnection[];
  private readonly waitingReaders: ((conn: DuckDBConnection) => void)[] = [];
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /**
   * The writer's appenders, one per table, reused by every transaction. A native appender keeps its
   * buffers (megabytes, with long strings) until JavaScript's GC finalizes it, and the GC does not see
   * that memory: an appender per commit held hundreds of MB of RSS under load.
   */
  private readonly appenders = new Map<string, DuckDBAppender>();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly writer: DuckDBConnection | undefined,
    readers: DuckDBConnection[],
    readonly path: string,
  ) {
    this.idleReaders = readers;
  }

  /** Opens (and creates, unless read-only) the store in `dataDir`, applying pending migrations. */
  static async open(
    dataDir: string,
    options: { readOnly?: boolean; memoryLimitBytes?: number } = {},
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
      memory_limit: `${Math.floor((options.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT) / 1024 / 1024)}MB`,
      ...(readOnly ? { access_mode: 'READ_ONLY' } : { temp_directory: join(dataDir, 'tmp') }),
    };
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path, settings);
    } catch (error) {
      throw translateOpenError(error, dataDir);
    }
    const writer = readOnly ? undefined : await instance.connect();
    if (writer !== undefined) await migrate(writer);
    const readers = await Promise.all(Array.from({ length: READERS }, () => instance.connect()));
    return new Database(instance, writer, readers, path);
  }

  async withRead<T>(fn: (db: ReadDb) => Promise<T>): Promise<T> {
    const conn = await this.takeReader();
    try {
      return await fn({ all: (sql, params) => all(conn, sql, params) });
    } finally {
      this.giveReader(conn);
    }
  }

  /** Runs `fn` in one transaction, after every earlier write has finished. */
  withWrite<T>(fn: (db: WriteDb) => Promise<T>): Promise<T> {
    const writer = this.writer;
    if (writer === undefined) return Promise.reject(new StoreError('the store was opened read-only'));
    const next = this.writeChain.then(async () => {
      if (this.closed) throw new StoreError('the store is closed');
      await writer.run('BEGIN TRANSACTION');
      try {
        const result = await fn({
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
        });
        await writer.run('COMMIT');
        return result;
      } catch (error) {
        // An appender that failed mid-flush may hold rows of the failed transaction: start afresh.
        this.appenders.clear();
        await writer.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  private async appenderFor(
    writer: DuckDBConnection,
    table: string,
    catalog?: 'temp',
  ): Promise<DuckDBAppender> {
    const name = `${catalog ?? 'main'}.${table}`;
    let appender = this.appenders.get(name);
    if (appender === undefined) {
      appender = await writer.createAppender(table, 'main', catalog ?? null);
      this.appenders.set(name, appender);
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

  /** Runs a statement outside any transaction on the writer (CHECKPOINT, temp tables). */
  async maintenance(sql: string): Promise<void> {
    await this.withWriterIdle(async (writer) => {
      await writer.run(sql);
    });
  }

  async close(): Promise<void> {
    await this.writeChain;
    this.closed = true;
    if (this.writer !== undefined) {
      for (const appender of this.appenders.values()) appender.closeSync();
      this.appenders.clear();
      await this.writer.run('CHECKPOINT').catch(() => undefined);
      this.writer.closeSync();
    }
    for (const conn of this.idleReaders) conn.closeSync();
    this.instance.closeSync();
  }

  private withWriterIdle<T>(fn: (writer: DuckDBConnection) => Promise<T>): Promise<T> {
    const writer = this.writer;
    if (writer === undefined) return Promise.reject(new StoreError('the store was opened read-only'));
    const next = this.writeChain.then(() => fn(writer));
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  private takeReader(): Promise<DuckDBConnection> {
    const conn = this.idleReaders.pop();
    if (conn !== undefined) return Promise.resolve(conn);
    return new Promise((resolve) => this.waitingReaders.push(resolve));
  }

  private giveReader(conn: DuckDBConnection): void {
    const waiter = this.waitingReaders.shift();
    if (waiter !== undefined) waiter(conn);
    else this.idleReaders.push(conn);
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
