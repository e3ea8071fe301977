/**
 * What the rules measure, read from the store. Spend is the sum of stored `claude_code.cost.usage`
 * deltas whose end time falls in the window (from, to], as in report/queries.ts: exact, with no
 * first-sample loss. A client whose clock runs ahead has its spend counted once its time has come.
 */
import { USER_EXPR } from '../report/queries.js';
import type { ReadDb } from '../store/database.js';

const COST = `metric = 'claude_code.cost.usage'`;
const AFTER = 'end_time > make_timestamp(?::BIGINT)';
const IN_WINDOW = `${AFTER} AND end_time <= make_timestamp(?::BIGINT)`;

function micros(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 1000n;
}

/** USD spent in (fromMs, toMs]. */
export async function spendBetween(db: ReadDb, fromMs: number, toMs: number): Promise<number> {
  const [row] = await db.all(
    `SELECT coalesce(sum(value), 0) AS usd FROM points WHERE ${COST} AND ${IN_WINDOW}`,
    [micros(fromMs), micros(toMs)],
  );
  return Number(row?.usd ?? 0);
}

const GROUP_EXPR: Record<'user' | 'machine', string> = {
  user: USER_EXPR,
  machine: `coalesce(machine_name, '(unknown)')`,
};

/** USD spent in (fromMs, toMs], per user (e-mail, else user id) or per machine. */
export async function spendBetweenBy(
  db: ReadDb,
  by: 'user' | 'machine',
  fromMs: number,
  toMs: number,
): Promise<{ key: string; usd: number }[]> {
  const rows = await db.all(
    `SELECT ${GROUP_EXPR[by]} AS key, sum(value) AS usd FROM points WHERE ${COST} AND ${IN_WINDOW} GROUP BY 1 ORDER BY 1`,
    [micros(fromMs), micros(toMs)],
  );
  return rows.map((r) => ({ key: String(r.key), usd: Number(r.usd) }));
}

/**
 * Per machine, the time of its latest point or event after `fromMs`. No upper bound: a machine whose
 * clock runs ahead must not look silent.
 */
export async function machinesLastSeen(
  db: ReadDb,
  fromMs: number,
): Promise<{ machine: string; lastMs: number }[]> {
  const from = micros(fromMs);
  const rows = await db.all(
    `SELECT machine, epoch_ms(max(t)) AS last_ms FROM (
       SELECT coalesce(machine_name, '(unknown)') AS machine, end_time AS t FROM points WHERE ${AFTER}
       UNION ALL
       SELECT coalesce(machine_name, '(unknown)'), time FROM events WHERE time > make_timestamp(?::BIGINT)
     ) GROUP BY machine ORDER BY machine`,
    [from, from],
  );
  return rows.map((r) => ({ machine: String(r.machine), lastMs: Number(r.last_ms) }));
}
