/**
 * Load generation shared by the benchmarks: unique Claude Code payloads, senders for the six OTLP
 * transports that report what the server answered (instead of throwing), an open-loop rate driver, a
 * tally of the answers, and the server child's CPU and memory from /proc.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { Client, credentials, Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { decodePartialProto } from '../src/client/otlp-request.js';
import {
  claudeLogsRequest,
  claudeMetricsRequest,
  encodeLogsProto,
  encodeMetricsProto,
} from '../test/support/otlp-encode.js';
import { spawnServer, tempDir, type ChildServer } from '../test/support/server.js';

// ---- what is sent, and how ----

export type Signal = 'metrics' | 'logs';
export const SIGNALS: readonly Signal[] = ['metrics', 'logs'];
export const PROTOCOLS = [
  'grpc',
  'grpc-gzip',
  'http-proto',
  'http-proto-gzip',
  'http-json',
  'http-json-gzip',
] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface Transport {
  readonly grpc: boolean;
  readonly json: boolean;
  readonly gzip: boolean;
}

export function transportOf(protocol: Protocol): Transport {
  return {
    grpc: protocol.startsWith('grpc'),
    json: protocol.includes('json'),
    gzip: protocol.endsWith('gzip'),
  };
}

function parseList<T extends string>(what: string, raw: string, known: readonly T[]): T[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    if (!known.includes(item as T)) throw new Error(`unknown ${what} "${item}": use ${known.join(', ')}`);
  }
  if (items.length === 0) throw new Error(`no ${what} given: use ${known.join(', ')}`);
  return items as T[];
}

export const parseProtocols = (raw: string): Protocol[] => parseList('protocol', raw, PROTOCOLS);
export const parseSignals = (raw: string): Signal[] => parseList('signal', raw, SIGNALS);

export const unitOf = (signal: Signal): string => (signal === 'metrics' ? 'points' : 'events');

/**
 * How a metrics request spreads its points in time: `spread` puts each round of Claude Code's metrics
 * one export interval (60 s) after the previous one, so 100 points cover 15 minutes; `export` puts all
 * of them at one moment, as one export of Claude Code does. Logs are the same in both: 250 ms apart.
 */
export type Shape = 'spread' | 'export';
export const parseShape = (raw: string): Shape => parseList('shape', raw, ['spread', 'export'] as const)[0]!;

/** The command-line options every open-loop benchmark takes (for `parseArgs`). */
export function openLoopOptions(maxOutstanding: number) {
  return {
    'per-request': { type: 'string', default: '100' },
    shape: { type: 'string', default: 'export' },
    'max-outstanding': { type: 'string', default: String(maxOutstanding) },
    'timeout-ms': { type: 'string', default: '10000' },
    'serve-args': { type: 'string', default: '' },
  } as const;
}

export interface OpenLoopSettings {
  readonly perRequest: number;
  readonly shape: Shape;
  readonly maxOutstanding: number;
  readonly timeoutMs: number;
  /** extra `ccmon serve` arguments */
  readonly serveArgs: string[];
}

export function openLoopSettings(values: {
  'per-request': string;
  shape: string;
  'max-outstanding': string;
  'timeout-ms': string;
  'serve-args': string;
}): OpenLoopSettings {
  return {
    perRequest: Number(values['per-request']),
    shape: parseShape(values.shape),
    maxOutstanding: Number(values['max-outstanding']),
    timeoutMs: Number(values['timeout-ms']),
    serveArgs: splitArgs(values['serve-args']),
  };
}

/** `--serve-args "--a 1 --b"` as an argument list. */
export const splitArgs = (raw: string): string[] => raw.split(/\s+/).filter((a) => a !== '');

export interface PayloadOptions {
  readonly perRequest: number;
  readonly json: boolean;
  readonly shape?: Shape;
  /** epoch ms of the first point or record; default an hour ago (plus `seed` ms) */
  readonly timeBaseMs?: number;
  readonly sessionId?: string;
}

/** One request body (OTLP/JSON or protobuf, uncompressed); unique for each signal and seed. */
export function buildPayload(signal: Signal, seed: number, opts: PayloadOptions): Uint8Array {
  const claude = {
    count: opts.perRequest,
    sessionId: opts.sessionId ?? `bench-${signal}-${seed}`,
    seed,
    timeBaseMs: opts.timeBaseMs ?? Date.now() - 3_600_000 + seed,
    machineName: `m${seed % 7}`,
    oneExport: opts.shape === 'export',
  };
  const body = signal === 'metrics' ? claudeMetricsRequest(claude) : claudeLogsRequest(claude);
  if (opts.json) return Buffer.from(JSON.stringify(body));
  return signal === 'metrics' ? encodeMetricsProto(body) : encodeLogsProto(body);
}

/** Claude Code's metric kinds per round (claudeMetricsRequest cycles through seven). */
const METRICS_PER_ROUND = 7;
const DIGITS = 12;

/**
 * An endless supply of unique request bodies, cheap enough to make at the rate they are sent: a
 * template request is built and encoded once a second (so timestamps stay near now), and each body is
 * a copy of it with a new number written into its session id (every point's and record's series and
 * identity then differ from every other body's). Bodies for HTTP gzip come compressed, as a client
 * sends them; gRPC compresses in its library.
 */
export class UniquePayloads {
  private static runs = 0;
  private readonly prefix: string;
  private template: { bytes: Buffer; offsets: number[]; builtAt: number } | undefined;
  private templates = 0;
  private counter = 0;

  constructor(
    readonly protocol: Protocol,
    readonly signal: Signal,
    private readonly opts: { perRequest: number; shape: Shape; refreshMs?: number },
  ) {
    // Unique across runs and processes, so even a reused store cannot deduplicate a body away.
    const run = `${Date.now().toString(36)}${process.pid.toString(36)}${(UniquePayloads.runs++).toString(36)}`;
    this.prefix = `bench-${signal[0] ?? ''}${run}-`;
  }

  /** Records in each body. */
  get perRequest(): number {
    return this.opts.perRequest;
  }

  next(): Uint8Array {
    const template = this.current();
    const body = Buffer.from(template.bytes);
    const digits = String(this.counter++).padStart(DIGITS, '0');
    for (const at of template.offsets) body.write(digits, at, 'latin1');
    const { grpc, gzip } = transportOf(this.protocol);
    return gzip && !grpc ? gzipSync(body) : body;
  }

  private current(): { bytes: Buffer; offsets: number[]; builtAt: number } {
    const now = Date.now();
    if (this.template !== undefined && now - this.template.builtAt < (this.opts.refreshMs ?? 1000)) {
      return this.template;
    }
    const { perRequest, shape } = this.opts;
    // The newest point or record ends now.
    const spanMs =
      this.signal === 'logs'
        ? perRequest * 250
        : (shape === 'export' ? 1 : Math.ceil(perRequest / METRICS_PER_ROUND)) * 60_000;
    const placeholder = `${this.prefix}${'0'.repeat(DIGITS)}`;
    const bytes = Buffer.from(
      buildPayload(this.signal, this.templates++, {
        perRequest,
        json: transportOf(this.protocol).json,
        shape,
        timeBaseMs: now - spanMs,
        sessionId: placeholder,
      }),
    );
    const offsets: number[] = [];
    for (let at = bytes.indexOf(placeholder); at >= 0; at = bytes.indexOf(placeholder, at + 1)) {
      offsets.push(at + this.prefix.length);
    }
    if (offsets.length === 0) throw new Error('the session id placeholder is not in the template');
    this.template = { bytes, offsets, builtAt: now };
    return this.template;
  }
}

// ---- answers ----

/**
 * ok: acknowledged (records stored, less any `rejected` in a partial success); overloaded: 503 /
 * UNAVAILABLE (or 429 / RESOURCE_EXHAUSTED) with a retry hint (Retry-After, google.rpc.RetryInfo), as
 * OTLP asks; overloaded-no-hint: the same without one; error: anything else, including the client's
 * own timeout and connection errors (whether those requests were stored is unknown).
 */
export type Outcome = 'ok' | 'overloaded' | 'overloaded-no-hint' | 'error';

export interface Answer {
  readonly outcome: Outcome;
  /** e.g. "HTTP 500", "gRPC INTERNAL", "ECONNRESET", "timeout"; '' when ok */
  readonly detail: string;
  /** records refused inside an acknowledged request (OTLP partial success) */
  readonly rejected: number;
}

export interface Sender {
  send(signal: Signal, body: Uint8Array): Promise<Answer>;
  close(): void;
}

export interface SenderOptions {
  /** HTTP sockets kept open (keep-alive); the most requests in flight at once */
  readonly maxSockets: number;
  /** the client gives up after this long (OTLP exporters default to 10 s) */
  readonly timeoutMs: number;
}

const ok = (rejected = 0): Answer => ({ outcome: 'ok', detail: '', rejected });
const answer = (outcome: Outcome, detail: string): Answer => ({ outcome, detail, rejected: 0 });

export function createSender(
  protocol: Protocol,
  server: { grpcTarget: string; otlpHttpUrl: string },
  opts: SenderOptions,
): Sender {
  const { grpc, json, gzip } = transportOf(protocol);
  return grpc ? grpcSender(server.grpcTarget, gzip, opts) : httpSender(server.otlpHttpUrl, json, gzip, opts);
}

function errorDetail(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string'
    ? code
    : error instanceof Error
      ? error.message.slice(0, 60)
      : String(error);
}

/** node:http with keep-alive: fetch costs the client more CPU than the server spends on a request. */
function httpSender(base: string, json: boolean, gzip: boolean, opts: SenderOptions): Sender {
  // Idle sockets are closed after 10 s, before the server's 15-second keep-alive timeout closes them: a
  // request sent on a socket the server is closing at that moment fails with ECONNRESET, and a burst
  // that opened hundreds of sockets leaves hundreds of them to expire together (overload runs: 48
  // such errors in 144,000 requests without this).
  const agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets, timeout: 10_000 });
  const send = (signal: Signal, body: Uint8Array): Promise<Answer> =>
    new Promise((resolve) => {
      const headers: Record<string, string | number> = {
        'content-type': json ? 'application/json' : 'application/x-protobuf',
        'content-length': body.byteLength,
      };
      if (gzip) headers['content-encoding'] = 'gzip';
      let settled = false;
      const settle = (a: Answer): void => {
        clearTimeout(deadline);
        if (!settled) resolve(a);
        settled = true;
      };
      const req = request(`${base}/v1/${signal}`, { method: 'POST', headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => settle(answer('error', errorDetail(error))));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status === 200) return settle(ok(partialRejected(Buffer.concat(chunks), json)));
          if (status === 503 || status === 429) {
            const hint = res.headers['retry-after'] !== undefined;
            return settle(answer(hint ? 'overloaded' : 'overloaded-no-hint', `HTTP ${status}`));
          }
          settle(answer('error', `HTTP ${status}`));
        });
      });
      // The whole request's deadline, as an OTLP exporter's timeout (req.setTimeout is only an idle timeout).
      const deadline = setTimeout(
        () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })),
        opts.timeoutMs,
      );
      req.on('error', (error) => settle(answer('error', errorDetail(error))));
      req.end(body);
    });
  return { send, close: () => agent.destroy() };
}

function partialRejected(body: Buffer, json: boolean): number {
  if (body.byteLength === 0) return 0;
  if (!json) return decodePartialProto(body)?.rejected ?? 0;
  try {
    const partial = (JSON.parse(body.toString()) as { partialSuccess?: Record<string, unknown> })
      .partialSuccess;
    return Number(partial?.rejectedDataPoints ?? partial?.rejectedLogRecords ?? 0) || 0;
  } catch {
    return 0;
  }
}

const GRPC_PATHS: Record<Signal, string> = {
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
};

/** Calls one connection carries at most, under ccmon's `grpc.max_concurrent_streams` (100). */
const CALLS_PER_CONNECTION = 50;

function grpcSender(target: string, gzip: boolean, opts: SenderOptions): Sender {
  // A fleet of exporters, each with a call or two in flight, not one connection carrying them all:
  // beyond its stream limit the server refuses streams, which says nothing about ccmon's capacity.
  const clients = Array.from(
    { length: Math.max(1, Math.ceil(opts.maxSockets / CALLS_PER_CONNECTION)) },
    () =>
      new Client(target, credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
        ...(gzip ? { 'grpc.default_compression_algorithm': 2 } : {}),
      }),
  );
  let next = 0;
  const send = (signal: Signal, body: Uint8Array): Promise<Answer> =>
    new Promise((resolve) => {
      const client = clients[next++ % clients.length] as Client;
      client.makeUnaryRequest(
        GRPC_PATHS[signal],
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from(body.buffer, body.byteOffset, body.byteLength),
        new Metadata(),
        { deadline: Date.now() + opts.timeoutMs },
        (error: ServiceError | null, response?: Buffer) => {
          if (!error)
            return resolve(ok(response === undefined ? 0 : (decodePartialProto(response)?.rejected ?? 0)));
          const name = GrpcStatus[error.code] ?? String(error.code);
          if (error.code === GrpcStatus.DEADLINE_EXCEEDED) return resolve(answer('error', 'timeout'));
          if (error.code === GrpcStatus.UNAVAILABLE || error.code === GrpcStatus.RESOURCE_EXHAUSTED) {
            const details = error.metadata?.get('grpc-status-details-bin') ?? [];
            const hint = details.some((d) => Buffer.from(d).includes('google.rpc.RetryInfo'));
            if (hint) return resolve(answer('overloaded', `gRPC ${name}`));
            // RESOURCE_EXHAUSTED without a hint is "too large", not overload; UNAVAILABLE without one is
            // also what the library says when the connection fails.
            if (error.code === GrpcStatus.UNAVAILABLE) {
              return resolve(answer('overloaded-no-hint', `gRPC ${name}: ${error.details.slice(0, 60)}`));
            }
          }
          resolve(answer('error', `gRPC ${name}: ${error.details.slice(0, 60)}`));
        },
      );
    });
  return { send, close: () => clients.forEach((c) => c.close()) };
}

// ---- counting the answers ----

export interface Completion {
  readonly signal: Signal;
  readonly records: number;
  readonly answer: Answer;
  readonly latencyMs: number;
  /** performance.now() when the answer came */
  readonly doneAt: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

/** Answers counted by outcome, records by signal, latencies of all answers. */
export class Tally {
  requests = 0;
  ok = 0;
  overloaded = 0;
  overloadedNoHint = 0;
  errors = 0;
  /** requests the driver did not start because too many were outstanding (the client's own cap) */
  skipped = 0;
  readonly acked: Record<Signal, number> = { metrics: 0, logs: 0 };
  /** records of requests whose outcome is unknown (timeouts, connection errors): stored or not */
  readonly unknown: Record<Signal, number> = { metrics: 0, logs: 0 };
  readonly details = new Map<string, number>();
  private readonly latencies: number[] = [];
  private sorted = true;

  add(c: Completion): void {
    this.requests++;
    this.latencies.push(c.latencyMs);
    this.sorted = false;
    const a = c.answer;
    if (a.outcome === 'ok') {
      this.ok++;
      this.acked[c.signal] += c.records - a.rejected;
      if (a.rejected > 0) this.count(`partial success: ${a.rejected} rejected`);
      return;
    }
    if (a.outcome === 'overloaded') this.overloaded++;
    else if (a.outcome === 'overloaded-no-hint') this.overloadedNoHint++;
    else {
      this.errors++;
      this.unknown[c.signal] += c.records;
    }
    this.count(`${a.outcome}: ${a.detail}`);
  }

  private count(detail: string): void {
    this.details.set(detail, (this.details.get(detail) ?? 0) + 1);
  }

  /** Answers that were not an acknowledgement. */
  get failed(): number {
    return this.overloaded + this.overloadedNoHint + this.errors;
  }

  /** Failed answers and skipped requests, as a share of all requests meant to be sent. */
  get failedShare(): number {
    const meant = this.requests + this.skipped;
    return meant === 0 ? 0 : (this.failed + this.skipped) / meant;
  }

  get ackedRecords(): number {
    return this.acked.metrics + this.acked.logs;
  }

  p(q: number): number {
    if (!this.sorted) this.latencies.sort((a, b) => a - b);
    this.sorted = true;
    return percentile(this.latencies, q);
  }

  describeFailures(): string {
    return [...this.details.entries()]
      .filter(([k]) => !k.startsWith('partial'))
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} x${n}`)
      .join('; ');
  }
}

// ---- open-loop driver ----

export interface OpenLoopOptions {
  /** records per second offered; read on every tick, so it may change while running */
  readonly rate: () => number;
  /** records in each request */
  readonly perRequest: number;
  /** the next request's signal and body */
  readonly next: () => { signal: Signal; body: Uint8Array };
  readonly send: (signal: Signal, body: Uint8Array) => Promise<Answer>;
  /** above this many unanswered requests the driver skips (and counts) instead of sending */
  readonly maxOutstanding: number;
  readonly onDone: (c: Completion) => void;
  readonly onSkip?: () => void;
  readonly onStart?: (signal: Signal) => void;
}

const TICK_MS = 5;

/**
 * Starts requests at the offered rate whether or not earlier ones were answered (an open loop, like
 * a fleet of independent clients), never more than `maxOutstanding` at once so the client itself
 * cannot run out of memory; a request that would pass the cap is skipped and counted.
 */
export class OpenLoop {
  outstanding = 0;
  private readonly idle: (() => void)[] = [];

  constructor(private readonly opts: OpenLoopOptions) {}

  /** Offers load for `ms`; resolves when the offering ends (answers may still be outstanding). */
  async run(ms: number): Promise<void> {
    const end = performance.now() + ms;
    let last = performance.now();
    let due = 0; // requests owed so far, fractional
    while (last < end) {
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
      const now = Math.min(performance.now(), end);
      due += ((now - last) / 1000) * (this.opts.rate() / this.opts.perRequest);
      last = now;
      for (; due >= 1; due--) {
        if (this.outstanding >= this.opts.maxOutstanding) this.opts.onSkip?.();
        else this.start();
      }
    }
  }

  /** Resolves when every request sent has been answered. */
  drain(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private start(): void {
    const { signal, body } = this.opts.next();
    const records = this.opts.perRequest;
    this.outstanding++;
    this.opts.onStart?.(signal);
    const t0 = performance.now();
    void this.opts.send(signal, body).then((a) => {
      const doneAt = performance.now();
      this.outstanding--;
      this.opts.onDone({ signal, records, answer: a, latencyMs: doneAt - t0, doneAt });
      if (this.outstanding === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }
}

/** Requests of the given signals in turn, each from its own unique supply. */
export function alternate(supplies: readonly UniquePayloads[]): () => { signal: Signal; body: Uint8Array } {
  let i = 0;
  return () => {
    const supply = supplies[i++ % supplies.length]!;
    return { signal: supply.signal, body: supply.next() };
  };
}

// ---- the server child ----

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU seconds a process has used (all its threads: DuckDB's too). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): state is the first, utime the 12th, stime the 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** VmRSS (now) and VmHWM (peak since start), in MB. */
export function memoryMb(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Samples VmRSS every `everyMs` and keeps the largest; stop() ends it. */
export function rssSampler(pid: number, everyMs = 250): { max: () => number; stop: () => void } {
  let max = memoryMb(pid).rss;
  const timer = setInterval(() => {
    try {
      max = Math.max(max, memoryMb(pid).rss);
    } catch {
      // the process has gone
    }
  }, everyMs);
  return {
    max: () => max,
    stop: () => clearInterval(timer),
  };
}

export interface BenchServer {
  readonly child: ChildServer;
  readonly pid: number;
  readonly dataDir: string;
  /** SIGTERM (it finishes the writes in flight), wait for the exit; SIGKILL after `graceMs` */
  stop(graceMs?: number): Promise<number | string>;
  /** removes the data dir (unless it was given) */
  remove(): void;
}

/** `ccmon serve` (the build in dist/) as a child process on free loopback ports, in a new data dir. */
export async function startBenchServer(
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
  dataDir?: string,
): Promise<BenchServer> {
  warnIfStale();
  const dir = dataDir ?? tempDir('ccmon-bench-');
  const child = await spawnServer(dir, args, env);
  const pid = child.process.pid;
  if (pid === undefined) throw new Error('the server child has no pid');
  return {
    child,
    pid,
    dataDir: dir,
    async stop(graceMs = 60_000) {
      child.process.kill('SIGTERM');
      const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
      const code = await child.exited;
      clearTimeout(timer);
      return code;
    },
    remove() {
      if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

let warned = false;

/** The child runs dist/; say so when a source file is newer than the build. */
function warnIfStale(): void {
  if (warned) return;
  warned = true;
  const root = join(import.meta.dirname, '..');
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return Math.max(max, newest(path));
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')
        ? Math.max(max, statSync(path).mtimeMs)
        : max;
    }, 0);
  try {
    const built = statSync(join(root, 'dist', 'main.js')).mtimeMs;
    if (newest(join(root, 'src')) > built) {
      console.log(
        '  note: src/ is newer than dist/ (the server child runs dist/): run `npm run build` first',
      );
    }
  } catch {
    console.log('  note: no dist/ build: run `npm run build` first');
  }
}

/**
 * Points and events in a store, read from its file (the server must have stopped: DuckDB lets one
 * process at a time open it).
 */
export async function countStored(dataDir: string): Promise<Record<Signal, number>> {
  const instance = await DuckDBInstance.create(join(dataDir, 'ccmon.duckdb'), { access_mode: 'READ_ONLY' });
  try {
    const conn = await instance.connect();
    try {
      const reader = await conn.runAndReadAll(
        'SELECT (SELECT count(*) FROM points) AS points, (SELECT count(*) FROM events) AS events',
      );
      const row = reader.getRowObjectsJS()[0] ?? {};
      return { metrics: Number(row.points ?? NaN), logs: Number(row.events ?? NaN) };
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

// ---- one step of constant offered load ----

export interface StepResult {
  /** records per second offered */
  readonly rate: number;
  /** wall time of the step, from the first request to the last answer */
  readonly seconds: number;
  readonly tally: Tally;
  /** acknowledged records per second over `seconds` */
  readonly ackedPerSecond: number;
  /** the server's CPU use over the step, in cores (utime + stime from /proc) */
  readonly serverCores: number;
  /** this process's, in cores: when near 1, the client limits the figures */
  readonly clientCores: number;
  /** the largest VmRSS sampled during the step, MB */
  readonly rssMaxMb: number;
  /** VmHWM after the step (the server's peak since it started), MB */
  readonly hwmMb: number;
}

/** Offers `rate` records/s for `seconds`, waits for the last answer, and measures the server meanwhile. */
export async function offerRate(opts: {
  server: BenchServer;
  send: Sender;
  next: () => { signal: Signal; body: Uint8Array };
  perRequest: number;
  rate: number;
  seconds: number;
  maxOutstanding: number;
}): Promise<StepResult> {
  const tally = new Tally();
  const loop = new OpenLoop({
    rate: () => opts.rate,
    perRequest: opts.perRequest,
    next: opts.next,
    send: (signal, body) => opts.send.send(signal, body),
    maxOutstanding: opts.maxOutstanding,
    onDone: (c) => tally.add(c),
    onSkip: () => tally.skipped++,
  });
  const rss = rssSampler(opts.server.pid);
  const cpu0 = cpuSeconds(opts.server.pid);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  await loop.run(opts.seconds * 1000);
  await loop.drain();
  const seconds = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(client0);
  const serverCores = (cpuSeconds(opts.server.pid) - cpu0) / seconds;
  rss.stop();
  return {
    rate: opts.rate,
    seconds,
    tally,
    ackedPerSecond: tally.ackedRecords / seconds,
    serverCores,
    clientCores: (client.user + client.system) / 1e6 / seconds,
    rssMaxMb: rss.max(),
    hwmMb: memoryMb(opts.server.pid).hwm,
  };
}

// ---- printing ----

export const fmt = (n: number, digits = 0): string =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '-';

export const ms = (n: number): string => (Number.isFinite(n) ? `${fmt(n, n < 10 ? 1 : 0)} ms` : '-');
