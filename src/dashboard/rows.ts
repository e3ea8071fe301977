/*
 * DuckDB values (bigint counts, epoch microseconds, JSON text) as plain JSON values for the API.
 * Telemetry strings are passed through unchanged: the UI escapes them.
 */
import type { Row } from '../store/database.js';
import { withTypedAttributes } from '../telemetry/typed-attributes.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A number, or null when absent; bigints become numbers and non-finite values null. */
export function numberOrNull(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'bigint' ? Number(value) : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** A number where absent counts as 0 (sums and counts). */
export function numberOrZero(value: unknown): number {
  return numberOrNull(value) ?? 0;
}

export function stringOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function booleanOrNull(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

/** Epoch microseconds (as DuckDB returns them, a bigint) as an ISO string with milliseconds. */
export function isoFromMicros(value: unknown): string | null {
  if (typeof value === 'bigint') return new Date(Number(value / 1000n)).toISOString();
  if (typeof value === 'number' && Number.isFinite(value))
    return new Date(Math.floor(value / 1000)).toISOString();
  return null;
}

/** A stored JSON column as a value; text that is not JSON is returned as text. */
export function parseJson(value: unknown): Json {
  if (typeof value !== 'string') return null;
  try {
    return JSON.parse(value) as Json;
  } catch {
    return value;
  }
}

/**
 * A stored event's attributes as sent: its `attributes` JSON with the ones kept in typed columns put
 * back (the row must hold TYPED_ATTRIBUTE_COLUMNS_SQL's columns).
 */
export function eventAttributes(row: Row): Json {
  const parsed = parseJson(row.attributes);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return parsed;
  return withTypedAttributes(parsed, row) as { [key: string]: Json };
}
