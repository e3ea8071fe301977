/**
 * OTLP/JSON request decoding into the same shapes as the protobuf decoder. The body is untrusted, so every
 * value is type-checked where it is read. Follows the OTLP/JSON rules: lowerCamelCase keys (the proto's
 * snake_case names accepted too), hex trace/span ids, int64 as string or number, enums as integers (names
 * accepted too), unknown keys ignored, null treated as absent.
 */
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

type Obj = Readonly<Record<string, unknown>>;

const EMPTY: AnyValue = { kind: 'empty' };

export function decodeMetricsRequestJson(text: string): ExportMetricsRequest {
  const root = parseBody(text);
  return {
    resourceMetrics: list(
      root.resourceMetrics ?? root.resource_metrics,
      'resourceMetrics',
      decodeResourceMetrics,
    ),
  };
}

export function decodeLogsRequestJson(text: string): ExportLogsRequest {
  const root = parseBody(text);
  return { resourceLogs: list(root.resourceLogs ?? root.resource_logs, 'resourceLogs', decodeResourceLogs) };
}

/** Traces are only counted: resourceSpans[].scopeSpans[].spans[]. */
export function decodeTraceRequestJson(text: string): ExportTraceRequest {
  const root = parseBody(text);
  let spanCount = 0;
  list(root.resourceSpans ?? root.resource_spans, 'resourceSpans', (value) => {
    const rs = object(value);
    list(rs.scopeSpans ?? rs.scope_spans, 'scopeSpans', (ss) => {
      spanCount += arrayOf(object(ss).spans, 'spans').length;
    });
  });
  return { spanCount };
}

function parseBody(text: string): Obj {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new OtlpDecodeError(`invalid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isObject(parsed)) throw new OtlpDecodeError(`expected a JSON object, got ${typeName(parsed)}`);
  return parsed;
}

/*
 * Fields are read by name (`o.timeUnixNano ?? o.time_unix_nano`: the OTLP/JSON key first, then the proto
 * field name; null counts as absent, as in proto3 JSON). Named reads let each site cache the few object
 * shapes it sees: reading through keys held in variables, the walk over JSON.parse's tree took 1.2 µs
 * per Claude Code event, now 0.6 (JSON.parse itself takes 5.4; bench/decode.ts).
 */

// ---- metrics ----

function decodeResourceMetrics(value: unknown): ResourceMetrics {
  const o = object(value);
  return {
    resource: decodeResource(o),
    scopeMetrics: list(o.scopeMetrics ?? o.scope_metrics, 'scopeMetrics', decodeScopeMetrics),
  };
}

function decodeScopeMetrics(value: unknown): ScopeMetrics {
  const o = object(value);
  return { scope: decodeScope(o), metrics: list(o.metrics, 'metrics', decodeMetric) };
}

function decodeMetric(value: unknown): Metric {
  const o = object(value);
  return {
    name: string(o.name, 'name'),
    description: string(o.description, 'description'),
    unit: string(o.unit, 'unit'),
    data: decodeMetricData(o),
  };
}

/** A oneof: senders set one; should several be present, the first found here wins. */
function decodeMetricData(o: Obj): MetricData {
  let data = o.sum;
  if (data != null) return within('sum', () => decodeSum(object(data)));
  data = o.gauge;
  if (data != null) {
    return within('gauge', () => ({ kind: 'gauge', points: dataPoints(object(data)) }));
  }
  data = o.histogram;
  if (data != null) return unsupported(data, 'histogram', 'histogram');
  data = o.exponentialHistogram ?? o.exponential_histogram;
  if (data != null) return unsupported(data, 'exponential histogram', 'exponentialHistogram');
  data = o.summary;
  if (data != null) return unsupported(data, 'summary', 'summary');
  return { kind: 'none' };
}

function decodeSum(o: Obj): MetricData {
  return {
    kind: 'sum',
    temporality: temporality(o.aggregationTemporality ?? o.aggregation_temporality),
    isMonotonic: boolean(o.isMonotonic ?? o.is_monotonic, 'isMonotonic'),
    points: dataPoints(o),
  };
}

function dataPoints(o: Obj): NumberDataPoint[] {
  return list(o.dataPoints ?? o.data_points, 'dataPoints', decodeNumberDataPoint);
}

const TEMPORALITY_NAMES: Readonly<Record<string, Temporality>> = {
  AGGREGATION_TEMPORALITY_UNSPECIFIED: 0,
  AGGREGATION_TEMPORALITY_DELTA: 1,
  AGGREGATION_TEMPORALITY_CUMULATIVE: 2,
};

function temporality(value: unknown): Temporality {
  if (value == null) return 0;
  if (value === 0 || value === 1 || value === 2) return value;
  if (typeof value === 'string') {
    const named = Object.hasOwn(TEMPORALITY_NAMES, value) ? TEMPORALITY_NAMES[value] : undefined;
    if (named !== undefined) return named;
  }
  throw new OtlpDecodeError(`unknown aggregation temporality ${shown(value)}`, 'aggregationTemporality');
}

function unsupported(value: unknown, type: string, key: string): MetricData {
  return within(key, () => {
    const o = object(value);
    return {
      kind: 'unsupported',
      type,
      pointCount: arrayOf(o.dataPoints ?? o.data_points, 'dataPoints').length,
    };
  });
}

function decodeNumberDataPoint(value: unknown): NumberDataPoint {
  const o = object(value);
  // as_int and as_double are a oneof; as_int is checked first to match a proto where both were written
  // (as_int, field 6, comes after as_double, field 4, and the last one wins).
  const asInt = o.asInt ?? o.as_int;
  const asDouble = o.asDouble ?? o.as_double;
  return {
    attributes: attributes(o),
    startTimeUs: timeUs(o.startTimeUnixNano ?? o.start_time_unix_nano, 'startTimeUnixNano'),
    timeUs: timeUs(o.timeUnixNano ?? o.time_unix_nano, 'timeUnixNano'),
    value:
      asInt != null ? int64(asInt, 'asInt') : asDouble != null ? double(asDouble, 'asDouble') : undefined,
  };
}

// ---- logs ----

function decodeResourceLogs(value: unknown): ResourceLogs {
  const o = object(value);
  return {
    resource: decodeResource(o),
    scopeLogs: list(o.scopeLogs ?? o.scope_logs, 'scopeLogs', decodeScopeLogs),
  };
}

function decodeScopeLogs(value: unknown): ScopeLogs {
  const o = object(value);
  return {
    scope: decodeScope(o),
    logRecords: list(o.logRecords ?? o.log_records, 'logRecords', decodeLogRecord),
  };
}

function decodeLogRecord(value: unknown): LogRecord {
  const o = object(value);
  const body = o.body;
  let decodedBody = EMPTY;
  if (body != null) {
    try {
      decodedBody = decodeAnyValue(body, 1);
    } catch (e) {
      throw e instanceof OtlpDecodeError ? e.within('body') : e;
    }
  }
  return {
    timeUs: timeUs(o.timeUnixNano ?? o.time_unix_nano, 'timeUnixNano'),
    observedTimeUs: timeUs(o.observedTimeUnixNano ?? o.observed_time_unix_nano, 'observedTimeUnixNano'),
    severityNumber: severity(o.severityNumber ?? o.severity_number),
    severityText: string(o.severityText ?? o.severity_text, 'severityText'),
    body: decodedBody,
    attributes: attributes(o),
    traceId: hexId(o.traceId ?? o.trace_id, 'traceId'),
    spanId: hexId(o.spanId ?? o.span_id, 'spanId'),
    eventName: string(o.eventName ?? o.event_name, 'eventName'),
  };
}

const SEVERITY_NAMES: ReadonlyMap<string, number> = new Map([
  ['SEVERITY_NUMBER_UNSPECIFIED', 0],
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((level, i) =>
    ['', '2', '3', '4'].map((n, j): [string, number] => [`SEVERITY_NUMBER_${level}${n}`, i * 4 + j + 1]),
  ),
]);

function severity(value: unknown): number {
  if (value == null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  const named = typeof value === 'string' ? SEVERITY_NAMES.get(value) : undefined;
  if (named !== undefined) return named;
  throw new OtlpDecodeError(`expected a severity number, got ${typeName(value)}`, 'severityNumber');
}

// ---- common ----

function decodeResource(o: Obj): Resource {
  const resource = o.resource;
  if (resource == null) return { attributes: [] };
  return within('resource', () => ({ attributes: attributes(object(resource)) }));
}

function decodeScope(o: Obj): Scope {
  const scope = o.scope;
  if (scope == null) return { name: '', version: '' };
  return within('scope', () => {
    const s = object(scope);
    return { name: string(s.name, 'name'), version: string(s.version, 'version') };
  });
}

function attributes(o: Obj): KeyValue[] {
  return keyValues(o.attributes, 'attributes', 1);
}

/**
 * A list of KeyValue at nesting level `depth`. Written out rather than through `list`, whose callback
 * every list shares: logs JSON decoded at a median 167,000 records/s so against 149,000 through `list`
 * (bench/decode.ts, five runs each; runs spread by 15%).
 */
function keyValues(value: unknown, key: string, depth: number): KeyValue[] {
  const values = arrayOf(value, key);
  const out: KeyValue[] = [];
  for (let i = 0; i < values.length; i++) {
    try {
      out.push(decodeKeyValue(values[i], depth));
    } catch (e) {
      throw e instanceof OtlpDecodeError ? e.within(`${key}[${i}]`) : e;
    }
  }
  return out;
}

function decodeKeyValue(value: unknown, depth: number): KeyValue {
  const o = object(value);
  const key = string(o.key, 'key');
  const v = o.value;
  if (v == null) return { key, value: EMPTY };
  try {
    return { key, value: decodeAnyValue(v, depth) };
  } catch (e) {
    throw e instanceof OtlpDecodeError ? e.within('value') : e;
  }
}

/** `depth` is this value's nesting level: 1 for an attribute or body, +1 inside each array or kvlist. */
function decodeAnyValue(value: unknown, depth: number): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH)
    throw new OtlpDecodeError(`values nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
  const o = object(value);
  let v = o.stringValue ?? o.string_value;
  if (v != null) {
    if (typeof v !== 'string') throw wrongType('a string', v, 'stringValue');
    return { kind: 'string', value: v };
  }
  v = o.boolValue ?? o.bool_value;
  if (v != null) {
    if (typeof v !== 'boolean') throw wrongType('a boolean', v, 'boolValue');
    return { kind: 'bool', value: v };
  }
  v = o.intValue ?? o.int_value;
  if (v != null) return { kind: 'int', value: int64(v, 'intValue') };
  v = o.doubleValue ?? o.double_value;
  if (v != null) return { kind: 'double', value: double(v, 'doubleValue') };
  v = o.arrayValue ?? o.array_value;
  if (v != null) {
    const array = v;
    const values = within('arrayValue', () =>
      list(object(array).values, 'values', (x) => decodeAnyValue(x, depth + 1)),
    );
    return { kind: 'array', value: values };
  }
  v = o.kvlistValue ?? o.kvlist_value;
  if (v != null) {
    const kvlist = v;
    const pairs = within('kvlistValue', () => keyValues(object(kvlist).values, 'values', depth + 1));
    return { kind: 'kvlist', value: pairs };
  }
  v = o.bytesValue ?? o.bytes_value;
  if (v != null) return { kind: 'bytes', value: base64(v, 'bytesValue') };
  return EMPTY;
}

// ---- scalars ----

function string(value: unknown, key: string): string {
  if (value == null) return '';
  if (typeof value !== 'string') throw wrongType('a string', value, key);
  return value;
}

function boolean(value: unknown, key: string): boolean {
  if (value == null) return false;
  if (typeof value !== 'boolean') throw wrongType('a boolean', value, key);
  return value;
}

// 64-bit integers have at most 20 digits; longer strings are refused rather than read as Infinity
const UNSIGNED = /^\d+$/;
const SIGNED = /^-?\d+$/;
const DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * fixed64 nanoseconds (string or number) -> whole microseconds, exact: for a decimal string, flooring by
 * 1000 is dropping its last three digits.
 */
function timeUs(value: unknown, key: string): number {
  if (value == null) return 0;
  if (typeof value === 'string' && UNSIGNED.test(value) && value.length <= 20) {
    return value.length <= 3 ? 0 : Number(value.slice(0, -3));
  }
  // Past fixed64's range the value is no time at all, and its microseconds would overflow the store's
  // int64 timestamps (a store error is a 503 the client retries forever): refuse it as malformed.
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < 2 ** 64) {
    // a JSON number this large already lost precision in JSON.parse; BigInt at least floors what is left
    return Number.isSafeInteger(value) ? (value - (value % 1000)) / 1000 : Number(BigInt(value) / 1000n);
  }
  throw new OtlpDecodeError(`expected nanoseconds as a non-negative integer, got ${shown(value)}`, key);
}

/** int64 as a decimal string or a JSON integer; values past 2^53 round, which is acceptable for values. */
function int64(value: unknown, key: string): number {
  let n: number | undefined;
  if (typeof value === 'number' && Number.isInteger(value)) n = value;
  else if (typeof value === 'string' && SIGNED.test(value) && value.length <= 20) n = Number(value);
  if (n === undefined) throw new OtlpDecodeError(`expected an integer, got ${shown(value)}`, key);
  return n === 0 ? 0 : n; // no -0: protobuf has none
}

function double(value: unknown, key: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN;
    if (value === 'Infinity') return Infinity;
    if (value === '-Infinity') return -Infinity;
    if (DECIMAL.test(value)) return Number(value);
  }
  throw new OtlpDecodeError(`expected a number, got ${shown(value)}`, key);
}

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

function base64(value: unknown, key: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw wrongType('base64 text', value, key);
  return new Uint8Array(Buffer.from(value, 'base64'));
}

/**
 * Trace and span ids are hex in OTLP/JSON. Some exporters send protobuf JSON's base64 instead; that is
 * accepted when it decodes to an id's length (16 or 8 bytes), since the id is not worth refusing a batch.
 */
function hexId(value: unknown, key: string): string {
  if (value == null || value === '') return '';
  if (typeof value === 'string') {
    if (HEX.test(value)) return value.toLowerCase();
    if (BASE64.test(value)) {
      const bytes = Buffer.from(value, 'base64');
      if (bytes.length === 16 || bytes.length === 8) return bytes.toString('hex');
    }
  }
  throw new OtlpDecodeError(`expected a hex id, got ${shown(value)}`, key);
}

// ---- structure ----

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown): Obj {
  if (!isObject(value)) throw new OtlpDecodeError(`expected an object, got ${typeName(value)}`);
  return value;
}

function arrayOf(value: unknown, key: string): readonly unknown[] {
  if (value == null) return [];
  if (!Array.isArray(value)) throw wrongType('an array', value, key);
  return value;
}

/** Decodes each element of the array field `key`; a failure is reported at `key[index]`. */
function list<T>(value: unknown, key: string, decode: (value: unknown) => T): T[] {
  const values = arrayOf(value, key);
  const out: T[] = [];
  for (let i = 0; i < values.length; i++) {
    try {
      out.push(decode(values[i]));
    } catch (e) {
      throw e instanceof OtlpDecodeError ? e.within(`${key}[${i}]`) : e;
    }
  }
  return out;
}

function within<T>(segment: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    throw e instanceof OtlpDecodeError ? e.within(segment) : e;
  }
}

function wrongType(expected: string, value: unknown, key: string): OtlpDecodeError {
  return new OtlpDecodeError(`expected ${expected}, got ${typeName(value)}`, key);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value;
}

/** A short rendering of a bad scalar for an error message. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeName(value);
}
