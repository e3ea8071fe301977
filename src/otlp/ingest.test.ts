import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { claudeLogsRequest, encodeLogsProto } from '../../test/support/otlp-encode.js';
import type { BatchWriter, WriteBatch } from '../store/writer.js';
import { Ingest } from './ingest.js';
import { IngestStats } from './stats.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Lets the current job end (WeakRef targets live until then), then collects. */
async function collect(): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
  }
}

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
    await collect();

    assert.equal(written[0]?.events.length, 50, 'the records were handed to the writer');
    assert.equal(body?.deref(), undefined, 'the body was collected before the commit');
    commit();
    assert.equal(await answer, undefined);
  });
});
