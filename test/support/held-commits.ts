import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Ingest } from '../../src/otlp/ingest.js';
import { IngestStats } from '../../src/otlp/stats.js';
import type { BatchWriter, WriteBatch } from '../../src/store/writer.js';

/*
 * For tests of what the ingest path keeps alive while a request waits for its commit: an Ingest whose
 * commits the test releases, and full garbage collections on demand.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Full garbage collections, each after the current job has ended (a WeakRef's target stays alive until
 * then): after it, an object nothing holds is gone from its WeakRefs.
 */
export async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
}

export interface HeldIngest {
  readonly ingest: Ingest;
  /** what was handed to the writer, in order */
  readonly written: WriteBatch[];
  /** commits the oldest write still held; false when none is */
  commitNext(): boolean;
}

/** An Ingest over a writer that holds every write until the test commits it. */
export function heldIngest(): HeldIngest {
  const written: WriteBatch[] = [];
  const held: (() => void)[] = [];
  // Only the two members Ingest uses.
  const writer = {
    overload: undefined,
    write: (batch: WriteBatch) => {
      written.push(batch);
      return new Promise<void>((resolve) => held.push(resolve));
    },
  } as unknown as BatchWriter;
  return {
    ingest: new Ingest(writer, new IngestStats(), { dropContent: false, retryAfterMs: 1000 }),
    written,
    commitNext: () => {
      const commit = held.shift();
      commit?.();
      return commit !== undefined;
    },
  };
}
