/**
 * The environment Claude Code reads its telemetry settings from, as `client setup` writes it and as
 * `client check` and the deploy README read it back. Pure.
 */
import { ConfigError } from '../config/values.js';

export type Protocol = 'grpc' | 'http/protobuf' | 'http/json';
export const PROTOCOLS: readonly Protocol[] = ['grpc', 'http/protobuf', 'http/json'];

export interface ClientSettings {
  /** base URL: http://host:4317 for gRPC, http://host:4318 for HTTP (the exporter appends /v1/...) */
  readonly endpoint: string;
  readonly protocol: Protocol;
  readonly machineName: string;
  readonly token?: string | undefined;
}

/** The keys `client setup` writes, in the order it writes them. */
export const MANAGED_KEYS = [
  'CLAUDE_CODE_ENABLE_TELEMETRY',
  'OTEL_METRICS_EXPORTER',
  'OTEL_LOGS_EXPORTER',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_METRIC_EXPORT_INTERVAL',
  'OTEL_LOGS_EXPORT_INTERVAL',
  'OTEL_RESOURCE_ATTRIBUTES',
] as const;

/**
 * Keys that would send the telemetry somewhere else, or send another collector's credentials to this one:
 * per-signal settings win over the generic ones. Setup removes them from Claude Code's settings (remove
 * puts them back).
 */
export const CONFLICTING_KEYS = [
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
  'OTEL_EXPORTER_OTLP_LOGS_PROTOCOL',
  'OTEL_EXPORTER_OTLP_METRICS_HEADERS',
  'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
] as const;

/** Every key setup may change: the ones it writes and the ones it clears. */
export const TOUCHED_KEYS: readonly string[] = [...MANAGED_KEYS, ...CONFLICTING_KEYS];

/** The variables to set; OTEL_EXPORTER_OTLP_HEADERS only with a token (without one it is cleared). */
export function clientEnv(settings: ClientSettings): Record<string, string> {
  const env: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_METRICS_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: settings.protocol,
    OTEL_EXPORTER_OTLP_ENDPOINT: settings.endpoint,
  };
  if (settings.token !== undefined) env.OTEL_EXPORTER_OTLP_HEADERS = `Authorization=Bearer ${settings.token}`;
  env.OTEL_METRIC_EXPORT_INTERVAL = '60000';
  env.OTEL_LOGS_EXPORT_INTERVAL = '5000';
  env.OTEL_RESOURCE_ATTRIBUTES = `machine.name=${settings.machineName}`;
  return env;
}

export function parseProtocol(raw: string): Protocol {
  const found = PROTOCOLS.find((p) => p === raw.trim());
  if (found === undefined)
    throw new ConfigError(`--protocol: expected ${PROTOCOLS.join(', ')}, got "${raw}"`);
  return found;
}

/** An OTLP base URL; refuses a per-signal path, which the exporter would append to again. */
export function parseEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`--endpoint: expected a URL such as http://10.10.30.22:4317, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`--endpoint: use http:// (plain) or https:// (TLS), got "${raw}"`);
  if (/\/v1\/(metrics|logs|traces)\/?$/.test(url.pathname))
    throw new ConfigError(
      `--endpoint: give the base URL without ${url.pathname}: Claude Code appends /v1/metrics and /v1/logs itself`,
    );
  if (url.search !== '' || url.hash !== '' || url.username !== '')
    throw new ConfigError(`--endpoint: no query, fragment or user in the URL, got "${raw}"`);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

/** Port mix-ups that make every export fail; said before anything is written. */
export function endpointWarning(endpoint: string, protocol: Protocol): string | undefined {
  const port = new URL(endpoint).port;
  if (protocol === 'grpc' && port === '4318')
    return `port 4318 is OTLP/HTTP; with --protocol grpc use port 4317 (or --protocol http/protobuf)`;
  if (protocol !== 'grpc' && port === '4317')
    return `port 4317 is OTLP/gRPC; with --protocol ${protocol} use port 4318 (or --protocol grpc)`;
  return undefined;
}

/** machine.name goes into OTEL_RESOURCE_ATTRIBUTES (key=value,key=value): no separators in it. */
export function parseMachineName(raw: string): string {
  const name = raw.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(name))
    throw new ConfigError(
      `--machine-name: use letters, digits, ".", "_" and "-" (it goes into OTEL_RESOURCE_ATTRIBUTES), got "${raw}"`,
    );
  return name;
}

export function parseToken(raw: string): string {
  if (raw.length < 8 || /[\s,]/.test(raw))
    throw new ConfigError('--token: use a token of at least 8 characters, without spaces or commas');
  return raw;
}

/** Reads the settings back from an environment that setup wrote (or a user set by hand). */
export function settingsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): ClientSettings | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint === undefined || endpoint === '') return undefined;
  const protocol = PROTOCOLS.find((p) => p === env.OTEL_EXPORTER_OTLP_PROTOCOL) ?? 'http/protobuf';
  const machine = /(?:^|,)\s*machine\.name=([^,]*)/.exec(env.OTEL_RESOURCE_ATTRIBUTES ?? '')?.[1];
  const token = /(?:^|,)\s*Authorization=Bearer(?:\s|%20)+([^,]+)/i.exec(
    env.OTEL_EXPORTER_OTLP_HEADERS ?? '',
  )?.[1];
  return { endpoint, protocol, machineName: machine ?? '', token: token?.trim() };
}
