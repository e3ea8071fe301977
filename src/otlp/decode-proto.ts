/**
 * OTLP/protobuf request decoding, written by hand on protobufjs's wire-level Reader so only the fields
 * ccmon uses are materialised and everything else is skipped by wire type. Field numbers are those of
 * opentelemetry-proto v1 (collector/{metrics,logs,trace}/v1, metrics/v1, logs/v1, common/v1, resource/v1).
 *
 * Each length-delimited message narrows `reader.len` to its own end while it is read, so every read is
 * bounds-checked against the enclosing message, not just the buffer.
 */
import protobuf from 'protobufjs/minimal.js';
import type { Long, Reader } from 'protobufjs/minimal.js';
import { OtlpDecodeError } from './errors.js';
import {
  MAX_ANY_VALUE_DEPTH,
  type AnyValue,
  type ExportLogsRequest,
  type ExportMetricsRequest,
  type ExportTraceRequest,
  type KeyValue,
  type LogRecord,
  type Metric,
  type MetricData,
  type NumberDataPoint,
  type Resource,
  type ResourceLogs,
  type ResourceMetrics,
  type Scope,
  type ScopeLogs,
  type ScopeMetrics,
  type Temporality,
} from './types.js';

/** Reads one length-delimited message starting at the reader's position. */
type Decode<T> = (reader: Reader) => T;

const VARINT = 0;
const I64 = 1;
const LEN = 2;

const EMPTY: AnyValue = { kind: 'empty' };

export function decodeMetricsRequestProto(bytes: Uint8Array): ExportMetricsRequest {
  return { resourceMetrics: decodeRequest(bytes, 'resourceMetrics', decodeResourceMetrics) };
}

export function decodeLogsRequestProto(bytes: Uint8Array): ExportLogsRequest {
  return { resourceLogs: decodeRequest(bytes, 'resourceLogs', decodeResourceLogs) };
}

/** Traces are only counted: ExportTraceServiceRequest.resource_spans[].scope_spans[].spans[]. */
export function decodeTraceRequestProto(bytes: Uint8Array): ExportTraceRequest {
  return { spanCount: sum(decodeRequest(bytes, 'resourceSpans', countResourceSpans)) };
}

/** ResourceSpans { repeated ScopeSpans scope_spans = 2 }, ScopeSpans { repeated Span spans = 2 } */
function countResourceSpans(reader: Reader): number {
  return sum(readRepeated(reader, 2, 'scopeSpans', (r) => countField(r, 2)));
}

const sum = (counts: readonly number[]): number => counts.reduce((total, n) => total + n, 0);

/** Export*ServiceRequest: one repeated message in field 1. The request itself has no length prefix. */
function decodeRequest<T>(bytes: Uint8Array, name: string, decode: Decode<T>): T[] {
  const reader = createReader(bytes);
  const list: T[] = [];
  try {
    while (reader.pos < reader.len) {
      const tag = reader.tag();
      if (tag >>> 3 === 1) pushMessage(reader, tag, list, name, decode);
      else skipField(reader, tag);
    }
  } catch (e) {
    throw asDecodeError(e);
  }
  return list;
}

// ---- metrics ----

function decodeResourceMetrics(reader: Reader): ResourceMetrics {
  const [resource, scopeMetrics] = withHead(reader, RESOURCE, 'scopeMetrics', decodeScopeMetrics);
  return { resource, scopeMetrics };
}

function decodeScopeMetrics(reader: Reader): ScopeMetrics {
  const [scope, metrics] = withHead(reader, SCOPE, 'metrics', decodeMetric);
  return { scope, metrics };
}

function decodeMetric(reader: Reader): Metric {
  const outer = enter(reader);
  let name = '';
  let description = '';
  let unit = '';
  // `data` is a oneof: the last one on the wire wins, as in any protobuf decoder.
  let data: MetricData = { kind: 'none' };
  while (reader.pos < reader.len) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 1) name = readString(reader, tag);
    else if (field === 2) description = readString(reader, tag);
    else if (field === 3) unit = readString(reader, tag);
    else if (field === 5) data = oneMessage(reader, tag, 'gauge', decodeGauge);
    else if (field === 7) data = oneMessage(reader, tag, 'sum', decodeSum);
    else if (field === 9) data = unsupported(reader, tag, 'histogram', 'histogram');
    else if (field === 10) data = unsupported(reader, tag, 'exponential histogram', 'exponentialHistogram');
    else if (field === 11) data = unsupported(reader, tag, 'summary', 'summary');
    else skipField(reader, tag);
  }
  reader.len = outer;
  return { name, description, unit, data };
}

function decodeGauge(reader: Reader): MetricData {
  return { kind: 'gauge', points: readRepeated(reader, 1, 'dataPoints', decodeNumberDataPoint) };
}

function decodeSum(reader: Reader): MetricData {
  const outer = enter(reader);
  const points: NumberDataPoint[] = [];
  let temporality: Temporality = 0;
  let isMonotonic = false;
  while (reader.pos < reader.len) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 1) pushMessage(reader, tag, points, 'dataPoints', decodeNumberDataPoint);
    else if (field === 2) temporality = toTemporality(readInt32(reader, tag));
    else if (field === 3) isMonotonic = readBool(reader, tag);
    else skipField(reader, tag);
  }
  reader.len = outer;
  return { kind: 'sum', temporality, isMonotonic, points };
}

function toTemporality(value: number): Temporality {
  if (value === 0 || value === 1 || value === 2) return value;
  throw new OtlpDecodeError(`unknown aggregation temporality ${value}`, 'aggregationTemporality');
}

/** Histogram, ExponentialHistogram and Summary all keep their data points in field 1. */
function unsupported(reader: Reader, tag: number, type: string, field: string): MetricData {
  expectWire(tag, LEN);
  try {
    return { kind: 'unsupported', type, pointCount: countField(reader, 1) };
  } catch (e) {
    throw at(e, field);
  }
}

function decodeNumberDataPoint(reader: Reader): NumberDataPoint {
  const outer = enter(reader);
  const attributes: KeyValue[] = [];
  let startTimeUs = 0;
  let timeUs = 0;
  let value: number | undefined; // as_double (4) or as_int (6), a oneof
  while (reader.pos < reader.len) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 7) pushAttribute(reader, tag, attributes);
    else if (field === 2) startTimeUs = readTimeUs(reader, tag);
    else if (field === 3) timeUs = readTimeUs(reader, tag);
    else if (field === 4) value = readDouble(reader, tag);
    else if (field === 6) value = readSfixed64(reader, tag);
    else skipField(reader, tag);
  }
  reader.len = outer;
  return { attributes, startTimeUs, timeUs, value };
}

// ---- logs ----

function decodeResourceLogs(reader: Reader): ResourceLogs {
  const [resource, scopeLogs] = withHead(reader, RESOURCE, 'scopeLogs', decodeScopeLogs);
  return { resource, scopeLogs };
}

function decodeScopeLogs(reader: Reader): ScopeLogs {
  const [scope, logRecords] = withHead(reader, SCOPE, 'logRecords', decodeLogRecord);
  return { scope, logRecords };
}

function decodeLogRecord(reader: Reader): LogRecord {
  const outer = enter(reader);
  let timeUs = 0;
  let observedTimeUs = 0;
  let severityNumber = 0;
  let severityText = '';
  let body = EMPTY;
  const attributes: KeyValue[] = [];
  let traceId = '';
  let spanId = '';
  let eventName = '';
  while (reader.pos < reader.len) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 6) pushAttribute(reader, tag, attributes);
    else if (field === 1) timeUs = readTimeUs(reader, tag);
    else if (field === 11) observedTimeUs = readTimeUs(reader, tag);
    else if (field === 2) severityNumber = readInt32(reader, tag);
    else if (field === 3) severityText = readString(reader, tag);
    else if (field === 5) body = anyValueField(reader, tag, 'body', 1);
    else if (field === 9) traceId = readHex(reader, tag);
    else if (field === 10) spanId = readHex(reader, tag);
    else if (field === 12) eventName = readString(reader, tag);
    else skipField(reader, tag);
  }
  reader.len = outer;
  return {
    timeUs,
    observedTimeUs,
    severityNumber,
    severityText,
    body,
    attributes,
    traceId,
    spanId,
    eventName,
  };
}

// ---- common ----

/**
 * Resource{Metrics,Logs} { Resource resource = 1; repeated Scope* = 2 } and
 * Scope{Metrics,Logs} { InstrumentationScope scope = 1; repeated Metric / LogRecord = 2 }.
 */
function withHead<H, T>(
  reader: Reader,
  head: [string, Decode<H>, H],
  name: string,
  decode: Decode<T>,
): [H, T[]] {
  const outer = enter(reader);
  const [headName, decodeHead] = head;
  let value = head[2];
  const children: T[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 1) value = oneMessage(reader, tag, headName, decodeHead);
    else if (field === 2) pushMessage(reader, tag, children, name, decode);
    else skipField(reader, tag);
  }
  reader.len = outer;
  return [value, children];
}

function decodeResource(reader: Reader): Resource {
  return { attributes: readRepeated(reader, 1, 'attributes', decodeAttribute) };
}

/** The head field of each container, with the value it has when absent. */
const RESOURCE: [string, Decode<Resource>, Resource] = ['resource', decodeResource, { attributes: [] }];

function decodeScope(reader: Reader): Scope {
  const outer = enter(reader);
  let name = '';
  let version = '';
  while (reader.pos < reader.len) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 1) name = readString(reader, tag);
    else if (field === 2) version = readString(reader, tag);
    else skipField(reader, tag);
  }
  reader.len = outer;
  return { name, version };
}

const SCOPE: [string, Decode<Scope>, Scope] = ['scope', decodeScope, { name: '', version: '' }];

/** Attributes (resource, point, record) sit at nesting level 1. */
function decodeAttribute(reader: Reader): KeyValue {
  return decodeKeyValue(reader, 1);
}

/** pushMessage for attributes, the hottest path: a call site of its own stays monomorphic and inlinable. */
function pushAttribute(reader: Reader, tag: number, list: KeyValue[]): void {
  expectWire(tag, LEN);
  try {
    list.push(decodeKeyValue(reader, 1));
  } catch (e) {
    throw at(e, `attributes[${list.length}]`);
  }
}

function decodeKeyValue(reader: Reader, depth: number): KeyValue {
  const outer = enter(reader);
  let key = '';
  let value = EMPTY;
  while (reader.pos < reader.len) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 1) key = readString(reader, tag);
    else if (field === 2) value = anyValueField(reader, tag, 'value', depth);
    else skipField(reader, tag);
  }
  reader.len = outer;
  return { key, value };
}

function anyValueField(reader: Reader, tag: number, name: string, depth: number): AnyValue {
  expectWire(tag, LEN);
  try {
    return decodeAnyValue(reader, depth);
  } catch (e) {
    throw at(e, name);
  }
}

/** `depth` is this value's nesting level: 1 for an attribute or body, +1 inside each array or kvlist. */
function decodeAnyValue(reader: Reader, depth: number): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) {
    throw new OtlpDecodeError(`values nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  }
  const outer = enter(reader);
  let value = EMPTY;
  while (reader.pos < reader.len) {
    const tag = reader.tag();
    const field = tag >>> 3;
    if (field === 1) value = { kind: 'string', value: readString(reader, tag) };
    else if (field === 2) value = { kind: 'bool', value: readBool(reader, tag) };
    else if (field === 3) value = { kind: 'int', value: readInt64(reader, tag) };
    else if (field === 4) value = { kind: 'double', value: readDouble(reader, tag) };
    else if (field === 5) value = { kind: 'array', value: decodeArrayValue(reader, tag, depth + 1) };
    else if (field === 6) value = { kind: 'kvlist', value: decodeKvlistValue(reader, tag, depth + 1) };
    else if (field === 7) value = { kind: 'bytes', value: readBytesCopy(reader, tag) };
    else skipField(reader, tag);
  }
  reader.len = outer;
  return value;
}

/** ArrayValue { repeated AnyValue values = 1 } */
function decodeArrayValue(reader: Reader, tag: number, depth: number): AnyValue[] {
  expectWire(tag, LEN);
  try {
    return readRepeated(reader, 1, 'values', (r) => decodeAnyValue(r, depth));
  } catch (e) {
    throw at(e, 'arrayValue');
  }
}

/** KeyValueList { repeated KeyValue values = 1 } */
function decodeKvlistValue(reader: Reader, tag: number, depth: number): KeyValue[] {
  expectWire(tag, LEN);
  try {
    return readRepeated(reader, 1, 'values', (r) => decodeKeyValue(r, depth));
  } catch (e) {
    throw at(e, 'kvlistValue');
  }
}

// ---- wire helpers ----

/**
 * Always the plain Reader, even for a Buffer: its JavaScript UTF-8 path beats BufferReader's native call
 * on the short strings that make up most of a request.
 */
function createReader(bytes: Uint8Array): Reader {
  return new protobuf.Reader(bytes);
}

/** Narrows the reader to the length-delimited message starting here; returns the limit to restore. */
function enter(reader: Reader): number {
  const size = reader.size();
  const outer = reader.len;
  if (size > outer - reader.pos) {
    throw new OtlpDecodeError(`truncated message: ${size} bytes announced, ${outer - reader.pos} left`);
  }
  reader.len = reader.pos + size;
  return outer;
}

/** A message made of one repeated message field (others skipped), starting here. */
function readRepeated<T>(reader: Reader, field: number, name: string, decode: Decode<T>): T[] {
  const outer = enter(reader);
  const list: T[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.tag();
    if (tag >>> 3 === field) pushMessage(reader, tag, list, name, decode);
    else skipField(reader, tag);
  }
  reader.len = outer;
  return list;
}

function pushMessage<T>(reader: Reader, tag: number, list: T[], name: string, decode: Decode<T>): void {
  expectWire(tag, LEN);
  try {
    list.push(decode(reader));
  } catch (e) {
    throw at(e, `${name}[${list.length}]`);
  }
}

function oneMessage<T>(reader: Reader, tag: number, name: string, decode: Decode<T>): T {
  expectWire(tag, LEN);
  try {
    return decode(reader);
  } catch (e) {
    throw at(e, name);
  }
}

/** Counts the occurrences of one length-delimited field of the message starting here, skipping the rest. */
function countField(reader: Reader, field: number): number {
  const outer = enter(reader);
  let count = 0;
  while (reader.pos < reader.len) {
    const tag = reader.tag();
    if (tag >>> 3 === field) {
      expectWire(tag, LEN);
      count += 1;
    }
    skipField(reader, tag);
  }
  reader.len = outer;
  return count;
}

function skipField(reader: Reader, tag: number): void {
  if (tag >>> 3 === 0) throw new OtlpDecodeError('invalid field number 0');
  reader.skipType(tag & 7);
}

function expectWire(tag: number, wire: number): void {
  if ((tag & 7) !== wire) {
    throw new OtlpDecodeError(`field ${tag >>> 3} has wire type ${tag & 7}, expected ${wire}`);
  }
}

function readString(reader: Reader, tag: number): string {
  expectWire(tag, LEN);
  return reader.string();
}

function readBool(reader: Reader, tag: number): boolean {
  expectWire(tag, VARINT);
  return reader.bool();
}

/** int32 and enums */
function readInt32(reader: Reader, tag: number): number {
  expectWire(tag, VARINT);
  return reader.int32();
}

/** int64 -> number, rounding past 2^53 (acceptable for values). protobufjs gives a Long if `long` loads. */
function readInt64(reader: Reader, tag: number): number {
  expectWire(tag, VARINT);
  const value: Long | number = reader.int64();
  return typeof value === 'number' ? value : value.high * 0x100000000 + (value.low >>> 0);
}

/** sfixed64: the high half carries the sign; past 2^53 it rounds, acceptable for values. */
function readSfixed64(reader: Reader, tag: number): number {
  expectWire(tag, I64);
  const lo = reader.fixed32();
  return reader.sfixed32() * 0x100000000 + lo;
}

function readDouble(reader: Reader, tag: number): number {
  expectWire(tag, I64);
  return reader.double();
}

/** A copy, so a decoded value does not pin the whole request buffer. */
function readBytesCopy(reader: Reader, tag: number): Uint8Array {
  expectWire(tag, LEN);
  return new Uint8Array(reader.bytes());
}

function readHex(reader: Reader, tag: number): string {
  expectWire(tag, LEN);
  const bytes = reader.bytes();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** fixed64 nanoseconds -> whole microseconds, exact, from the two 32-bit halves. */
function readTimeUs(reader: Reader, tag: number): number {
  expectWire(tag, I64);
  const lo = reader.fixed32();
  const hi = reader.fixed32();
  return nanosToMicros(hi, lo);
}

/**
 * floor((hi * 2^32 + lo) / 1000) without rounding. 2^32 = 1000 * 4294967 + 296, so the quotient splits
 * into hi * 4294967 + floor((hi * 296 + lo) / 1000), all exact in doubles while the result stays below
 * 2^53 (hi < 1000 * 2^21, i.e. before the year 2255). Later times take the BigInt route.
 */
export function nanosToMicros(hi: number, lo: number): number {
  if (hi < 2097152000) return hi * 4294967 + Math.floor((hi * 296 + lo) / 1000);
  return Number(((BigInt(hi) << 32n) | BigInt(lo)) / 1000n);
}

/** protobufjs reports malformed wire data with plain Error/RangeError; anything else is a bug, not input. */
function asDecodeError(e: unknown): unknown {
  if (e instanceof OtlpDecodeError) return e;
  if (e instanceof RangeError) return new OtlpDecodeError(`truncated or malformed message (${e.message})`);
  if (e instanceof Error && e.constructor === Error) {
    return new OtlpDecodeError(`malformed message (${e.message})`);
  }
  return e;
}

function at(e: unknown, segment: string): unknown {
  const error = asDecodeError(e);
  return error instanceof OtlpDecodeError ? error.within(segment) : error;
}
