/** A mapping of the config file read key by key, refusing keys it does not know. */
import { ConfigError, parseDurationMs } from '../config/values.js';

export type Severity = 'info' | 'warning' | 'critical';

type Raw = Record<string, unknown>;

/** Reads one mapping, refusing keys it does not know so a typo is an error, not a silent default. */
export class Section {
  constructor(
    readonly path: string,
    private readonly raw: Raw,
  ) {}

  static of(path: string, value: unknown, known: readonly string[]): Section {
    if (value === undefined || value === null) return new Section(path, {});
    if (typeof value !== 'object' || Array.isArray(value))
      throw new ConfigError(`${path}: must be a mapping of settings`);
    for (const key of Object.keys(value)) {
      if (!known.includes(key))
        throw new ConfigError(`${path}: unknown setting ${path}.${key} (known: ${known.join(', ')})`);
    }
    return new Section(path, value as Raw);
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  get(key: string): unknown {
    return this.raw[key];
  }

  name(key: string): string {
    return `${this.path}.${key}`;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean')
      throw new ConfigError(`${this.name(key)}: expected true or false, got "${String(v)}"`);
    return v;
  }

  duration(key: string, fallback: string, minMs = 1): number {
    const v = this.raw[key];
    const ms = parseDurationMs(this.name(key), v === undefined || v === null ? fallback : String(v));
    if (ms < minMs)
      throw new ConfigError(`${this.name(key)}: must be at least ${minMs} ms, got "${String(v)}"`);
    return ms;
  }

  /** `for` may be 0 (fire at once), as in Prometheus. */
  forDuration(fallback: string): number {
    const v = this.raw.for;
    if (v === 0 || v === '0') return 0;
    return this.duration('for', fallback);
  }

  number(key: string, fallback: number | undefined, min: number, what: string): number | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n) || n < min)
      throw new ConfigError(`${this.name(key)}: expected ${what}, got "${String(v)}"`);
    return n;
  }

  string(key: string, fallback: string): string {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || v.trim() === '')
      throw new ConfigError(`${this.name(key)}: expected a non-empty text, got "${String(v)}"`);
    return v;
  }

  severity(fallback: Severity): Severity {
    const v = this.raw.severity ?? fallback;
    if (v !== 'info' && v !== 'warning' && v !== 'critical')
      throw new ConfigError(
        `${this.name('severity')}: expected info, warning or critical, got "${String(v)}"`,
      );
    return v;
  }
}
