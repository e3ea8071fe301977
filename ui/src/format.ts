import type { Unit } from '../../src/dashboard/types.js';

/*
 * Number formatting for panels, tables and tooltips, by the definition's (Grafana) unit ids.
 * Pure and DOM-free: the browser tests format the report's numbers with these same functions.
 */

const SI: readonly (readonly [number, string])[] = [
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** Up to `digits` decimals, trailing zeros dropped: 1.50 -> "1.5", 2.00 -> "2". */
function trimmed(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)));
}

/** Counts and tokens: 950 -> "950", 12_345 -> "12.3k", 1_500_000 -> "1.5M". */
export function formatShort(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  for (const [size, suffix] of SI) {
    // 999_950 rounds to "1000k"; such values go to the next unit up instead.
    if (abs >= size * 0.99995) {
      const scaled = value / size;
      return `${trimmed(scaled, Math.abs(scaled) >= 100 ? 0 : Math.abs(scaled) >= 10 ? 1 : 2)}${suffix}`;
    }
  }
  return trimmed(value, abs >= 100 ? 0 : abs >= 10 ? 1 : 2);
}

/** US dollars: "$1.23", "$1,234.50"; amounts under a cent keep two significant digits ("$0.0069"). */
export function formatUsd(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (abs === 0) return '$0.00';
  if (abs < 0.01) return `${sign}$${Number(abs.toPrecision(2))}`;
  if (abs >= 1e6) return `${sign}$${formatShort(abs)}`;
  return `${sign}$${abs.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const DURATION_PARTS: readonly (readonly [number, string])[] = [
  [86_400, 'd'],
  [3_600, 'h'],
  [60, 'm'],
  [1, 's'],
];

/** Seconds as the two largest parts: "45s", "1m 5s", "1h 5m", "2d 3h"; below 10 s with a decimal. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 0) return `-${formatDuration(-seconds)}`;
  if (seconds === 0) return '0s';
  if (seconds < 1) return `${trimmed(seconds * 1000, 0)}ms`;
  if (seconds < 10) return `${trimmed(seconds, 1)}s`;
  let rest = Math.round(seconds);
  const parts = DURATION_PARTS.map(([size, suffix]) => {
    const n = Math.floor(rest / size);
    rest -= n * size;
    return [n, suffix] as const;
  });
  const first = parts.findIndex(([n]) => n > 0);
  // "1h 0m" reads worse than "1h".
  return parts
    .slice(first, first + 2)
    .filter(([n], i) => i === 0 || n > 0)
    .map(([n, suffix]) => `${n}${suffix}`)
    .join(' ');
}

/** Milliseconds: "850 ms", "1.25 s", then as a duration. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${trimmed(ms, abs >= 100 ? 0 : 1)} ms`;
  if (abs < 60_000) return `${trimmed(ms / 1000, 2)} s`;
  return formatDuration(ms / 1000);
}

export function formatPercent(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return `${trimmed(value, Math.abs(value) >= 10 ? 1 : 2)}%`;
}

/** A panel value in its unit. */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'currencyUSD':
      return formatUsd(value);
    case 'percent':
      return formatPercent(value);
    case 's':
    case 'dtdurations':
      return formatDuration(value);
    case 'h':
      return formatDuration(value * 3600);
    case 'ms':
      return formatMs(value);
    case 'short':
      return formatShort(value);
    case 'none':
      return trimmed(value, 2);
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** "14:03:07" today, "Mar 4 14:03" on other days; in the browser's time zone. */
export function formatTime(ms: number, nowMs: number = Date.now()): string {
  const d = new Date(ms);
  const now = new Date(nowMs);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (d.toDateString() === now.toDateString()) return time;
  return `${d.toLocaleDateString('en-US', { month: 'short', day: 'numeric' })} ${time}`;
}

/** "2026-03-04 14:03:07" in the browser's time zone, for custom range inputs. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "14:03:07.125": events within one prompt are often milliseconds apart. */
export function formatClock(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
