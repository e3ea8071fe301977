/**
 * `client setup` and `client remove` on the files: Claude Code's settings.json (default) or a shell's
 * startup file. Setup keeps the file as it was in `<file>.ccmon-backup` (its text and whether it existed)
 * the first time; remove restores that text byte for byte when nothing else changed since, and otherwise
 * undoes only what setup did, keeping the user's later edits.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ConfigError } from '../config/values.js';
import { clientEnv, endpointWarning, MANAGED_KEYS, TOUCHED_KEYS, type ClientSettings } from './env.js';
import { editEnv, hasEnvBlock, readEnv, restoreEnv } from './settings-json.js';
import {
  dropBlock,
  hasBlock,
  otherSettings,
  putBlock,
  readBlock,
  renderBlock,
  type Shell,
} from './shell-rc.js';

export type TargetKind = 'settings' | Shell;

export interface Target {
  readonly kind: TargetKind;
  readonly path: string;
}

/** What the file looked like before the first setup. */
interface Backup {
  readonly format: 'ccmon-backup/1';
  readonly existed: boolean;
  readonly content: string;
}

/** A change to make: `after` undefined deletes the file. */
export interface Plan {
  readonly target: Target;
  readonly before: string | undefined;
  readonly after: string | undefined;
  /** written with the change (setup, first time) or deleted (remove) */
  readonly backup: { readonly write: Backup } | { readonly remove: true } | undefined;
  readonly notes: readonly string[];
}

export function defaultTarget(kind: TargetKind, home: string, env: NodeJS.ProcessEnv): Target {
  const configHome =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ''
      ? env.XDG_CONFIG_HOME
      : join(home, '.config');
  switch (kind) {
    case 'settings': {
      // Claude Code reads its settings from CLAUDE_CONFIG_DIR when that is set.
      const dir =
        env.CLAUDE_CONFIG_DIR !== undefined && env.CLAUDE_CONFIG_DIR !== ''
          ? env.CLAUDE_CONFIG_DIR
          : join(home, '.claude');
      return { kind, path: join(dir, 'settings.json') };
    }
    case 'zsh':
      return {
        kind,
        path: join(env.ZDOTDIR !== undefined && env.ZDOTDIR !== '' ? env.ZDOTDIR : home, '.zshrc'),
      };
    case 'bash':
      return { kind, path: join(home, '.bashrc') };
    case 'fish':
      return { kind, path: join(configHome, 'fish', 'config.fish') };
  }
}

export const backupPath = (target: Target): string => `${target.path}.ccmon-backup`;

function readText(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

function readBackup(target: Target): Backup | undefined {
  const text = readText(backupPath(target));
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Backup>;
    if (
      value.format === 'ccmon-backup/1' &&
      typeof value.existed === 'boolean' &&
      typeof value.content === 'string'
    )
      return { format: value.format, existed: value.existed, content: value.content };
  } catch {
    // falls through to the error below: a damaged backup must not be overwritten or trusted
  }
  throw new ConfigError(`${backupPath(target)} is not a ccmon backup; move it away and run again`);
}

/** The change setup makes to `text` (which may be the original or an already set-up file). */
function applySetup(target: Target, text: string, settings: ClientSettings): string {
  const env = clientEnv(settings);
  if (target.kind === 'settings') {
    const clear = TOUCHED_KEYS.filter((k) => !(k in env));
    return editEnv(text, env, clear, target.path);
  }
  return putBlock(text, renderBlock(target.kind, env));
}

export function planSetup(target: Target, settings: ClientSettings): Plan {
  const before = readText(target.path);
  const after = applySetup(target, before ?? '', settings);
  const notes: string[] = [];
  const warning = endpointWarning(settings.endpoint, settings.protocol);
  if (warning !== undefined) notes.push(`warning: ${warning}`);
  if (target.kind !== 'settings') {
    const others = otherSettings(before ?? '', TOUCHED_KEYS);
    if (others.length > 0)
      notes.push(
        `note: ${target.path} also sets ${others.join(', ')} outside ccmon's block; whichever comes later wins`,
      );
  }
  const backup =
    readBackup(target) === undefined && after !== before
      ? { write: { format: 'ccmon-backup/1' as const, existed: before !== undefined, content: before ?? '' } }
      : undefined;
  return { target, before, after, backup, notes };
}

/** The variables setup left in the file now, to replay setup on the backup and compare. */
function currentValues(target: Target, text: string): Record<string, unknown> {
  return target.kind === 'settings' ? readEnv(text, TOUCHED_KEYS, target.path) : readBlock(text);
}

export function planRemove(target: Target): Plan {
  const before = readText(target.path);
  const backup = readBackup(target);
  const notes: string[] = [];
  if (backup === undefined) {
    // No backup: only a shell block can still be recognised and taken out.
    if (target.kind !== 'settings' && before !== undefined && hasBlock(before))
      return {
        target,
        before,
        after: dropBlock(before),
        backup: undefined,
        notes: ['no backup found: took out the marked block'],
      };
    return {
      target,
      before,
      after: before,
      backup: undefined,
      notes: [`nothing to remove: no ccmon setup recorded for ${target.path}`],
    };
  }
  const original = backup.existed ? backup.content : undefined;
  if (before === undefined)
    return {
      target,
      before,
      after: undefined,
      backup: { remove: true },
      notes: [`${target.path} is gone already`],
    };
  let replay: string;
  const values = currentValues(target, before);
  if (target.kind === 'settings') {
    const set = Object.fromEntries(MANAGED_KEYS.filter((k) => k in values).map((k) => [k, values[k]]));
    replay = editEnv(
      backup.content,
      set,
      TOUCHED_KEYS.filter((k) => !(k in set)),
      target.path,
    );
  } else {
    replay = putBlock(backup.content, renderBlock(target.kind, values as Record<string, string>));
  }
  if (sameContent(target, replay, before))
    return { target, before, after: original, backup: { remove: true }, notes };
  // Edited since setup: undo setup's keys only, keep the rest.
  notes.push(
    `${target.path} changed since setup: put back the previous telemetry settings, kept your other changes`,
  );
  let after: string;
  if (target.kind === 'settings') {
    const previous = readEnv(backup.content, TOUCHED_KEYS, target.path);
    const hadEnv = hasEnvBlock(backup.content, target.path);
    after = restoreEnv(before, previous, TOUCHED_KEYS, hadEnv, target.path);
  } else {
    after = dropBlock(before);
  }
  const empty = target.kind === 'settings' ? sameContent(target, after, '{}') : after.trim() === '';
  return {
    target,
    before,
    after: !backup.existed && empty ? undefined : after,
    backup: { remove: true },
    notes,
  };
}

/** settings.json: the same JSON whatever the key order or layout; a shell file: the same text. */
function sameContent(target: Target, a: string, b: string): boolean {
  if (target.kind !== 'settings') return a === b;
  const parse = (text: string): unknown => (text.trim() === '' ? {} : JSON.parse(text));
  return isDeepStrictEqual(parse(a), parse(b));
}

/** Writes the plan. Files are written in place (not renamed over), so a symlinked dotfile stays a symlink. */
export function executePlan(plan: Plan): void {
  const path = plan.target.path;
  if (plan.backup !== undefined && 'write' in plan.backup) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(backupPath(plan.target), `${JSON.stringify(plan.backup.write, null, 2)}\n`, {
      mode: 0o600,
    });
  }
  if (plan.after !== plan.before) {
    if (plan.after === undefined) rmSync(path, { force: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      // New files may hold a token: readable by their owner only.
      writeFileSync(path, plan.after, plan.before === undefined ? { mode: 0o600 } : {});
    }
  }
  if (plan.backup !== undefined && 'remove' in plan.backup) rmSync(backupPath(plan.target), { force: true });
}

/** The Claude Code settings in the target, as setup wrote them (for `client check`). */
export function configuredEnv(target: Target): Record<string, string> {
  const text = readText(target.path);
  if (text === undefined) return {};
  const values = target.kind === 'settings' ? readEnv(text, TOUCHED_KEYS, target.path) : readBlock(text);
  return Object.fromEntries(
    Object.entries(values).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
