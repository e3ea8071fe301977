import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { KeyIndex, SECOND_COST } from './key-index.js';

const SEC = 1_000_000;
const key = (n: number): string =>
  `${n.toString(16).padStart(8, '0')}-00${(n % 256).toString(16).padStart(2, '0')}-4000-8000-000000000000`;

describe('KeyIndex', () => {
  it('knows a key added in its second and no other', () => {
    const index = new KeyIndex(0, 100);
    index.add(key(1), 5 * SEC + 1);
    assert.equal(index.lookup(key(1), 5 * SEC + 300_000), 'unknown');
    assert.equal(index.lookup(key(2), 5 * SEC + 300_000), 'new');
    assert.equal(index.lookup(key(1), 6 * SEC), 'new', 'a key fixes its second');
  });

  it('leaves records at or before the horizon to the table', () => {
    const index = new KeyIndex(10 * SEC + 5, 100);
    assert.equal(index.lookup(key(1), 10 * SEC + 999_000), 'unknown', 'the horizon second is not complete');
    assert.equal(index.lookup(key(1), 3 * SEC), 'unknown');
    assert.equal(index.lookup(key(1), 11 * SEC), 'new');
    index.add(key(1), 3 * SEC);
    assert.equal(index.size, 0);
  });

  it('drops the oldest seconds over its budget and moves the horizon past them', () => {
    // Room for 3 keys in 2 seconds.
    const index = new KeyIndex(-Infinity, 3 + 2 * SECOND_COST);
    index.add(key(1), 1 * SEC);
    index.add(key(2), 2 * SEC);
    index.add(key(3), 2 * SEC);
    index.add(key(4), 3 * SEC);
    index.add(key(4), 3 * SEC);
    assert.equal(index.size, 4, 'a key added twice counts once');
    index.trim();
    assert.equal(index.size, 3);
    assert.equal(index.lookup(key(9), 1 * SEC), 'unknown', 'the dropped second is the table’s again');
    assert.equal(index.lookup(key(9), 2 * SEC), 'new');
    assert.equal(index.lookup(key(2), 2 * SEC), 'unknown');
  });

  it('holds a busy second whole: every key added is found, and keys never added are new', () => {
    const index = new KeyIndex(-Infinity, 1_000_000);
    const added = Array.from({ length: 50_000 }, () => randomUUID());
    for (const k of added) index.add(k, 7 * SEC);
    index.trim();
    assert.equal(added.filter((k) => index.lookup(k, 7 * SEC) !== 'unknown').length, 0);
    // 32-bit fingerprints: among 50,000 keys a stranger collides with probability ~1e-5 each.
    const strangers = Array.from({ length: 10_000 }, () => randomUUID());
    const collided = strangers.filter((k) => index.lookup(k, 7 * SEC) === 'unknown').length;
    assert.ok(collided <= 3, `${collided} of 10,000 keys never added were taken for stored ones`);
    assert.ok(index.size >= 49_990, 'fingerprints that collide count once, and rarely');
  });

  it('keeps the newest seconds when one minute holds more keys than the budget', () => {
    // 15,000 records/s for 20 s, a budget of 150,000 keys: about the last 9 seconds stay in memory.
    const index = new KeyIndex(-Infinity, 150_000);
    for (let s = 0; s < 20; s++) {
      for (let i = 0; i < 15_000; i++) index.add(randomUUID(), s * SEC + i);
      index.trim();
    }
    assert.equal(index.lookup(randomUUID(), 19 * SEC), 'new');
    assert.equal(index.lookup(randomUUID(), 12 * SEC), 'new', 'seven seconds back is still in memory');
    assert.equal(index.lookup(randomUUID(), 5 * SEC), 'unknown', 'older seconds were dropped');
  });
});
