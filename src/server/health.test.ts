import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createHealthServer, type Phase } from './health.js';

describe('health server', () => {
  it('answers 503 while starting and stopping, 200 with a JSON status while serving', async () => {
    let phase: Phase = 'starting';
    const server = createHealthServer(() => ({ phase, startedAt: new Date(), version: '1.2.3' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const seen: [number, string][] = [];
      for (const next of ['starting', 'serving', 'stopping'] as const) {
        phase = next;
        const response = await fetch(url);
        seen.push([response.status, ((await response.json()) as { status: string }).status]);
      }
      assert.deepEqual(seen, [
        [503, 'Server starting'],
        [200, 'Server available'],
        [503, 'Server shutting down'],
      ]);
      assert.equal((await fetch(url, { method: 'POST' })).status, 405);
    } finally {
      server.close();
    }
  });
});
