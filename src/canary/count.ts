/**
 * The canary's verdict, pure: what was sent and acknowledged against what the store holds.
 * Kept apart from the network code so the counting is unit-tested on its own.
 */

/** One numbered event as the sender saw it. */
export interface SentEvent {
  readonly seq: number;
  /** true once the server answered 2xx: it promised the event is stored */
  readonly acknowledged: boolean;
  /** how many POSTs it took (1: no retry) */
  readonly attempts?: number;
}

/** One stored event as read back. */
export interface StoredEvent {
  readonly seq: number | null;
  /** the stored event time, epoch ms (the canary sets it to the send time) */
  readonly timeMs: number;
}

export interface CanaryReport {
  readonly sent: number;
  readonly acknowledged: number;
  /** stored rows of this run, duplicates included */
  readonly stored: number;
  /** acknowledged but not stored: a broken promise */
  readonly missing: readonly number[];
  /** stored more than once */
  readonly duplicated: readonly number[];
  /** stored rows, in time order, whose sequence is below one stored before them */
  readonly outOfOrder: number;
  /** stored although never acknowledged (sent, then the answer was lost): allowed, reported */
  readonly unacknowledgedStored: number;
  /** stored rows whose sequence was never sent or is missing */
  readonly unknown: number;
}

export function countCanary(sent: readonly SentEvent[], stored: readonly StoredEvent[]): CanaryReport {
  const sentSeqs = new Map(sent.map((e) => [e.seq, e.acknowledged]));
  const copies = new Map<number, number>();
  let unknown = 0;
  for (const row of stored) {
    if (row.seq === null || !sentSeqs.has(row.seq)) {
      unknown += 1;
      continue;
    }
    copies.set(row.seq, (copies.get(row.seq) ?? 0) + 1);
  }
  const missing: number[] = [];
  let acknowledged = 0;
  let unacknowledgedStored = 0;
  for (const e of sent) {
    const n = copies.get(e.seq) ?? 0;
    if (e.acknowledged) {
      acknowledged += 1;
      if (n === 0) missing.push(e.seq);
    } else if (n > 0) unacknowledgedStored += 1;
  }
  const duplicated = [...copies].filter(([, n]) => n > 1).map(([seq]) => seq);
  duplicated.sort((a, b) => a - b);
  missing.sort((a, b) => a - b);
  return {
    sent: sent.length,
    acknowledged,
    stored: stored.length,
    missing,
    duplicated,
    outOfOrder: outOfOrder(stored),
    unacknowledgedStored,
    unknown,
  };
}

/** Sorted by stored time (ties by sequence, so equal times are not counted), rows below the running max. */
function outOfOrder(stored: readonly StoredEvent[]): number {
  const rows = stored
    .filter((r): r is StoredEvent & { seq: number } => r.seq !== null)
    .sort((a, b) => a.timeMs - b.timeMs || a.seq - b.seq);
  let max = -Infinity;
  let count = 0;
  for (const r of rows) {
    if (r.seq < max) count += 1;
    else max = r.seq;
  }
  return count;
}

/** A canary run fails when a promise was broken: an acknowledged event lost or stored twice. */
export function canaryFailed(report: CanaryReport): boolean {
  return report.missing.length > 0 || report.duplicated.length > 0;
}
