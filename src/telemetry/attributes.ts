import type { AnyValue, KeyValue } from '../otlp/types.js';
import type { AttrValue, Attributes } from './records.js';

/** OTLP AnyValue -> plain JSON value (bytes become base64, since JSON has no bytes). */
export function toAttrValue(value: AnyValue): AttrValue {
  switch (value.kind) {
    case 'string':
    case 'bool':
      return value.value;
    case 'int':
    case 'double':
      // JSON has no NaN or Infinity: keep them as text rather than lose them.
      return Number.isFinite(value.value) ? value.value : String(value.value);
    case 'bytes':
      return Buffer.from(value.value).toString('base64');
    case 'array':
      return value.value.map(toAttrValue);
    case 'kvlist':
      return toAttributes(value.value);
    case 'empty':
      return null;
  }
}

export function toAttributes(list: readonly KeyValue[]): Attributes {
  const out: Record<string, AttrValue> = {};
  for (const { key, value } of list) {
    // Assigning "__proto__" would set the object's prototype: the attribute would be lost, and its
    // value's keys would seem to be attributes too.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: toAttrValue(value), enumerable: true, writable: true });
    else out[key] = toAttrValue(value);
  }
  return out;
}

/** A text attribute; numbers and booleans are written as text, empty strings count as absent. */
export function attrString(attrs: Attributes, key: string): string | null {
  const value = attrs[key];
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** A numeric attribute; Claude Code sends some numbers as strings ("31"), so strings are parsed. */
export function attrNumber(attrs: Attributes, key: string): number | null {
  const value = attrs[key];
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** A whole number that fits the store's 64-bit columns exactly; anything else counts as absent. */
export function attrInteger(attrs: Attributes, key: string): number | null {
  const value = attrNumber(attrs, key);
  if (value === null) return null;
  const whole = Math.trunc(value);
  return Number.isSafeInteger(whole) ? whole : null;
}

/** A boolean attribute; accepts true/false, "true"/"false", 1/0. */
export function attrBoolean(attrs: Attributes, key: string): boolean | null {
  const value = attrs[key];
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  return null;
}

/** Stable JSON with sorted keys, so the same attributes always hash the same. */
export function canonicalJson(value: AttrValue): string {
  // JSON.stringify keeps insertion order, except that it puts keys like "0" or "12" first: for those
  // (and "__proto__", which a copy cannot simply assign) the text is built here; everything else goes
  // as a sorted copy to the much faster native code.
  return JSON.stringify(sortedCopy(value)) ?? canonicalText(value);
}

/**
 * canonicalJson of `attrs`, and of `attrs` without the keys `leftOut` names, sorting once: what an
 * event hashes for its identity, and what it stores beside its typed columns.
 */
export function canonicalJsonAndRest(
  attrs: Attributes,
  leftOut: (key: string) => boolean,
): [all: string, rest: string] {
  const sorted = sortedCopy(attrs) as Record<string, AttrValue> | undefined;
  if (sorted === undefined) {
    const rest: Record<string, AttrValue> = {};
    for (const key of Object.keys(attrs))
      if (!leftOut(key))
        Object.defineProperty(rest, key, { value: attrs[key], enumerable: true, writable: true });
    return [canonicalText(attrs), canonicalText(rest)];
  }
  // sortedCopy gives up on "__proto__" and index-like keys, so these keys assign plainly, in order.
  const rest: Record<string, AttrValue> = {};
  for (const key of Object.keys(sorted)) if (!leftOut(key)) rest[key] = sorted[key] ?? null;
  return [JSON.stringify(sorted), JSON.stringify(rest)];
}

/** `value` with every object's keys inserted in sorted order; undefined for the keys above. */
function sortedCopy(value: AttrValue): AttrValue | undefined {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items: AttrValue[] = [];
    for (const item of value as readonly AttrValue[]) {
      const copy = sortedCopy(item);
      if (copy === undefined) return undefined;
      items.push(copy);
    }
    return items;
  }
  const record = value as { readonly [key: string]: AttrValue };
  const out: Record<string, AttrValue> = {};
  for (const key of Object.keys(record).sort()) {
    if (key === '__proto__' || ARRAY_INDEX.test(key)) return undefined;
    const copy = sortedCopy(record[key] ?? null);
    if (copy === undefined) return undefined;
    out[key] = copy;
  }
  return out;
}

const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

function canonicalText(value: AttrValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalText).join(',')}]`;
  const record = value as { readonly [key: string]: AttrValue };
  const keys = Object.keys(record).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalText(record[k] ?? null)}`).join(',')}}`;
}
