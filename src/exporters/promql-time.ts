/**
 * Local wall-clock conditions in PromQL. `hour()` and `day_of_week()` read a timestamp in UTC, so the
 * local time is computed first as `vector(time() + offset)` and those functions applied to it. For a
 * zone with daylight saving time the offset changes, so the expression picks the offset by instant
 * from the zone's transitions over a horizon (PromQL knows no time zones).
 */
import { offsetSpans } from '../alerts/timezone.js';

/** A Prometheus duration literal in one unit ("24h", "90m", "30s"). */
export function promDuration(ms: number): string {
  for (const [size, unit] of [
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${Math.round(ms)}ms`;
}

function shifted(offsetS: number): string {
  return offsetS === 0 ? 'vector(time())' : `vector(time() ${offsetS < 0 ? '-' : '+'} ${Math.abs(offsetS)})`;
}

/**
 * The local time as a one-element instant vector holding a Unix timestamp, for `hour()`,
 * `minute()` and `day_of_week()`. Offsets are taken from the zone's rules over [fromMs, toMs);
 * before and after that span the first and last offsets hold.
 */
export function localTimeExpr(timezone: string, fromMs: number, toMs: number): string {
  const from = Math.floor(fromMs / 1000) * 1000;
  const spans = offsetSpans(timezone, from, toMs);
  if (spans.length === 1) return shifted((spans[0]?.offsetMs ?? 0) / 1000);
  const byOffset = new Map<number, string[]>();
  spans.forEach((span, i) => {
    const lo = i === 0 ? undefined : span.fromMs / 1000;
    const hi = i === spans.length - 1 ? undefined : span.toMs / 1000;
    const test = `vector(time())${lo === undefined ? '' : ` >= ${lo}`}${hi === undefined ? '' : ` < ${hi}`}`;
    const list = byOffset.get(span.offsetMs) ?? [];
    list.push(test);
    byOffset.set(span.offsetMs, list);
  });
  return [...byOffset]
    .map(([offsetMs, tests]) => `(${shifted(offsetMs / 1000)} and on() (${tests.join(' or ')}))`)
    .join(' or ');
}

/** Consecutive values as runs: [1,2,3,5] -> [[1,3],[5,5]]. */
function runs(values: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of [...values].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === v - 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

/**
 * True (one sample) while the local time is on one of `days` (0 = Sunday) between `fromMinute` and
 * `toMinute` after local midnight.
 */
export function localWindowExpr(
  local: string,
  days: readonly number[],
  fromMinute: number,
  toMinute: number,
): string {
  const dayTests = runs(days).map(([a, b]) =>
    a === b ? `day_of_week(${local}) == ${a}` : `day_of_week(${local}) >= ${a} <= ${b}`,
  );
  const wholeHours = fromMinute % 60 === 0 && toMinute % 60 === 0;
  const clock = wholeHours
    ? `hour(${local}) >= ${fromMinute / 60}${toMinute < 1440 ? ` < ${toMinute / 60}` : ''}`
    : `(hour(${local}) * 60 + minute(${local})) >= ${fromMinute}${toMinute < 1440 ? ` < ${toMinute}` : ''}`;
  return `(${clock}) and on() (${dayTests.join(' or ')})`;
}
