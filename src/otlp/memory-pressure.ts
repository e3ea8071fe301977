/**
 * Resident memory against `--max-memory`: ccmon's counterpart of the Collector's memory_limiter. Above
 * the limit, exports are refused (503 / UNAVAILABLE with a retry hint) while earlier ones still wait for
 * their commit, so the memory those hold (rows in DuckDB's appenders and transactions, request bodies)
 * is given back before more comes in. With nothing waiting, an export is taken whatever the RSS:
 * refusing it would free nothing, and memory the process does not give back (a fragmented heap) must
 * not stop ingest for good.
 */
export class MemoryPressure {
  private rssBytes = 0;
  private readAt = -Infinity;

  /**
   * @param writerBusy whether earlier exports wait for their commit
   * @param rss the resident set size in bytes (tests replace it)
   * @param maxAgeMs how long a reading is reused. RSS jumps by tens of MB over 100-200 ms at the most
   * (DuckDB's work, docs/benchmarks.md), so a reading 10 ms old misses little; one reading costs 8 µs
   * (a read of /proc/self/stat), and Claude Code's exports hold a few records each: at 60,000 records/s
   * offered in exports of ten, reading for every export would take 5% of a core
   */
  constructor(
    private readonly limitBytes: number,
    private readonly writerBusy: () => boolean,
    private readonly rss: () => number = () => process.memoryUsage.rss(),
    private readonly maxAgeMs = 10,
  ) {}

  /** Why an export would be refused now, if it would. */
  get overload(): string | undefined {
    if (!this.writerBusy()) return undefined;
    const now = performance.now();
    if (now - this.readAt >= this.maxAgeMs) {
      this.rssBytes = this.rss();
      this.readAt = now;
    }
    if (this.rssBytes <= this.limitBytes) return undefined;
    return `ccmon is at its memory limit: ${mib(this.rssBytes)} MiB resident, over --max-memory ${mib(this.limitBytes)} MiB, while earlier exports wait for their commit`;
  }
}

function mib(bytes: number): number {
  return Math.round(bytes / 1048576);
}
