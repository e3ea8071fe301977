import { parseAlertsConfig } from '../alerts/config.js';
import { readConfigSection } from '../config/config-file.js';
import { ConfigError } from '../config/values.js';
import {
  SERVE_SETTINGS,
  resolveServeConfig,
  type RawSettings,
  type ServeConfig,
} from '../config/serve-config.js';
import { connectable, startServer } from '../main.js';
import { formatHostPort } from '../config/values.js';
import { parse } from './args.js';
import type { Command } from './main.js';

const options = {
  config: { type: 'string' },
  ...Object.fromEntries(
    SERVE_SETTINGS.map((s) => [s.flag, { type: s.kind === 'bool' ? 'boolean' : 'string' }]),
  ),
} as const;

function help(): string {
  const rows = SERVE_SETTINGS.map((s) => {
    const value =
      s.kind === 'hostport' ? 'HOST:PORT' : s.kind === 'retention' ? 'DURATION' : s.kind.toUpperCase();
    const flag = s.kind === 'bool' ? `--${s.flag}` : `--${s.flag} ${value}`;
    const fallback = s.key === 'dataDir' ? '$XDG_DATA_HOME/ccmon or ~/.local/share/ccmon' : s.fallback();
    return `  ${flag.padEnd(30)} ${s.help}${fallback === undefined ? '' : ` (default ${fallback})`}\n  ${''.padEnd(30)} env ${s.env}`;
  });
  return `Usage: ccmon serve [options]

Receives Claude Code's OpenTelemetry (OTLP gRPC and HTTP), stores it, serves the API and dashboard.

Options:
  --config FILE                  settings file (YAML; default ~/.config/ccmon/config.yaml if present)
${rows.join('\n')}
  -h, --help                     show this help

Precedence: flags > CCMON_* environment > config file > defaults.`;
}

/** The `serve:` part of the config file, keyed like the flags (data-dir, otlp-grpc, ...). */
export function readServeSettings(path: string | undefined): RawSettings {
  const serve = readConfigSection(path, 'serve') ?? {};
  if (typeof serve !== 'object' || serve === null || Array.isArray(serve)) {
    throw new ConfigError('the config file\'s "serve" section must be a mapping of settings');
  }
  const out: RawSettings = {};
  for (const [name, value] of Object.entries(serve)) {
    const spec = SERVE_SETTINGS.find((s) => s.flag === name);
    if (spec === undefined) {
      throw new ConfigError(
        `unknown setting serve.${name} in the config file (known: ${SERVE_SETTINGS.map((s) => s.flag).join(', ')})`,
      );
    }
    out[spec.key] = value as string;
  }
  return out;
}

export function serveConfigFromArgs(args: string[]): ServeConfig | 'help' {
  const { values } = parse(args, options, 'serve');
  if (values.help === true) return 'help';
  const flags: RawSettings = {};
  for (const spec of SERVE_SETTINGS) {
    const value = (values as Record<string, string | boolean | undefined>)[spec.flag];
    if (value !== undefined) flags[spec.key] = value;
  }
  const configPath = values.config as string | undefined;
  return {
    ...resolveServeConfig(flags, process.env, readServeSettings(configPath)),
    alerts: parseAlertsConfig(readConfigSection(configPath, 'alerts')),
  };
}

export const serveCommand: Command = {
  summary: 'receive, store and show Claude Code telemetry (the default)',
  async run(args) {
    const config = serveConfigFromArgs(args);
    if (config === 'help') {
      console.log(help());
      return 0;
    }
    const log = (line: string): void => console.error(`ccmon: ${line}`);
    const server = await startServer(config, log);
    const l = server.listening;
    console.log(`ccmon serving, data in ${config.dataDir}`);
    console.log(`  OTLP gRPC   ${formatHostPort(l.otlpGrpc)}`);
    console.log(`  OTLP HTTP   http://${formatHostPort(l.otlpHttp)}`);
    console.log(`  dashboard   http://${connectable(l.http)}/`);
    console.log(`  health      http://${formatHostPort(l.health)}/`);
    if (config.token !== undefined) console.log('  a bearer token is required on OTLP and the API');
    await new Promise<void>((resolve) => {
      const onSignal = (signal: string): void => {
        log(`${signal}: finishing writes in flight, then stopping`);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        server.stop().then(resolve, (error: unknown) => {
          log(`stop failed: ${String(error)}`);
          resolve();
        });
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    log('stopped');
    return 0;
  },
};
