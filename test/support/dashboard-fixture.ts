/**
 * A small hand-built team day for the dashboard's unit tests, written through the real store path
 * (normalize + BatchWriter). Every figure the tests expect is worked out by hand from these tables.
 *
 * Range under test: 2026-03-10 00:00Z .. 08:00Z. Sessions:
 *   s0  alice (e-mail + id ua), laptop   - before the range (Manila 01:00 on the 10th), one event at 00:00Z
 *   s1  alice (e-mail + id ua), laptop, vscode, 2.1.197  - two exports (01:10, 02:20) and an export at 00:00Z
 *   s2  id ub only, desktop, iTerm.app, 2.1.190          - opus + haiku, export at 03:30; a late export at 08:00Z
 *   s3  alice (e-mail + another id ua2), laptop2          - ONE cumulative export (first sample) at 05:45
 *   s4  no user at all, laptop                            - haiku at 06:15
 *   pre alice, laptop                                      - 2026-03-09 15:00Z, before every billing cycle tested
 */
import { BatchWriter } from '../../src/store/writer.js';
import type { Database } from '../../src/store/database.js';
import { normalizeLogs } from '../../src/telemetry/normalize-logs.js';
import { normalizeMetrics } from '../../src/telemetry/normalize-metrics.js';
import type { PanelData, PanelParams } from '../../src/dashboard/panel-data.js';
import type { LogColumn, Panel } from '../../src/dashboard/types.js';
import { logsRequest, metricsRequest, type PointSpec } from './requests.js';

type Attrs = Record<string, string | number | boolean>;

export const at = (h: number, m = 0, s = 0, day = 10): number => Date.UTC(2026, 2, day, h, m, s);

export const SONNET = 'claude-sonnet-4-5';
export const OPUS = 'claude-opus-4-1';
export const HAIKU = 'claude-haiku-4-5';

interface Who {
  readonly resource: Record<string, string>;
  readonly attrs: Attrs;
}

const ALICE = { 'user.id': 'ua', 'user.email': 'alice@example.com' };
const res = (machine: string, version = '2.1.197'): Record<string, string> => ({
  'service.name': 'claude-code',
  'service.version': version,
  'machine.name': machine,
});

export const WHO: Readonly<Record<string, Who>> = {
  s0: { resource: res('laptop'), attrs: { 'session.id': 's0', ...ALICE, 'terminal.type': 'vscode' } },
  s1: { resource: res('laptop'), attrs: { 'session.id': 's1', ...ALICE, 'terminal.type': 'vscode' } },
  s2: {
    resource: res('desktop', '2.1.190'),
    attrs: { 'session.id': 's2', 'user.id': 'ub', 'terminal.type': 'iTerm.app' },
  },
  s3: {
    resource: res('laptop2'),
    attrs: { 'session.id': 's3', 'user.id': 'ua2', 'user.email': 'alice@example.com' },
  },
  s4: { resource: res('laptop'), attrs: { 'session.id': 's4' } },
  pre: { resource: res('laptop'), attrs: { 'session.id': 'pre', ...ALICE } },
};

interface PointRow {
  readonly who: keyof typeof WHO;
  readonly endMs: number;
  readonly metric: string;
  readonly value: number;
  readonly attrs?: Attrs;
  readonly cumulative?: boolean;
}

const COST = 'claude_code.cost.usage';
const TOKENS = 'claude_code.token.usage';
const ACTIVE = 'claude_code.active_time.total';
const LINES = 'claude_code.lines_of_code.count';
const tokens = (who: string, endMs: number, model: string, t: Record<string, number>): PointRow[] =>
  Object.entries(t).map(([type, value]) => ({ who, endMs, metric: TOKENS, value, attrs: { model, type } }));

export const POINTS: readonly PointRow[] = [
  { who: 'pre', endMs: at(15, 0, 0, 9), metric: COST, value: 4, attrs: { model: OPUS } },
  ...tokens('pre', at(15, 0, 0, 9), OPUS, { input: 5000 }),
  { who: 's0', endMs: at(17, 0, 0, 9), metric: 'claude_code.session.count', value: 1 },
  { who: 's0', endMs: at(17, 0, 0, 9), metric: COST, value: 2, attrs: { model: OPUS } },
  ...tokens('s0', at(17, 0, 0, 9), OPUS, { input: 10000 }),
  // s1: an export ending exactly at the range start counts (half-open range)
  { who: 's1', endMs: at(0), metric: ACTIVE, value: 10, attrs: { type: 'cli' } },
  { who: 's1', endMs: at(1, 10), metric: 'claude_code.session.count', value: 1 },
  { who: 's1', endMs: at(1, 10), metric: COST, value: 0.3, attrs: { model: SONNET } },
  ...tokens('s1', at(1, 10), SONNET, { input: 1000, output: 200, cacheRead: 3000, cacheCreation: 500 }),
  { who: 's1', endMs: at(1, 10), metric: ACTIVE, value: 60, attrs: { type: 'user' } },
  { who: 's1', endMs: at(1, 10), metric: ACTIVE, value: 120, attrs: { type: 'cli' } },
  { who: 's1', endMs: at(1, 10), metric: LINES, value: 40, attrs: { type: 'added', model: SONNET } },
  { who: 's1', endMs: at(1, 10), metric: LINES, value: 10, attrs: { type: 'removed', model: SONNET } },
  {
    who: 's1',
    endMs: at(1, 10),
    metric: 'claude_code.code_edit_tool.decision',
    value: 2,
    attrs: { tool_name: 'Write', decision: 'accept', source: 'config', language: 'TypeScript' },
  },
  { who: 's1', endMs: at(1, 10), metric: 'claude_code.commit.count', value: 1 },
  { who: 's1', endMs: at(2, 20), metric: COST, value: 0.2, attrs: { model: SONNET } },
  ...tokens('s1', at(2, 20), SONNET, { input: 500, output: 100, cacheRead: 1000 }),
  { who: 's1', endMs: at(2, 20), metric: ACTIVE, value: 30, attrs: { type: 'user' } },
  { who: 's1', endMs: at(2, 20), metric: ACTIVE, value: 90, attrs: { type: 'cli' } },
  {
    who: 's1',
    endMs: at(2, 20),
    metric: 'claude_code.code_edit_tool.decision',
    value: 1,
    attrs: { tool_name: 'Edit', decision: 'reject', source: 'user_reject' },
  },
  { who: 's1', endMs: at(2, 20), metric: 'claude_code.pull_request.count', value: 1 },
  { who: 's2', endMs: at(3, 30), metric: 'claude_code.session.count', value: 1 },
  { who: 's2', endMs: at(3, 30), metric: COST, value: 1, attrs: { model: OPUS } },
  { who: 's2', endMs: at(3, 30), metric: COST, value: 0.05, attrs: { model: HAIKU } },
  ...tokens('s2', at(3, 30), OPUS, { input: 2000, output: 400, cacheCreation: 1000 }),
  ...tokens('s2', at(3, 30), HAIKU, { input: 100, output: 50 }),
  { who: 's2', endMs: at(3, 30), metric: ACTIVE, value: 120, attrs: { type: 'user' } },
  { who: 's2', endMs: at(3, 30), metric: ACTIVE, value: 300, attrs: { type: 'cli' } },
  { who: 's2', endMs: at(3, 30), metric: LINES, value: 5, attrs: { type: 'added', model: OPUS } },
  // s3: a single cumulative export, its first (and only) sample counted whole
  { who: 's3', endMs: at(5, 45), metric: 'claude_code.session.count', value: 1, cumulative: true },
  { who: 's3', endMs: at(5, 45), metric: COST, value: 0.1, attrs: { model: SONNET }, cumulative: true },
  ...tokens('s3', at(5, 45), SONNET, { input: 100 }).map((p) => ({ ...p, cumulative: true })),
  { who: 's4', endMs: at(6, 15), metric: COST, value: 0.5, attrs: { model: HAIKU } },
  // s2 again, ending exactly at the range end: outside the range, inside the billing cycle
  { who: 's2', endMs: at(8), metric: COST, value: 0.7, attrs: { model: SONNET } },
  ...tokens('s2', at(8), SONNET, { input: 300 }),
];

export interface EventRow {
  readonly who: keyof typeof WHO;
  readonly ms: number;
  readonly name: string;
  readonly seq: number;
  readonly prompt?: string;
  readonly attrs?: Attrs;
}

const api = (model: string, cost: number, duration: number): Attrs => ({
  model,
  cost_usd: cost,
  duration_ms: duration,
});
const tool = (name: string, success: boolean, duration: number): Attrs => ({
  tool_name: name,
  success: String(success),
  duration_ms: String(duration),
});

export const EVENTS: readonly EventRow[] = [
  { who: 's0', ms: at(0), name: 'tool_result', seq: 9, prompt: 'p0', attrs: tool('Write', true, 10) },
  { who: 's1', ms: at(1, 5), name: 'user_prompt', seq: 0, prompt: 'p1', attrs: { prompt_length: 42 } },
  { who: 's1', ms: at(1, 5, 10), name: 'api_request', seq: 1, prompt: 'p1', attrs: api(SONNET, 0.3, 1000) },
  {
    who: 's1',
    ms: at(1, 5, 20),
    name: 'tool_decision',
    seq: 2,
    prompt: 'p1',
    attrs: { tool_name: 'Write', decision: 'accept', source: 'config' },
  },
  { who: 's1', ms: at(1, 5, 30), name: 'tool_result', seq: 3, prompt: 'p1', attrs: tool('Write', true, 31) },
  { who: 's1', ms: at(1, 6), name: 'api_request', seq: 4, prompt: 'p1', attrs: api(SONNET, 0.2, 3000) },
  { who: 's1', ms: at(2, 10), name: 'user_prompt', seq: 5, prompt: 'p2', attrs: { prompt_length: 7 } },
  { who: 's1', ms: at(2, 10, 5), name: 'api_request', seq: 6, prompt: 'p2', attrs: api(SONNET, 0, 2500) },
  {
    who: 's1',
    ms: at(2, 10, 10),
    name: 'tool_result',
    seq: 7,
    prompt: 'p2',
    attrs: tool('Bash', false, 500),
  },
  {
    who: 's1',
    ms: at(2, 10, 20),
    name: 'api_error',
    seq: 8,
    prompt: 'p2',
    attrs: { model: SONNET, status_code: 529, error: 'Overloaded', duration_ms: 80 },
  },
  { who: 's2', ms: at(3, 20), name: 'user_prompt', seq: 0, prompt: 'p3', attrs: { prompt_length: 3 } },
  { who: 's2', ms: at(3, 20, 30), name: 'api_request', seq: 1, prompt: 'p3', attrs: api(OPUS, 1, 4000) },
  { who: 's2', ms: at(3, 21), name: 'api_request', seq: 2, prompt: 'p3', attrs: api(HAIKU, 0.05, 500) },
  {
    who: 's2',
    ms: at(3, 22),
    name: 'api_error',
    seq: 3,
    prompt: 'p3',
    attrs: { model: OPUS, error: 'Connection error' },
  },
  { who: 's2', ms: at(3, 25), name: 'tool_result', seq: 4, prompt: 'p3', attrs: tool('Bash', true, 100) },
  { who: 's3', ms: at(5, 41), name: 'user_prompt', seq: 0, prompt: 'p4', attrs: { prompt_length: 9 } },
  { who: 's4', ms: at(6, 14), name: 'api_request', seq: 0, prompt: 'p5', attrs: api(HAIKU, 0.5, 700) },
  { who: 's4', ms: at(6, 20), name: 'api_error', seq: 1, prompt: 'p5', attrs: { model: HAIKU } },
  // exactly at the range end: outside
  { who: 's2', ms: at(8), name: 'tool_result', seq: 5, prompt: 'p6', attrs: tool('Read', true, 5) },
];

/** Writes POINTS and EVENTS through normalize + BatchWriter, one request per session and signal. */
export async function writeFixture(db: Database): Promise<void> {
  const writer = await BatchWriter.create(db, { maxQueuedRecords: 10_000, maxBatchRecords: 1_000 });
  for (const [name, who] of Object.entries(WHO)) {
    const specs: PointSpec[] = POINTS.filter((p) => p.who === name).map((p) => ({
      metric: p.metric,
      value: p.value,
      startUs: (p.cumulative === true ? p.endMs - 300_000 : p.endMs - 60_000) * 1000,
      endUs: p.endMs * 1000,
      attrs: { ...who.attrs, ...p.attrs },
      ...(p.cumulative === true ? { temporality: 2 as const } : {}),
    }));
    const events = EVENTS.filter((e) => e.who === name).map((e) => ({
      timeUs: e.ms * 1000,
      attrs: {
        ...who.attrs,
        'event.name': e.name,
        'event.timestamp': new Date(e.ms).toISOString(),
        'event.sequence': e.seq,
        ...(e.prompt === undefined ? {} : { 'prompt.id': e.prompt }),
        ...e.attrs,
      },
    }));
    await writer.write({
      points: normalizeMetrics(metricsRequest(who.resource, specs)).records,
      events: normalizeLogs(logsRequest(who.resource, events), { dropContent: false }).records,
    });
  }
  await writer.close();
}

/** The user as the dashboard names it: the e-mail where known, else the id (null: unknown). */
export function userOf(who: keyof typeof WHO): string | null {
  const attrs = WHO[who]?.attrs ?? {};
  const email = attrs['user.email'];
  const id = attrs['user.id'];
  return typeof email === 'string' ? email : typeof id === 'string' ? id : null;
}

/** The log panels' expected rows, picked from the fixture's event table by hand-written rules. */
export function logRows(
  panel: Panel,
  params: PanelParams,
  keep: (e: EventRow) => boolean = () => true,
): PanelData {
  if (panel.query.shape !== 'log') throw new Error('not a log panel');
  const { columns, event, limit } = panel.query;
  const picked = EVENTS.filter(
    (e) =>
      e.ms >= params.fromMs && e.ms < params.toMs && (event === undefined || e.name === event) && keep(e),
  )
    .sort((a, b) => b.ms - a.ms || b.seq - a.seq)
    .slice(0, limit);
  const value = (e: EventRow, c: LogColumn): string | number | boolean | null => {
    const a = e.attrs ?? {};
    const num = (k: string): number | null => (a[k] === undefined ? null : Number(a[k]));
    switch (c) {
      case 'time':
        return new Date(e.ms).toISOString();
      case 'name':
        return e.name;
      case 'session':
        return String(WHO[e.who]?.attrs['session.id']);
      case 'user':
        return userOf(e.who);
      case 'machine':
        return WHO[e.who]?.resource['machine.name'] ?? null;
      case 'success':
        return a.success === undefined ? null : a.success === 'true';
      case 'duration_ms':
      case 'cost_usd':
        return num(c);
      case 'status':
        return a.status_code !== undefined
          ? String(a.status_code)
          : ((a.error as string | undefined) ?? null);
      default:
        return (a[c] as string | undefined) ?? null;
    }
  };
  return {
    kind: 'log',
    columns,
    rows: picked.map((e) => Object.fromEntries(columns.map((c) => [c, value(e, c)]))),
  };
}
