import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from './attributes.js';
import type { AttrValue } from './records.js';

/** The definition: keys sorted by code unit, JSON text for everything else. */
function reference(value: AttrValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const record = value as { readonly [key: string]: AttrValue };
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${reference(record[k] ?? null)}`)
    .join(',')}}`;
}

// Keys that JavaScript orders on its own ("0", "12") are mixed in on purpose.
const key = fc.oneof(fc.string(), fc.constantFrom('0', '1', '12', '01', 'session.id', 'model', '__proto__'));
const attrValue = fc.letrec<{ value: AttrValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(key, tie('value'), { maxKeys: 6, noNullPrototype: true }),
  ),
})).value;

describe('canonicalJson', () => {
  it('is the JSON text with sorted keys, whatever the keys and nesting', () => {
    fc.assert(
      fc.property(attrValue, (value) => {
        assert.equal(canonicalJson(value), reference(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('does not depend on the order attributes arrived in', () => {
    const a = { 'session.id': 's', '10': 1, model: 'm', '2': [{ b: 1, a: 2 }] };
    const b = { '2': [{ a: 2, b: 1 }], model: 'm', '10': 1, 'session.id': 's' };
    assert.equal(canonicalJson(a), canonicalJson(b));
    assert.equal(canonicalJson(a), '{"10":1,"2":[{"a":2,"b":1}],"model":"m","session.id":"s"}');
  });
});
