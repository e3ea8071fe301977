import type { AnyValue, ExportLogsRequest, LogRecord, Scope } from '../otlp/types.js';
import {
  attrBoolean,
  attrInteger,
  attrNumber,
  attrString,
  canonicalJson,
  canonicalJsonAndRest,
  toAttributes,
  toAttrValue,
} from './attributes.js';
import { identityKey } from './identity.js';
import { originOf } from './origin.js';
import { leftToColumn, typedMask } from './typed-attributes.js';
import type { Attributes, Normalized, TelemetryEvent } from './records.js';

export interface LogsOptions {
  /** Drop prompt, response and tool input text (sent only when the Claude Code user opts in). */
  readonly dropContent: boolean;
}

/**
 * Attributes that carry what a user typed, what the model answered, raw tool input, or (`body` of
 * api_request_body / api_response_body, with OTEL_LOG_RAW_API_BODIES) the whole API exchange.
 */
const CONTENT_ATTRIBUTES = ['prompt', 'response', 'tool_input', 'tool_parameters', 'body'] as const;
const REDACTED = '<REDACTED>';

/** OTLP logs -> stored events. Every record is kept; unknown event names included. */
export function normalizeLogs(request: ExportLogsRequest, options: LogsOptions): Normalized<TelemetryEvent> {
  const records: TelemetryEvent[] = [];
  let rejected = 0;
  let rejectReason = '';
  for (const rl of request.resourceLogs) {
    const resource = toAttributes(rl.resource.attributes);
    const resourceJson = canonicalJson(resource);
    for (const sl of rl.scopeLogs) {
      for (const record of sl.logRecords) {
        const event = toEvent(resource, resourceJson, sl.scope, record, options);
        if (event === undefined) {
          rejected += 1;
          if (rejectReason === '') rejectReason = 'a log record has neither a time nor an observed time';
          continue;
        }
        records.push(event);
      }
    }
  }
  return { records, rejected, rejectReason };
}

function toEvent(
  resource: Attributes,
  resourceJson: string,
  scope: Scope,
  record: LogRecord,
  options: LogsOptions,
): TelemetryEvent | undefined {
  const own = options.dropContent
    ? withoutContent(toAttributes(record.attributes))
    : toAttributes(record.attributes);
  const timeUs = eventTime(own, record);
  if (timeUs === undefined) return undefined;
  const body = bodyText(record.body);
  const name = eventName(own, record, body);
  const sequence = attrInteger(own, 'event.sequence');
  const origin = originOf(resource, own);
  const event: Writable<TelemetryEvent> = {
    origin,
    key: '',
    timeUs,
    observedUs: record.observedTimeUs > 0 ? record.observedTimeUs : timeUs,
    name,
    body,
    promptId: attrString(own, 'prompt.id'),
    sequence,
    model: attrString(own, 'model'),
    costUsd: attrNumber(own, 'cost_usd'),
    inputTokens: attrInteger(own, 'input_tokens'),
    outputTokens: attrInteger(own, 'output_tokens'),
    cacheReadTokens: attrInteger(own, 'cache_read_tokens'),
    cacheCreationTokens: attrInteger(own, 'cache_creation_tokens'),
    durationMs: attrNumber(own, 'duration_ms'),
    toolName: attrString(own, 'tool_name'),
    success: attrBoolean(own, 'success'),
    statusCode: httpStatus(attrInteger(own, 'status_code')),
    error: attrString(own, 'error'),
    decision: attrString(own, 'decision'),
    source: attrString(own, 'source'),
    severityText: record.severityText === '' ? null : record.severityText,
    scopeName: scope.name,
    attributesJson: '',
    typedAttributes: 0,
    resource,
  };
  // The identity hashes every attribute as sent; the store keeps the typed ones in their columns.
  const mask = typedMask(own, event);
  let allJson: string;
  if (mask === 0) allJson = event.attributesJson = canonicalJson(own);
  else [allJson, event.attributesJson] = canonicalJsonAndRest(own, (key) => leftToColumn(mask, key));
  event.key = identityKey(
    origin.sessionId ?? '',
    sequence ?? '',
    timeUs,
    name,
    body ?? '',
    resourceJson,
    allJson,
  );
  event.typedAttributes = mask;
  return event;
}

/** The record being built, before its fields are final. */
type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** Claude Code's own `event.timestamp` is the event time; the record's times are the fallbacks. */
function eventTime(attrs: Attributes, record: LogRecord): number | undefined {
  const stamp = attrString(attrs, 'event.timestamp');
  if (stamp !== null) {
    const ms = Date.parse(stamp);
    if (Number.isFinite(ms)) return Math.round(ms * 1000);
  }
  if (record.timeUs > 0) return record.timeUs;
  if (record.observedTimeUs > 0) return record.observedTimeUs;
  return undefined;
}

function eventName(attrs: Attributes, record: LogRecord, body: string | null): string {
  const named = attrString(attrs, 'event.name') ?? (record.eventName === '' ? null : record.eventName);
  const raw = named ?? body ?? 'unknown';
  return raw.startsWith('claude_code.') ? raw.slice('claude_code.'.length) : raw;
}

function bodyText(body: AnyValue): string | null {
  if (body.kind === 'empty') return null;
  if (body.kind === 'string') return body.value;
  return canonicalJson(toAttrValue(body));
}

function httpStatus(code: number | null): number | null {
  return code !== null && code >= 0 && code <= 999 ? code : null;
}

function withoutContent(attrs: Attributes): Attributes {
  const out: Record<string, Attributes[string]> = { ...attrs };
  for (const key of CONTENT_ATTRIBUTES) {
    if (key in out) out[key] = REDACTED;
  }
  return out;
}
