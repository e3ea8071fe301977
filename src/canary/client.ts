/**
 * The canary's network side: numbered `ccmon_canary` log records sent over OTLP/HTTP (JSON) with
 * retries, and the stored ones read back through ccmon's API.
 */
import type { SentEvent, StoredEvent } from './count.js';

export const CANARY_EVENT = 'ccmon_canary';

/** One canary record in OTLP/JSON; the same seq and time give the same bytes, so a retry is a re-send. */
export function canaryLogsRequest(runId: string, seq: number, timeMs: number): string {
  const str = (key: string, value: string): object => ({ key, value: { stringValue: value } });
  const int = (key: string, value: number): object => ({ key, value: { intValue: String(value) } });
  const nanos = (BigInt(timeMs) * 1_000_000n).toString();
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [str('service.name', 'ccmon-canary')] },
        scopeLogs: [
          {
            scope: { name: 'ccmon.canary', version: '1' },
            logRecords: [
              {
                timeUnixNano: nanos,
                observedTimeUnixNano: nanos,
                body: { stringValue: CANARY_EVENT },
                attributes: [
                  str('event.name', CANARY_EVENT),
                  str('event.timestamp', new Date(timeMs).toISOString()),
                  str('session.id', runId),
                  int('event.sequence', seq),
                  str('canary.run', runId),
                  int('canary.seq', seq),
                ],
              },
            ],
          },
        ],
      },
    ],
  });
}

export interface RetryOptions {
  /** the OTLP/HTTP base URL, asked again before every attempt (a restarted server may move) */
  readonly endpoint: () => string | Promise<string>;
  readonly token?: string | undefined;
  /** give up on one event after this long (default 60 s) */
  readonly giveUpAfterMs?: number;
  /** one attempt's timeout (default 5 s) */
  readonly attemptTimeoutMs?: number;
  /** first backoff (default 100 ms), doubled per attempt up to maxBackoffMs (default 5 s) */
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface SendResult {
  readonly acknowledged: boolean;
  readonly attempts: number;
  /** the last refusal or network error, when not acknowledged */
  readonly error?: string;
}

/** Answers worth another try: overload, a proxy in between, or the server gone for a moment. */
const RETRYABLE = new Set([429, 502, 503, 504]);

/** POSTs one body to /v1/logs until a 2xx, a final refusal, or the give-up time. */
export async function sendWithRetry(body: string, options: RetryOptions): Promise<SendResult> {
  const giveUpAt = Date.now() + (options.giveUpAfterMs ?? 60_000);
  const base = options.baseBackoffMs ?? 100;
  const cap = options.maxBackoffMs ?? 5_000;
  let attempts = 0;
  let error: string;
  for (;;) {
    attempts += 1;
    let waitMs: number;
    try {
      const url = new URL('/v1/logs', await options.endpoint());
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        },
        body,
        signal: AbortSignal.timeout(options.attemptTimeoutMs ?? 5_000),
      });
      const text = await response.text();
      if (response.ok) return { acknowledged: true, attempts };
      error = `HTTP ${response.status}: ${text.slice(0, 200)}`;
      if (!RETRYABLE.has(response.status)) return { acknowledged: false, attempts, error };
      waitMs = retryAfterMs(response.headers.get('retry-after')) ?? backoff(base, cap, attempts);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      waitMs = backoff(base, cap, attempts);
    }
    if (Date.now() + waitMs > giveUpAt) return { acknowledged: false, attempts, error };
    await sleep(waitMs);
  }
}

/** Exponential with full jitter, so many senders do not come back at the same instant. */
function backoff(base: number, cap: number, attempt: number): number {
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt - 1, 20));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface SendRunOptions extends RetryOptions {
  readonly runId: string;
  readonly count: number;
  /** events per second */
  readonly rate: number;
  /** first sequence number (default 0) */
  readonly firstSeq?: number;
}

/** Sends `count` numbered events paced at `rate`, each retried on its own; resolves when all are settled. */
export async function sendCanaryRun(options: SendRunOptions): Promise<SentEvent[]> {
  const first = options.firstSeq ?? 0;
  const intervalMs = 1000 / Math.max(options.rate, 0.001);
  const start = Date.now();
  const pending: Promise<SentEvent>[] = [];
  for (let i = 0; i < options.count; i++) {
    const due = start + i * intervalMs;
    const now = Date.now();
    if (due > now) await sleep(due - now);
    const seq = first + i;
    // The send time is the event time: stored time order then shows whether the store kept send order.
    const body = canaryLogsRequest(options.runId, seq, Date.now());
    pending.push(
      sendWithRetry(body, options).then((r) => ({ seq, acknowledged: r.acknowledged, attempts: r.attempts })),
    );
  }
  return Promise.all(pending);
}

interface EventsPage {
  readonly events: readonly { sequence: number | null; time: string | null }[];
  readonly total: number;
}

/** Every stored canary event of a run, through GET /api/v1/events (1000 a page). */
export async function readBackRun(apiUrl: string, runId: string, token?: string): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for (let offset = 0; ;) {
    const url = new URL('/api/v1/events', apiUrl);
    url.searchParams.set('name', CANARY_EVENT);
    url.searchParams.set('session', runId);
    url.searchParams.set('limit', '1000');
    url.searchParams.set('offset', String(offset));
    const response = await fetch(url, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok)
      throw new Error(`GET ${url.pathname}: HTTP ${response.status} ${await response.text()}`);
    const page = (await response.json()) as EventsPage;
    for (const e of page.events) {
      out.push({ seq: e.sequence, timeMs: e.time === null ? 0 : Date.parse(e.time) });
    }
    offset += page.events.length;
    if (page.events.length === 0 || offset >= page.total) return out;
  }
}
