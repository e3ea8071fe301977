import type { EventItem } from './event-list.js';
import type { ReadDb, Row } from '../store/database.js';
import { allOf, filterSql, rangeSql, USER_SQL, type Source } from './dimensions.js';
import { TYPED_ATTRIBUTE_COLUMNS_SQL } from '../telemetry/typed-attributes.js';
import {
  booleanOrNull,
  eventAttributes,
  isoFromMicros,
  numberOrNull,
  numberOrZero,
  stringOrNull,
} from './rows.js';
import { param, sql, type Sql } from './sql-fragment.js';
import type { FilterName } from './types.js';

/*
 * Sessions: cost and tokens from the metrics (the same sums as the panels), counts from the events,
 * a session's timeline from its events in order.
 */

export interface SessionSummary {
  readonly session_id: string;
  /** ISO times of the first and last record of the session seen in the range */
  readonly started: string | null;
  readonly ended: string | null;
  readonly duration_s: number;
  readonly cost_usd: number;
  readonly tokens: number;
  readonly machine: string | null;
  readonly user: string | null;
  /** the model with the most cost (from the api_request events when no cost metric was seen) */
  readonly model: string | null;
  readonly prompts: number;
  readonly api_requests: number;
  readonly tool_calls: number;
  /** api_error events */
  readonly errors: number;
}

export interface SessionListQuery {
  readonly fromMs: number;
  readonly toMs: number;
  readonly limit: number;
  readonly filters: Readonly<Partial<Record<FilterName, string>>>;
}

/**
 * Which rows belong to the listed sessions. The model filter picks sessions that used the model and
 * then shows them whole: a session's prompts carry no model, so filtering rows would count none.
 */
function sessionRows(source: Source, q: SessionListQuery): Sql {
  const { model, ...rowFilters } = q.filters;
  const conditions: Sql[] = [
    rangeSql(source, q.fromMs, q.toMs),
    sql`session_id IS NOT NULL`,
    ...filterSql(rowFilters),
  ];
  if (model !== undefined) {
    conditions.push(sql`session_id IN (
    SELECT session_id FROM points WHERE ${rangeSql('points', q.fromMs, q.toMs)} AND model = ${param(model)}
    UNION SELECT session_id FROM events WHERE ${rangeSql('events', q.fromMs, q.toMs)} AND model = ${param(model)})`);
  }
  return allOf(conditions);
}

function sessionsSql(q: SessionListQuery): Sql {
  return sql`WITH p AS (
  SELECT session_id, min(start_time) AS started, max(end_time) AS ended,
    coalesce(sum(value) FILTER (WHERE metric = 'claude_code.cost.usage'), 0) AS cost_usd,
    coalesce(sum(value) FILTER (WHERE metric = 'claude_code.token.usage'), 0) AS tokens,
    any_value(machine_name) AS machine, any_value(${USER_SQL}) AS "user"
  FROM points WHERE ${sessionRows('points', q)}
  GROUP BY session_id
),
pm AS (
  SELECT session_id, arg_max(model, cost) AS model FROM (
    SELECT session_id, model, sum(value) AS cost FROM points
    WHERE ${sessionRows('points', q)} AND metric = 'claude_code.cost.usage' AND model IS NOT NULL
    GROUP BY ALL
  ) GROUP BY session_id
),
e AS (
  SELECT session_id, min(time) AS started, max(time) AS ended,
    count(*) FILTER (WHERE name = 'user_prompt') AS prompts,
    count(*) FILTER (WHERE name = 'api_request') AS api_requests,
    count(*) FILTER (WHERE name = 'tool_result') AS tool_calls,
    count(*) FILTER (WHERE name = 'api_error') AS errors,
    any_value(machine_name) AS machine, any_value(${USER_SQL}) AS "user",
    arg_max(model, cost_usd) FILTER (WHERE name = 'api_request' AND model IS NOT NULL) AS model
  FROM events WHERE ${sessionRows('events', q)}
  GROUP BY session_id
)
SELECT coalesce(p.session_id, e.session_id) AS session_id,
  epoch_us(least(p.started, e.started)) AS started_us, epoch_us(greatest(p.ended, e.ended)) AS ended_us,
  coalesce(p.cost_usd, 0) AS cost_usd, coalesce(p.tokens, 0) AS tokens,
  coalesce(p.machine, e.machine) AS machine, coalesce(p."user", e."user") AS "user",
  coalesce(pm.model, e.model) AS model,
  coalesce(e.prompts, 0) AS prompts, coalesce(e.api_requests, 0) AS api_requests,
  coalesce(e.tool_calls, 0) AS tool_calls, coalesce(e.errors, 0) AS errors
FROM p FULL OUTER JOIN e ON p.session_id = e.session_id
LEFT JOIN pm ON pm.session_id = coalesce(p.session_id, e.session_id)
ORDER BY started_us DESC, session_id
LIMIT ${param(q.limit, 'BIGINT')}`;
}

function summaryOf(row: Row): SessionSummary {
  const started = numberOrNull(row.started_us);
  const ended = numberOrNull(row.ended_us);
  return {
    session_id: String(row.session_id),
    started: isoFromMicros(row.started_us),
    ended: isoFromMicros(row.ended_us),
    duration_s: started !== null && ended !== null ? (ended - started) / 1e6 : 0,
    cost_usd: numberOrZero(row.cost_usd),
    tokens: numberOrZero(row.tokens),
    machine: stringOrNull(row.machine),
    user: stringOrNull(row.user),
    model: stringOrNull(row.model),
    prompts: numberOrZero(row.prompts),
    api_requests: numberOrZero(row.api_requests),
    tool_calls: numberOrZero(row.tool_calls),
    errors: numberOrZero(row.errors),
  };
}

/** Sessions with data in the range, newest first; their figures count the data in the range. */
export async function listSessions(db: ReadDb, q: SessionListQuery): Promise<SessionSummary[]> {
  const query = sessionsSql(q);
  return (await db.all(query.text, query.params)).map(summaryOf);
}

/** One event of a session's timeline: the listed event's fields that a timeline shows. */
export type TimelineEvent = Pick<
  EventItem,
  | 'time'
  | 'name'
  | 'sequence'
  | 'model'
  | 'cost_usd'
  | 'duration_ms'
  | 'tool_name'
  | 'success'
  | 'status_code'
  | 'error'
  | 'input_tokens'
  | 'output_tokens'
  | 'attributes'
>;

export interface SessionDetail {
  readonly session: SessionSummary;
  /** in order of each prompt's first event; events without a prompt id form one group (prompt_id null) */
  readonly prompts: { readonly prompt_id: string | null; readonly events: TimelineEvent[] }[];
  /** true when the session has more than MAX_TIMELINE_EVENTS events and only the first are listed */
  readonly truncated: boolean;
}

export const MAX_TIMELINE_EVENTS = 10_000;
/** All of time, for a session looked up by id. */
const ALL_TIME = { fromMs: 0, toMs: Date.UTC(9999, 11, 31) };

/** One session, all of its data; undefined when the store has nothing of it. */
export async function sessionDetail(db: ReadDb, sessionId: string): Promise<SessionDetail | undefined> {
  const summary = sessionsSql({ ...ALL_TIME, limit: 1, filters: { session: sessionId } });
  const [row] = await db.all(summary.text, summary.params);
  if (row === undefined) return undefined;
  const events = await db.all(
    `SELECT epoch_us(time) AS time_us, name, sequence, prompt_id, model, cost_usd, duration_ms, tool_name,
       success, status_code, error, input_tokens, output_tokens, attributes, ${TYPED_ATTRIBUTE_COLUMNS_SQL}
     FROM events WHERE session_id = ?
     ORDER BY time, sequence NULLS LAST, key
     LIMIT ${MAX_TIMELINE_EVENTS + 1}`,
    [sessionId],
  );
  const groups = new Map<string | null, TimelineEvent[]>();
  for (const e of events.slice(0, MAX_TIMELINE_EVENTS)) {
    const promptId = stringOrNull(e.prompt_id);
    const list = groups.get(promptId) ?? [];
    list.push({
      time: isoFromMicros(e.time_us),
      name: String(e.name),
      sequence: numberOrNull(e.sequence),
      model: stringOrNull(e.model),
      cost_usd: numberOrNull(e.cost_usd),
      duration_ms: numberOrNull(e.duration_ms),
      tool_name: stringOrNull(e.tool_name),
      success: booleanOrNull(e.success),
      status_code: numberOrNull(e.status_code),
      error: stringOrNull(e.error),
      input_tokens: numberOrNull(e.input_tokens),
      output_tokens: numberOrNull(e.output_tokens),
      attributes: eventAttributes(e),
    });
    groups.set(promptId, list);
  }
  return {
    session: summaryOf(row),
    prompts: [...groups.entries()].map(([prompt_id, list]) => ({ prompt_id, events: list })),
    truncated: events.length > MAX_TIMELINE_EVENTS,
  };
}
