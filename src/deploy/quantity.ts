/** Kubernetes memory quantities ("600Mi", "1Gi", "629145600", "700M") to bytes and back. */
import { ConfigError } from '../config/values.js';

const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
  k: 1000,
  M: 1000 ** 2,
  G: 1000 ** 3,
  T: 1000 ** 4,
};

/** Parses the forms a memory request or limit is written in; a ccmon-style "600MiB" is accepted too. */
export function parseMemoryQuantity(setting: string, raw: string): number {
  const text = raw.trim().replace(/iB$/, 'i');
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(text);
  const unit = match ? SUFFIXES[match[2] ?? ''] : undefined;
  if (!match || unit === undefined) {
    throw new ConfigError(
      `${setting}: expected a Kubernetes memory quantity such as 600Mi, 1Gi or 629145600, got "${raw}"`,
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (bytes < 1) throw new ConfigError(`${setting}: must be more than 0, got "${raw}"`);
  return bytes;
}

/** The shortest exact binary form: 629145600 -> "600Mi"; bytes that are no whole KiB stay plain. */
export function formatMemoryQuantity(bytes: number): string {
  for (const suffix of ['Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const unit = SUFFIXES[suffix] ?? 1;
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
  }
  return String(bytes);
}

export const MIB = 1024 ** 2;
