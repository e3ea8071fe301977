import type { ReadDb, Row } from '../store/database.js';
import { allOf, filterSql, rangeSql, USER_SQL } from './dimensions.js';
import { TYPED_ATTRIBUTE_COLUMNS_SQL } from '../telemetry/typed-attributes.js';
import {
  booleanOrNull,
  eventAttributes,
  isoFromMicros,
  numberOrNull,
  stringOrNull,
  type Json,
} from './rows.js';
import { param, sql } from './sql-fragment.js';
import type { FilterName } from './types.js';

/** One stored event as the API lists it. */
export interface EventItem {
  readonly key: string;
  readonly time: string | null;
  readonly name: string;
  readonly session_id: string | null;
  readonly user: string | null;
  readonly machine: string | null;
  readonly model: string | null;
  readonly prompt_id: string | null;
  readonly sequence: number | null;
  readonly cost_usd: number | null;
  readonly duration_ms: number | null;
  readonly tool_name: string | null;
  readonly success: boolean | null;
  readonly status_code: number | null;
  readonly error: string | null;
  readonly input_tokens: number | null;
  readonly output_tokens: number | null;
  readonly cache_read_tokens: number | null;
  readonly cache_creation_tokens: number | null;
  /** the event's own attributes, as sent */
  readonly attributes: Json;
}

export interface EventListQuery {
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
  readonly offset: number;
  /** an event name such as api_request */
  readonly name?: string;
  readonly filters: Readonly<Partial<Record<FilterName, string>>>;
}

export const EVENT_COLUMNS = `key::VARCHAR AS key, epoch_us(time) AS time_us, name, session_id,
  ${USER_SQL} AS "user", machine_name AS machine, model, prompt_id, sequence, cost_usd, duration_ms,
  tool_name, success, status_code, error, input_tokens, output_tokens, cache_read_tokens,
  cache_creation_tokens, attributes, ${TYPED_ATTRIBUTE_COLUMNS_SQL}`;

/** Events in the range, newest first, one page of them, and how many there are in all. */
export async function listEvents(
  db: ReadDb,
  q: EventListQuery,
): Promise<{ events: EventItem[]; total: number }> {
  const where = allOf([
    rangeSql('events', q.fromMs, q.toMs),
    ...(q.name === undefined ? [] : [sql`name = ${param(q.name)}`]),
    ...filterSql(q.filters),
  ]);
  const page = sql`SELECT ${EVENT_COLUMNS}
FROM events
WHERE ${where}
ORDER BY time DESC, sequence DESC NULLS LAST, key
LIMIT ${param(q.limit, 'BIGINT')} OFFSET ${param(q.offset, 'BIGINT')}`;
  const count = sql`SELECT count(*) AS n FROM events WHERE ${where}`;
  const rows = await db.all(page.text, page.params);
  const [total] = await db.all(count.text, count.params);
  return { events: rows.map(eventItem), total: Number(total?.n ?? 0) };
}

export function eventItem(row: Row): EventItem {
  return {
    key: String(row.key),
    time: isoFromMicros(row.time_us),
    name: String(row.name),
    session_id: stringOrNull(row.session_id),
    user: stringOrNull(row.user),
    machine: stringOrNull(row.machine),
    model: stringOrNull(row.model),
    prompt_id: stringOrNull(row.prompt_id),
    sequence: numberOrNull(row.sequence),
    cost_usd: numberOrNull(row.cost_usd),
    duration_ms: numberOrNull(row.duration_ms),
    tool_name: stringOrNull(row.tool_name),
    success: booleanOrNull(row.success),
    status_code: numberOrNull(row.status_code),
    error: stringOrNull(row.error),
    input_tokens: numberOrNull(row.input_tokens),
    output_tokens: numberOrNull(row.output_tokens),
    cache_read_tokens: numberOrNull(row.cache_read_tokens),
    cache_creation_tokens: numberOrNull(row.cache_creation_tokens),
    attributes: eventAttributes(row),
  };
}
