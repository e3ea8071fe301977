/**
 * What ccmon sends back: ExportXServiceResponse on success (with partial_success when some data was
 * refused) and google.rpc.Status on failure, each as protobuf or as OTLP/JSON. Field numbers are those of
 * opentelemetry-proto v1 collector/*, google/rpc/status.proto, error_details.proto and duration.proto.
 */
import protobuf from 'protobufjs/minimal.js';
import type { PartialSuccess, Signal } from './types.js';

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';

/** ExportXPartialSuccess.rejected_{data_points,log_records,spans} in OTLP/JSON. */
const REJECTED_KEY: Readonly<Record<Signal, string>> = {
  metrics: 'rejectedDataPoints',
  logs: 'rejectedLogRecords',
  traces: 'rejectedSpans',
};

/**
 * ExportMetricsServiceResponse / ExportLogsServiceResponse / ExportTraceServiceResponse. Without
 * `partial` the message is empty (full success); with it, partial_success (field 1) is set even when both
 * of its fields are defaults, as the sender may read its presence. Default fields are left out, as protobuf
 * and proto3 JSON do.
 */
export function encodeExportResponse(
  signal: Signal,
  partial: PartialSuccess | undefined,
  format: 'proto' | 'json',
): Uint8Array {
  const rejected = partial === undefined ? 0 : count(partial.rejected);
  const errorMessage = partial?.errorMessage ?? '';
  if (format === 'json') {
    if (partial === undefined) return Buffer.from('{}');
    const body: Record<string, string> = {};
    // int64 is a string in OTLP/JSON
    if (rejected !== 0) body[REJECTED_KEY[signal]] = String(rejected);
    if (errorMessage !== '') body.errorMessage = errorMessage;
    return Buffer.from(JSON.stringify({ partialSuccess: body }));
  }
  const writer = protobuf.Writer.create();
  if (partial !== undefined) {
    writer.uint32(tag(1, LEN)).fork();
    if (rejected !== 0) writer.uint32(tag(1, VARINT)).int64(rejected);
    if (errorMessage !== '') writer.uint32(tag(2, LEN)).string(errorMessage);
    writer.ldelim();
  }
  return writer.finish();
}

/**
 * google.rpc.Status { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3 }.
 * With `retryDelayMs`, one detail: Any { type_url = 1, value = 2 } holding
 * google.rpc.RetryInfo { google.protobuf.Duration retry_delay = 1 }, Duration { int64 seconds = 1; int32 nanos = 2 }.
 * The JSON form always carries code and message, for people reading it.
 */
export function encodeStatus(
  code: number,
  message: string,
  format: 'proto' | 'json',
  retryDelayMs?: number,
): Uint8Array {
  const delay = retryDelayMs === undefined ? undefined : duration(retryDelayMs);
  if (format === 'json') {
    const status: { code: number; message: string; details?: object[] } = { code, message };
    if (delay !== undefined)
      status.details = [{ '@type': RETRY_INFO_TYPE_URL, retryDelay: durationJson(delay) }];
    return Buffer.from(JSON.stringify(status));
  }
  const writer = protobuf.Writer.create();
  if (code !== 0) writer.uint32(tag(1, VARINT)).int32(code);
  if (message !== '') writer.uint32(tag(2, LEN)).string(message);
  if (delay !== undefined) {
    writer.uint32(tag(3, LEN)).fork(); // Status.details[0]: Any
    writer.uint32(tag(1, LEN)).string(RETRY_INFO_TYPE_URL);
    writer.uint32(tag(2, LEN)).fork(); // Any.value: the serialized RetryInfo
    writer.uint32(tag(1, LEN)).fork(); // RetryInfo.retry_delay: Duration
    if (delay.seconds !== 0) writer.uint32(tag(1, VARINT)).int64(delay.seconds);
    if (delay.nanos !== 0) writer.uint32(tag(2, VARINT)).int32(delay.nanos);
    writer.ldelim().ldelim().ldelim();
  }
  return writer.finish();
}

const VARINT = 0;
const LEN = 2;

function tag(field: number, wire: number): number {
  return (field << 3) | wire;
}

/** A count for an int64 field: a whole, non-negative number. */
function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

interface Duration {
  readonly seconds: number;
  readonly nanos: number;
}

/** Milliseconds -> Duration; negative or non-finite delays become zero. */
function duration(ms: number): Duration {
  if (!Number.isFinite(ms) || ms <= 0) return { seconds: 0, nanos: 0 };
  let seconds = Math.floor(ms / 1000);
  let nanos = Math.round((ms - seconds * 1000) * 1e6);
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return { seconds, nanos };
}

/** proto3 JSON Duration: seconds with 0, 3, 6 or 9 fractional digits and an "s", e.g. "1.500s". */
function durationJson({ seconds, nanos }: Duration): string {
  if (nanos === 0) return `${seconds}s`;
  const digits = nanos % 1e6 === 0 ? 3 : nanos % 1e3 === 0 ? 6 : 9;
  return `${seconds}.${String(nanos).padStart(9, '0').slice(0, digits)}s`;
}
