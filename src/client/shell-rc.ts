/**
 * The marked block `client setup --shell` keeps in a shell's startup file. Everything outside the markers
 * is the user's and stays byte for byte. Pure: text in, text out.
 */

export type Shell = 'zsh' | 'bash' | 'fish';
export const SHELLS: readonly Shell[] = ['zsh', 'bash', 'fish'];

export const BEGIN = '# >>> ccmon >>>';
export const END = '# <<< ccmon <<<';

/** Single quotes keep every character literal; a quote inside is closed, escaped and reopened. */
function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function fishQuote(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

export function renderBlock(shell: Shell, env: Readonly<Record<string, string>>): string {
  const lines = Object.entries(env).map(([k, v]) =>
    shell === 'fish' ? `set -gx ${k} ${fishQuote(v)}` : `export ${k}=${shQuote(v)}`,
  );
  return [
    BEGIN,
    '# Claude Code telemetry, written by `ccmon client setup`; `ccmon client remove` takes it out.',
    ...lines,
    END,
    '',
  ].join('\n');
}

interface Found {
  readonly start: number;
  readonly end: number;
}

/** Where the block is: from its first marker to the end of the line of its last. */
function findBlock(text: string): Found | undefined {
  let start = 0;
  if (!text.startsWith(`${BEGIN}\n`)) {
    const at = text.indexOf(`\n${BEGIN}\n`);
    if (at < 0) return undefined;
    start = at + 1;
  }
  const endMarker = text.indexOf(`\n${END}`, start);
  if (endMarker < 0) return undefined;
  const lineEnd = text.indexOf('\n', endMarker + 1 + END.length);
  return { start, end: lineEnd < 0 ? text.length : lineEnd + 1 };
}

export function hasBlock(text: string): boolean {
  return findBlock(text) !== undefined;
}

/** Replaces the block where it is, or appends it after a blank line. */
export function putBlock(text: string, block: string): string {
  const found = findBlock(text);
  if (found !== undefined) return text.slice(0, found.start) + block + text.slice(found.end);
  if (text === '') return block;
  return `${text}${text.endsWith('\n') ? '' : '\n'}\n${block}`;
}

/** Takes the block out, with the blank line putBlock put before it. */
export function dropBlock(text: string): string {
  const found = findBlock(text);
  if (found === undefined) return text;
  let start = found.start;
  if (text.slice(0, start).endsWith('\n\n')) start -= 1;
  return text.slice(0, start) + text.slice(found.end);
}

/** Variables the user sets outside the block that ccmon's block also sets or that override it. */
export function otherSettings(text: string, keys: readonly string[]): string[] {
  const found = findBlock(text);
  const outside = found === undefined ? text : text.slice(0, found.start) + text.slice(found.end);
  return keys.filter((k) =>
    new RegExp(`(^|\\s)(export\\s+|set\\s+-\\w*x\\w*\\s+)${k}[=\\s]`, 'm').test(outside),
  );
}

/** The variables in the block, read back (for `client check`). */
export function readBlock(text: string): Record<string, string> {
  const found = findBlock(text);
  if (found === undefined) return {};
  const out: Record<string, string> = {};
  for (const line of text.slice(found.start, found.end).split('\n')) {
    const sh = /^export ([A-Z_][A-Z0-9_]*)='(.*)'$/.exec(line);
    const fish = /^set -gx ([A-Z_][A-Z0-9_]*) '(.*)'$/.exec(line);
    if (sh?.[1] !== undefined) out[sh[1]] = (sh[2] ?? '').replace(/'\\''/g, "'");
    else if (fish?.[1] !== undefined) out[fish[1]] = (fish[2] ?? '').replace(/\\([\\'])/g, '$1');
  }
  return out;
}
