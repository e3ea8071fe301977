import type { ReadDb } from '../store/database.js';
import { FILTER_COLUMNS, rangeSql } from './dimensions.js';
import { sql } from './sql-fragment.js';
import type { FilterName } from './types.js';

/** The values each dashboard filter can take: what was seen in the range, in points or events. */
export type FilterValues = Record<FilterName, string[]>;

export const MAX_FILTER_VALUES = 500;

export async function filterValues(
  db: ReadDb,
  range: { readonly fromMs: number; readonly toMs: number },
): Promise<FilterValues> {
  const out = {} as FilterValues;
  for (const name of Object.keys(FILTER_COLUMNS) as FilterName[]) {
    const column = FILTER_COLUMNS[name];
    const query = sql`SELECT v FROM (
  SELECT ${column} AS v FROM points WHERE ${rangeSql('points', range.fromMs, range.toMs)}
  UNION
  SELECT ${column} AS v FROM events WHERE ${rangeSql('events', range.fromMs, range.toMs)}
)
WHERE v IS NOT NULL
ORDER BY v
LIMIT ${String(MAX_FILTER_VALUES)}`;
    const rows = await db.all(query.text, query.params);
    out[name] = rows.map((r) => String(r.v));
  }
  return out;
}
