import { createHash, timingSafeEqual } from 'node:crypto';

/** Checks `Authorization: Bearer TOKEN` in constant time; always true when no token is configured. */
export function bearerChecker(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = digest(token);
  return (header) => {
    const match = /^Bearer\s+(.+)$/i.exec(header?.trim() ?? '');
    return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
  };
}

// Hashing first makes both sides the same length, which timingSafeEqual requires.
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
