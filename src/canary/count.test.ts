import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canaryFailed, countCanary } from './count.js';

const ack = (seq: number): { seq: number; acknowledged: boolean } => ({ seq, acknowledged: true });

describe('countCanary', () => {
  it('passes when every acknowledged event is stored once, in order', () => {
    const report = countCanary(
      [ack(0), ack(1), ack(2)],
      [0, 1, 2].map((seq) => ({ seq, timeMs: 1000 + seq })),
    );
    assert.deepEqual(report, {
      sent: 3,
      acknowledged: 3,
      stored: 3,
      missing: [],
      duplicated: [],
      outOfOrder: 0,
      unacknowledgedStored: 0,
      unknown: 0,
    });
    assert.equal(canaryFailed(report), false);
  });

  it('counts missing, duplicated, out-of-order, unacknowledged and unknown rows', () => {
    const report = countCanary(
      [ack(0), ack(1), ack(2), { seq: 3, acknowledged: false }, ack(4)],
      [
        { seq: 0, timeMs: 10 },
        { seq: 2, timeMs: 5 },
        { seq: 2, timeMs: 5 },
        { seq: 3, timeMs: 40 },
        { seq: 99, timeMs: 50 },
        { seq: null, timeMs: 60 },
      ],
    );
    assert.deepEqual(report.missing, [1, 4]);
    assert.deepEqual(report.duplicated, [2]);
    // time order: 2, 2, 0, 3 -> the 0 comes after a 2
    assert.equal(report.outOfOrder, 1);
    assert.equal(report.unacknowledgedStored, 1);
    assert.equal(report.unknown, 2);
    assert.equal(report.acknowledged, 4);
    assert.equal(report.stored, 6);
    assert.equal(canaryFailed(report), true);
  });

  it('does not fail on an unacknowledged event that was lost', () => {
    const report = countCanary([ack(0), { seq: 1, acknowledged: false }], [{ seq: 0, timeMs: 1 }]);
    assert.deepEqual(report.missing, []);
    assert.equal(canaryFailed(report), false);
  });
});
