import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTimeZone, localTime, offsetSpans, zoneOffsetMs } from './timezone.js';

const H = 3_600_000;

describe('time zones', () => {
  it('reads local time and weekday (0 = Sunday) in a zone', () => {
    // 1970-01-01 09:10 UTC, a Thursday, is 17:10 in Manila
    assert.deepEqual(localTime('Asia/Manila', 9 * H + 10 * 60_000), {
      year: 1970,
      month: 1,
      day: 1,
      hour: 17,
      minute: 10,
      second: 0,
      weekday: 4,
    });
    assert.equal(localTime('Asia/Manila', 17 * H).weekday, 5, '17:00 UTC Thursday is Friday in Manila');
    assert.equal(zoneOffsetMs('Asia/Manila', Date.UTC(2026, 5, 1)), 8 * H);
    assert.equal(zoneOffsetMs('UTC', Date.UTC(2026, 5, 1)), 0);
  });

  it('follows daylight saving time', () => {
    assert.equal(zoneOffsetMs('America/New_York', Date.UTC(2026, 0, 15)), -5 * H);
    assert.equal(zoneOffsetMs('America/New_York', Date.UTC(2026, 6, 15)), -4 * H);
    assert.equal(localTime('America/New_York', Date.UTC(2026, 6, 15, 21)).hour, 17);
    assert.equal(localTime('America/New_York', Date.UTC(2026, 0, 15, 22)).hour, 17);
  });

  it('lists offset changes to the second', () => {
    const spans = offsetSpans('America/New_York', Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));
    assert.deepEqual(
      spans.map((s) => [new Date(s.fromMs).toISOString(), s.offsetMs / H]),
      [
        ['2026-01-01T00:00:00.000Z', -5],
        ['2026-03-08T07:00:00.000Z', -4],
        ['2026-11-01T06:00:00.000Z', -5],
      ],
    );
    assert.equal(offsetSpans('Asia/Manila', Date.UTC(2026, 0, 1), Date.UTC(2036, 0, 1)).length, 1);
  });

  it('refuses unknown zones', () => {
    assert.throws(() => checkTimeZone('Nowhere/Special'), /unknown time zone "Nowhere\/Special"/);
  });
});
