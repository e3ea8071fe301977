import { DuckDBTimestampValue, type DuckDBAppender } from '@duckdb/node-api';
import type { Attributes, Origin, TelemetryEvent } from '../telemetry/records.js';
import type { StoredPoint } from './cumulative.js';

/*
 * Row writers for the staging tables. The column order is the order of CREATE TABLE in migrations.ts
 * (the staging tables are copies of those); store.test.ts reads every column back to pin it.
 */

function text(a: DuckDBAppender, value: string | null): void {
  if (value === null) a.appendNull();
  else a.appendVarchar(value);
}

function double(a: DuckDBAppender, value: number | null): void {
  if (value === null) a.appendNull();
  else a.appendDouble(value);
}

function bigint(a: DuckDBAppender, value: number | null): void {
  if (value === null) a.appendNull();
  else a.appendBigInt(BigInt(value));
}

function timestamp(a: DuckDBAppender, us: number): void {
  a.appendTimestamp(new DuckDBTimestampValue(BigInt(us)));
}

// Records of one request share their resource object: serialize it once, not once per row.
const resourceJson = new WeakMap<object, string>();

function resource(a: DuckDBAppender, attrs: Attributes): void {
  let json = resourceJson.get(attrs);
  if (json === undefined) {
    json = JSON.stringify(attrs);
    resourceJson.set(attrs, json);
  }
  a.appendVarchar(json);
}

function origin(a: DuckDBAppender, o: Origin): void {
  text(a, o.sessionId);
  text(a, o.userId);
  text(a, o.userEmail);
  text(a, o.organizationId);
  text(a, o.machineName);
  text(a, o.serviceName);
  text(a, o.serviceVersion);
  text(a, o.terminalType);
  text(a, o.osType);
  text(a, o.hostArch);
}

export function appendPoint(a: DuckDBAppender, { key, point, startUs, value }: StoredPoint): void {
  a.appendVarchar(key);
  a.appendVarchar(point.seriesKey);
  a.appendVarchar(point.metric);
  a.appendVarchar(point.unit);
  a.appendVarchar(point.kind);
  a.appendBoolean(point.monotonic);
  timestamp(a, startUs);
  timestamp(a, point.endUs);
  a.appendDouble(value);
  text(a, point.type);
  text(a, point.model);
  origin(a, point.origin);
  a.appendVarchar(point.scopeName);
  a.appendVarchar(point.attributesJson);
  resource(a, point.resource);
  a.endRow();
}

export function appendEvent(a: DuckDBAppender, e: TelemetryEvent): void {
  a.appendVarchar(e.key);
  timestamp(a, e.timeUs);
  timestamp(a, e.observedUs);
  a.appendVarchar(e.name);
  text(a, e.body);
  origin(a, e.origin);
  text(a, e.promptId);
  bigint(a, e.sequence);
  text(a, e.model);
  double(a, e.costUsd);
  bigint(a, e.inputTokens);
  bigint(a, e.outputTokens);
  bigint(a, e.cacheReadTokens);
  bigint(a, e.cacheCreationTokens);
  double(a, e.durationMs);
  text(a, e.toolName);
  if (e.success === null) a.appendNull();
  else a.appendBoolean(e.success);
  if (e.statusCode === null) a.appendNull();
  else a.appendInteger(e.statusCode);
  text(a, e.error);
  text(a, e.decision);
  text(a, e.source);
  text(a, e.severityText);
  a.appendVarchar(e.scopeName);
  a.appendVarchar(e.attributesJson);
  resource(a, e.resource);
  a.appendInteger(e.typedAttributes);
  a.endRow();
}
