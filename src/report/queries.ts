import type { ReadDb } from '../store/database.js';
import type { ReportRange } from './range.js';

/*
 * The report's numbers. Metric-derived figures are sums of stored deltas whose end time falls in the
 * range; event counts use the event time. Same rules as the dashboard, so the two agree.
 */

export interface TokenCounts {
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

export interface Summary {
  from: string;
  to: string;
  cost_usd: number;
  tokens: TokenCounts;
  sessions: number;
  active_time_seconds: { cli: number; user: number };
  lines: { added: number; removed: number };
  commits: number;
  pull_requests: number;
  code_edit_decisions: { accept: number; reject: number };
  events: Record<string, number>;
}

const RANGE = 'end_time >= make_timestamp(?::BIGINT) AND end_time < make_timestamp(?::BIGINT)';
const EVENT_RANGE = 'time >= make_timestamp(?::BIGINT) AND time < make_timestamp(?::BIGINT)';

function rangeParams(range: ReportRange): bigint[] {
  return [BigInt(range.fromMs) * 1000n, BigInt(range.toMs) * 1000n];
}

/** One column per figure, so the summary is one scan of the range. */
const SUMMARY_SQL = `
SELECT
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.cost.usage'), 0) AS cost_usd,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.token.usage' AND type = 'input'), 0) AS input,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.token.usage' AND type = 'output'), 0) AS output,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.token.usage' AND type = 'cacheRead'), 0) AS cache_read,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.token.usage' AND type = 'cacheCreation'), 0) AS cache_creation,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.session.count'), 0) AS sessions,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.active_time.total' AND type = 'cli'), 0) AS active_cli,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.active_time.total' AND type = 'user'), 0) AS active_user,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.lines_of_code.count' AND type = 'added'), 0) AS lines_added,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.lines_of_code.count' AND type = 'removed'), 0) AS lines_removed,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.commit.count'), 0) AS commits,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.pull_request.count'), 0) AS pull_requests,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.code_edit_tool.decision'
    AND (attributes->>'decision') = 'accept'), 0) AS edits_accept,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.code_edit_tool.decision'
    AND (attributes->>'decision') = 'reject'), 0) AS edits_reject
FROM points WHERE ${RANGE}`;

export async function summary(db: ReadDb, range: ReportRange): Promise<Summary> {
  const [row] = await db.all(SUMMARY_SQL, rangeParams(range));
  const n = (key: string): number => Number(row?.[key] ?? 0);
  const eventRows = await db.all(
    `SELECT name, count(*) AS n FROM events WHERE ${EVENT_RANGE} GROUP BY name ORDER BY name`,
    rangeParams(range),
  );
  return {
    from: new Date(range.fromMs).toISOString(),
    to: new Date(range.toMs).toISOString(),
    cost_usd: n('cost_usd'),
    tokens: {
      input: n('input'),
      output: n('output'),
      cacheRead: n('cache_read'),
      cacheCreation: n('cache_creation'),
    },
    sessions: n('sessions'),
    active_time_seconds: { cli: n('active_cli'), user: n('active_user') },
    lines: { added: n('lines_added'), removed: n('lines_removed') },
    commits: n('commits'),
    pull_requests: n('pull_requests'),
    code_edit_decisions: { accept: n('edits_accept'), reject: n('edits_reject') },
    events: Object.fromEntries(eventRows.map((r) => [String(r.name), Number(r.n)])),
  };
}

export type ReportRow = Record<string, string | number | null>;

const COST_AND_TOKENS = `
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.cost.usage'), 0) AS cost_usd,
  coalesce(sum(value) FILTER (WHERE metric = 'claude_code.token.usage'), 0) AS tokens`;
const SESSION_COUNT = `coalesce(sum(value) FILTER (WHERE metric = 'claude_code.session.count'), 0) AS sessions`;

/** The one notion of "user" everywhere: the e-mail where known, else the anonymous user id. */
export const USER_EXPR = `coalesce(user_email, user_id, '(unknown)')`;

const GROUPED: Record<'daily' | 'models' | 'machines' | 'users', { key: string; order: string }> = {
  daily: {
    key: `strftime((end_time AT TIME ZONE 'UTC') AT TIME ZONE $tz, '%Y-%m-%d')`,
    order: 'key',
  },
  models: { key: `coalesce(model, '(none)')`, order: 'cost_usd DESC, key' },
  machines: { key: `coalesce(machine_name, '(unknown)')`, order: 'cost_usd DESC, key' },
  users: { key: USER_EXPR, order: 'cost_usd DESC, key' },
};

export type GroupedReport = keyof typeof GROUPED;

export async function grouped(db: ReadDb, report: GroupedReport, range: ReportRange): Promise<ReportRow[]> {
  const { key, order } = GROUPED[report];
  const sql = `SELECT ${key.replace('$tz', '?')} AS key, ${COST_AND_TOKENS}, ${SESSION_COUNT},
      max(end_time)::VARCHAR AS last_seen
    FROM points WHERE ${RANGE} GROUP BY 1 ORDER BY ${order}`;
  const params = key.includes('$tz') ? [range.tz, ...rangeParams(range)] : rangeParams(range);
  return (await db.all(sql, params)).map(plainRow);
}

/** Sessions seen in the range with their cost, tokens, span, machine, user and main model. */
export async function sessions(db: ReadDb, range: ReportRange): Promise<ReportRow[]> {
  const rows = await db.all(
    `SELECT session_id,
        min(start_time)::VARCHAR AS started, max(end_time)::VARCHAR AS ended,
        ${COST_AND_TOKENS},
        any_value(machine_name) AS machine, any_value(${USER_EXPR}) AS user,
        arg_max(model, value) FILTER (WHERE metric = 'claude_code.cost.usage') AS model
      FROM points WHERE ${RANGE} AND session_id IS NOT NULL
      GROUP BY session_id ORDER BY started DESC`,
    rangeParams(range),
  );
  return rows.map(plainRow);
}

function plainRow(row: Record<string, unknown>): ReportRow {
  const out: ReportRow = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] =
      v === null || v === undefined
        ? null
        : typeof v === 'number' || typeof v === 'string'
          ? v
          : typeof v === 'bigint'
            ? Number(v)
            : String(v);
  }
  return out;
}
