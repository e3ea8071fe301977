import { DASHBOARD } from '../dashboard/definition.js';
import type { PanelParams } from '../dashboard/panel-data.js';
import type { FilterName } from '../dashboard/types.js';
import { parseTimeArg, ReportRangeError } from '../report/range.js';
import { HttpError } from './http-error.js';

/*
 * The dashboard API's query parameters, checked once. A bad value is a 400 whose message names the
 * parameter, so the UI (or a person with curl) sees what to fix.
 */

export const DEFAULT_RANGE_MS = 8 * 3_600_000;
const MAX_TEXT = 1000;

export interface Range {
  readonly fromMs: number;
  readonly toMs: number;
}

/** from / to: ISO times or relative ones (30m, 8h, 7d ago, now); default the last 8 hours. */
export function rangeParam(q: URLSearchParams, nowMs: number): Range {
  const time = (name: 'from' | 'to'): number | undefined => {
    const raw = q.get(name);
    if (raw === null || raw === '') return undefined;
    try {
      return parseTimeArg(name, raw, nowMs);
    } catch (error) {
      if (error instanceof ReportRangeError) throw new HttpError(400, error.message);
      throw error;
    }
  };
  const toMs = time('to') ?? nowMs;
  const fromMs = time('from') ?? toMs - DEFAULT_RANGE_MS;
  if (fromMs >= toMs) throw new HttpError(400, 'from: must be before to');
  return { fromMs, toMs };
}

/** tz: an IANA zone name (default UTC). */
export function tzParam(q: URLSearchParams): string {
  const tz = q.get('tz') ?? '';
  if (tz === '') return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new HttpError(
      400,
      `tz: unknown time zone "${tz.slice(0, 100)}" (use an IANA name such as UTC or Europe/Berlin)`,
    );
  }
  return tz;
}

/** A whole number parameter within [min, max], or the default when absent. */
export function intParam(
  q: URLSearchParams,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new HttpError(
      400,
      `${name}: expected a whole number from ${min} to ${max}, got "${raw.slice(0, 100)}"`,
    );
  }
  return n;
}

/** A text parameter (an event name, a filter value): undefined when absent or empty. */
export function textParam(q: URLSearchParams, name: string): string | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (raw.length > MAX_TEXT) throw new HttpError(400, `${name}: longer than ${MAX_TEXT} characters`);
  return raw;
}

/** The dashboard filters; each one set keeps only data whose field equals the value. */
export function filtersParam(q: URLSearchParams): Partial<Record<FilterName, string>> {
  const filters: Partial<Record<FilterName, string>> = {};
  for (const name of DASHBOARD.filters) {
    const value = textParam(q, name);
    if (value !== undefined) filters[name] = value;
  }
  return filters;
}

/** Everything a panel depends on: range, zone, billing day (1..28, default 1), filters. */
export function panelParams(q: URLSearchParams, nowMs: number): PanelParams {
  return {
    ...rangeParam(q, nowMs),
    tz: tzParam(q),
    billingDay: intParam(q, 'billingDay', 1, 28, 1),
    nowMs,
    filters: filtersParam(q),
  };
}
