/**
 * The identity keys of recently stored rows, kept in memory so that most writes are checked for
 * re-sends here instead of by an anti-join over the table.
 *
 * Exact by construction: every stored row whose time falls in a minute after the horizon has its key
 * here. A key fixes its row's time (both are part of what is hashed), so a key is looked up only among
 * the keys of its own minute. A record at or before the horizon, or whose fingerprint is present, is
 * `unknown` and must be checked against the table; a fingerprint collision therefore costs a lookup,
 * never a record. When the index holds more than its budget, the oldest minutes are dropped and the
 * horizon moves past them.
 */
export type KeyState = 'new' | 'unknown';

const MINUTE_US = 60_000_000;

export class KeyIndex {
  private readonly minutes = new Map<number, Set<number>>();
  private count = 0;
  private horizonMinute: number;

  /**
   * @param horizonUs rows at or before this time may be stored without being in the index
   * @param maxKeys the memory budget, in keys (about 40 bytes each)
   */
  constructor(
    horizonUs: number,
    private readonly maxKeys: number,
  ) {
    this.horizonMinute = minuteOf(horizonUs);
  }

  get size(): number {
    return this.count;
  }

  lookup(key: string, timeUs: number): KeyState {
    const minute = minuteOf(timeUs);
    if (minute <= this.horizonMinute) return 'unknown';
    return this.minutes.get(minute)?.has(fingerprint(key)) === true ? 'unknown' : 'new';
  }

  /** Records keys that are now committed. */
  add(key: string, timeUs: number): void {
    const minute = minuteOf(timeUs);
    if (minute <= this.horizonMinute) return;
    let keys = this.minutes.get(minute);
    if (keys === undefined) {
      keys = new Set();
      this.minutes.set(minute, keys);
    }
    const before = keys.size;
    keys.add(fingerprint(key));
    this.count += keys.size - before;
  }

  /** Drops the oldest minutes until the index is within its budget (after a batch of `add`s). */
  trim(): void {
    while (this.count > this.maxKeys && this.minutes.size > 0) {
      let oldest = Infinity;
      for (const minute of this.minutes.keys()) if (minute < oldest) oldest = minute;
      this.count -= this.minutes.get(oldest)?.size ?? 0;
      this.minutes.delete(oldest);
      this.horizonMinute = oldest;
    }
  }
}

/** 48 bits of the key (a UUID made of SHA-256 output): a safe integer, so the Set compares numbers. */
function fingerprint(key: string): number {
  return Number.parseInt(key.slice(0, 8), 16) * 65_536 + Number.parseInt(key.slice(9, 13), 16);
}

function minuteOf(timeUs: number): number {
  return Math.floor(timeUs / MINUTE_US);
}
