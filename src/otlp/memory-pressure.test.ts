import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { MemoryPressure } from './memory-pressure.js';

const MiB = 1048576;

describe('MemoryPressure', () => {
  it('refuses above the limit only while earlier exports wait for their commit', () => {
    let rss = 300 * MiB;
    let busy = true;
    const pressure = new MemoryPressure(
      250 * MiB,
      () => busy,
      () => rss,
      0,
    );
    assert.match(pressure.overload ?? '', /300 MiB resident, over --max-memory 250 MiB/);
    busy = false;
    assert.equal(pressure.overload, undefined, 'nothing waits: refusing would free nothing');
    busy = true;
    rss = 250 * MiB;
    assert.equal(pressure.overload, undefined, 'at the limit is within it');
    rss = 250 * MiB + 1;
    assert.notEqual(pressure.overload, undefined);
  });

  it('reuses a reading for maxAgeMs, then reads again', async () => {
    let readings = 0;
    let rss = 100 * MiB;
    const pressure = new MemoryPressure(
      200 * MiB,
      () => true,
      () => {
        readings++;
        return rss;
      },
      200,
    );
    assert.equal(pressure.overload, undefined);
    rss = 300 * MiB;
    assert.equal(pressure.overload, undefined, 'the reading of a moment ago stands');
    assert.equal(readings, 1);
    await sleep(250);
    assert.notEqual(pressure.overload, undefined);
    assert.equal(readings, 2);
  });

  it('reads no memory while nothing waits', () => {
    let readings = 0;
    const pressure = new MemoryPressure(
      1,
      () => false,
      () => ++readings,
    );
    assert.equal(pressure.overload, undefined);
    assert.equal(readings, 0);
  });

  it('reads the real resident set size by default', () => {
    const pressure = new MemoryPressure(1, () => true);
    assert.match(pressure.overload ?? '', /^ccmon is at its memory limit: \d+ MiB resident/);
    assert.equal(new MemoryPressure(64 * 1024 * MiB, () => true).overload, undefined);
  });
});
