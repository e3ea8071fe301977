/**
 * The identity keys of recently stored rows, kept in memory so that most writes are checked for
 * re-sends here instead of by an anti-join over the table.
 *
 * Exact by construction: every stored row whose time falls in a second after the horizon has its key
 * here. A key fixes its row's time (both are part of what is hashed), so a key is looked up only among
 * the keys of its own second. A record at or before the horizon, or whose fingerprint is present, is
 * `unknown` and must be checked against the table; a fingerprint collision therefore costs a lookup,
 * never a record. When the index holds more than its budget, the oldest seconds are dropped and the
 * horizon moves past them.
 *
 * Seconds, not minutes: at 15,000 events/s one minute holds more keys than the budget, so dropping
 * the oldest minute dropped the current one, and every later record of that minute went through the
 * anti-join, whose cost grew with the table.
 */
export type KeyState = 'new' | 'unknown';

const SECOND_US = 1_000_000;
/**
 * What one second's set costs beyond its keys, in keys of the budget: about 300 bytes (measured: a
 * second holding one key), as much as some 46 keys at 6.5 bytes each.
 */
export const SECOND_COST = 46;

export class KeyIndex {
  private readonly seconds = new Map<number, FingerprintSet>();
  private count = 0;
  private horizonSecond: number;

  /**
   * @param horizonUs rows at or before this time may be stored without being in the index
   * @param budget the memory budget, in keys (5 to 11 bytes each) plus SECOND_COST per second held
   */
  constructor(
    horizonUs: number,
    private readonly budget: number,
  ) {
    this.horizonSecond = secondOf(horizonUs);
  }

  /** Keys held. */
  get size(): number {
    return this.count;
  }

  lookup(key: string, timeUs: number): KeyState {
    const second = secondOf(timeUs);
    if (second <= this.horizonSecond) return 'unknown';
    return this.seconds.get(second)?.has(fingerprint(key)) === true ? 'unknown' : 'new';
  }

  /** Records keys that are now committed. */
  add(key: string, timeUs: number): void {
    const second = secondOf(timeUs);
    if (second <= this.horizonSecond) return;
    let keys = this.seconds.get(second);
    if (keys === undefined) {
      keys = new FingerprintSet();
      this.seconds.set(second, keys);
    }
    if (keys.add(fingerprint(key))) this.count += 1;
  }

  /** Drops the oldest seconds until the index is within its budget (after a batch of `add`s). */
  trim(): void {
    while (this.count + this.seconds.size * SECOND_COST > this.budget && this.seconds.size > 0) {
      let oldest = Infinity;
      for (const second of this.seconds.keys()) if (second < oldest) oldest = second;
      this.count -= this.seconds.get(oldest)?.size ?? 0;
      this.seconds.delete(oldest);
      this.horizonSecond = oldest;
    }
  }
}

/**
 * A set of 32-bit fingerprints in one typed array (open addressing, linear probing), 5 to 11 bytes a
 * key: a JavaScript Set of numbers took about 40. Zero marks an empty slot, so fingerprint 0 is
 * stored as 1 (one more harmless collision).
 */
class FingerprintSet {
  private slots = new Uint32Array(8);
  size = 0;

  has(fingerprint: number): boolean {
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = fingerprint & mask; ; i = (i + 1) & mask) {
      const slot = slots[i];
      if (slot === fingerprint) return true;
      if (slot === 0) return false;
    }
  }

  /** Adds the fingerprint; false when it was there already. */
  add(fingerprint: number): boolean {
    // Up to three quarters full: a lookup of a key not there (most are new) probes some 8 slots.
    if ((this.size + 1) * 4 > this.slots.length * 3) this.grow();
    if (!this.place(fingerprint)) return false;
    this.size += 1;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (const fingerprint of old) if (fingerprint !== 0) this.place(fingerprint);
  }

  /** Puts the fingerprint in its slot, one probe sequence; false when it was there already. */
  private place(fingerprint: number): boolean {
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = fingerprint & mask;
    for (let slot = slots[i]; slot !== 0; slot = slots[i]) {
      if (slot === fingerprint) return false;
      i = (i + 1) & mask;
    }
    slots[i] = fingerprint;
    return true;
  }
}

/** 32 bits of the key (a UUID made of SHA-256 output), never 0 (an empty slot). */
function fingerprint(key: string): number {
  return Number.parseInt(key.slice(0, 8), 16) || 1;
}

function secondOf(timeUs: number): number {
  return Math.floor(timeUs / SECOND_US);
}
