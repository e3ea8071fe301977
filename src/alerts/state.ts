/**
 * Prometheus' alert state machine, per rule and label set, as a pure function of the previous states,
 * this evaluation's samples and the time:
 *   inactive -> pending (condition true) -> firing (still true after `for`) -> inactive (resolved).
 * A pending alert whose condition turns false goes back to inactive without a notification.
 */

export type Labels = Readonly<Record<string, string>>;
export type AlertState = 'inactive' | 'pending' | 'firing';

/** One measured label set; `active` when the rule's condition holds for it. */
export interface Sample {
  readonly labels: Labels;
  readonly value: number;
  readonly active: boolean;
}

/** A label set that is pending or firing. */
export interface ActiveAlert {
  readonly labels: Labels;
  readonly state: 'pending' | 'firing';
  /** when the condition first held (Prometheus' activeAt) */
  readonly activeAtMs: number;
  /** when it became firing */
  readonly firedAtMs: number | undefined;
  readonly value: number;
}

export interface Transition {
  readonly rule: string;
  readonly labels: Labels;
  readonly from: AlertState;
  readonly to: AlertState;
  readonly value: number;
  readonly timeMs: number;
  /** when the condition first held, and when the alert fired (if it did): notifications say since when */
  readonly activeAtMs: number;
  readonly firedAtMs: number | undefined;
}

/** A stable key for a label set: sorted entries as JSON. */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export interface Step {
  readonly next: ReadonlyMap<string, ActiveAlert>;
  readonly transitions: readonly Transition[];
  /** label sets whose stored state changed (new, promoted, or gone) */
  readonly changed: boolean;
}

/** Advances one rule's alerts by one evaluation at `nowMs`. */
export function advance(
  rule: string,
  forMs: number,
  current: ReadonlyMap<string, ActiveAlert>,
  samples: readonly Sample[],
  nowMs: number,
): Step {
  const next = new Map<string, ActiveAlert>();
  const transitions: Transition[] = [];
  const seen = new Map<string, Sample>();
  let changed = false;
  const record = (alert: ActiveAlert, from: AlertState, to: AlertState, value: number): void => {
    transitions.push({
      rule,
      labels: alert.labels,
      from,
      to,
      value,
      timeMs: nowMs,
      activeAtMs: alert.activeAtMs,
      firedAtMs: alert.firedAtMs,
    });
  };

  for (const sample of samples) {
    const key = labelsKey(sample.labels);
    seen.set(key, sample);
    if (!sample.active) continue;
    const before = current.get(key);
    if (before === undefined) {
      const pending: ActiveAlert = {
        labels: sample.labels,
        state: 'pending',
        activeAtMs: nowMs,
        firedAtMs: undefined,
        value: sample.value,
      };
      record(pending, 'inactive', 'pending', sample.value);
      changed = true;
      // `for: 0` fires in the same evaluation, as Prometheus does.
      if (forMs <= 0) {
        const firing = { ...pending, state: 'firing' as const, firedAtMs: nowMs };
        record(firing, 'pending', 'firing', sample.value);
        next.set(key, firing);
      } else next.set(key, pending);
    } else if (before.state === 'pending' && nowMs - before.activeAtMs >= forMs) {
      const firing: ActiveAlert = { ...before, state: 'firing', firedAtMs: nowMs, value: sample.value };
      record(firing, 'pending', 'firing', sample.value);
      next.set(key, firing);
      changed = true;
    } else {
      next.set(key, { ...before, value: sample.value });
    }
  }

  for (const [key, before] of current) {
    if (next.has(key)) continue;
    // Resolved (or a pending alert that did not last): the value is the latest measurement, if any.
    const value = seen.get(key)?.value ?? before.value;
    record(before, before.state, 'inactive', value);
    changed = true;
  }
  return { next, transitions, changed };
}
