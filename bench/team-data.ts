/**
 * A synthetic team's Claude Code telemetry, shaped like what the CLI sends: per session a resource
 * (service, version, machine), delta metric exports every 60 s while something happened (cost and the
 * four token types per model, active time, lines, code-edit decisions, commits, pull requests) and
 * events per prompt (user_prompt, api_request, tool_decision, tool_result, occasional api_error).
 * Deterministic (seeded), generated one day at a time in time order, as a live server receives it.
 */
import type {
  ExportLogsRequest,
  ExportMetricsRequest,
  KeyValue,
  LogRecord,
  Metric,
} from '../src/otlp/types.js';
import { kv } from '../test/support/requests.js';

export interface TeamShape {
  readonly users: number;
  readonly machinesPerUser: number;
  readonly days: number;
  readonly sessionsPerWorkday: number;
  /** the data ends here (exclusive) */
  readonly endMs: number;
}

export interface SessionTelemetry {
  readonly metrics: ExportMetricsRequest[];
  readonly logs: ExportLogsRequest;
}

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Claude models with their share of requests and list prices per million tokens. */
export const MODELS = [
  {
    name: 'claude-sonnet-4-5',
    share: 0.7,
    perMTok: { input: 3, output: 15, cacheRead: 0.3, cacheCreation: 3.75 },
  },
  {
    name: 'claude-opus-4-1',
    share: 0.2,
    perMTok: { input: 15, output: 75, cacheRead: 1.5, cacheCreation: 18.75 },
  },
  {
    name: 'claude-haiku-4-5',
    share: 0.1,
    perMTok: { input: 1, output: 5, cacheRead: 0.1, cacheCreation: 1.25 },
  },
] as const;

/** One API request's tokens (a typical spread) and its cost at the model's list prices. */
export function apiUsage(
  r: () => number,
  m: (typeof MODELS)[number],
): { tokens: Record<'input' | 'output' | 'cacheRead' | 'cacheCreation', number>; cost: number } {
  const tokens = {
    input: 50 + Math.floor(r() * 3000),
    output: 20 + Math.floor(r() * 1500),
    cacheRead: Math.floor(r() * 40_000),
    cacheCreation: Math.floor(r() * 4000),
  };
  const cost =
    (tokens.input * m.perMTok.input +
      tokens.output * m.perMTok.output +
      tokens.cacheRead * m.perMTok.cacheRead +
      tokens.cacheCreation * m.perMTok.cacheCreation) /
    1e6;
  return { tokens, cost };
}
const TOOLS = ['Read', 'Edit', 'Bash', 'Write', 'Grep', 'Glob'] as const;
const LANGUAGES = ['TypeScript', 'Python', 'Go', 'Markdown'] as const;
const TERMINALS = ['vscode', 'iTerm.app', 'tmux', 'Apple_Terminal'] as const;
const MACHINE_KINDS = ['laptop', 'desktop', 'devbox'] as const;
/** Working hours start at 09:00 local: users in three offsets (hours from UTC). */
const OFFSETS = [-5, 1, 8] as const;

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;

interface User {
  readonly id: string;
  readonly email: string | null;
  readonly offsetH: number;
  readonly terminal: string;
}

export function teamUsers(shape: TeamShape): User[] {
  const r = rng(7);
  return Array.from({ length: shape.users }, (_, i) => ({
    id: `uid-${(i * 2654435761).toString(16).padStart(8, '0')}`,
    // most log in with an account (e-mail known), some use an API key (only the anonymous id)
    email: i % 5 === 4 ? null : `dev${i}@example.com`,
    offsetH: OFFSETS[i % OFFSETS.length] ?? 0,
    terminal: pick(r, TERMINALS),
  }));
}

/** Every session of one UTC day, in start-time order. */
export function dayOfTelemetry(shape: TeamShape, users: readonly User[], day: number): SessionTelemetry[] {
  // Day 0 is the oldest; UTC days, the last one ending at endMs.
  const dayStart = (Math.ceil(shape.endMs / DAY) - (shape.days - day)) * DAY;
  const out: { start: number; telemetry: SessionTelemetry }[] = [];
  users.forEach((user, u) => {
    const r = rng(day * 100_003 + u * 7919 + 1);
    const localNoon = dayStart + (12 - user.offsetH) * 3_600_000;
    const weekday = new Date(dayStart + 12 * 3_600_000).getUTCDay();
    if (weekday === 0 || weekday === 6) return;
    const sessions = Math.max(1, Math.round(shape.sessionsPerWorkday + (r() - 0.5) * 6));
    for (let s = 0; s < sessions; s++) {
      // 09:00 to 18:30 local
      const start = localNoon - 3 * 3_600_000 + Math.floor(r() * 9.5 * 3_600_000);
      const roll = r();
      const kind = MACHINE_KINDS[Math.min(shape.machinesPerUser - 1, roll < 0.6 ? 0 : roll < 0.9 ? 1 : 2)];
      const id = `${day.toString(36)}-${u.toString(36)}-${s.toString(36)}-${Math.floor(r() * 1e9).toString(36)}`;
      if (start >= shape.endMs) continue;
      out.push({ start, telemetry: session(r, user, `dev${u}-${kind}`, id, start, day > shape.days / 2) });
    }
  });
  return out.sort((a, b) => a.start - b.start).map((s) => s.telemetry);
}

interface MinuteBucket {
  readonly points: Map<
    string,
    { metric: string; unit: string; attrs: Record<string, string>; value: number }
  >;
}

function session(
  r: () => number,
  user: User,
  machine: string,
  sessionId: string,
  startMs: number,
  newerVersion: boolean,
): SessionTelemetry {
  const version = newerVersion ? '2.1.197' : '2.1.190';
  const resource = {
    attributes: kv({
      'service.name': 'claude-code',
      'service.version': version,
      'os.type': 'linux',
      'host.arch': 'amd64',
      'machine.name': machine,
    }),
  };
  const standard: Record<string, string> = {
    'session.id': sessionId,
    'user.id': user.id,
    ...(user.email === null ? {} : { 'user.email': user.email }),
    'organization.id': 'org-1',
    'terminal.type': user.terminal,
  };
  const minutes = new Map<number, MinuteBucket>();
  const add = (
    ms: number,
    metric: string,
    unit: string,
    attrs: Record<string, string>,
    value: number,
  ): void => {
    const minute = Math.floor(ms / MINUTE) * MINUTE + MINUTE;
    let bucket = minutes.get(minute);
    if (bucket === undefined) {
      bucket = { points: new Map() };
      minutes.set(minute, bucket);
    }
    const key = `${metric}|${JSON.stringify(attrs)}`;
    const point = bucket.points.get(key);
    if (point === undefined) bucket.points.set(key, { metric, unit, attrs, value });
    else point.value += value;
  };
  const records: LogRecord[] = [];
  let sequence = 0;
  const event = (
    ms: number,
    name: string,
    promptId: string,
    attrs: Record<string, string | number>,
  ): void => {
    records.push({
      timeUs: ms * 1000,
      observedTimeUs: ms * 1000 + 1234,
      severityNumber: 9,
      severityText: '',
      body: { kind: 'string', value: `claude_code.${name}` },
      attributes: kv({
        ...standard,
        'event.name': name,
        'event.timestamp': new Date(ms).toISOString(),
        'event.sequence': sequence++,
        'prompt.id': promptId,
        ...attrs,
      }),
      traceId: '',
      spanId: '',
      eventName: '',
    });
  };

  add(startMs, 'claude_code.session.count', '', { start_type: 'fresh' }, 1);
  const modelRoll = r();
  const model = modelRoll < 0.7 ? MODELS[0] : modelRoll < 0.9 ? MODELS[1] : MODELS[2];
  const prompts = 1 + Math.floor(r() * 10);
  let t = startMs;
  for (let p = 0; p < prompts; p++) {
    const promptId = `${sessionId}-p${p}`;
    t += 20_000 + Math.floor(r() * 240_000);
    const typing = 5 + Math.floor(r() * 40);
    add(t, 'claude_code.active_time.total', 's', { type: 'user' }, typing);
    event(t, 'user_prompt', promptId, { prompt_length: 20 + Math.floor(r() * 400), prompt: '<REDACTED>' });
    const requests = 1 + Math.floor(r() * 5);
    for (let q = 0; q < requests; q++) {
      const m = q > 0 && r() < 0.15 ? MODELS[2] : model;
      t += 1000 + Math.floor(r() * 5000);
      const duration = 800 + Math.floor(r() * 9000);
      if (r() < 0.01) {
        const overloaded = r() < 0.6;
        event(t, 'api_error', promptId, {
          model: m.name,
          ...(overloaded ? { status_code: 529, error: 'Overloaded' } : { error: 'Connection error' }),
          duration_ms: duration,
          attempt: 1,
        });
        continue;
      }
      const { tokens, cost } = apiUsage(r, m);
      t += duration;
      add(t, 'claude_code.cost.usage', 'USD', { model: m.name }, cost);
      for (const [type, n] of Object.entries(tokens)) {
        add(t, 'claude_code.token.usage', 'tokens', { model: m.name, type }, n);
      }
      add(t, 'claude_code.active_time.total', 's', { type: 'cli' }, duration / 1000);
      event(t, 'api_request', promptId, {
        model: m.name,
        cost_usd: cost,
        duration_ms: duration,
        input_tokens: tokens.input,
        output_tokens: tokens.output,
        cache_read_tokens: tokens.cacheRead,
        cache_creation_tokens: tokens.cacheCreation,
      });
      if (q === requests - 1 || r() < 0.4) continue;
      const tool = pick(r, TOOLS);
      const accepted = r() < 0.93;
      t += 500;
      event(t, 'tool_decision', promptId, {
        tool_name: tool,
        decision: accepted ? 'accept' : 'reject',
        source: 'config',
      });
      if (tool === 'Edit' || tool === 'Write') {
        add(
          t,
          'claude_code.code_edit_tool.decision',
          '',
          {
            tool_name: tool,
            decision: accepted ? 'accept' : 'reject',
            source: 'config',
            language: pick(r, LANGUAGES),
          },
          1,
        );
        if (accepted) {
          add(
            t,
            'claude_code.lines_of_code.count',
            '',
            { type: 'added', model: m.name },
            1 + Math.floor(r() * 80),
          );
          add(
            t,
            'claude_code.lines_of_code.count',
            '',
            { type: 'removed', model: m.name },
            Math.floor(r() * 30),
          );
        }
      }
      if (!accepted) continue;
      const toolMs = 5 + Math.floor(r() * 3000);
      t += toolMs;
      event(t, 'tool_result', promptId, {
        tool_name: tool,
        success: r() < 0.95 ? 'true' : 'false',
        duration_ms: String(toolMs),
        tool_result_size_bytes: String(Math.floor(r() * 20_000)),
      });
      if (tool === 'Bash' && r() < 0.05) add(t, 'claude_code.commit.count', '', {}, 1);
      if (tool === 'Bash' && r() < 0.01) add(t, 'claude_code.pull_request.count', '', {}, 1);
    }
  }

  const metrics: ExportMetricsRequest[] = [...minutes.entries()]
    .sort(([a], [b]) => a - b)
    .map(([endMs, bucket]) => ({
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [
            {
              scope: { name: 'com.anthropic.claude_code', version },
              metrics: [...bucket.points.values()].map((p): Metric => ({
                name: p.metric,
                description: '',
                unit: p.unit,
                data: {
                  kind: 'sum',
                  temporality: 1,
                  isMonotonic: true,
                  points: [
                    {
                      attributes: [...kv(standard), ...kv(p.attrs)] as KeyValue[],
                      startTimeUs: (endMs - MINUTE) * 1000,
                      timeUs: endMs * 1000,
                      value: p.value,
                    },
                  ],
                },
              })),
            },
          ],
        },
      ],
    }));
  const logs: ExportLogsRequest = {
    resourceLogs: [
      {
        resource,
        scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events', version }, logRecords: records }],
      },
    ],
  };
  return { metrics, logs };
}
