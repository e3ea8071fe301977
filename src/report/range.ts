/** A half-open time range [fromMs, toMs) and the time zone days are counted in. */
export interface ReportRange {
  readonly fromMs: number;
  readonly toMs: number;
  readonly tz: string;
}

export class ReportRangeError extends Error {
  override readonly name = 'ReportRangeError';
}

const RELATIVE_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "now", "7d", "12h", "30m", "2w" (ago), or an ISO date/time. */
export function parseTimeArg(name: string, raw: string, nowMs: number): number {
  const text = raw.trim();
  if (text === 'now') return nowMs;
  const relative = /^(\d+)([mhdw])$/.exec(text);
  if (relative) return nowMs - Number(relative[1]) * (RELATIVE_UNITS[relative[2] ?? 'd'] ?? 0);
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) {
    throw new ReportRangeError(
      `${name}: expected an ISO date or time (2026-01-31, 2026-01-31T08:00:00Z) or a relative one (30m, 12h, 7d, 2w), got "${raw}"`,
    );
  }
  return ms;
}

export function checkTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ReportRangeError(
      `--tz: unknown time zone "${tz}" (use an IANA name such as UTC, Europe/Berlin or Asia/Manila)`,
    );
  }
  return tz;
}

export function resolveRange(
  from: string | undefined,
  to: string | undefined,
  tz: string | undefined,
  nowMs = Date.now(),
): ReportRange {
  const toMs = to === undefined ? nowMs : parseTimeArg('--to', to, nowMs);
  const fromMs = from === undefined ? toMs - 7 * 86_400_000 : parseTimeArg('--from', from, nowMs);
  if (fromMs >= toMs) throw new ReportRangeError(`--from must be before --to`);
  return { fromMs, toMs, tz: checkTimeZone(tz ?? Intl.DateTimeFormat().resolvedOptions().timeZone) };
}
