/**
 * The OpenTelemetry Collector pipeline (the ConfigMap's config.yaml): OTLP in, memory_limiter then batch,
 * metrics to the prometheus exporter, events to Loki's OTLP endpoint. Pure: settings in, object out.
 */
import type { DeployConfig } from './settings.js';

/** Container ports, named as the Service, the probes and the ServiceMonitor refer to them. */
export const PORTS = {
  'otlp-grpc': 4317,
  'otlp-http': 4318,
  metrics: 8889,
  health: 13133,
} as const;

export type PortName = keyof typeof PORTS;

export interface Pipeline {
  readonly receivers: readonly string[];
  readonly processors: readonly string[];
  readonly exporters: readonly string[];
}

/** The parts of the Collector's configuration this project writes and checks. */
export interface CollectorConfig {
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly receivers: Readonly<Record<string, unknown>>;
  readonly processors: Readonly<Record<string, unknown>>;
  readonly exporters: Readonly<Record<string, unknown>>;
  readonly service: {
    readonly extensions: readonly string[];
    readonly pipelines: Readonly<Record<string, Pipeline>>;
    readonly [key: string]: unknown;
  };
}

const LOKI_EXPORTER = 'otlphttp/loki';

export function collectorConfig(config: DeployConfig): CollectorConfig {
  const processors = ['memory_limiter', 'batch'];
  return {
    extensions: {
      // Explicit and on all interfaces: since v0.104 the default endpoint is localhost, which the kubelet's
      // probes cannot reach.
      health_check: { endpoint: `0.0.0.0:${PORTS.health}` },
    },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${PORTS['otlp-grpc']}` },
          http: { endpoint: `0.0.0.0:${PORTS['otlp-http']}` },
        },
      },
    },
    processors: {
      // First in every pipeline, so data is refused before it is buffered anywhere else.
      memory_limiter: {
        check_interval: '1s',
        limit_mib: config.memoryLimiterMiB,
        spike_limit_mib: Math.floor(config.memoryLimiterMiB / 5),
      },
      batch: {},
    },
    exporters: {
      prometheus: {
        endpoint: `0.0.0.0:${PORTS.metrics}`,
        // Claude Code's counters are per session and idle for long stretches: a forgotten series comes back as a
        // new one, which increase() under-counts.
        metric_expiration: config.metricExpiration,
      },
      [LOKI_EXPORTER]: { endpoint: config.lokiEndpoint },
    },
    service: {
      extensions: ['health_check'],
      pipelines: {
        metrics: { receivers: ['otlp'], processors, exporters: ['prometheus'] },
        logs: { receivers: ['otlp'], processors, exporters: [LOKI_EXPORTER] },
      },
    },
  };
}

/**
 * A user's additions merged into the rendered configuration: mappings merge key by key, anything else
 * (lists included) replaces, and null removes the key. The result is checked against the lessons afterwards.
 */
export function mergeOverrides(base: CollectorConfig, overrides: unknown): CollectorConfig {
  return merge(base, overrides) as CollectorConfig;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: unknown, patch: unknown): unknown {
  if (!isMapping(base) || !isMapping(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}

/** "type/name" -> "type": what the Collector builds a component from. */
export function componentType(id: string): string {
  return id.split('/')[0] ?? id;
}
