import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { billingCycle, inCheckWindow, projectedSpend } from './conditions.js';

const DAY = 86_400_000;

describe('rule conditions', () => {
  it('finds the billing cycle around now, in the configured zone', () => {
    const at = Date.UTC(2026, 2, 20, 12); // 2026-03-20
    const c = billingCycle('UTC', 15, at);
    assert.equal(new Date(c.startMs).toISOString(), '2026-03-15T00:00:00.000Z');
    assert.equal(new Date(c.endMs).toISOString(), '2026-04-15T00:00:00.000Z');
    const before = billingCycle('UTC', 15, Date.UTC(2026, 0, 10));
    assert.equal(new Date(before.startMs).toISOString(), '2025-12-15T00:00:00.000Z', 'across a year');
    const manila = billingCycle('Asia/Manila', 1, Date.UTC(2026, 2, 31, 17)); // April 1, 01:00 in Manila
    assert.equal(new Date(manila.startMs).toISOString(), '2026-03-31T16:00:00.000Z');
  });

  it('projects spend linearly once enough of the cycle has passed', () => {
    const cycle = { startMs: 0, endMs: 30 * DAY };
    assert.equal(projectedSpend(10, cycle, 3 * DAY, DAY), 100);
    assert.equal(projectedSpend(10, cycle, DAY / 2, DAY), 10, 'too early: only what was spent');
    assert.equal(projectedSpend(10, cycle, 30 * DAY, DAY), 10);
  });

  it('checks the working-hours window in local time', () => {
    const c = {
      kind: 'no_activity' as const,
      windowMs: 8 * 3_600_000,
      timezone: 'Asia/Manila',
      days: [1, 2, 3, 4, 5],
      fromMinute: 17 * 60,
      toMinute: 18 * 60,
    };
    assert.equal(inCheckWindow(c, Date.UTC(2026, 0, 15, 9, 10)), true, 'Thursday 17:10 Manila');
    assert.equal(inCheckWindow(c, Date.UTC(2026, 0, 15, 10, 0)), false, '18:00 is the end');
    assert.equal(inCheckWindow(c, Date.UTC(2026, 0, 15, 17, 10)), false, '17:10 UTC');
    assert.equal(inCheckWindow(c, Date.UTC(2026, 0, 17, 9, 10)), false, 'Saturday');
  });
});
