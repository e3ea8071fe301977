import { hash } from 'node:crypto';

/**
 * A 128-bit identity as a UUID string (DuckDB's UUID type holds it in 16 bytes): the first half of a
 * SHA-256 over the parts. 128 bits keep the chance that two different records collide, and one is then
 * dropped as a duplicate, negligible. The parts are joined with NUL, which canonical JSON never contains
 * unescaped.
 */
export function identityKey(...parts: readonly (string | number)[]): string {
  const hex = hash('sha256', parts.join('\u0000'), 'hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
