// An OTLP/protobuf encoder for tests and benchmarks, independent of ccmon's hand-written decoders: it uses
// protobufjs reflection over the opentelemetry-proto v1 definitions below (comments and options dropped,
// messages and field numbers as published), so decoder tests do not check the decoder against itself.
// Input is the OTLP/JSON shape (lowerCamelCase, hex trace/span ids, int64 as strings or numbers).
import protobuf from 'protobufjs';

const COMMON = `
syntax = "proto3";
package opentelemetry.proto.common.v1;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope {
  string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4;
}
message EntityRef {
  string schema_url = 1; string type = 2; repeated string id_keys = 3; repeated string description_keys = 4;
}
`;

const RESOURCE = `
syntax = "proto3";
package opentelemetry.proto.resource.v1;
message Resource {
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 1;
  uint32 dropped_attributes_count = 2;
  repeated opentelemetry.proto.common.v1.EntityRef entity_refs = 3;
}
`;

const METRICS = `
syntax = "proto3";
package opentelemetry.proto.metrics.v1;
message MetricsData { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics {
  reserved 1000;
  opentelemetry.proto.resource.v1.Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3;
}
message ScopeMetrics {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3;
}
message Metric {
  reserved 4, 6, 8;
  string name = 1; string description = 2; string unit = 3;
  oneof data {
    Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; ExponentialHistogram exponential_histogram = 10;
    Summary summary = 11;
  }
  repeated opentelemetry.proto.common.v1.KeyValue metadata = 12;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum {
  repeated NumberDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; bool is_monotonic = 3;
}
message Histogram { repeated HistogramDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2; }
message ExponentialHistogram {
  repeated ExponentialHistogramDataPoint data_points = 1; AggregationTemporality aggregation_temporality = 2;
}
message Summary { repeated SummaryDataPoint data_points = 1; }
enum AggregationTemporality {
  AGGREGATION_TEMPORALITY_UNSPECIFIED = 0; AGGREGATION_TEMPORALITY_DELTA = 1; AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
}
enum DataPointFlags { DATA_POINT_FLAGS_DO_NOT_USE = 0; DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK = 1; }
message NumberDataPoint {
  reserved 1;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  oneof value { double as_double = 4; sfixed64 as_int = 6; }
  repeated Exemplar exemplars = 5; uint32 flags = 8;
}
message HistogramDataPoint {
  reserved 1;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 9;
  fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4; optional double sum = 5;
  repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7; repeated Exemplar exemplars = 8;
  uint32 flags = 10; optional double min = 11; optional double max = 12;
}
message ExponentialHistogramDataPoint {
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 1;
  fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4; optional double sum = 5;
  sint32 scale = 6; fixed64 zero_count = 7; Buckets positive = 8; Buckets negative = 9;
  message Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; }
  uint32 flags = 10; repeated Exemplar exemplars = 11; optional double min = 12; optional double max = 13;
  double zero_threshold = 14;
}
message SummaryDataPoint {
  reserved 1;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 7;
  fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4; double sum = 5;
  message ValueAtQuantile { double quantile = 1; double value = 2; }
  repeated ValueAtQuantile quantile_values = 6; uint32 flags = 8;
}
message Exemplar {
  reserved 1;
  repeated opentelemetry.proto.common.v1.KeyValue filtered_attributes = 7;
  fixed64 time_unix_nano = 2;
  oneof value { double as_double = 3; sfixed64 as_int = 6; }
  bytes span_id = 4; bytes trace_id = 5;
}
`;

const LOGS = `
syntax = "proto3";
package opentelemetry.proto.logs.v1;
message LogsData { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs {
  reserved 1000;
  opentelemetry.proto.resource.v1.Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3;
}
message ScopeLogs {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1; repeated LogRecord log_records = 2;
  string schema_url = 3;
}
enum SeverityNumber {
  SEVERITY_NUMBER_UNSPECIFIED = 0;
  SEVERITY_NUMBER_TRACE = 1; SEVERITY_NUMBER_TRACE2 = 2; SEVERITY_NUMBER_TRACE3 = 3; SEVERITY_NUMBER_TRACE4 = 4;
  SEVERITY_NUMBER_DEBUG = 5; SEVERITY_NUMBER_DEBUG2 = 6; SEVERITY_NUMBER_DEBUG3 = 7; SEVERITY_NUMBER_DEBUG4 = 8;
  SEVERITY_NUMBER_INFO = 9; SEVERITY_NUMBER_INFO2 = 10; SEVERITY_NUMBER_INFO3 = 11; SEVERITY_NUMBER_INFO4 = 12;
  SEVERITY_NUMBER_WARN = 13; SEVERITY_NUMBER_WARN2 = 14; SEVERITY_NUMBER_WARN3 = 15; SEVERITY_NUMBER_WARN4 = 16;
  SEVERITY_NUMBER_ERROR = 17; SEVERITY_NUMBER_ERROR2 = 18; SEVERITY_NUMBER_ERROR3 = 19; SEVERITY_NUMBER_ERROR4 = 20;
  SEVERITY_NUMBER_FATAL = 21; SEVERITY_NUMBER_FATAL2 = 22; SEVERITY_NUMBER_FATAL3 = 23; SEVERITY_NUMBER_FATAL4 = 24;
}
enum LogRecordFlags { LOG_RECORD_FLAGS_DO_NOT_USE = 0; LOG_RECORD_FLAGS_TRACE_FLAGS_MASK = 0x000000FF; }
message LogRecord {
  reserved 4;
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11;
  SeverityNumber severity_number = 2; string severity_text = 3;
  opentelemetry.proto.common.v1.AnyValue body = 5;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 6; uint32 dropped_attributes_count = 7;
  fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10; string event_name = 12;
}
`;

const TRACE = `
syntax = "proto3";
package opentelemetry.proto.trace.v1;
message TracesData { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans {
  reserved 1000;
  opentelemetry.proto.resource.v1.Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3;
}
message ScopeSpans {
  opentelemetry.proto.common.v1.InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3;
}
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16;
  string name = 5;
  enum SpanKind {
    SPAN_KIND_UNSPECIFIED = 0; SPAN_KIND_INTERNAL = 1; SPAN_KIND_SERVER = 2; SPAN_KIND_CLIENT = 3;
    SPAN_KIND_PRODUCER = 4; SPAN_KIND_CONSUMER = 5;
  }
  SpanKind kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated opentelemetry.proto.common.v1.KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
  message Event {
    fixed64 time_unix_nano = 1; string name = 2;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 3; uint32 dropped_attributes_count = 4;
  }
  repeated Event events = 11; uint32 dropped_events_count = 12;
  message Link {
    bytes trace_id = 1; bytes span_id = 2; string trace_state = 3;
    repeated opentelemetry.proto.common.v1.KeyValue attributes = 4; uint32 dropped_attributes_count = 5;
    fixed32 flags = 6;
  }
  repeated Link links = 13; uint32 dropped_links_count = 14;
  Status status = 15;
}
message Status {
  reserved 1;
  string message = 2;
  enum StatusCode { STATUS_CODE_UNSET = 0; STATUS_CODE_OK = 1; STATUS_CODE_ERROR = 2; }
  StatusCode code = 3;
}
enum SpanFlags {
  SPAN_FLAGS_DO_NOT_USE = 0; SPAN_FLAGS_TRACE_FLAGS_MASK = 0x000000FF;
  SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK = 0x00000100; SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK = 0x00000200;
}
`;

// Each collector package is its own .proto file upstream, so each is parsed on its own.
const COLLECTOR_METRICS = `
syntax = "proto3";
package opentelemetry.proto.collector.metrics.v1;
service MetricsService { rpc Export(ExportMetricsServiceRequest) returns (ExportMetricsServiceResponse) {} }
message ExportMetricsServiceRequest { repeated opentelemetry.proto.metrics.v1.ResourceMetrics resource_metrics = 1; }
message ExportMetricsServiceResponse { ExportMetricsPartialSuccess partial_success = 1; }
message ExportMetricsPartialSuccess { int64 rejected_data_points = 1; string error_message = 2; }
`;

const COLLECTOR_LOGS = `
syntax = "proto3";
package opentelemetry.proto.collector.logs.v1;
service LogsService { rpc Export(ExportLogsServiceRequest) returns (ExportLogsServiceResponse) {} }
message ExportLogsServiceRequest { repeated opentelemetry.proto.logs.v1.ResourceLogs resource_logs = 1; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
`;

const COLLECTOR_TRACE = `
syntax = "proto3";
package opentelemetry.proto.collector.trace.v1;
service TraceService { rpc Export(ExportTraceServiceRequest) returns (ExportTraceServiceResponse) {} }
message ExportTraceServiceRequest { repeated opentelemetry.proto.trace.v1.ResourceSpans resource_spans = 1; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
`;

/** All of the above in one root, field names in lowerCamelCase as OTLP/JSON spells them. */
export const otlpRoot: protobuf.Root = (() => {
  const root = new protobuf.Root();
  for (const source of [
    COMMON,
    RESOURCE,
    METRICS,
    LOGS,
    TRACE,
    COLLECTOR_METRICS,
    COLLECTOR_LOGS,
    COLLECTOR_TRACE,
  ]) {
    protobuf.parse(source, root, { keepCase: false });
  }
  root.resolveAll();
  return root;
})();

const MetricsRequest = otlpRoot.lookupType(
  'opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest',
);
const LogsRequest = otlpRoot.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const TraceRequest = otlpRoot.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

export function encodeMetricsProto(request: object): Uint8Array {
  return encodeWith(MetricsRequest, request);
}

export function encodeLogsProto(request: object): Uint8Array {
  return encodeWith(LogsRequest, request);
}

export function encodeTraceProto(request: object): Uint8Array {
  return encodeWith(TraceRequest, request);
}

function encodeWith(type: protobuf.Type, request: object): Uint8Array {
  // fromObject reads int64 strings, enum names and NaN/Infinity strings itself; only the hex ids differ
  // from protobufjs's JSON mapping (which expects base64 bytes).
  const message = type.fromObject(hexIdsToBytes(request) as Record<string, unknown>);
  return type.encode(message).finish();
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

function hexIdsToBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(hexIdsToBytes);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] =
      ID_FIELDS.has(key) && typeof field === 'string' ? Buffer.from(field, 'hex') : hexIdsToBytes(field);
  }
  return out;
}

// ---- Claude Code-like payloads (OTLP/JSON shape), deterministic for a given seed ----

export type JsonAnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  arrayValue?: { values: JsonAnyValue[] };
  kvlistValue?: { values: JsonKeyValue[] };
  bytesValue?: string;
};
export type JsonKeyValue = { key: string; value: JsonAnyValue };
export type JsonResource = { attributes: JsonKeyValue[] };
export type JsonScope = { name: string; version: string };
export type JsonNumberDataPoint = {
  attributes: JsonKeyValue[];
  startTimeUnixNano: string;
  timeUnixNano: string;
  asDouble?: number;
  asInt?: string;
};
export type JsonSum = {
  dataPoints: JsonNumberDataPoint[];
  aggregationTemporality: number;
  isMonotonic: boolean;
};
export type JsonMetric = { name: string; description: string; unit: string; sum?: JsonSum };
export type JsonLogRecord = {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  body: JsonAnyValue;
  attributes: JsonKeyValue[];
};
export type JsonMetricsRequest = {
  resourceMetrics: { resource: JsonResource; scopeMetrics: { scope: JsonScope; metrics: JsonMetric[] }[] }[];
};
export type JsonLogsRequest = {
  resourceLogs: { resource: JsonResource; scopeLogs: { scope: JsonScope; logRecords: JsonLogRecord[] }[] }[];
};

export interface ClaudeOptions {
  /** data points (metrics) or log records (logs); default 10 */
  count?: number;
  sessionId?: string;
  /** epoch milliseconds of the first point or record; default 2023-11-14T22:13:20Z */
  timeBaseMs?: number;
  machineName?: string;
  /** varies models, values and attribute choices; same seed, same payload */
  seed?: number;
  /** metrics only: 1 delta (Claude Code's default), 2 cumulative */
  temporality?: 1 | 2;
  /**
   * metrics only: every point ends at one moment (timeBaseMs + 60 s), as in one export of Claude Code,
   * instead of one export interval further per round of the metrics. Each further round then belongs
   * to another session of the machine (session.id with a -2, -3, ... suffix), so that every point is
   * still a series of its own and none is a duplicate of another.
   */
  oneExport?: boolean;
  serviceVersion?: string;
}

const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-1-20250805', 'claude-haiku-4-5-20251001'];
const TOOLS = ['Read', 'Edit', 'Bash', 'Grep', 'Write'];
const LANGUAGES = ['TypeScript', 'Python', 'Markdown', 'Go'];

const str = (key: string, value: string): JsonKeyValue => ({ key, value: { stringValue: value } });
const int = (key: string, value: number): JsonKeyValue => ({ key, value: { intValue: String(value) } });
const dbl = (key: string, value: number): JsonKeyValue => ({ key, value: { doubleValue: value } });

/** mulberry32: tiny, fast, deterministic. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hex(rand: () => number, length: number): string {
  let out = '';
  while (out.length < length)
    out += Math.floor(rand() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return out.slice(0, length);
}

function uuid(rand: () => number): string {
  const h = hex(rand, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

/** nanoseconds as the decimal string OTLP/JSON uses, with a sub-microsecond part to exercise truncation. */
function nanos(ms: number, extraNs: number): string {
  return (BigInt(ms) * 1_000_000n + BigInt(extraNs)).toString();
}

interface Common {
  rand: () => number;
  base: number;
  version: string;
  resource: { attributes: JsonKeyValue[] };
  standard: JsonKeyValue[];
}

function common(opts: ClaudeOptions): Common {
  const seed = opts.seed ?? 1;
  const rand = random(seed);
  const version = opts.serviceVersion ?? '2.1.197';
  const sessionId = opts.sessionId ?? uuid(rand);
  const resource = {
    attributes: [
      str('service.name', 'claude-code'),
      str('service.version', version),
      str('os.type', seed % 2 === 0 ? 'linux' : 'darwin'),
      str('os.version', seed % 2 === 0 ? '6.8.0-45-generic' : '24.6.0'),
      str('host.arch', seed % 3 === 0 ? 'amd64' : 'arm64'),
      str('machine.name', opts.machineName ?? `dev-laptop-${seed}`),
    ],
  };
  const standard = [
    str('user.id', hex(rand, 64)),
    str('session.id', sessionId),
    str('organization.id', uuid(rand)),
    str('user.email', `dev${seed}@example.com`),
    str('user.account_uuid', uuid(rand)),
    str('terminal.type', seed % 2 === 0 ? 'vscode' : 'iTerm.app'),
  ];
  return { rand, base: opts.timeBaseMs ?? 1_700_000_000_000, version, resource, standard };
}

/** Claude Code's metrics; each point draws one value for each of its own attributes. */
type MetricTemplate = { name: string; unit: string; description: string; attrs: [string, string[]][] };
const METRIC_TEMPLATES: readonly MetricTemplate[] = [
  { name: 'claude_code.session.count', unit: '', description: 'Count of CLI sessions started', attrs: [] },
  {
    name: 'claude_code.cost.usage',
    unit: 'USD',
    description: 'Cost of the Claude Code session',
    attrs: [['model', MODELS]],
  },
  {
    name: 'claude_code.token.usage',
    unit: 'tokens',
    description: 'Number of tokens used',
    attrs: [
      ['type', ['input', 'output', 'cacheRead', 'cacheCreation']],
      ['model', MODELS],
    ],
  },
  {
    name: 'claude_code.lines_of_code.count',
    unit: '',
    description: 'Count of lines of code modified',
    attrs: [['type', ['added', 'removed']]],
  },
  {
    name: 'claude_code.active_time.total',
    unit: 's',
    description: 'Total active time in seconds',
    attrs: [['type', ['user', 'cli']]],
  },
  { name: 'claude_code.commit.count', unit: '', description: 'Number of git commits created', attrs: [] },
  {
    name: 'claude_code.code_edit_tool.decision',
    unit: '',
    description: 'Count of code editing tool permission decisions',
    attrs: [
      ['tool_name', ['Edit', 'Write', 'NotebookEdit']],
      ['decision', ['accept', 'reject']],
      ['source', ['config', 'user_temporary', 'user_permanent']],
      ['language', LANGUAGES],
    ],
  },
];

function pick<T>(c: Common, list: readonly T[]): T {
  return list[Math.floor(c.rand() * list.length)] as T;
}

/**
 * `count` sum points spread over Claude Code's metrics, one export interval (60 s) apart per round
 * (or all at one moment, with `oneExport`).
 */
export function claudeMetricsRequest(opts: ClaudeOptions = {}): JsonMetricsRequest {
  const c = common(opts);
  const count = opts.count ?? 10;
  const temporality = opts.temporality ?? 1;
  const oneExport = opts.oneExport === true;
  const metrics: JsonMetric[] = [];
  for (let i = 0; i < count; i++) {
    const index = i % METRIC_TEMPLATES.length;
    const { name, unit, description, attrs } = METRIC_TEMPLATES[index] as MetricTemplate;
    let metric = metrics[index];
    if (metric === undefined) {
      metric = {
        name,
        unit,
        description,
        sum: { dataPoints: [], aggregationTemporality: temporality, isMonotonic: true },
      };
      metrics[index] = metric;
    }
    const round = Math.floor(i / METRIC_TEMPLATES.length);
    const end = c.base + (oneExport ? 1 : round + 1) * 60_000;
    const start = temporality === 1 ? end - 60_000 : c.base;
    const value =
      name === 'claude_code.cost.usage' ? Math.round(c.rand() * 1e6) / 1e6 : Math.floor(c.rand() * 5000) + 1;
    const standard = oneExport && round > 0 ? withSuffixedSession(c.standard, `-${round + 1}`) : c.standard;
    metric.sum?.dataPoints.push({
      attributes: [...standard, ...attrs.map(([key, choices]) => str(key, pick(c, choices)))],
      startTimeUnixNano: nanos(start, 123_456),
      timeUnixNano: nanos(end, 654_321),
      asDouble: value,
    });
  }
  return {
    resourceMetrics: [
      {
        resource: c.resource,
        scopeMetrics: [{ scope: { name: 'com.anthropic.claude_code', version: c.version }, metrics }],
      },
    ],
  };
}

function withSuffixedSession(standard: JsonKeyValue[], suffix: string): JsonKeyValue[] {
  return standard.map((kv) =>
    kv.key === 'session.id' ? str(kv.key, `${kv.value.stringValue ?? ''}${suffix}`) : kv,
  );
}

const EVENT_CYCLE = [
  'user_prompt',
  'api_request',
  'tool_decision',
  'tool_result',
  'api_request',
  'api_error',
] as const;

/** `count` event records cycling through Claude Code's event kinds, one prompt per cycle, 250 ms apart. */
export function claudeLogsRequest(opts: ClaudeOptions = {}): JsonLogsRequest {
  const c = common(opts);
  const count = opts.count ?? 10;
  const logRecords: JsonLogRecord[] = [];
  let promptId = uuid(c.rand);
  for (let i = 0; i < count; i++) {
    const event = EVENT_CYCLE[i % EVENT_CYCLE.length] as (typeof EVENT_CYCLE)[number];
    if (event === 'user_prompt') promptId = uuid(c.rand);
    const ms = c.base + i * 250;
    logRecords.push({
      timeUnixNano: nanos(ms, 0),
      observedTimeUnixNano: nanos(ms, 1_234),
      body: { stringValue: `claude_code.${event}` },
      attributes: [
        ...c.standard,
        str('event.name', event),
        str('event.timestamp', new Date(ms).toISOString()),
        int('event.sequence', i),
        str('prompt.id', promptId),
        ...eventAttributes(c, event),
      ],
    });
  }
  return {
    resourceLogs: [
      {
        resource: c.resource,
        scopeLogs: [{ scope: { name: 'com.anthropic.claude_code.events', version: c.version }, logRecords }],
      },
    ],
  };
}

function eventAttributes(c: Common, event: (typeof EVENT_CYCLE)[number]): JsonKeyValue[] {
  switch (event) {
    case 'user_prompt':
      return [str('prompt_length', String(20 + Math.floor(c.rand() * 400))), str('prompt', '<REDACTED>')];
    case 'api_request':
      return [
        str('model', pick(c, MODELS)),
        dbl('cost_usd', Math.round(c.rand() * 1e6) / 1e7),
        int('duration_ms', 400 + Math.floor(c.rand() * 9000)),
        int('input_tokens', Math.floor(c.rand() * 50)),
        int('output_tokens', Math.floor(c.rand() * 2000)),
        int('cache_read_tokens', Math.floor(c.rand() * 40000)),
        int('cache_creation_tokens', Math.floor(c.rand() * 3000)),
      ];
    case 'tool_decision':
      return [str('tool_name', pick(c, TOOLS)), str('decision', 'accept'), str('source', 'config')];
    case 'tool_result':
      return [
        str('tool_name', pick(c, TOOLS)),
        str('success', 'true'),
        str('duration_ms', String(1 + Math.floor(c.rand() * 300))),
        str('decision', 'accept'),
        str('source', 'config'),
      ];
    case 'api_error':
      return [
        str('model', pick(c, MODELS)),
        str('error', 'Request timed out.'),
        str('status_code', '529'),
        str('duration_ms', String(30000 + Math.floor(c.rand() * 1000))),
        str('attempt', '1'),
      ];
  }
}
