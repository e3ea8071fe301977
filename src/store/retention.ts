import type { Database } from './database.js';

/** Deletes points and events older than the retention period; returns how many rows went. */
export async function pruneOlderThan(db: Database, retentionMs: number, now = Date.now()): Promise<number> {
  const cutoffUs = BigInt(Math.floor((now - retentionMs) * 1000));
  return db.withWrite(async (w) => {
    const rows = await w.all(
      `SELECT (SELECT count(*) FROM points WHERE end_time < make_timestamp(?::BIGINT))
            + (SELECT count(*) FROM events WHERE time < make_timestamp(?::BIGINT)) AS n`,
      [cutoffUs, cutoffUs],
    );
    await w.run('DELETE FROM points WHERE end_time < make_timestamp(?::BIGINT)', [cutoffUs]);
    await w.run('DELETE FROM events WHERE time < make_timestamp(?::BIGINT)', [cutoffUs]);
    return Number(rows[0]?.n ?? 0);
  });
}
