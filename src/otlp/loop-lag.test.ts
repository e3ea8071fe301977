import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { LoopLag } from './loop-lag.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the event loop is blocked, as by more work than the process can do
  }
}

describe('LoopLag', () => {
  it('says overload while the event loop runs late, and recovers once it keeps up', async () => {
    const lag = new LoopLag(100, 10);
    try {
      busy(300);
      await sleep(1);
      assert.match(lag.overload ?? '', /event loop runs \d+ ms late/);
      // A busy test machine may delay a timer now and then: wait for a sample on time.
      for (let i = 0; i < 40 && lag.overload !== undefined; i++) await sleep(50);
      assert.equal(lag.overload, undefined);
    } finally {
      lag.stop();
    }
  });
});
