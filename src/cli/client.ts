import { homedir, hostname } from 'node:os';
import { resolve } from 'node:path';
import { sendCheck } from '../client/check.js';
import {
  parseEndpoint,
  parseMachineName,
  parseProtocol,
  parseToken,
  settingsFromEnv,
  type ClientSettings,
} from '../client/env.js';
import { unifiedDiff } from '../client/diff.js';
import { SHELLS, type Shell } from '../client/shell-rc.js';
import {
  backupPath,
  configuredEnv,
  defaultTarget,
  executePlan,
  planRemove,
  planSetup,
  type Plan,
  type Target,
} from '../client/setup.js';
import { ConfigError, parseDurationMs } from '../config/values.js';
import { VERSION } from '../version.js';
import { parse, UsageError } from './args.js';
import type { Command } from './main.js';

const HELP = `Usage: ccmon client setup --endpoint URL [options]
       ccmon client remove [options]
       ccmon client check [options]

Configures Claude Code on this machine to send its telemetry to a collector (the cluster's OTel
Collector or a ccmon), undoes that, or sends one test export.

setup writes the env block of ~/.claude/settings.json ($CLAUDE_CONFIG_DIR/settings.json when set), or
with --shell a marked block (# >>> ccmon >>> ... # <<< ccmon <<<) in ~/.zshrc, ~/.bashrc or fish's
config.fish. The first setup keeps the file as it was in FILE.ccmon-backup; running it again changes
only what differs. remove restores the previous values (the file byte for byte when nothing else
changed since). check reads what setup wrote (or the flags) and sends a ccmon.client_check gauge.

Options:
  --endpoint URL          collector base URL, e.g. http://10.10.30.22:4317 (gRPC) or :4318 (HTTP)
  --protocol P            grpc (default), http/protobuf or http/json
  --machine-name NAME     machine.name resource attribute (default: this host's name)
  --token TOKEN           sent as OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer TOKEN
  --shell SHELL           zsh, bash or fish: write the shell's startup file instead of settings.json
  --file FILE             the file to write or read (default: as above)
  --dry-run               setup/remove: print the change as a diff, write nothing
  --timeout DURATION      check: how long to wait for an answer (default 10s)
  -h, --help              show this help`;

const options = {
  endpoint: { type: 'string' },
  protocol: { type: 'string' },
  'machine-name': { type: 'string' },
  token: { type: 'string' },
  shell: { type: 'string' },
  file: { type: 'string' },
  'dry-run': { type: 'boolean' },
  timeout: { type: 'string' },
} as const;

type Values = {
  [K in keyof typeof options]?: (typeof options)[K]['type'] extends 'boolean' ? boolean : string;
};

function target(values: Values): Target {
  const shell = values.shell;
  if (shell !== undefined && !SHELLS.includes(shell as Shell))
    throw new UsageError(`--shell: expected ${SHELLS.join(', ')}, got "${shell}"`);
  const kind = (shell as Shell | undefined) ?? 'settings';
  const found = defaultTarget(kind, homedir(), process.env);
  return values.file !== undefined ? { kind, path: resolve(values.file) } : found;
}

function show(plan: Plan, dryRun: boolean): void {
  for (const note of plan.notes) console.error(note);
  if (!dryRun) return;
  const diff = unifiedDiff(plan.before ?? '', plan.after ?? '', plan.target.path);
  if (diff === '') console.log('no change');
  else process.stdout.write(diff);
  if (plan.after === undefined && plan.before !== undefined)
    console.log(`(${plan.target.path} would be deleted)`);
}

function setup(values: Values): number {
  if (values.endpoint === undefined)
    throw new UsageError('setup needs --endpoint URL (e.g. http://10.10.30.22:4317)');
  const settings: ClientSettings = {
    endpoint: parseEndpoint(values.endpoint),
    protocol: parseProtocol(values.protocol ?? 'grpc'),
    machineName: parseMachineName(values['machine-name'] ?? hostname()),
    token: values.token === undefined ? undefined : parseToken(values.token),
  };
  const t = target(values);
  const plan = planSetup(t, settings);
  show(plan, values['dry-run'] === true);
  if (values['dry-run'] === true) return 0;
  if (plan.after === plan.before) {
    console.log(`${t.path} is already set up: nothing changed`);
    return 0;
  }
  executePlan(plan);
  console.log(`wrote ${t.path}${plan.backup !== undefined ? ` (previous content in ${backupPath(t)})` : ''}`);
  console.log(
    `Claude Code on this machine now sends to ${settings.endpoint} (${settings.protocol}) as machine.name=${settings.machineName}.`,
  );
  console.log(
    t.kind === 'settings'
      ? 'It reads these settings when it starts: new sessions use them. Try `ccmon client check`.'
      : `Open a new terminal (or \`source ${t.path}\`), then start Claude Code. Try \`ccmon client check --shell ${t.kind}\`.`,
  );
  return 0;
}

function remove(values: Values): number {
  const t = target(values);
  const plan = planRemove(t);
  show(plan, values['dry-run'] === true);
  if (values['dry-run'] === true || plan.after === plan.before) return 0;
  executePlan(plan);
  console.log(plan.after === undefined ? `removed ${t.path} (setup had created it)` : `restored ${t.path}`);
  return 0;
}

async function check(values: Values): Promise<number> {
  const t = target(values);
  const written = settingsFromEnv(configuredEnv(t));
  const endpoint = values.endpoint ?? written?.endpoint;
  if (endpoint === undefined)
    throw new ConfigError(
      `no endpoint configured in ${t.path}: run \`ccmon client setup --endpoint URL\` or give --endpoint`,
    );
  const settings: ClientSettings = {
    endpoint: parseEndpoint(endpoint),
    protocol: parseProtocol(values.protocol ?? written?.protocol ?? 'grpc'),
    machineName: parseMachineName(values['machine-name'] ?? (written?.machineName || hostname())),
    token: values.token !== undefined ? parseToken(values.token) : written?.token,
  };
  const timeoutMs = parseDurationMs('--timeout', values.timeout ?? '10s');
  console.log(
    `sending a ${'ccmon.client_check'} test metric to ${settings.endpoint} over ${settings.protocol} as ${settings.machineName}`,
  );
  const result = await sendCheck(
    settings,
    { machineName: settings.machineName, timeMs: Date.now(), version: VERSION },
    timeoutMs,
  );
  console.log(`${result.accepted ? 'OK' : 'FAILED'}: ${result.detail} (${result.ms} ms)`);
  if (!result.accepted && result.hint !== undefined) console.log(`hint: ${result.hint}`);
  return result.accepted ? 0 : 1;
}

export const clientCommand: Command = {
  summary: "set up, check or remove Claude Code's telemetry settings on this machine",
  async run(args) {
    const { values, positionals } = parse(args, options, 'client');
    if (values.help === true) {
      console.log(HELP);
      return 0;
    }
    const [action, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    const v = values as Values;
    switch (action) {
      case 'setup':
        return setup(v);
      case 'remove':
        return remove(v);
      case 'check':
        return check(v);
      default:
        throw new UsageError(
          `expected \`ccmon client setup|remove|check\`\nRun \`ccmon client --help\` for the options.`,
        );
    }
  },
};
