import { identityKey } from '../telemetry/identity.js';
import type { MetricPoint } from '../telemetry/records.js';

/** The last cumulative point seen for one series. */
export interface SeriesState {
  readonly startUs: number;
  readonly endUs: number;
  readonly value: number;
}

/** A point ready to store: a delta over [startUs, endUs], with its identity key. */
export interface StoredPoint {
  readonly key: string;
  readonly point: MetricPoint;
  readonly startUs: number;
  readonly value: number;
}

export type SeriesLookup = (seriesKey: string) => SeriesState | undefined;

/**
 * Turns one point into what is stored, given the series' state. Deltas and gauges pass through.
 * A cumulative point becomes the difference to the previous one; the first point of a series counts
 * from its start time (no first-sample loss), a drop in value or a later start time is a reset
 * (the new value counts whole), and a point no newer than the state is a re-send (nothing stored).
 * Returns the stored point (or undefined) and the series' new state (or undefined when unchanged).
 */
export function toStored(
  point: MetricPoint,
  lookup: SeriesLookup,
): { stored: StoredPoint | undefined; state: SeriesState | undefined } {
  if (!point.cumulative) {
    return {
      stored: {
        key: identityKey(point.seriesKey, point.startUs, point.endUs),
        point,
        startUs: point.startUs,
        value: point.value,
      },
      state: undefined,
    };
  }
  const previous = lookup(point.seriesKey);
  const state: SeriesState = { startUs: point.startUs, endUs: point.endUs, value: point.value };
  if (previous === undefined) return { stored: whole(point), state };
  if (point.startUs < previous.startUs || point.endUs <= previous.endUs)
    return { stored: undefined, state: undefined };
  const reset = point.startUs > previous.startUs || (point.monotonic && point.value < previous.value);
  if (reset) return { stored: whole(point), state };
  const delta = point.value - previous.value;
  if (delta === 0) return { stored: undefined, state };
  return {
    stored: {
      key: identityKey(point.seriesKey, previous.endUs, point.endUs),
      point,
      startUs: previous.endUs,
      value: delta,
    },
    state,
  };
}

function whole(point: MetricPoint): StoredPoint {
  const startUs = point.startUs > 0 ? point.startUs : point.endUs;
  return { key: identityKey(point.seriesKey, startUs, point.endUs), point, startUs, value: point.value };
}
