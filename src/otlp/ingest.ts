import { normalizeLogs } from '../telemetry/normalize-logs.js';
import { normalizeMetrics } from '../telemetry/normalize-metrics.js';
import { OverloadedError, type BatchWriter } from '../store/writer.js';
import { decodeLogsRequestJson, decodeMetricsRequestJson, decodeTraceRequestJson } from './decode-json.js';
import {
  decodeLogsRequestProto,
  decodeMetricsRequestProto,
  decodeTraceRequestProto,
} from './decode-proto.js';
import { OtlpDecodeError } from './errors.js';
import { IngestError } from './ingest-error.js';
import type { InflightBudget } from './inflight.js';
import type { IngestStats, Protocol } from './stats.js';
import type { PartialSuccess, Signal } from './types.js';

export type Format = 'proto' | 'json';

/** What both receivers (gRPC and HTTP) need: the ingest path, the memory budget, limits and auth. */
export interface ReceiverOptions {
  readonly ingest: Ingest;
  readonly budget: InflightBudget;
  readonly maxRequestBytes: number;
  readonly retryAfterMs: number;
  readonly authorized: (header: string | undefined) => boolean;
}

/** Why an export would be refused now, if it would. */
export interface Pressure {
  readonly overload: string | undefined;
}

export interface IngestOptions {
  readonly dropContent: boolean;
  /**
   * Say when the process itself is too hard pressed to take more (LoopPressure, MemoryPressure), asked
   * in order before the writer's own queue limits.
   */
  readonly pressures?: readonly Pressure[];
  /** The retry hint sent with 503 / UNAVAILABLE. */
  readonly retryAfterMs: number;
}

/**
 * The path every export takes, whatever the transport: decode -> normalize -> store (acknowledged
 * only after commit). Throws IngestError; the receivers turn it into a status.
 */
export class Ingest {
  constructor(
    private readonly writer: BatchWriter,
    private readonly stats: IngestStats,
    private readonly options: IngestOptions,
  ) {}

  /**
   * Decodes and normalizes `body` at once and returns the answer's promise. Not async on purpose: a
   * suspended async function keeps its arguments, and the body would then live until the commit,
   * long enough to be promoted to V8's old generation and freed only by a full collection. Request
   * buffers were the largest malloc users in a closed-loop run (33 MB at the peak, heaptrack).
   * ingest.test.ts checks that the body is let go.
   */
  export(
    protocol: Protocol,
    signal: Signal,
    format: Format,
    body: Uint8Array,
  ): Promise<PartialSuccess | undefined> {
    let answer: Promise<PartialSuccess | undefined>;
    try {
      // Refused before decoding: when the store is behind, decoding what will be refused anyway
      // would only take CPU from the commits that catch up.
      const overload = signal === 'traces' ? undefined : this.overload();
      if (overload !== undefined) throw new OverloadedError(overload);
      if (signal === 'metrics') answer = this.metrics(protocol, format, body);
      else if (signal === 'logs') answer = this.logs(protocol, format, body);
      else answer = Promise.resolve(this.traces(protocol, format, body));
    } catch (error) {
      answer = Promise.reject(error);
    }
    return answer.catch((error: unknown) => {
      const refusal = this.toIngestError(error);
      this.stats.add(protocol, signal, 'rejected', refusal.reason, 1);
      throw refusal;
    });
  }

  private overload(): string | undefined {
    for (const pressure of this.options.pressures ?? []) {
      const why = pressure.overload;
      if (why !== undefined) return why;
    }
    return this.writer.overload;
  }

  // metrics() and logs() are not async either, for the decoded request and its records: collecting
  // them from the old generation cost more CPU than decoding them.
  private metrics(protocol: Protocol, format: Format, body: Uint8Array): Promise<PartialSuccess | undefined> {
    const request =
      format === 'proto' ? decodeMetricsRequestProto(body) : decodeMetricsRequestJson(text(body));
    const { records, rejected, rejectReason } = normalizeMetrics(request);
    const written = this.writer.write({ points: records, events: [] });
    return this.answer(protocol, 'metrics', written, records.length, rejected, rejectReason);
  }

  private logs(protocol: Protocol, format: Format, body: Uint8Array): Promise<PartialSuccess | undefined> {
    const request = format === 'proto' ? decodeLogsRequestProto(body) : decodeLogsRequestJson(text(body));
    const { records, rejected, rejectReason } = normalizeLogs(request, this.options);
    const written = this.writer.write({ points: [], events: records });
    return this.answer(protocol, 'logs', written, records.length, rejected, rejectReason);
  }

  /** Once `written` has committed: counts the export and says what of it was rejected. */
  private async answer(
    protocol: Protocol,
    signal: 'metrics' | 'logs',
    written: Promise<void>,
    accepted: number,
    rejected: number,
    rejectReason: string,
  ): Promise<PartialSuccess | undefined> {
    await written;
    this.stats.add(protocol, signal, 'accepted', 'ok', accepted);
    this.stats.add(protocol, signal, 'rejected', 'partial', rejected);
    return rejected > 0 ? { rejected, errorMessage: rejectReason } : undefined;
  }

  /** Traces are accepted so that a client with the traces beta on keeps working, then dropped. */
  private traces(protocol: Protocol, format: Format, body: Uint8Array): undefined {
    const { spanCount } =
      format === 'proto' ? decodeTraceRequestProto(body) : decodeTraceRequestJson(text(body));
    this.stats.add(protocol, 'traces', 'discarded', 'ok', spanCount);
    return undefined;
  }

  private toIngestError(error: unknown): IngestError {
    if (error instanceof IngestError) return error;
    if (error instanceof OtlpDecodeError) return new IngestError('invalid', error.message);
    if (error instanceof OverloadedError)
      return new IngestError('overloaded', error.message, this.options.retryAfterMs);
    // A store failure (disk full, I/O error): nothing was acknowledged, so the client may retry later.
    const message = error instanceof Error ? error.message : String(error);
    return new IngestError(
      'unavailable',
      `the store could not save this request: ${message}`,
      this.options.retryAfterMs,
    );
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(body: Uint8Array): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new IngestError('invalid', 'the JSON body is not valid UTF-8');
  }
}
