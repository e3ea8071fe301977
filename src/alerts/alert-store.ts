/** Alert states and history in the store (migration 2), so pending/firing survive a restart. */
import type { Database, ReadDb } from '../store/database.js';
import { labelsKey, type ActiveAlert, type AlertState, type Labels, type Transition } from './state.js';

export interface HistoryEntry {
  readonly time: string;
  readonly rule: string;
  readonly from: AlertState;
  readonly to: AlertState;
  readonly value: number;
  readonly labels: Labels;
}

function ts(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 1000n;
}

function parseLabels(raw: unknown): Labels {
  const parsed: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
  const out: Record<string, string> = {};
  if (parsed !== null && typeof parsed === 'object')
    for (const [k, v] of Object.entries(parsed)) out[k] = String(v);
  return out;
}

function state(raw: unknown): AlertState {
  return raw === 'pending' || raw === 'firing' ? raw : 'inactive';
}

/** Every stored pending or firing alert, by rule name and then by label key. */
export async function loadStates(db: Database): Promise<Map<string, Map<string, ActiveAlert>>> {
  const rows = await db.withRead((r) =>
    r.all(`SELECT rule, labels, state, epoch_ms(active_at) AS active_ms, epoch_ms(fired_at) AS fired_ms, value
           FROM alert_states`),
  );
  const out = new Map<string, Map<string, ActiveAlert>>();
  for (const row of rows) {
    const s = state(row.state);
    if (s === 'inactive') continue;
    const labels = parseLabels(row.labels);
    const rule = String(row.rule);
    const alerts = out.get(rule) ?? new Map<string, ActiveAlert>();
    alerts.set(labelsKey(labels), {
      labels,
      state: s,
      activeAtMs: Number(row.active_ms),
      firedAtMs: row.fired_ms === null || row.fired_ms === undefined ? undefined : Number(row.fired_ms),
      value: Number(row.value),
    });
    out.set(rule, alerts);
  }
  return out;
}

/**
 * Replaces the stored alerts of the given rules and appends their transitions, in one transaction.
 * Rules not named keep their rows; `dropOthers` removes rows of rules that no longer exist.
 */
export async function saveStates(
  db: Database,
  rules: ReadonlyMap<string, ReadonlyMap<string, ActiveAlert>>,
  transitions: readonly Transition[],
  dropOthers = false,
): Promise<void> {
  await db.withWrite(async (w) => {
    const names = [...rules.keys()];
    if (dropOthers) {
      await w.run(
        names.length === 0
          ? 'DELETE FROM alert_states'
          : `DELETE FROM alert_states WHERE rule NOT IN (${names.map(() => '?').join(', ')})`,
        names,
      );
    }
    for (const [rule, alerts] of rules) {
      await w.run('DELETE FROM alert_states WHERE rule = ?', [rule]);
      for (const [key, a] of alerts) {
        await w.run(
          `INSERT INTO alert_states VALUES (?, ?, ?, ?, make_timestamp(?::BIGINT),
             CASE WHEN ? THEN make_timestamp(?::BIGINT) END, ?)`,
          [
            rule,
            key,
            JSON.stringify(a.labels),
            a.state,
            ts(a.activeAtMs),
            a.firedAtMs !== undefined,
            ts(a.firedAtMs ?? 0),
            finite(a.value),
          ],
        );
      }
    }
    for (const t of transitions) {
      await w.run('INSERT INTO alert_history VALUES (make_timestamp(?::BIGINT), ?, ?, ?, ?, ?)', [
        ts(t.timeMs),
        t.rule,
        JSON.stringify(t.labels),
        t.from,
        t.to,
        finite(t.value),
      ]);
    }
  });
}

function finite(n: number): number {
  return Number.isFinite(n) ? n : 0;
}

/** The latest state changes, newest first. */
export async function readHistory(db: ReadDb, limit: number): Promise<HistoryEntry[]> {
  const rows = await db.all(
    `SELECT epoch_ms(time) AS ms, rule, labels, from_state, to_state, value FROM alert_history
     ORDER BY time DESC, rowid DESC LIMIT ?`,
    [limit],
  );
  return rows.map((r) => ({
    time: new Date(Number(r.ms)).toISOString(),
    rule: String(r.rule),
    from: state(r.from_state),
    to: state(r.to_state),
    value: Number(r.value),
    labels: parseLabels(r.labels),
  }));
}

/** Drops history older than `beforeMs`; returns how many rows went. */
export async function pruneHistory(db: Database, beforeMs: number): Promise<number> {
  return db.withWrite(async (w) => {
    const [row] = await w.all(
      'SELECT count(*) AS n FROM alert_history WHERE time < make_timestamp(?::BIGINT)',
      [ts(beforeMs)],
    );
    await w.run('DELETE FROM alert_history WHERE time < make_timestamp(?::BIGINT)', [ts(beforeMs)]);
    return Number(row?.n ?? 0);
  });
}
