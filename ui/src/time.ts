/*
 * Time ranges and refresh intervals. A range is a preset ("8h": the last 8 hours) or a custom pair of
 * expressions that stay as typed, so "now-2h" remains relative after a reload or when shared.
 */

export const RANGE_PRESETS = ['15m', '1h', '3h', '6h', '8h', '12h', '24h', '2d', '7d', '30d', '90d'] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];

export const REFRESH_CHOICES = ['off', '10s', '30s', '1m', '5m'] as const;
export type Refresh = (typeof REFRESH_CHOICES)[number];

export type TimeRange =
  | { readonly kind: 'preset'; readonly preset: RangePreset }
  | { readonly kind: 'custom'; readonly from: string; readonly to: string };

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
};

/** "8h" -> 28_800_000; undefined when it is not a count and a unit. */
export function durationMs(text: string): number | undefined {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  if (match === null) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
}

export function isPreset(text: string): text is RangePreset {
  return (RANGE_PRESETS as readonly string[]).includes(text);
}

export function isRefresh(text: string): text is Refresh {
  return (REFRESH_CHOICES as readonly string[]).includes(text);
}

/** The refresh period in ms, or undefined for "off". */
export function refreshMs(refresh: Refresh): number | undefined {
  return refresh === 'off' ? undefined : durationMs(refresh);
}

/** "Last 8 hours", "Last 15 minutes", "Last 1 day" for the picker button. */
export function presetLabel(preset: string): string {
  const match = /^(\d+)([smhdw])$/.exec(preset);
  if (match === null) return preset;
  const n = Number(match[1]);
  return `Last ${n} ${UNIT_WORDS[match[2] ?? ''] ?? ''}${n === 1 ? '' : 's'}`;
}

/**
 * A time expression as an absolute time: "now", "now-6h", "now-30m", an ISO time with a zone
 * ("2026-03-04T10:00:00Z"), or a local date and time ("2026-03-04 10:00", "2026-03-04").
 */
export function parseTimeExpr(text: string, nowMs: number): number | undefined {
  const t = text.trim();
  if (t === 'now') return nowMs;
  const relative = /^now-(\d+)([smhdw])$/.exec(t);
  if (relative !== null) return nowMs - Number(relative[1]) * (UNIT_MS[relative[2] ?? ''] ?? 0);
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (local !== null) {
    const [, y, mo, d, h, mi, s] = local.map((part) => (part === undefined ? 0 : Number(part)));
    const ms = new Date(y ?? 0, (mo ?? 1) - 1, d, h, mi, s).getTime();
    return Number.isFinite(ms) ? ms : undefined;
  }
  // Only with an explicit zone: Date.parse guesses too much for anything else.
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(t)) {
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/** The range as [fromMs, toMs) at `nowMs`, or an error message for a custom range that does not parse. */
export function resolveRange(range: TimeRange, nowMs: number): { fromMs: number; toMs: number } | string {
  if (range.kind === 'preset') return { fromMs: nowMs - (durationMs(range.preset) ?? 0), toMs: nowMs };
  const fromMs = parseTimeExpr(range.from, nowMs);
  const toMs = parseTimeExpr(range.to, nowMs);
  if (fromMs === undefined) return `"${range.from}" is not a time (try now-6h or 2026-03-04 10:00)`;
  if (toMs === undefined) return `"${range.to}" is not a time (try now or 2026-03-04 18:00)`;
  if (fromMs >= toMs) return 'the start must be before the end';
  return { fromMs, toMs };
}

export function rangeLabel(range: TimeRange): string {
  return range.kind === 'preset' ? presetLabel(range.preset) : `${range.from} to ${range.to}`;
}
