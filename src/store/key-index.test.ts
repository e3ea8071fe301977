import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyIndex } from './key-index.js';

const MIN = 60_000_000;
const key = (n: number): string =>
  `${n.toString(16).padStart(8, '0')}-00${(n % 256).toString(16).padStart(2, '0')}-4000-8000-000000000000`;

describe('KeyIndex', () => {
  it('knows a key added in its minute and no other', () => {
    const index = new KeyIndex(0, 100);
    index.add(key(1), 5 * MIN + 1);
    assert.equal(index.lookup(key(1), 5 * MIN + 30), 'unknown');
    assert.equal(index.lookup(key(2), 5 * MIN + 30), 'new');
    assert.equal(index.lookup(key(1), 6 * MIN), 'new', 'a key fixes its minute');
  });

  it('leaves records at or before the horizon to the table', () => {
    const index = new KeyIndex(10 * MIN + 5, 100);
    assert.equal(
      index.lookup(key(1), 10 * MIN + 59_000_000),
      'unknown',
      'the horizon minute is not complete',
    );
    assert.equal(index.lookup(key(1), 3 * MIN), 'unknown');
    assert.equal(index.lookup(key(1), 11 * MIN), 'new');
    index.add(key(1), 3 * MIN);
    assert.equal(index.size, 0);
  });

  it('drops the oldest minutes over its budget and moves the horizon past them', () => {
    const index = new KeyIndex(-Infinity, 3);
    index.add(key(1), 1 * MIN);
    index.add(key(2), 2 * MIN);
    index.add(key(3), 2 * MIN);
    index.add(key(4), 3 * MIN);
    index.add(key(4), 3 * MIN);
    assert.equal(index.size, 4, 'a key added twice counts once');
    index.trim();
    assert.equal(index.size, 3);
    assert.equal(index.lookup(key(9), 1 * MIN), 'unknown', 'the dropped minute is the table’s again');
    assert.equal(index.lookup(key(9), 2 * MIN), 'new');
    assert.equal(index.lookup(key(2), 2 * MIN), 'unknown');
  });
});
