import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { billingCycleStart, offsetMs, startOfDay } from './zoned-time.js';

const iso = (ms: number): string => new Date(ms).toISOString();

describe('zoned time', () => {
  it('knows offsets east and west, including quarter hours', () => {
    assert.equal(offsetMs(Date.UTC(2026, 2, 10), 'Asia/Kathmandu'), (5 * 60 + 45) * 60_000);
    assert.equal(offsetMs(Date.UTC(2026, 0, 10), 'America/New_York'), -5 * 3_600_000);
    assert.equal(offsetMs(Date.UTC(2026, 6, 10), 'America/New_York'), -4 * 3_600_000);
  });

  it('finds local midnight, also across DST changes and where midnight does not exist', () => {
    assert.equal(iso(startOfDay(2026, 3, 29, 'Europe/Berlin')), '2026-03-28T23:00:00.000Z');
    assert.equal(iso(startOfDay(2026, 3, 30, 'Europe/Berlin')), '2026-03-29T22:00:00.000Z');
    // Chile moves its clocks from 00:00 to 01:00: the day starts at the jump.
    assert.equal(iso(startOfDay(2025, 9, 7, 'America/Santiago')), '2025-09-07T04:00:00.000Z');
  });

  it('starts the billing cycle at the latest billing day 00:00 in the zone', () => {
    const now = Date.UTC(2026, 2, 10, 9); // 17:00 in Manila
    assert.equal(iso(billingCycleStart(now, 10, 'Asia/Manila')), '2026-03-09T16:00:00.000Z');
    assert.equal(iso(billingCycleStart(now, 10, 'UTC')), '2026-03-10T00:00:00.000Z');
    assert.equal(iso(billingCycleStart(now, 15, 'Asia/Manila')), '2026-02-14T16:00:00.000Z');
    assert.equal(iso(billingCycleStart(Date.UTC(2026, 0, 3), 15, 'UTC')), '2025-12-15T00:00:00.000Z');
    // 23:30 on the 9th in New York is already the 10th in UTC, but not yet in New York.
    const lateEvening = Date.UTC(2026, 2, 10, 3, 30);
    assert.equal(iso(billingCycleStart(lateEvening, 10, 'America/New_York')), '2026-02-10T05:00:00.000Z');
  });
});
