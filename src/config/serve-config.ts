import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AlertsConfig } from '../alerts/config.js';
import {
  ConfigError,
  parseBoolean,
  parseFraction,
  parseBytes,
  parseHostPort,
  parseIntervalMs,
  parseRetentionMs,
  type HostPort,
} from './values.js';

/** Everything `ccmon serve` needs, validated. */
export interface ServeConfig {
  readonly dataDir: string;
  readonly otlpGrpc: HostPort;
  readonly otlpHttp: HostPort;
  readonly http: HostPort;
  readonly health: HostPort;
  readonly token: string | undefined;
  /** Data older than this is deleted. */
  readonly retentionMs: number;
  /** How often the data older than `retentionMs` is deleted. */
  readonly pruneIntervalMs: number;
  /** How long `/metrics` keeps a client series that gets no new points. */
  readonly metricExpirationMs: number;
  /** Largest accepted request body, after decompression (OTLP: 413 / RESOURCE_EXHAUSTED above it). */
  readonly maxRequestBytes: number;
  /** Bytes that requests in flight may hold in memory together; above it requests get 503 / UNAVAILABLE. */
  readonly maxInflightBytes: number;
  /** Drop prompt, response and tool input/parameter text at ingest. */
  readonly dropContent: boolean;
  /** Memory DuckDB may use for its buffers; larger queries spill to disk. */
  readonly storeMemoryBytes: number;
  /** Share of the last second the event loop may be busy before exports get 503 / UNAVAILABLE (1: off). */
  readonly maxBusy: number;
  /**
   * Resident memory above which exports get 503 / UNAVAILABLE while earlier ones wait for their commit
   * (undefined: no limit).
   */
  readonly maxMemoryBytes: number | undefined;
  /** The config file's `alerts:` section (src/alerts/config.ts); the defaults when absent. */
  readonly alerts?: AlertsConfig;
}

type Kind = 'string' | 'hostport' | 'retention' | 'duration' | 'bytes' | 'bool' | 'secret' | 'fraction';

interface SettingSpec {
  readonly key: keyof ServeConfig;
  readonly flag: string;
  readonly env: string;
  readonly kind: Kind;
  readonly help: string;
  readonly fallback: () => string | undefined;
}

function defaultDataDir(): string {
  const xdg = process.env.XDG_DATA_HOME;
  return join(xdg !== undefined && xdg !== '' ? xdg : join(homedir(), '.local', 'share'), 'ccmon');
}

/** One table drives parsing, precedence and `--help`. 4380 clashes with neither Grafana (3000) nor Prometheus (9090). */
export const SERVE_SETTINGS: readonly SettingSpec[] = [
  {
    key: 'dataDir',
    flag: 'data-dir',
    env: 'CCMON_DATA_DIR',
    kind: 'string',
    help: 'where the DuckDB store lives',
    fallback: defaultDataDir,
  },
  {
    key: 'otlpGrpc',
    flag: 'otlp-grpc',
    env: 'CCMON_OTLP_GRPC',
    kind: 'hostport',
    help: 'OTLP/gRPC listener',
    fallback: () => '127.0.0.1:4317',
  },
  {
    key: 'otlpHttp',
    flag: 'otlp-http',
    env: 'CCMON_OTLP_HTTP',
    kind: 'hostport',
    help: 'OTLP/HTTP listener',
    fallback: () => '127.0.0.1:4318',
  },
  {
    key: 'http',
    flag: 'http',
    env: 'CCMON_HTTP',
    kind: 'hostport',
    help: 'API and web UI listener',
    fallback: () => '127.0.0.1:4380',
  },
  {
    key: 'health',
    flag: 'health',
    env: 'CCMON_HEALTH',
    kind: 'hostport',
    help: "health check listener (like the Collector's health_check)",
    fallback: () => '127.0.0.1:13133',
  },
  {
    key: 'token',
    flag: 'token',
    env: 'CCMON_TOKEN',
    kind: 'secret',
    help: 'require "Authorization: Bearer TOKEN" on OTLP and the API',
    fallback: () => undefined,
  },
  {
    key: 'retentionMs',
    flag: 'retention',
    env: 'CCMON_RETENTION',
    kind: 'retention',
    help: 'how long to keep data, e.g. 400d, 12h or 30m (a bare number is days)',
    fallback: () => '400d',
  },
  {
    key: 'pruneIntervalMs',
    flag: 'prune-interval',
    env: 'CCMON_PRUNE_INTERVAL',
    kind: 'duration',
    help: 'how often to delete the data older than --retention',
    fallback: () => '1h',
  },
  {
    key: 'metricExpirationMs',
    flag: 'metric-expiration',
    env: 'CCMON_METRIC_EXPIRATION',
    kind: 'duration',
    help: 'how long /metrics keeps a series that gets no new points (it comes back with its whole total)',
    fallback: () => '24h',
  },
  {
    key: 'maxRequestBytes',
    flag: 'max-request-size',
    env: 'CCMON_MAX_REQUEST_SIZE',
    kind: 'bytes',
    help: 'largest request body after decompression',
    fallback: () => '16MiB',
  },
  {
    key: 'maxInflightBytes',
    flag: 'max-inflight',
    env: 'CCMON_MAX_INFLIGHT',
    kind: 'bytes',
    help: 'memory all requests in flight may hold',
    fallback: () => '32MiB',
  },
  {
    key: 'storeMemoryBytes',
    flag: 'store-memory',
    env: 'CCMON_STORE_MEMORY',
    kind: 'bytes',
    help: 'memory the store may use for its buffers while queries run (larger ones spill to disk); ingest alone keeps to 48MiB',
    fallback: () => '96MiB',
  },
  {
    key: 'maxBusy',
    flag: 'max-busy',
    env: 'CCMON_MAX_BUSY',
    kind: 'fraction',
    help: 'share of the last second ccmon may be busy before it refuses exports with a retry hint (1: never; 0.9 for a server many clients send to)',
    fallback: () => '1',
  },
  {
    key: 'maxMemoryBytes',
    flag: 'max-memory',
    env: 'CCMON_MAX_MEMORY',
    kind: 'bytes',
    help: 'resident memory (RSS) above which ccmon refuses exports with a retry hint while earlier ones wait for their commit (no limit by default; 250MiB for a server many clients send to: work of the store under way can take it some 45 MB further)',
    fallback: () => undefined,
  },
  {
    key: 'dropContent',
    flag: 'drop-content',
    env: 'CCMON_DROP_CONTENT',
    kind: 'bool',
    help: 'drop prompt, response and tool input text at ingest',
    fallback: () => 'false',
  },
];

export type RawSettings = Partial<Record<keyof ServeConfig, string | boolean | number>>;

/** Precedence: defaults < config file < environment < flags. Every value is validated here, once. */
export function resolveServeConfig(
  flags: RawSettings,
  env: NodeJS.ProcessEnv,
  file: RawSettings = {},
): ServeConfig {
  const values: Record<string, unknown> = {};
  for (const spec of SERVE_SETTINGS) {
    const fromEnv = env[spec.env];
    const raw =
      flags[spec.key] ??
      (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined) ??
      file[spec.key] ??
      spec.fallback();
    values[spec.key] = raw === undefined ? undefined : parseSetting(spec, String(raw));
  }
  const config = values as unknown as ServeConfig;
  if (config.maxInflightBytes < config.maxRequestBytes) {
    throw new ConfigError(
      `--max-inflight (${config.maxInflightBytes} bytes) must be at least --max-request-size (${config.maxRequestBytes} bytes), or no request of the largest size could ever be accepted`,
    );
  }
  return config;
}

function parseSetting(spec: SettingSpec, raw: string): unknown {
  const name = `--${spec.flag} / ${spec.env}`;
  switch (spec.kind) {
    case 'string':
      if (raw.trim() === '') throw new ConfigError(`${name}: must not be empty`);
      return raw;
    case 'secret':
      if (raw.length < 8) throw new ConfigError(`${name}: use a token of at least 8 characters`);
      return raw;
    case 'hostport':
      return parseHostPort(name, raw);
    case 'retention':
      return parseRetentionMs(name, raw);
    case 'duration':
      return parseIntervalMs(name, raw);
    case 'bytes':
      return parseBytes(name, raw);
    case 'bool':
      return parseBoolean(name, raw);
    case 'fraction':
      return parseFraction(name, raw);
  }
}
