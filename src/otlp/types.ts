/**
 * The decoded shape of the OTLP messages ccmon reads, shared by the protobuf and the JSON decoders.
 * Only what ccmon uses is kept; anything else in a request is skipped by the decoders.
 * Times are whole microseconds since the Unix epoch (OTLP sends nanoseconds; DuckDB keeps µs),
 * 0 when the sender left the field unset.
 */

export type AnyValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'array'; readonly value: readonly AnyValue[] }
  | { readonly kind: 'kvlist'; readonly value: readonly KeyValue[] }
  | { readonly kind: 'empty' };

export interface KeyValue {
  readonly key: string;
  readonly value: AnyValue;
}

export interface Resource {
  readonly attributes: readonly KeyValue[];
}

export interface Scope {
  readonly name: string;
  readonly version: string;
}

/** OTLP AggregationTemporality: 0 unspecified, 1 delta, 2 cumulative. */
export type Temporality = 0 | 1 | 2;

export interface NumberDataPoint {
  readonly attributes: readonly KeyValue[];
  readonly startTimeUs: number;
  readonly timeUs: number;
  /** as_int or as_double; undefined when the point carries neither (a malformed point). */
  readonly value: number | undefined;
}

export type MetricData =
  | {
      readonly kind: 'sum';
      readonly temporality: Temporality;
      readonly isMonotonic: boolean;
      readonly points: readonly NumberDataPoint[];
    }
  | { readonly kind: 'gauge'; readonly points: readonly NumberDataPoint[] }
  /** histogram, exponential histogram, summary: counted and refused, Claude Code sends none. */
  | { readonly kind: 'unsupported'; readonly type: string; readonly pointCount: number }
  | { readonly kind: 'none' };

export interface Metric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly data: MetricData;
}

export interface ScopeMetrics {
  readonly scope: Scope;
  readonly metrics: readonly Metric[];
}

export interface ResourceMetrics {
  readonly resource: Resource;
  readonly scopeMetrics: readonly ScopeMetrics[];
}

export interface ExportMetricsRequest {
  readonly resourceMetrics: readonly ResourceMetrics[];
}

export interface LogRecord {
  readonly timeUs: number;
  readonly observedTimeUs: number;
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: AnyValue;
  readonly attributes: readonly KeyValue[];
  /** lowercase hex, '' when absent */
  readonly traceId: string;
  readonly spanId: string;
  readonly eventName: string;
}

export interface ScopeLogs {
  readonly scope: Scope;
  readonly logRecords: readonly LogRecord[];
}

export interface ResourceLogs {
  readonly resource: Resource;
  readonly scopeLogs: readonly ScopeLogs[];
}

export interface ExportLogsRequest {
  readonly resourceLogs: readonly ResourceLogs[];
}

/** Traces are accepted and discarded; only the span count is kept, for the refusal/accept counters. */
export interface ExportTraceRequest {
  readonly spanCount: number;
}

/** ExportXServiceResponse.partial_success */
export interface PartialSuccess {
  readonly rejected: number;
  readonly errorMessage: string;
}

export type Signal = 'metrics' | 'logs' | 'traces';

/**
 * Deepest AnyValue nesting (arrays and kvlists inside each other) the decoders accept; an attribute value
 * at the top is level 1. Real telemetry stays within a few levels; the limit keeps hostile input from
 * exhausting the stack.
 */
export const MAX_ANY_VALUE_DEPTH = 32;
