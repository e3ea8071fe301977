import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unifiedDiff } from './diff.js';

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => assert.equal(unifiedDiff('a\n', 'a\n', 'f'), ''));

  it('shows a change with three lines of context, like diff -u', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n') + '\n';
    const after = before.replace('5\n', 'five\n');
    assert.equal(
      unifiedDiff(before, after, 'f'),
      '--- f\n+++ f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n',
    );
  });

  it('handles a new file and a deleted one', () => {
    assert.equal(unifiedDiff('', 'x\ny\n', 'f'), '--- f\n+++ f\n@@ -0,0 +1,2 @@\n+x\n+y\n');
    assert.equal(unifiedDiff('x\n', '', 'f'), '--- f\n+++ f\n@@ -1,1 +0,0 @@\n-x\n');
  });
});
