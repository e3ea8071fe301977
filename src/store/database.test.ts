import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Database } from './database.js';

describe('Database write transactions', () => {
  let dir: string;
  let db: Database;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccmon-database-'));
    db = await Database.open(dir);
    await db.maintenance('CREATE TABLE log (n INTEGER, seen INTEGER)');
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insert = (n: number) => (w: Parameters<Parameters<Database['withWrite']>[0]>[0]) =>
    w.run('INSERT INTO log SELECT ?, count(*) FROM log', [n]);

  it('commits in the order asked; a failed one leaves the others committed', async () => {
    const results = await Promise.allSettled([
      db.withWrite(insert(1)),
      db.withWrite(insert(2), { lane: 1 }),
      db.withWrite(async (w) => {
        await insert(3)(w);
        throw new Error('the caller gave up');
      }),
      db.withWrite(insert(4), { lane: 1 }),
      db.withWrite(insert(5)),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    );
    const rows = await db.withRead((r) => r.all('SELECT n, seen FROM log ORDER BY rowid'));
    assert.deepEqual(
      rows.map((r) => r.n),
      [1, 2, 4, 5],
    );
    // Each transaction sees every earlier commit, on either connection: 5 counted the three rows before it.
    assert.equal(rows.at(-1)?.seen, 3);
  });

  it('lets maintenance wait for every transaction and later ones wait for it', async () => {
    const order: string[] = [];
    await Promise.all([
      db.withWrite(async (w) => {
        await insert(6)(w);
        order.push('write');
      }),
      db.maintenance('CHECKPOINT').then(() => order.push('checkpoint')),
      db.withWrite(
        async (w) => {
          await insert(7)(w);
          order.push('later write');
        },
        { lane: 1 },
      ),
    ]);
    assert.deepEqual(order, ['write', 'checkpoint', 'later write']);
  });

  it('commits rows held in a RowBuffer with the transaction that flushes them, on its lane only', async () => {
    await db.maintenance('CREATE TABLE held (n INTEGER)');
    const [first, second] = await db.rowBuffers([{ table: 'held' }]);
    assert.ok(first !== undefined && second !== undefined);
    const row = (appender: Parameters<Parameters<typeof first.append>[2]>[0], n: number): void => {
      appender.appendInteger(n);
      appender.endRow();
    };
    const held = async (): Promise<unknown[]> =>
      (await db.withRead((r) => r.all('SELECT n FROM held ORDER BY n'))).map((r) => r.n);
    first.append('held', 1, row);
    second.append('held', 2, row);
    // A transaction on lane 0 that does not flush leaves lane 0's rows held, and lane 1's.
    await db.withWrite(insert(8));
    assert.deepEqual(await held(), []);
    await db.withWrite(async () => second.flush(), { lane: 1 });
    assert.deepEqual(await held(), [2]);
    // A failed transaction rolls its flushed rows back; discarded rows are gone for good.
    await assert.rejects(
      db.withWrite(async () => {
        first.flush();
        throw new Error('failed after the flush');
      }),
    );
    first.append('held', 3, row);
    first.discard();
    first.append('held', 4, row);
    await db.withWrite(async () => first.flush());
    assert.deepEqual(await held(), [2, 4]);
  });
});

describe('Database checkpoints', () => {
  it('checkpoints between transactions once the write-ahead log passes its threshold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccmon-checkpoint-'));
    const db = await Database.open(dir, { checkpointWalBytes: 256 * 1024 });
    try {
      await db.maintenance('CREATE TABLE blob (n INTEGER, text VARCHAR)');
      const wal = (): number => (existsSync(`${db.path}.wal`) ? statSync(`${db.path}.wal`).size : 0);
      let largest = 0;
      // 40 transactions of about 100 KB each, half of them on each connection: some 4 MB of log in all.
      for (let i = 0; i < 40; i++) {
        await db.withWrite(
          (w) =>
            w.run("INSERT INTO blob SELECT range, repeat('x', 1000) FROM range(?, ? + 100)", [
              i * 100,
              i * 100,
            ]),
          { lane: i % 2 },
        );
        largest = Math.max(largest, wal());
      }
      await db.maintenance('SELECT 1'); // after any checkpoint still pending
      // DuckDB itself would checkpoint only at 1 GB: the log stays small only because ccmon does.
      assert.ok(largest < 1024 * 1024, `the log reached ${largest} bytes`);
      const [row] = await db.withRead((r) => r.all('SELECT count(*)::INTEGER AS n FROM blob'));
      assert.equal(row?.n, 4_000);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Database memory limit', () => {
  it('gives DuckDB its whole limit while queries run, and a smaller one to ingest alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ccmon-memory-'));
    const limit = "SELECT current_setting('memory_limit') AS limit";
    const inWrite = async (db: Database) => (await db.withWrite((w) => w.all(limit)))[0]?.limit;
    const inRead = async (db: Database, during: () => Promise<void> = async () => undefined) =>
      db.withRead(async (r) => {
        await during();
        return (await r.all(limit))[0]?.limit;
      });
    try {
      const db = await Database.open(dir, { memoryLimitBytes: 96 * 1024 * 1024 });
      try {
        assert.equal(await inWrite(db), '48.0 MiB');
        assert.equal(await inRead(db), '96.0 MiB');
        assert.equal(await inWrite(db), '48.0 MiB');
        // Overlapping queries: the first one's end must not take the limit from the second.
        let endFirst = (): void => undefined;
        let firstRunning = (): void => undefined;
        const running = new Promise<void>((resolve) => (firstRunning = resolve));
        const first = inRead(db, async () => {
          firstRunning();
          await new Promise<void>((resolve) => (endFirst = resolve));
        });
        await running;
        const second = inRead(db, async () => {
          endFirst();
          await first;
        });
        assert.deepEqual(await Promise.all([first, second]), ['96.0 MiB', '96.0 MiB']);
        assert.equal(await inWrite(db), '48.0 MiB');
        await db.compact();
        assert.equal(await inWrite(db), '48.0 MiB');
      } finally {
        await db.close();
      }
      // A limit below the ingest one is kept for both.
      const small = await Database.open(dir, { memoryLimitBytes: 32 * 1024 * 1024 });
      try {
        assert.equal(await inWrite(small), '32.0 MiB');
        assert.equal(await inRead(small), '32.0 MiB');
      } finally {
        await small.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
