/** Each rule condition evaluated against the store at one instant: the samples the state machine takes. */
import type { ReadDb } from '../store/database.js';
import { machinesLastSeen, spendBetween, spendBetweenBy } from './measures.js';
import type { Condition } from './rules.js';
import type { Sample } from './state.js';
import { billingCycleStart, startOfDay, wallTime } from '../dashboard/zoned-time.js';
import { localTime } from './timezone.js';

export interface ConditionResult {
  /** every measured label set; the active ones are what the alert is about */
  readonly samples: readonly Sample[];
  /** the rule's value as a whole, shown while no alert is active (e.g. the spend so far) */
  readonly value: number;
}

type Of<K extends Condition['kind']> = Extract<Condition, { kind: K }>;

/** Whether `nowMs` falls in the local working-hours window of a no-activity rule. */
export function inCheckWindow(c: Of<'no_activity'>, nowMs: number): boolean {
  const t = localTime(c.timezone, nowMs);
  const minute = t.hour * 60 + t.minute;
  return c.days.includes(t.weekday) && minute >= c.fromMinute && minute < c.toMinute;
}

/**
 * The billing cycle around `nowMs`: from the latest billing day 00:00 (local) to the next one. The
 * start is the dashboard's, so the "Billing Cycle Cost" panel and the budget rule count the same spend.
 */
export function billingCycle(
  timezone: string,
  billingDay: number,
  nowMs: number,
): { startMs: number; endMs: number } {
  const startMs = billingCycleStart(nowMs, billingDay, timezone);
  const start = wallTime(startMs, timezone);
  const next =
    start.month === 12 ? { year: start.year + 1, month: 1 } : { year: start.year, month: start.month + 1 };
  return { startMs, endMs: startOfDay(next.year, next.month, billingDay, timezone) };
}

/** Spend projected linearly to the cycle's end; before `minElapsedMs` only what was actually spent counts. */
export function projectedSpend(
  spent: number,
  cycle: { startMs: number; endMs: number },
  nowMs: number,
  minElapsedMs: number,
): number {
  const elapsed = nowMs - cycle.startMs;
  if (elapsed < minElapsedMs || elapsed <= 0) return spent;
  return Math.max(spent, (spent * (cycle.endMs - cycle.startMs)) / elapsed);
}

export async function evaluateCondition(db: ReadDb, c: Condition, nowMs: number): Promise<ConditionResult> {
  switch (c.kind) {
    case 'spend': {
      if (c.by === undefined) {
        const usd = await spendBetween(db, nowMs - c.windowMs, nowMs);
        return { samples: [{ labels: {}, value: usd, active: usd > c.threshold }], value: usd };
      }
      const by = c.by;
      const groups = await spendBetweenBy(db, by, nowMs - c.windowMs, nowMs);
      return {
        samples: groups.map((g) => ({ labels: { [by]: g.key }, value: g.usd, active: g.usd > c.threshold })),
        value: groups.reduce((max, g) => Math.max(max, g.usd), 0),
      };
    }
    case 'no_activity': {
      const usd = await spendBetween(db, nowMs - c.windowMs, nowMs);
      return {
        samples: [{ labels: {}, value: usd, active: usd <= 0 && inCheckWindow(c, nowMs) }],
        value: usd,
      };
    }
    case 'silence': {
      const machines = await machinesLastSeen(db, nowMs - c.lookbackMs);
      const samples = machines.map((m) => {
        const silentS = Math.max(0, (nowMs - m.lastMs) / 1000);
        return { labels: { machine: m.machine }, value: silentS, active: silentS * 1000 >= c.silenceMs };
      });
      return { samples, value: samples.reduce((max, s) => Math.max(max, s.value), 0) };
    }
    case 'billing_budget': {
      const cycle = billingCycle(c.timezone, c.billingDay, nowMs);
      const spent = await spendBetween(db, cycle.startMs, nowMs);
      const projected = projectedSpend(spent, cycle, nowMs, c.minElapsedMs);
      return { samples: [{ labels: {}, value: projected, active: projected > c.budget }], value: projected };
    }
  }
}
