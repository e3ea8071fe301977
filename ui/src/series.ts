import type { Unit } from '../../src/dashboard/types.js';

/*
 * Hour buckets as steps: a bucket's value holds from its start to the next bucket's, so a short range
 * with two buckets reads as "this much in that hour" instead of a slope between two dots.
 *
 * The API sends only the buckets that have data. For sums and counts an hour without data is a real
 * 0; a mean (the one "ms" panel, API latency) has no value without requests, so its gaps stay gaps.
 */

/** [x, value or null for a gap, start of the bucket the point belongs to] */
export type Point = readonly [number, number | null, number];

export function gapValue(unit: Unit): 0 | null {
  return unit === 'ms' ? null : 0;
}

/** More buckets than this are drawn as sent (never with hour buckets up to the 90-day preset). */
const MAX_BUCKETS = 5000;

/**
 * Every bucket from the one holding `fromMs` to the last starting before `toMs` as a flat step
 * (two points: its start and 1 ms before its end, so no two points share an x and a tooltip shows one
 * value per series), with `gap` where none came; a null bucket breaks the line.
 */
export function stepBuckets(
  points: readonly (readonly [number, number])[],
  bucketMs: number,
  fromMs: number,
  toMs: number,
  gap: 0 | null,
): Point[] {
  const first = points[0];
  if (first === undefined || !(bucketMs > 0) || (toMs - fromMs) / bucketMs > MAX_BUCKETS) {
    return points.map(([t, v]) => [t, v, t]);
  }
  const byTime = new Map(points.map(([t, v]) => [t, v]));
  const start = first[0] - Math.ceil((first[0] - fromMs) / bucketMs) * bucketMs;
  const starts: number[] = [];
  for (let t = start; t < toMs; t += bucketMs) starts.push(t);
  // A bucket off the grid (a boundary that moved) is kept rather than lost.
  const grid = new Set(starts);
  for (const [t] of points) if (!grid.has(t)) starts.push(t);
  starts.sort((a, b) => a - b);
  const out: Point[] = [];
  starts.forEach((t, i) => {
    const value = byTime.get(t) ?? gap;
    const end = Math.min(starts[i + 1] ?? t + bucketMs, t + bucketMs);
    if (value === null) out.push([t, null, t]);
    else out.push([t, value, t], [end - 1, value, t]);
  });
  return out;
}
