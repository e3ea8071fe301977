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

  it('commits in the order asked, overlapped or not; a failed one leaves the others committed', async () => {
    const results = await Promise.allSettled([
      db.withWrite(insert(1)),
      db.withWrite(insert(2), { overlap: true }),
      db.withWrite(
        async (w) => {
          await insert(3)(w);
          throw new Error('the caller gave up');
        },
        { overlap: true },
      ),
      db.withWrite(insert(4), { overlap: true }),
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
    // Without overlap a transaction sees every earlier commit: 5 counted the three rows before it.
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
          order.push('overlapped write');
        },
        { overlap: true },
      ),
    ]);
    assert.deepEqual(order, ['write', 'checkpoint', 'overlapped write']);
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
      // 40 transactions of about 100 KB each, half of them overlapped: some 4 MB of log in all.
      for (let i = 0; i < 40; i++) {
        await db.withWrite(
          (w) =>
            w.run("INSERT INTO blob SELECT range, repeat('x', 1000) FROM range(?, ? + 100)", [
              i * 100,
              i * 100,
            ]),
          { overlap: i % 2 === 1 },
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
