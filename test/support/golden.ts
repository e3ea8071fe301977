/**
 * Golden files: the test compares with the file; UPDATE_GOLDEN=1 rewrites it. A missing file fails
 * (it never passes by writing itself).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

export function assertGoldenText(file: string, actual: string): void {
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  assert.ok(existsSync(file), `${file} is missing: run the test with UPDATE_GOLDEN=1`);
  assert.equal(actual, readFileSync(file, 'utf8'), `differs from ${file} (UPDATE_GOLDEN=1 after checking)`);
}

/** JSON compared as data, so a formatter may lay the file out as it likes. */
export function assertGoldenJson(file: string, actual: unknown): void {
  if (UPDATE) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
  }
  assert.ok(existsSync(file), `${file} is missing: run the test with UPDATE_GOLDEN=1`);
  assert.deepEqual(
    actual,
    JSON.parse(readFileSync(file, 'utf8')),
    `differs from ${file} (UPDATE_GOLDEN=1 after checking)`,
  );
}
