/** One section of the YAML config file (`deploy:`, `alerts:`, ...), for commands other than serve. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './values.js';

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.config'), 'ccmon', 'config.yaml');
}

/**
 * The named top-level mapping of the config file: `path` when given (it must exist), else CCMON_CONFIG or
 * the default path when that file exists. Undefined when there is no file or no such section.
 */
export function readConfigSection(path: string | undefined, section: string): unknown {
  const file = path ?? process.env.CCMON_CONFIG ?? defaultConfigPath();
  if (path === undefined && !existsSync(file)) return undefined;
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `cannot read the config file ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (doc === null || doc === undefined) return undefined;
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new ConfigError(`${file}: expected a mapping of sections (serve:, deploy:, alerts:, ...)`);
  return (doc as Record<string, unknown>)[section] ?? undefined;
}

/** A section whose keys are flag names with scalar values, as `deploy:` is; unknown keys are errors. */
export function flagSection(
  path: string | undefined,
  section: string,
  known: readonly string[],
): Record<string, string> {
  const value = readConfigSection(path, section);
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(`config file: "${section}" must be a mapping of settings`);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!known.includes(key))
      throw new ConfigError(`config file: unknown setting ${section}.${key} (known: ${known.join(', ')})`);
    if (typeof v === 'object' && v !== null)
      throw new ConfigError(`config file: ${section}.${key} must be a single value`);
    out[key] = String(v);
  }
  return out;
}
