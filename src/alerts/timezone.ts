/**
 * Wall-clock arithmetic in an IANA time zone, on Intl alone (no tz database of our own), so the
 * evaluator and the PrometheusRule generator agree on what "17:00 on a weekday" means. Built on the
 * dashboard's zoned time, so a billing cycle starts at the same instant in both.
 */
import { offsetMs, wallTime, type WallTime } from '../dashboard/zoned-time.js';

export class TimeZoneError extends Error {
  override readonly name = 'TimeZoneError';
}

/** Throws TimeZoneError unless `timeZone` is a zone this runtime knows. */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new TimeZoneError(
      `unknown time zone "${timeZone}" (use an IANA name such as UTC or Europe/Berlin)`,
    );
  }
}

/** The local calendar fields at an instant; weekday 0 = Sunday, as PromQL's day_of_week(). */
export interface LocalTime extends WallTime {
  readonly weekday: number;
}

export function localTime(timeZone: string, atMs: number): LocalTime {
  const wall = wallTime(atMs, timeZone);
  return { ...wall, weekday: new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay() };
}

/** Local time minus UTC at an instant, in ms (Asia/Manila: +8 h). */
export function zoneOffsetMs(timeZone: string, atMs: number): number {
  return offsetMs(atMs, timeZone);
}

/** A span [fromMs, toMs) during which the zone's offset stays `offsetMs`. */
export interface OffsetSpan {
  readonly fromMs: number;
  readonly toMs: number;
  readonly offsetMs: number;
}

const DAY_MS = 86_400_000;

/**
 * The zone's offsets between two instants, as consecutive spans (one span for a zone without DST).
 * Transitions are found day by day, then to the second by bisection.
 */
export function offsetSpans(timeZone: string, fromMs: number, toMs: number): OffsetSpan[] {
  const spans: OffsetSpan[] = [];
  let spanStart = fromMs;
  let offset = zoneOffsetMs(timeZone, fromMs);
  for (let t = fromMs; t < toMs; t += DAY_MS) {
    const end = Math.min(t + DAY_MS, toMs);
    const next = zoneOffsetMs(timeZone, end);
    if (next === offset) continue;
    let lo = t;
    let hi = end;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (zoneOffsetMs(timeZone, mid) === offset) lo = mid;
      else hi = mid;
    }
    spans.push({ fromMs: spanStart, toMs: hi, offsetMs: offset });
    spanStart = hi;
    offset = next;
  }
  spans.push({ fromMs: spanStart, toMs, offsetMs: offset });
  return spans;
}
