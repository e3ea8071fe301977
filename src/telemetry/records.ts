/**
 * Claude Code's telemetry as ccmon stores it. The normalizer turns OTLP into these records; the store
 * writes them; nothing else creates them. Common fields are typed columns (for fast dashboard queries),
 * and every attribute is also kept, as canonical JSON, so nothing a client sent is lost.
 */

export type AttrValue =
  string | number | boolean | null | readonly AttrValue[] | { readonly [key: string]: AttrValue };
export type Attributes = Readonly<Record<string, AttrValue>>;

/** Fields taken from the resource and standard attributes, shared by points and events. */
export interface Origin {
  readonly sessionId: string | null;
  readonly userId: string | null;
  readonly userEmail: string | null;
  readonly organizationId: string | null;
  readonly machineName: string | null;
  readonly serviceName: string | null;
  readonly serviceVersion: string | null;
  readonly terminalType: string | null;
  readonly osType: string | null;
  readonly hostArch: string | null;
}

export type PointKind = 'sum' | 'gauge';

/**
 * One metric data point. Sums are stored as deltas over [startUs, endUs]; a cumulative point arrives
 * with `cumulative: true` and is turned into a delta by the store's writer, which owns the per-series state.
 */
export interface MetricPoint {
  /** who and where: session, user, machine, service (a nested object: spreading it into the record is slow in V8) */
  readonly origin: Origin;
  /** hex identity of the series: resource + scope + metric + point attributes */
  readonly seriesKey: string;
  readonly metric: string;
  readonly unit: string;
  readonly kind: PointKind;
  readonly monotonic: boolean;
  readonly cumulative: boolean;
  readonly startUs: number;
  readonly endUs: number;
  readonly value: number;
  /** the point's `type` attribute (token type, lines added/removed, active time user/cli) */
  readonly type: string | null;
  readonly model: string | null;
  readonly scopeName: string;
  /**
   * the point's own attributes as canonical JSON (sorted keys), computed once for the identity and
   * for the store; records keep no attributes object, which would only lengthen garbage collection
   * while they wait for their commit
   */
  readonly attributesJson: string;
  /** the resource's attributes: one object shared by every record of that resource */
  readonly resource: Attributes;
}

export interface TelemetryEvent {
  readonly origin: Origin;
  /** hex identity: session, sequence, time, name and a hash of all attributes */
  readonly key: string;
  readonly timeUs: number;
  readonly observedUs: number;
  readonly name: string;
  readonly body: string | null;
  readonly promptId: string | null;
  readonly sequence: number | null;
  readonly model: string | null;
  readonly costUsd: number | null;
  readonly inputTokens: number | null;
  readonly outputTokens: number | null;
  readonly cacheReadTokens: number | null;
  readonly cacheCreationTokens: number | null;
  readonly durationMs: number | null;
  readonly toolName: string | null;
  readonly success: boolean | null;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly decision: string | null;
  readonly source: string | null;
  readonly severityText: string | null;
  readonly scopeName: string;
  /**
   * the record's own attributes as canonical JSON (sorted keys), but for those its typed fields hold
   * exactly (see typed-attributes.ts)
   */
  readonly attributesJson: string;
  /** which attributes were left to typed fields: bit i for TYPED_EVENT_ATTRIBUTES[i] */
  readonly typedAttributes: number;
  /** the resource's attributes: one object shared by every record of that resource */
  readonly resource: Attributes;
}

/** What one request yields: records to store and a count of what was refused, with the first reason. */
export interface Normalized<T> {
  readonly records: readonly T[];
  readonly rejected: number;
  readonly rejectReason: string;
}
