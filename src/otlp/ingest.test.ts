import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectGarbage, heldIngest } from '../../test/support/held-commits.js';
import { claudeLogsRequest, encodeLogsProto } from '../../test/support/otlp-encode.js';

describe('Ingest', () => {
  it('lets go of the request body once decoded, while its records commit', async () => {
    const { ingest, written, commitNext } = heldIngest();

    let body: WeakRef<Uint8Array> | undefined;
    const answer = ((): Promise<unknown> => {
      const bytes = encodeLogsProto(claudeLogsRequest({ count: 50 }));
      body = new WeakRef(bytes);
      return ingest.export('http', 'logs', 'proto', bytes);
    })();
    await collectGarbage();

    assert.equal(written[0]?.events.length, 50, 'the records were handed to the writer');
    assert.equal(body?.deref(), undefined, 'the body was collected before the commit');
    assert.ok(commitNext());
    assert.equal(await answer, undefined);
  });
});
