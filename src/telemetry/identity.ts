import { createHash } from 'node:crypto';

/**
 * A 128-bit identity as a UUID string (DuckDB's UUID type holds it in 16 bytes). 128 bits keep the
 * chance that two different records collide, and one is then dropped as a duplicate, negligible.
 */
export function identityKey(...parts: readonly (string | number)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    hash.update(String(part));
    hash.update('\u0000');
  }
  const hex = hash.digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
