import type { Signal } from './types.js';
import type { RefusalReason } from './ingest-error.js';

export type Protocol = 'grpc' | 'http';
export type Outcome = 'accepted' | 'rejected' | 'discarded';
export type CountReason = RefusalReason | 'partial' | 'ok';

/** Counters of what the receivers took and refused, for `/metrics` and the health endpoint. */
export class IngestStats {
  private readonly counts = new Map<string, number>();
  private readonly startedAt = Date.now();

  add(protocol: Protocol, signal: Signal, outcome: Outcome, reason: CountReason, n: number): void {
    if (n <= 0) return;
    const key = `${protocol}|${signal}|${outcome}|${reason}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }

  /** Every counter as labelled rows. */
  rows(): { protocol: Protocol; signal: Signal; outcome: Outcome; reason: CountReason; value: number }[] {
    return [...this.counts].map(([key, value]) => {
      const [protocol, signal, outcome, reason] = key.split('|') as [Protocol, Signal, Outcome, CountReason];
      return { protocol, signal, outcome, reason, value };
    });
  }

  total(outcome: Outcome): number {
    return this.rows()
      .filter((r) => r.outcome === outcome)
      .reduce((sum, r) => sum + r.value, 0);
  }

  get uptimeMs(): number {
    return Date.now() - this.startedAt;
  }
}
