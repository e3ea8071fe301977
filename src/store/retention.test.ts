import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { normalizeLogs } from '../telemetry/normalize-logs.js';
import { logsRequest } from '../../test/support/requests.js';
import { Database } from './database.js';
import { pruneOlderThan } from './retention.js';
import { BatchWriter } from './writer.js';

const DAY_MS = 86_400_000;
const NOW_MS = Date.UTC(2026, 5, 1);

describe('retention', () => {
  let dir: string;
  let db: Database;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccmon-retention-'));
    db = await Database.open(dir);
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const usedBlocks = async (): Promise<number> =>
    Number(
      (await db.withRead((r) => r.all('SELECT used_blocks FROM pragma_database_size()')))[0]?.used_blocks,
    );

  it('removes the rows older than the period, keeps the rest, and compacting frees their space', async () => {
    const writer = await BatchWriter.create(db, { maxQueuedRecords: 100_000, maxBatchRecords: 5_000 });
    // Ten days of events, one checkpointed commit per day: old rows fill row groups of their own.
    for (let day = 10; day >= 1; day -= 1) {
      const events = normalizeLogs(
        logsRequest(
          { 'service.name': 'claude-code' },
          Array.from({ length: 5_000 }, (_, i) => ({
            timeUs: (NOW_MS - day * DAY_MS + i * 1000) * 1000,
            attrs: {
              'event.name': 'tool_result',
              'event.sequence': i,
              'session.id': `day-${day}`,
              tool_input: 'x'.repeat(200),
            },
          })),
        ),
        { dropContent: false },
      ).records;
      await writer.write({ points: [], events });
      await db.maintenance('CHECKPOINT');
    }
    await writer.close();
    const before = await usedBlocks();

    const removed = await pruneOlderThan(db, 5.5 * DAY_MS, NOW_MS);
    await db.compact();

    assert.equal(removed, 5 * 5_000);
    const days = await db.withRead((r) =>
      r.all('SELECT session_id, count(*)::INTEGER AS n FROM events GROUP BY session_id ORDER BY session_id'),
    );
    assert.deepEqual(
      days,
      [1, 2, 3, 4, 5].map((d) => ({ session_id: `day-${d}`, n: 5_000 })),
    );
    assert.ok((await usedBlocks()) < before * 0.75, `used blocks ${before} -> ${await usedBlocks()}`);
  });
});
