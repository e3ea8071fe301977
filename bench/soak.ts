/**
 * Soak: a team's Claude Code telemetry replayed faster than real time into a `ccmon serve` child for
 * a long run, with a short retention so that pruning acts within it. Each simulated developer works in
 * sessions (a few to twenty prompts, each with API requests, tool decisions and results, the odd
 * edit, commit and API error) with idle gaps between them; each simulated minute every developer in a
 * session sends one delta metrics export (cost and tokens per model, active time, lines, edit
 * decisions, commits) and one logs export with that minute's events. A simulated minute lasts
 * 60/--speed real seconds; every timestamp is the real time (near now), so --retention applies.
 *
 * Every --sample-seconds it prints the server's RSS (and V8 heap, from a Node report taken on
 * SIGUSR2), the store file's size (and the WAL's), events stored (from the API), points stored
 * (acknowledged - pruned - events), and the rows the server pruned ("retention: removed N rows").
 * At the end: the RSS trend (first third against last third of the samples, and the largest), bytes
 * on disk per stored record at steady state, and whether the store file and RSS grow without bound
 * (their slope over the steady state, which starts once retention has begun to delete: after
 * --retention plus two --prune-interval); exit code 1 when one of them keeps growing. Then, after a
 * clean stop, it counts points and events in the store file against acknowledged - pruned.
 *
 *   npx tsx bench/soak.ts [--minutes 30] [--developers 50] [--speed 60] [--retention 10m] [--prune-interval 1m]
 *     [--sample-seconds 10] [--protocol grpc] [--heap-every 1] [--serve-args "..."] [--data-dir DIR]
 *
 * --heap-every N takes a heap figure every N samples (0: none). A short smoke run:
 *   npx tsx bench/soak.ts --minutes 1.5 --retention 1m --prune-interval 5s --sample-seconds 5 --speed 120
 */
import { apiUsage, MODELS } from './team-data.js';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { parseDurationMs } from '../src/config/values.js';
import {
  encodeLogsProto,
  encodeMetricsProto,
  type JsonKeyValue,
  type JsonLogRecord,
  type JsonLogsRequest,
  type JsonMetric,
  type JsonMetricsRequest,
} from '../test/support/otlp-encode.js';
import { tempDir } from '../test/support/server.js';
import { rng } from './team-data.js';
import {
  countStored,
  createSender,
  fmt,
  memoryMb,
  parseProtocols,
  splitArgs,
  startBenchServer,
  Tally,
  transportOf,
  type Protocol,
  type Signal,
} from './load.js';
import { exitWithUsageIfAsked } from './usage.js';

exitWithUsageIfAsked(import.meta.url);

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    developers: { type: 'string', default: '50' },
    speed: { type: 'string', default: '60' },
    retention: { type: 'string', default: '10m' },
    'prune-interval': { type: 'string', default: '1m' },
    'sample-seconds': { type: 'string', default: '10' },
    protocol: { type: 'string', default: 'grpc' },
    'heap-every': { type: 'string', default: '1' },
    'serve-args': { type: 'string', default: '' },
    'data-dir': { type: 'string' },
  },
});
const RUN_MS = Number(values.minutes) * 60_000;
const DEVELOPERS = Number(values.developers);
const SPEED = Number(values.speed);
const RETENTION_MS = parseDurationMs('--retention', values.retention);
const PRUNE_MS = parseDurationMs('--prune-interval', values['prune-interval']);
const SAMPLE_MS = Number(values['sample-seconds']) * 1000;
const [PROTOCOL] = parseProtocols(values.protocol) as [Protocol];
const HEAP_EVERY = Number(values['heap-every']);
/** Real milliseconds per simulated minute. */
const MINUTE_MS = 60_000 / SPEED;

// ---- the simulated team ----

type Model = (typeof MODELS)[number];
const TOOLS = ['Read', 'Edit', 'Bash', 'Write', 'Grep', 'Glob'] as const;
const LANGUAGES = ['TypeScript', 'Python', 'Go', 'Markdown'] as const;
const TERMINALS = ['vscode', 'iTerm.app', 'tmux', 'Apple_Terminal'] as const;

const str = (key: string, value: string): JsonKeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): JsonKeyValue => ({ key, value: { intValue: String(value) } });
const dbl = (key: string, value: number): JsonKeyValue => ({ key, value: { doubleValue: value } });
const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

interface Session {
  readonly id: string;
  readonly model: Model;
  promptsLeft: number;
  sequence: number;
  /** end of the previous metrics export (delta start), real epoch ms */
  lastExportMs: number;
  started: boolean;
}

interface Developer {
  readonly index: number;
  readonly r: () => number;
  readonly resource: JsonKeyValue[];
  readonly user: JsonKeyValue[];
  session: Session | undefined;
  sessions: number;
  idleMinutes: number;
  /** real time of this developer's next simulated minute (developers are staggered within a minute) */
  nextAt: number;
}

const RUN_TAG = `${Date.now().toString(36)}${process.pid.toString(36)}`;

function developer(index: number, startMs: number): Developer {
  const r = rng(index * 7919 + 17);
  return {
    index,
    r,
    resource: [
      str('service.name', 'claude-code'),
      str('service.version', '2.1.197'),
      str('os.type', index % 3 === 0 ? 'darwin' : 'linux'),
      str('host.arch', index % 2 === 0 ? 'arm64' : 'amd64'),
      str('machine.name', `dev${index}-${index % 4 === 0 ? 'desktop' : 'laptop'}`),
    ],
    user: [
      str('user.id', `uid-${(index * 2654435761).toString(16).padStart(8, '0')}`),
      ...(index % 5 === 4 ? [] : [str('user.email', `dev${index}@example.com`)]),
      str('organization.id', 'org-1'),
      str('terminal.type', TERMINALS[index % TERMINALS.length] ?? 'vscode'),
    ],
    session: undefined,
    sessions: 0,
    // Some start in a session, the others after a while.
    idleMinutes: Math.floor(r() * 20),
    nextAt: startMs + (index / DEVELOPERS) * MINUTE_MS,
  };
}

const pick = <T>(r: () => number, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;

/** One simulated minute of a developer: the metrics and logs requests to send (OTLP/JSON shapes). */
function minuteOf(dev: Developer, nowMs: number): { metrics?: JsonMetricsRequest; logs?: JsonLogsRequest } {
  const r = dev.r;
  if (dev.session === undefined) {
    if (dev.idleMinutes-- > 0) return {};
    const roll = r();
    dev.session = {
      id: `soak-${RUN_TAG}-${dev.index}-${dev.sessions++}`,
      model: roll < 0.7 ? MODELS[0] : roll < 0.9 ? MODELS[1] : MODELS[2],
      promptsLeft: 3 + Math.floor(r() * 18),
      sequence: 0,
      lastExportMs: nowMs - MINUTE_MS,
      started: false,
    };
  }
  const session = dev.session;
  const standard = [str('session.id', session.id), ...dev.user];
  const points = new Map<string, { metric: string; unit: string; attrs: JsonKeyValue[]; value: number }>();
  const add = (metric: string, unit: string, attrs: Record<string, string>, value: number): void => {
    const key = `${metric}|${JSON.stringify(attrs)}`;
    const point = points.get(key);
    if (point !== undefined) point.value += value;
    else points.set(key, { metric, unit, attrs: Object.entries(attrs).map(([k, v]) => str(k, v)), value });
  };
  const records: JsonLogRecord[] = [];
  // The minute's events, spread over the real time it lasted.
  let t = nowMs - MINUTE_MS;
  const event = (name: string, promptId: string, attrs: JsonKeyValue[]): void => {
    t += (MINUTE_MS / 40) * (0.5 + r());
    const ms = Math.min(t, nowMs);
    records.push({
      timeUnixNano: nanos(ms),
      observedTimeUnixNano: nanos(ms + 1),
      body: { stringValue: `claude_code.${name}` },
      attributes: [
        ...standard,
        str('event.name', name),
        str('event.timestamp', new Date(ms).toISOString()),
        int('event.sequence', session.sequence++),
        str('prompt.id', promptId),
        ...attrs,
      ],
    });
  };

  if (!session.started) {
    add('claude_code.session.count', '', { start_type: 'fresh' }, 1);
    session.started = true;
  }
  if (r() < 0.6) {
    const promptId = `${session.id}-p${session.promptsLeft}`;
    session.promptsLeft--;
    add('claude_code.active_time.total', 's', { type: 'user' }, 5 + Math.floor(r() * 40));
    event('user_prompt', promptId, [
      str('prompt_length', String(20 + Math.floor(r() * 400))),
      str('prompt', '<REDACTED>'),
    ]);
    const requests = 1 + Math.floor(r() * 5);
    for (let q = 0; q < requests; q++) {
      const m = q > 0 && r() < 0.15 ? MODELS[2] : session.model;
      const duration = 800 + Math.floor(r() * 9000);
      if (r() < 0.01) {
        event('api_error', promptId, [
          str('model', m.name),
          str('error', 'Overloaded'),
          str('status_code', '529'),
          str('duration_ms', String(duration)),
          str('attempt', '1'),
        ]);
        continue;
      }
      const { tokens, cost } = apiUsage(r, m);
      add('claude_code.cost.usage', 'USD', { model: m.name }, cost);
      for (const [type, n] of Object.entries(tokens))
        add('claude_code.token.usage', 'tokens', { model: m.name, type }, n);
      add('claude_code.active_time.total', 's', { type: 'cli' }, duration / 1000);
      event('api_request', promptId, [
        str('model', m.name),
        dbl('cost_usd', cost),
        int('duration_ms', duration),
        int('input_tokens', tokens.input),
        int('output_tokens', tokens.output),
        int('cache_read_tokens', tokens.cacheRead),
        int('cache_creation_tokens', tokens.cacheCreation),
      ]);
      if (q === requests - 1 || r() < 0.4) continue;
      const tool = pick(r, TOOLS);
      const accepted = r() < 0.93;
      const decision = accepted ? 'accept' : 'reject';
      event('tool_decision', promptId, [
        str('tool_name', tool),
        str('decision', decision),
        str('source', 'config'),
      ]);
      if (tool === 'Edit' || tool === 'Write') {
        add(
          'claude_code.code_edit_tool.decision',
          '',
          { tool_name: tool, decision, source: 'config', language: pick(r, LANGUAGES) },
          1,
        );
        if (accepted) {
          add('claude_code.lines_of_code.count', '', { type: 'added' }, 1 + Math.floor(r() * 80));
          add('claude_code.lines_of_code.count', '', { type: 'removed' }, Math.floor(r() * 30));
        }
      }
      if (!accepted) continue;
      event('tool_result', promptId, [
        str('tool_name', tool),
        str('success', r() < 0.95 ? 'true' : 'false'),
        str('duration_ms', String(5 + Math.floor(r() * 3000))),
      ]);
      if (tool === 'Bash' && r() < 0.05) add('claude_code.commit.count', '', {}, 1);
    }
  }
  if (session.promptsLeft <= 0) {
    dev.session = undefined;
    dev.idleMinutes = 2 + Math.floor(r() * 30);
  }

  const out: { metrics?: JsonMetricsRequest; logs?: JsonLogsRequest } = {};
  const scope = (name: string): { name: string; version: string } => ({ name, version: '2.1.197' });
  if (points.size > 0) {
    const byMetric = new Map<string, JsonMetric>();
    for (const p of points.values()) {
      let metric = byMetric.get(p.metric);
      if (metric === undefined) {
        metric = {
          name: p.metric,
          description: '',
          unit: p.unit,
          sum: { dataPoints: [], aggregationTemporality: 1, isMonotonic: true },
        };
        byMetric.set(p.metric, metric);
      }
      metric.sum?.dataPoints.push({
        attributes: [...standard, ...p.attrs],
        startTimeUnixNano: nanos(session.lastExportMs),
        timeUnixNano: nanos(nowMs),
        asDouble: p.value,
      });
    }
    session.lastExportMs = nowMs;
    out.metrics = {
      resourceMetrics: [
        {
          resource: { attributes: dev.resource },
          scopeMetrics: [{ scope: scope('com.anthropic.claude_code'), metrics: [...byMetric.values()] }],
        },
      ],
    };
  }
  if (records.length > 0) {
    out.logs = {
      resourceLogs: [
        {
          resource: { attributes: dev.resource },
          scopeLogs: [{ scope: scope('com.anthropic.claude_code.events'), logRecords: records }],
        },
      ],
    };
  }
  return out;
}

const count = (request: JsonMetricsRequest | JsonLogsRequest): number =>
  'resourceMetrics' in request
    ? request.resourceMetrics.reduce(
        (n, rm) =>
          n +
          rm.scopeMetrics.reduce(
            (m, sm) => m + sm.metrics.reduce((k, x) => k + (x.sum?.dataPoints.length ?? 0), 0),
            0,
          ),
        0,
      )
    : request.resourceLogs.reduce(
        (n, rl) => n + rl.scopeLogs.reduce((m, sl) => m + sl.logRecords.length, 0),
        0,
      );

// ---- the server and what is measured ----

interface Sample {
  /** seconds since the start */
  readonly t: number;
  readonly rssMb: number;
  readonly heapMb: number;
  readonly fileMb: number;
  readonly walMb: number;
  readonly dirMb: number;
  readonly events: number;
  readonly points: number;
  readonly pruned: number;
  readonly ackedPerSecond: number;
}

function sizeMb(path: string): number {
  try {
    const stat = statSync(path);
    if (!stat.isDirectory()) return stat.size / 1024 / 1024;
    return readdirSync(path).reduce((n, name) => n + sizeMb(join(path, name)), 0);
  } catch {
    return 0;
  }
}

function prunedRows(output: string): number {
  let n = 0;
  for (const match of output.matchAll(/retention: removed (\d+) rows/g)) n += Number(match[1]);
  return n;
}

/** Events in the store, exactly (the API's event list counts them). */
async function storedEvents(apiUrl: string): Promise<number> {
  const to = new Date(Date.now() + 3_600_000).toISOString();
  const response = await fetch(`${apiUrl}/api/v1/events?limit=1&from=30d&to=${encodeURIComponent(to)}`);
  if (!response.ok) throw new Error(`GET /api/v1/events: HTTP ${response.status}`);
  return ((await response.json()) as { total: number }).total;
}

/** The server's V8 heap in use, MB, from a Node report it writes on SIGUSR2 (NaN when none came). */
async function heapMb(pid: number, reportDir: string): Promise<number> {
  for (const name of readdirSync(reportDir)) rmSync(join(reportDir, name), { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const file = readdirSync(reportDir).find((name) => name.endsWith('.json'));
    if (file === undefined) continue;
    try {
      const report = JSON.parse(readFileSync(join(reportDir, file), 'utf8')) as {
        javascriptHeap?: { usedMemory?: number };
      };
      rmSync(join(reportDir, file), { force: true });
      return (report.javascriptHeap?.usedMemory ?? NaN) / 1024 / 1024;
    } catch {
      // still being written
    }
  }
  return NaN;
}

const reportDir = tempDir('ccmon-soak-report-');
mkdirSync(reportDir, { recursive: true });
const server = await startBenchServer(
  [
    '--retention',
    values.retention,
    '--prune-interval',
    values['prune-interval'],
    ...splitArgs(values['serve-args']),
  ],
  HEAP_EVERY > 0
    ? { NODE_OPTIONS: `--report-on-signal --report-signal=SIGUSR2 --report-directory=${reportDir}` }
    : {},
  values['data-dir'],
);
const send = createSender(PROTOCOL, server.child, { maxSockets: 64, timeoutMs: 10_000 });
const { grpc, json, gzip } = transportOf(PROTOCOL);
const encode = (signal: Signal, request: JsonMetricsRequest | JsonLogsRequest): Uint8Array => {
  if (json) return Buffer.from(JSON.stringify(request));
  return signal === 'metrics' ? encodeMetricsProto(request) : encodeLogsProto(request);
};

const tally = new Tally();
const t0 = Date.now();
const team = Array.from({ length: DEVELOPERS }, (_, i) => developer(i, t0));
let inFlight = 0;
let running = true;

async function sendOne(signal: Signal, request: JsonMetricsRequest | JsonLogsRequest): Promise<void> {
  const records = count(request);
  const raw = encode(signal, request);
  // HTTP bodies are compressed here; gRPC compresses in its library.
  const body = gzip && !grpc ? gzipSync(raw) : raw;
  inFlight++;
  const started = performance.now();
  const answer = await send.send(signal, body);
  inFlight--;
  tally.add({ signal, records, answer, latencyMs: performance.now() - started, doneAt: performance.now() });
}

/** Every 20 ms: the developers whose simulated minute has come export it. */
const driver = (async () => {
  while (running) {
    const now = Date.now();
    for (const dev of team) {
      if (dev.nextAt > now) continue;
      dev.nextAt += MINUTE_MS;
      const { metrics, logs } = minuteOf(dev, now);
      if (metrics !== undefined) void sendOne('metrics', metrics);
      if (logs !== undefined) void sendOne('logs', logs);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
})();

console.log(
  `ccmon soak: ${DEVELOPERS} developers, ${SPEED}x real time (a simulated minute every ${fmt(MINUTE_MS)} ms), ${PROTOCOL}, for ${fmt(RUN_MS / 60_000, 1)} min;` +
    ` server --retention ${values.retention} --prune-interval ${values['prune-interval']} (pid ${server.pid})`,
);
console.log(
  '     t   RSS MB  heap MB  file MB  WAL MB  dir MB    events    points    pruned  acked/s  p99 ms  failed',
);
const samples: Sample[] = [];
let lastAcked = 0;
let lastT = 0;
try {
  for (let n = 1; Date.now() - t0 < RUN_MS; n++) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, t0 + n * SAMPLE_MS - Date.now())));
    const t = (Date.now() - t0) / 1000;
    const heap = HEAP_EVERY > 0 && n % HEAP_EVERY === 0 ? await heapMb(server.pid, reportDir) : NaN;
    const events = await storedEvents(server.child.apiUrl);
    const pruned = prunedRows(server.child.output());
    const acked = tally.ackedRecords;
    const sample: Sample = {
      t,
      rssMb: memoryMb(server.pid).rss,
      heapMb: heap,
      fileMb: sizeMb(join(server.dataDir, 'ccmon.duckdb')),
      walMb: sizeMb(join(server.dataDir, 'ccmon.duckdb.wal')),
      dirMb: sizeMb(server.dataDir),
      events,
      points: acked - pruned - events,
      pruned,
      ackedPerSecond: (acked - lastAcked) / (t - lastT),
    };
    lastAcked = acked;
    lastT = t;
    samples.push(sample);
    console.log(
      [
        fmt(t).padStart(6),
        fmt(sample.rssMb).padStart(8),
        fmt(sample.heapMb).padStart(8),
        fmt(sample.fileMb, 1).padStart(8),
        fmt(sample.walMb, 1).padStart(7),
        fmt(sample.dirMb, 1).padStart(7),
        fmt(events).padStart(9),
        fmt(sample.points).padStart(9),
        fmt(pruned).padStart(9),
        fmt(sample.ackedPerSecond).padStart(8),
        fmt(tally.p(0.99)).padStart(7),
        String(tally.failed).padStart(7),
      ].join(' '),
    );
  }
} finally {
  running = false;
  await driver;
}
while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));

// ---- the verdict ----

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Least-squares slope of y over t (per second). */
function slope(points: { t: number; y: number }[]): number {
  const mt = mean(points.map((p) => p.t));
  const my = mean(points.map((p) => p.y));
  const num = points.reduce((n, p) => n + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((n, p) => n + (p.t - mt) ** 2, 0);
  return den === 0 ? NaN : num / den;
}

let unbounded = false;
const third = Math.max(1, Math.floor(samples.length / 3));
const rss = samples.map((s) => s.rssMb);
console.log(
  `\nsummary: ${fmt(tally.requests)} requests, ${fmt(tally.acked.metrics)} points and ${fmt(tally.acked.logs)} events acknowledged` +
    ` (${fmt(tally.ackedRecords / ((Date.now() - t0) / 1000))}/s), p50 ${fmt(tally.p(0.5))} ms, p99 ${fmt(tally.p(0.99))} ms;` +
    ` failed ${tally.failed}${tally.failed > 0 ? ` (${tally.describeFailures()})` : ''}`,
);
console.log(
  `  RSS: first third ${fmt(mean(rss.slice(0, third)))} MB, last third ${fmt(mean(rss.slice(-third)))} MB, max ${fmt(Math.max(...rss))} MB (VmHWM ${fmt(memoryMb(server.pid).hwm)} MB)`,
);
const heaps = samples.map((s) => s.heapMb).filter((h) => Number.isFinite(h));
if (heaps.length > 0) {
  console.log(
    `  V8 heap used: first third ${fmt(mean(heaps.slice(0, Math.max(1, Math.floor(heaps.length / 3)))))} MB, last third ${fmt(mean(heaps.slice(-Math.max(1, Math.floor(heaps.length / 3)))))} MB, max ${fmt(Math.max(...heaps))} MB`,
  );
}
// Steady state: retention has begun to delete (data older than --retention exists) and has run twice since.
const steadyFrom = (RETENTION_MS + 2 * PRUNE_MS) / 1000;
const steady = samples.filter((s) => s.t >= steadyFrom - 0.5); // timers may fire a little early
if (steady.length < 5) {
  console.log(
    `  steady state (from ${fmt(steadyFrom)} s: retention + 2 prune intervals) too short for a growth verdict: it needs 5 samples, run longer than ${fmt((steadyFrom + 4 * (SAMPLE_MS / 1000)) / 60, 1)} min`,
  );
} else {
  const span = (steady.at(-1)?.t ?? 0) - (steady[0]?.t ?? 0);
  const perRecord = (s: Sample): number => (s.fileMb * 1024 * 1024) / Math.max(1, s.events + s.points);
  const perRecordWal = (s: Sample): number =>
    ((s.fileMb + s.walMb) * 1024 * 1024) / Math.max(1, s.events + s.points);
  console.log(
    `  steady state from ${fmt(steadyFrom)} s (${steady.length} samples over ${fmt(span)} s): ${fmt(mean(steady.map((s) => s.events + s.points)))} records stored on average;` +
      ` per stored record ${fmt(mean(steady.map(perRecord)))} bytes of store file, ${fmt(mean(steady.map(perRecordWal)))} with the WAL` +
      ' (the file keeps the blocks it freed, for reuse)',
  );
  const firstFile = steady[0]?.fileMb ?? NaN;
  const maxFile = Math.max(...steady.map((s) => s.fileMb));
  console.log(
    `  store file: ${fmt(firstFile, 1)} MB when the steady state began, at most ${fmt(maxFile, 1)} MB after (x${fmt(maxFile / firstFile, 2)}); WAL at most ${fmt(Math.max(...steady.map((s) => s.walMb)), 1)} MB`,
  );
  // The data dir is shown, not judged: its WAL rises and falls by up to the checkpoint threshold.
  for (const [name, pick, judged] of [
    ['store file', (s: Sample) => s.fileMb, true],
    ['RSS', (s: Sample) => s.rssMb, true],
    ['data dir (file, WAL, spill)', (s: Sample) => s.dirMb, false],
  ] as const) {
    const ys = steady.map((s) => ({ t: s.t, y: pick(s) }));
    const perHour = slope(ys) * 3600;
    const level = mean(ys.map((p) => p.y));
    // Growth over the steady window under 5% of its level (or under 5 MB) counts as flat.
    const growth = (perHour * span) / 3600;
    const flat = growth < Math.max(5, level * 0.05);
    if (judged && !flat) unbounded = true;
    console.log(
      `  ${name}: ${growth >= 0 ? '+' : ''}${fmt(growth, 1)} MB over the steady state (slope ${fmt(perHour, 1)} MB/h, mean ${fmt(level)} MB)` +
        (judged ? `: ${flat ? 'flat' : 'GROWING'}` : ''),
    );
  }
  console.log(`  growth without bound: ${unbounded ? 'YES' : 'no'}`);
}

const code = await server.stop();
send.close();
const stored = await countStored(server.dataDir);
const pruned = prunedRows(server.child.output());
const expected = tally.ackedRecords - pruned;
const unknown = tally.unknown.metrics + tally.unknown.logs;
const storedTotal = stored.metrics + stored.logs;
console.log(
  `  after a clean stop (exit ${code}): ${fmt(stored.metrics)} points and ${fmt(stored.logs)} events in the store file;` +
    ` acknowledged - pruned = ${fmt(expected)}${unknown > 0 ? ` (+ up to ${fmt(unknown)} with no known outcome)` : ''}:` +
    ` ${storedTotal >= expected && storedTotal <= expected + unknown ? 'consistent' : 'MISMATCH'}`,
);
server.remove();
rmSync(reportDir, { recursive: true, force: true });
process.exitCode = unbounded || storedTotal < expected ? 1 : 0;
