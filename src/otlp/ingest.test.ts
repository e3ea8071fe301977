import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectGarbage } from '../../test/support/gc.js';
import { claudeLogsRequest, encodeLogsProto } from '../../test/support/otlp-encode.js';
import type { BatchWriter, WriteBatch } from '../store/writer.js';
import { Ingest } from './ingest.js';
import { IngestStats } from './stats.js';

describe('Ingest', () => {
  it('lets go of the request body once decoded, while its records commit', async () => {
    let commit = (): void => undefined;
    const written: WriteBatch[] = [];
    // Only the two members Ingest uses: a writer whose commit this test holds back.
    const writer = {
      overload: undefined,
      write: (batch: WriteBatch) => {
        written.push(batch);
        return new Promise<void>((resolve) => (commit = resolve));
      },
    } as unknown as BatchWriter;
    const ingest = new Ingest(writer, new IngestStats(), { dropContent: false, retryAfterMs: 1000 });

    let body: WeakRef<Uint8Array> | undefined;
    const answer = ((): Promise<unknown> => {
      const bytes = encodeLogsProto(claudeLogsRequest({ count: 50 }));
      body = new WeakRef(bytes);
      return ingest.export('http', 'logs', 'proto', bytes);
    })();
    await collectGarbage();

    assert.equal(written[0]?.events.length, 50, 'the records were handed to the writer');
    assert.equal(body?.deref(), undefined, 'the body was collected before the commit');
    commit();
    assert.equal(await answer, undefined);
  });
});
