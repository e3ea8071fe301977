import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { LoopPressure, type LoopPressureLimits } from './loop-pressure.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the event loop is blocked, as by more work than the process can do
  }
}

/** Keeps the loop busy for `ms` in 20 ms turns, as many small requests decoded one after another. */
async function busyInTurns(ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    busy(20);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Waits until `pressure` reports no overload (a busy test machine may delay a timer now and then). */
async function calm(pressure: LoopPressure): Promise<void> {
  for (let i = 0; i < 60 && pressure.overload !== undefined; i++) await sleep(50);
  assert.equal(pressure.overload, undefined);
}

/** Runs `check` against a LoopPressure sampling every 10 ms, stopped afterwards whatever happens. */
async function withPressure(
  limits: LoopPressureLimits,
  check: (pressure: LoopPressure) => Promise<void>,
): Promise<void> {
  const pressure = new LoopPressure(limits, 10);
  try {
    await check(pressure);
  } finally {
    pressure.stop();
  }
}

describe('LoopPressure', () => {
  it('says overload while the event loop runs late, and recovers once it keeps up', async () => {
    await withPressure({ maxLagMs: 100, maxUtilization: 1, windowMs: 500 }, async (pressure) => {
      busy(300);
      await sleep(1);
      assert.match(pressure.overload ?? '', /event loop runs \d+ ms late/);
      await calm(pressure);
    });
  });

  it('says overload while the loop is busy nearly all the time in short stretches, which add no lag', async () => {
    await withPressure({ maxLagMs: 1_000, maxUtilization: 0.8, windowMs: 500 }, async (pressure) => {
      await busyInTurns(800);
      assert.ok(pressure.utilization > 0.8, `utilization ${pressure.utilization}`);
      assert.match(pressure.overload ?? '', /event loop was busy \d+% of the last 500 ms/);
      await calm(pressure);
      assert.ok(pressure.utilization < 0.8);
    });
  });

  it('never refuses for utilization when its limit is 1', async () => {
    await withPressure({ maxLagMs: 1_000, maxUtilization: 1, windowMs: 200 }, async (pressure) => {
      await busyInTurns(400);
      assert.equal(pressure.overload, undefined);
    });
  });

  it('judges utilization only over a whole window since its start or reset', async () => {
    await withPressure({ maxLagMs: 1_000, maxUtilization: 0.5, windowMs: 400 }, async (pressure) => {
      busy(150);
      await sleep(20);
      // Busy most of the time so far, but not yet a whole window: start-up work is no saturation.
      assert.equal(pressure.overload, undefined);
      await busyInTurns(600);
      assert.match(pressure.overload ?? '', /busy/);
      pressure.reset();
      assert.equal(pressure.overload, undefined);
    });
  });
});
