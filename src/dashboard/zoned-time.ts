/*
 * Wall-clock time in an IANA zone, with the platform's own time-zone data (Intl), so the billing
 * cycle starts at the user's midnight, not UTC's.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

export interface WallTime {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** What a clock in `tz` shows at the instant `ms` (to the second). */
export function wallTime(ms: number, tz: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** The zone's offset from UTC at the instant `ms`, in ms (east positive), to the second. */
export function offsetMs(ms: number, tz: string): number {
  const w = wallTime(ms, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The first instant of the day year-month-day in `tz`. Where midnight does not exist (a DST jump at
 * 00:00), that is the moment of the jump; where it exists twice, the earlier one.
 */
export function startOfDay(year: number, month: number, day: number, tz: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const candidates = [offsetMs(wall - 86_400_000, tz), offsetMs(wall + 86_400_000, tz), offsetMs(wall, tz)]
    .map((offset) => wall - offset)
    .filter((ms) => {
      const w = wallTime(ms, tz);
      return w.year === year && w.month === month && w.day === day;
    });
  return candidates.length > 0 ? Math.min(...candidates) : wall;
}

/** The start of the billing cycle that contains `nowMs`: the latest `billingDay` 00:00 in `tz` at or before it. */
export function billingCycleStart(nowMs: number, billingDay: number, tz: string): number {
  const now = wallTime(nowMs, tz);
  const thisMonth = startOfDay(now.year, now.month, billingDay, tz);
  if (thisMonth <= nowMs) return thisMonth;
  const previous =
    now.month === 1 ? { year: now.year - 1, month: 12 } : { year: now.year, month: now.month - 1 };
  return startOfDay(previous.year, previous.month, billingDay, tz);
}

/**
 * Whether the zone's offset is a whole number of hours throughout [fromMs, toMs]: then its local hours
 * are UTC hours. Checked at both ends and at the start of every month between (offsets change a few
 * times a year at most), so a 90-day range costs a handful of look-ups.
 */
export function offsetsAreWholeHours(tz: string, fromMs: number, toMs: number): boolean {
  const whole = (ms: number): boolean => offsetMs(ms, tz) % 3_600_000 === 0;
  if (!whole(fromMs) || !whole(toMs)) return false;
  const from = new Date(fromMs);
  for (let month = from.getUTCMonth() + 1, year = from.getUTCFullYear(); ; month++) {
    const ms = Date.UTC(year, month, 1);
    if (ms >= toMs) return true;
    if (!whole(ms)) return false;
  }
}
