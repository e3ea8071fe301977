/**
 * The `env` block of Claude Code's settings.json, changed in place: other keys, their order, the
 * indentation and the final newline stay as they were. Pure: text in, text out.
 */
import { ConfigError } from '../config/values.js';

type JsonObject = Record<string, unknown>;

function parseObject(text: string, name: string): JsonObject {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${name} is not valid JSON (${error instanceof Error ? error.message : String(error)}): fix it first, or use --shell`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(`${name} must hold a JSON object`);
  return value as JsonObject;
}

/** The indentation the file uses: its first indented key, none for a one-line file, else two spaces. */
function indentOf(text: string): string | number {
  const found = /\n([ \t]+)"/.exec(text)?.[1];
  if (found !== undefined) return found;
  return text.trim() !== '' && !text.trim().includes('\n') ? 0 : 2;
}

function serialize(value: JsonObject, like: string): string {
  const body = JSON.stringify(value, null, indentOf(like));
  return like === '' || like.endsWith('\n') ? `${body}\n` : body;
}

function envOf(settings: JsonObject, name: string): JsonObject {
  const env = settings.env;
  if (env === undefined) return {};
  if (typeof env !== 'object' || env === null || Array.isArray(env))
    throw new ConfigError(`${name}: "env" must be an object of variables`);
  return env as JsonObject;
}

export function hasEnvBlock(text: string, name = 'settings.json'): boolean {
  return parseObject(text, name).env !== undefined;
}

/** The values of `keys` in the file's env block; absent keys are left out. */
export function readEnv(
  text: string,
  keys: readonly string[],
  name = 'settings.json',
): Record<string, unknown> {
  const env = envOf(parseObject(text, name), name);
  return Object.fromEntries(keys.filter((k) => k in env).map((k) => [k, env[k]]));
}

/**
 * Sets `set` and deletes `clear` in the env block. Existing keys keep their place, new ones follow in the
 * given order; an env block that ends up empty and was not there before is left out.
 */
export function editEnv(
  text: string,
  set: Readonly<Record<string, unknown>>,
  clear: readonly string[],
  name = 'settings.json',
): string {
  const settings = parseObject(text, name);
  const hadEnv = settings.env !== undefined;
  const env: JsonObject = { ...envOf(settings, name) };
  for (const key of clear) delete env[key];
  for (const [key, value] of Object.entries(set)) env[key] = value;
  const out: JsonObject = { ...settings };
  if (Object.keys(env).length === 0 && !hadEnv) delete out.env;
  else out.env = env;
  return serialize(out, text);
}

/** Puts each touched key back as it was in `previous` (absent there: removed). */
export function restoreEnv(
  text: string,
  previous: Readonly<Record<string, unknown>>,
  touched: readonly string[],
  hadEnv: boolean,
  name = 'settings.json',
): string {
  const settings = parseObject(text, name);
  const env: JsonObject = { ...envOf(settings, name) };
  for (const key of touched) {
    if (key in previous) env[key] = previous[key];
    else delete env[key];
  }
  const out: JsonObject = { ...settings };
  if (Object.keys(env).length === 0 && !hadEnv) delete out.env;
  else out.env = env;
  return serialize(out, text);
}
