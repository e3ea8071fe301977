/** Parsers for setting values. Each throws ConfigError naming the setting and what was expected. */

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export function parseHostPort(setting: string, raw: string): HostPort {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(raw.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    throw new ConfigError(`${setting}: expected HOST:PORT (for example 127.0.0.1:4317), got "${raw}"`);
  }
  // No host (":4317") is loopback like the defaults: every interface has to be asked for by name.
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? '127.0.0.1' : host, port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function parseInteger(setting: string, raw: string, min: number, max: number): number {
  const value = Number(raw.trim());
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${setting}: expected a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

/** "16MiB", "512k", "1048576" -> bytes. */
export function parseBytes(setting: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(raw.trim());
  const unit = match ? BYTE_UNITS[(match[2] ?? '').toLowerCase()] : undefined;
  if (!match || unit === undefined) {
    throw new ConfigError(`${setting}: expected a size such as 16MiB, 512KiB or 1048576, got "${raw}"`);
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1) throw new ConfigError(`${setting}: must be at least 1 byte, got "${raw}"`);
  return bytes;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** "90s", "5m", "400d", "1h30m" -> milliseconds. */
export function parseDurationMs(setting: string, raw: string): number {
  const text = raw.trim();
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)];
  const consumed = parts.map((p) => p[0]).join('');
  if (parts.length === 0 || consumed !== text) {
    throw new ConfigError(`${setting}: expected a duration such as 30s, 5m, 2h or 400d, got "${raw}"`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2] ?? ''] ?? 0), 0);
}

const MINUTE_MS = 60_000;
/** setInterval's largest delay (2^31 - 1 ms, about 24.8 days); longer ones would fire at once. */
const MAX_INTERVAL_MS = 2 ** 31 - 1;

/** How long data is kept: a duration ("400d", "12h", "30m"), or a bare number of days ("400"), at least a minute. */
export function parseRetentionMs(setting: string, raw: string): number {
  const text = raw.trim();
  const ms = parseDurationMs(setting, /^\d+$/.test(text) ? `${text}d` : text);
  if (ms < MINUTE_MS) throw new ConfigError(`${setting}: must be at least 1m, got "${raw}"`);
  return ms;
}

/** How often something periodic runs: a duration from 1s to 24d. */
export function parseIntervalMs(setting: string, raw: string): number {
  const ms = parseDurationMs(setting, raw);
  if (ms < 1000 || ms > MAX_INTERVAL_MS) {
    throw new ConfigError(`${setting}: expected a duration from 1s to 24d, got "${raw}"`);
  }
  return ms;
}

/** Milliseconds as the largest units that add up to it: 34_560_000_000 -> "400d", 5_400_000 -> "1h30m". */
export function formatDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ];
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out === '' ? '0ms' : out;
}

/** A share above 0 and at most 1: 0.9, or 90%. */
export function parseFraction(setting: string, raw: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(%?)$/.exec(raw.trim());
  const value = match ? Number(match[1]) / (match[2] === '%' ? 100 : 1) : NaN;
  if (!(value > 0 && value <= 1))
    throw new ConfigError(
      `${setting}: expected a share above 0 and at most 1, such as 0.9 or 90%, got "${raw}"`,
    );
  return value;
}

export function parseBoolean(setting: string, raw: string): boolean {
  const text = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(text)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(text)) return false;
  throw new ConfigError(`${setting}: expected true or false, got "${raw}"`);
}
