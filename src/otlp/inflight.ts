/**
 * A budget of bytes that requests in flight may hold (wire bytes and decompressed bytes until the
 * request is answered). A request that does not fit is refused with 503 / UNAVAILABLE instead of
 * growing the heap without bound.
 */
export class InflightBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get bytes(): number {
    return this.used;
  }

  tryReserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}
