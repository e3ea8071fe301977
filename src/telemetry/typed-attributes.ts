import type { Attributes, AttrValue, TelemetryEvent } from './records.js';

/** An event attribute that has a typed column of its own. */
interface TypedAttribute {
  readonly key: string;
  /** the events table's column */
  readonly column: string;
  readonly of: (event: TypedEventValues) => AttrValue;
}

/** The typed fields of an event, as the normalizer has computed them. */
export type TypedEventValues = Omit<TelemetryEvent, 'key' | 'attributesJson' | 'typedAttributes'>;

/**
 * Event attributes whose value the store keeps only in its typed column when the column holds it
 * exactly (same value, same JSON type): the rest of the attributes go to the `attributes` JSON, and
 * `typed_attributes` has bit i set when TYPED_EVENT_ATTRIBUTES[i] was left out of it. Most of what
 * Claude Code sends is typed, so the JSON shrinks to a quarter (533 to 128 bytes an event in the
 * benchmarks), and with it the copies every stored byte goes through (appender, write-ahead log,
 * checkpoint). Readers put them back with withTypedAttributes.
 *
 * Rows store these bit positions: only ever append to this list.
 */
export const TYPED_EVENT_ATTRIBUTES: readonly TypedAttribute[] = [
  { key: 'event.name', column: 'name', of: (e) => e.name },
  { key: 'session.id', column: 'session_id', of: (e) => e.origin.sessionId },
  { key: 'user.id', column: 'user_id', of: (e) => e.origin.userId },
  { key: 'user.email', column: 'user_email', of: (e) => e.origin.userEmail },
  { key: 'organization.id', column: 'organization_id', of: (e) => e.origin.organizationId },
  { key: 'terminal.type', column: 'terminal_type', of: (e) => e.origin.terminalType },
  { key: 'prompt.id', column: 'prompt_id', of: (e) => e.promptId },
  { key: 'event.sequence', column: 'sequence', of: (e) => e.sequence },
  { key: 'model', column: 'model', of: (e) => e.model },
  { key: 'cost_usd', column: 'cost_usd', of: (e) => e.costUsd },
  { key: 'input_tokens', column: 'input_tokens', of: (e) => e.inputTokens },
  { key: 'output_tokens', column: 'output_tokens', of: (e) => e.outputTokens },
  { key: 'cache_read_tokens', column: 'cache_read_tokens', of: (e) => e.cacheReadTokens },
  { key: 'cache_creation_tokens', column: 'cache_creation_tokens', of: (e) => e.cacheCreationTokens },
  { key: 'duration_ms', column: 'duration_ms', of: (e) => e.durationMs },
  { key: 'tool_name', column: 'tool_name', of: (e) => e.toolName },
  { key: 'success', column: 'success', of: (e) => e.success },
  { key: 'status_code', column: 'status_code', of: (e) => e.statusCode },
  { key: 'error', column: 'error', of: (e) => e.error },
  { key: 'decision', column: 'decision', of: (e) => e.decision },
  { key: 'source', column: 'source', of: (e) => e.source },
];

const BIT_OF_KEY = new Map(TYPED_EVENT_ATTRIBUTES.map((t, i) => [t.key, i]));

/**
 * Which attributes the typed columns hold exactly: bit i for TYPED_EVENT_ATTRIBUTES[i]. A value equal
 * (===) to its column's is one the column gives back exactly: a string attribute "31" stays in the
 * JSON, as the column holds the number 31.
 */
export function typedMask(own: Attributes, event: TypedEventValues): number {
  let mask = 0;
  TYPED_EVENT_ATTRIBUTES.forEach((typed, i) => {
    const value = own[typed.key];
    if (value !== undefined && value === typed.of(event)) mask |= 1 << i;
  });
  return mask;
}

/** Whether `mask` leaves attribute `key` to its typed column. */
export function leftToColumn(mask: number, key: string): boolean {
  const bit = BIT_OF_KEY.get(key);
  return bit !== undefined && (mask & (1 << bit)) !== 0;
}

/** The columns `withTypedAttributes` reads, as `typed_<column>`, for a SELECT over events. */
export const TYPED_ATTRIBUTE_COLUMNS_SQL = [
  'typed_attributes',
  ...TYPED_EVENT_ATTRIBUTES.map((t) => `${t.column} AS typed_${t.column}`),
].join(', ');

/**
 * An event's attributes as sent: its `attributes` JSON with the typed ones put back. `row` holds
 * TYPED_ATTRIBUTE_COLUMNS_SQL's columns; a row stored before `typed_attributes` existed has it null.
 */
export function withTypedAttributes(
  attributes: Record<string, unknown>,
  row: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const mask = row.typed_attributes;
  if (typeof mask !== 'number' || mask === 0) return attributes;
  const entries = Object.entries(attributes);
  TYPED_EVENT_ATTRIBUTES.forEach((typed, i) => {
    if ((mask & (1 << i)) === 0) return;
    const value = row[`typed_${typed.column}`];
    entries.push([typed.key, typeof value === 'bigint' ? Number(value) : value]);
  });
  // In the stored JSON's order (sorted keys, as before typed_attributes); fromEntries also keeps a
  // "__proto__" attribute an attribute.
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
