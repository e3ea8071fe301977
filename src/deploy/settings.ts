/**
 * Settings of `ccmon deploy k8s`: one table drives the flags, the `deploy:` section of the config file
 * and `--help`. Defaults are the design document's values. Each value is validated here, once, and a
 * value that would break one of the document's "Key Learnings" is refused with the lesson as the reason.
 */
import { isIP } from 'node:net';
import { ConfigError, parseBytes, parseDurationMs } from '../config/values.js';
import { MIB, formatMemoryQuantity, parseMemoryQuantity } from './quantity.js';

export type LoadBalancerMode = 'spec' | 'metallb' | 'cilium';

/** Everything the manifest renderers need, validated. */
export interface DeployConfig {
  readonly namespace: string;
  /** undefined: let the load balancer's pool pick an address */
  readonly loadBalancerIp: string | undefined;
  readonly loadBalancerMode: LoadBalancerMode;
  readonly image: string;
  readonly lokiEndpoint: string;
  readonly memoryLimiterMiB: number;
  /** the container's memory limit, in bytes */
  readonly memoryLimitBytes: number;
  readonly memoryRequestBytes: number;
  /** how long the prometheus exporter keeps a series nobody updates, as a Go duration ("24h") */
  readonly metricExpiration: string;
  /** the `release` label kube-prometheus-stack's Prometheus selects ServiceMonitors and rules by */
  readonly release: string;
  /** the label Grafana's dashboard sidecar looks for */
  readonly dashboardLabel: { readonly key: string; readonly value: string };
  readonly scrapeInterval: string;
  readonly prometheusDatasource: string | undefined;
  readonly lokiDatasource: string | undefined;
}

type Kind =
  | 'dns-label'
  | 'ip'
  | 'lb-mode'
  | 'image'
  | 'loki-url'
  | 'mib'
  | 'quantity'
  | 'expiration'
  | 'label-value'
  | 'label'
  | 'interval'
  | 'string';

interface SettingSpec {
  readonly key: keyof DeployConfig;
  readonly flag: string;
  readonly kind: Kind;
  readonly arg: string;
  readonly help: string;
  readonly fallback: string | undefined;
}

export const DEPLOY_SETTINGS: readonly SettingSpec[] = [
  {
    key: 'namespace',
    flag: 'namespace',
    kind: 'dns-label',
    arg: 'NAME',
    help: 'namespace of every object',
    fallback: 'monitoring',
  },
  {
    key: 'loadBalancerIp',
    flag: 'load-balancer-ip',
    kind: 'ip',
    arg: 'IP',
    help: 'address the collector Service asks for ("none": any from the pool)',
    fallback: '10.10.30.22',
  },
  {
    key: 'loadBalancerMode',
    flag: 'load-balancer-mode',
    kind: 'lb-mode',
    arg: 'MODE',
    help: 'how the address is asked for: spec (spec.loadBalancerIP), metallb or cilium (annotations)',
    fallback: 'spec',
  },
  {
    key: 'image',
    flag: 'image',
    kind: 'image',
    arg: 'IMAGE',
    help: 'collector image (contrib: it has the prometheus exporter)',
    fallback: 'otel/opentelemetry-collector-contrib:0.144.0',
  },
  {
    key: 'lokiEndpoint',
    flag: 'loki-endpoint',
    kind: 'loki-url',
    arg: 'URL',
    help: "Loki's OTLP endpoint (ends in /otlp)",
    fallback: 'http://loki.monitoring.svc.cluster.local:3100/otlp',
  },
  {
    key: 'memoryLimiterMiB',
    flag: 'memory-limiter',
    kind: 'mib',
    arg: 'SIZE',
    help: "the collector's memory_limiter limit",
    fallback: '512MiB',
  },
  {
    key: 'memoryLimitBytes',
    flag: 'memory-limit',
    kind: 'quantity',
    arg: 'QUANTITY',
    help: "the container's memory limit (must exceed the memory limiter)",
    fallback: '600Mi',
  },
  {
    key: 'memoryRequestBytes',
    flag: 'memory-request',
    kind: 'quantity',
    arg: 'QUANTITY',
    help: "the container's memory request",
    fallback: '256Mi',
  },
  {
    key: 'metricExpiration',
    flag: 'metric-expiration',
    kind: 'expiration',
    arg: 'DURATION',
    help: 'how long the prometheus exporter keeps an idle series (at least 1h)',
    fallback: '24h',
  },
  {
    key: 'release',
    flag: 'release',
    kind: 'label-value',
    arg: 'NAME',
    help: 'kube-prometheus-stack release label on the ServiceMonitor and PrometheusRule',
    fallback: 'prometheus',
  },
  {
    key: 'dashboardLabel',
    flag: 'dashboard-label',
    kind: 'label',
    arg: 'KEY=VALUE',
    help: "label Grafana's dashboard sidecar watches",
    fallback: 'grafana_dashboard=1',
  },
  {
    key: 'scrapeInterval',
    flag: 'scrape-interval',
    kind: 'interval',
    arg: 'DURATION',
    help: 'how often Prometheus scrapes the collector',
    fallback: '30s',
  },
  {
    key: 'prometheusDatasource',
    flag: 'prometheus-datasource',
    kind: 'string',
    arg: 'UID',
    help: "Grafana Prometheus datasource uid (default: the dashboard's datasource variable)",
    fallback: undefined,
  },
  {
    key: 'lokiDatasource',
    flag: 'loki-datasource',
    kind: 'string',
    arg: 'UID',
    help: "Grafana Loki datasource uid (default: the dashboard's datasource variable)",
    fallback: undefined,
  },
];

export type RawDeploySettings = Partial<Record<keyof DeployConfig, string>>;

const MIN_EXPIRATION_MS = 3_600_000;

/** Precedence: defaults < config file < flags. */
export function resolveDeployConfig(flags: RawDeploySettings, file: RawDeploySettings = {}): DeployConfig {
  const values: Record<string, unknown> = {};
  for (const spec of DEPLOY_SETTINGS) {
    const raw = flags[spec.key] ?? file[spec.key] ?? spec.fallback;
    values[spec.key] = raw === undefined ? undefined : parseSetting(spec, String(raw));
  }
  const config = values as unknown as DeployConfig;
  if (config.memoryLimitBytes <= config.memoryLimiterMiB * MIB) {
    throw new ConfigError(
      `--memory-limit ${formatMemoryQuantity(config.memoryLimitBytes)} must be above --memory-limiter ${config.memoryLimiterMiB}MiB: ` +
        'the container memory limit must exceed the memory_limiter, or the kernel OOM-kills the pod before the limiter ' +
        'can refuse data (the document uses 600Mi over 512 MiB)',
    );
  }
  if (config.memoryRequestBytes > config.memoryLimitBytes) {
    throw new ConfigError(
      `--memory-request ${formatMemoryQuantity(config.memoryRequestBytes)} is above --memory-limit ${formatMemoryQuantity(config.memoryLimitBytes)}: Kubernetes refuses a request above its limit`,
    );
  }
  return config;
}

function parseSetting(spec: SettingSpec, raw: string): unknown {
  const name = `--${spec.flag}`;
  const text = raw.trim();
  switch (spec.kind) {
    case 'dns-label':
      if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(text))
        throw new ConfigError(
          `${name}: expected a Kubernetes name (lower case letters, digits, "-"), got "${raw}"`,
        );
      return text;
    case 'ip':
      if (text === 'none') return undefined;
      if (isIP(text) === 0) throw new ConfigError(`${name}: expected an IP address or "none", got "${raw}"`);
      return text;
    case 'lb-mode':
      if (text !== 'spec' && text !== 'metallb' && text !== 'cilium')
        throw new ConfigError(`${name}: expected spec, metallb or cilium, got "${raw}"`);
      return text;
    case 'image':
      return parseImage(name, text);
    case 'loki-url':
      return parseLokiEndpoint(name, text);
    case 'mib': {
      const bytes = parseBytes(name, text);
      if (bytes % MIB !== 0 || bytes < 32 * MIB)
        throw new ConfigError(`${name}: the memory_limiter takes whole MiB, at least 32MiB; got "${raw}"`);
      return bytes / MIB;
    }
    case 'quantity':
      return parseMemoryQuantity(name, text);
    case 'expiration':
      return parseExpiration(name, text);
    case 'label-value':
      if (!/^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/.test(text))
        throw new ConfigError(`${name}: expected a Kubernetes label value, got "${raw}"`);
      return text;
    case 'label':
      return parseLabel(name, text);
    case 'interval':
      if (!/^(\d+(ms|s|m|h))+$/.test(text))
        throw new ConfigError(`${name}: expected a duration such as 15s, 30s or 1m, got "${raw}"`);
      return text;
    case 'string':
      if (text === '') throw new ConfigError(`${name}: must not be empty`);
      return text;
  }
}

function parseImage(name: string, text: string): string {
  const match = /^([^@\s]+?)(?::([\w][\w.-]{0,127}))?(@sha256:[0-9a-f]{64})?$/.exec(text);
  if (!match)
    throw new ConfigError(`${name}: expected an image reference such as repo/name:1.2.3, got "${text}"`);
  const [, repository = '', tag, digest] = match;
  if (digest === undefined && (tag === undefined || tag === 'latest'))
    throw new ConfigError(
      `${name}: pin a version (for example ${repository}:0.144.0): an unpinned image changes the collector on a pod restart`,
    );
  if (/(^|\/)opentelemetry-collector$/.test(repository))
    throw new ConfigError(
      `${name}: ${repository} is the core distribution, which has no prometheus exporter; use otel/opentelemetry-collector-contrib`,
    );
  return text;
}

function parseLokiEndpoint(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(
      `${name}: expected a URL such as http://loki.monitoring.svc.cluster.local:3100/otlp, got "${text}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError(`${name}: expected an http or https URL, got "${text}"`);
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/loki/api/v1/push'))
    throw new ConfigError(
      `${name}: ${text} is Loki's push API, used by the deprecated loki exporter; use the otlphttp exporter with Loki's /otlp endpoint instead`,
    );
  if (!path.endsWith('/otlp'))
    throw new ConfigError(
      `${name}: Loki's OTLP endpoint ends in /otlp (the otlphttp exporter appends /v1/logs itself), got "${text}"`,
    );
  return `${url.origin}${path}`;
}

function parseExpiration(name: string, text: string): string {
  const ms = parseDurationMs(name, text);
  if (ms < MIN_EXPIRATION_MS)
    throw new ConfigError(
      `${name} ${text} is too short: it must be at least 1h. Claude Code sends a session's counters only while it is ` +
        'busy; when the exporter forgets an idle series, its next export starts a new series, which increase() and ' +
        'rate() under-count and which looks like a counter reset (the exporter default 5m loses data this way)',
    );
  return goDuration(ms);
}

/** Milliseconds as the Go duration the Collector reads: whole hours as "24h", else minutes, else seconds. */
function goDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.ceil(ms / 1000)}s`;
}

function parseLabel(name: string, text: string): { key: string; value: string } {
  const match =
    /^((?:[a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)=([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/.exec(
      text,
    );
  if (!match) throw new ConfigError(`${name}: expected KEY=VALUE (a Kubernetes label), got "${text}"`);
  return { key: match[1] ?? '', value: match[3] ?? '' };
}
