/**
 * The Kubernetes objects of the design document's deployment, as plain objects: the collector's ConfigMap,
 * Deployment and LoadBalancer Service, its ServiceMonitor, the Grafana dashboard ConfigMap and the
 * PrometheusRule. Pure; the YAML text and file names are render.ts's job.
 */
import { createHash } from 'node:crypto';
import { PORTS, type PortName } from './collector-config.js';
import { formatMemoryQuantity } from './quantity.js';
import type { DeployConfig } from './settings.js';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

export const APP = 'otel-collector';
export const CONFIG_MAP = 'otel-collector-config';
export const CONFIG_KEY = 'config.yaml';
/** Where the contrib image looks for its configuration. */
export const CONFIG_DIR = '/etc/otelcol-contrib';
export const DASHBOARD_KEY = 'claude-code-monitoring.json';
/** Non-root user of the contrib image. */
export const COLLECTOR_UID = 10001;

const LB_ANNOTATIONS: Readonly<Record<'metallb' | 'cilium', readonly string[]>> = {
  // Each controller reads a newer and an older name; both are written so either generation picks it up.
  metallb: ['metallb.io/loadBalancerIPs', 'metallb.universe.tf/loadBalancerIPs'],
  cilium: ['lbipam.cilium.io/ips', 'io.cilium/lb-ipam-ips'],
};

function labels(extra: Record<string, string> = {}): Record<string, string> {
  return { app: APP, 'app.kubernetes.io/name': APP, 'app.kubernetes.io/part-of': 'ccmon', ...extra };
}

export function collectorConfigMap(config: DeployConfig, configText: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CONFIG_MAP, namespace: config.namespace, labels: labels() },
    data: { [CONFIG_KEY]: configText },
  };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

const port = (name: PortName) => ({ name, containerPort: PORTS[name], protocol: 'TCP' });

export function collectorDeployment(config: DeployConfig, configText: string): K8sObject {
  const probe = (initialDelaySeconds: number, periodSeconds: number) => ({
    httpGet: { path: '/', port: 'health' },
    initialDelaySeconds,
    periodSeconds,
    failureThreshold: 3,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: APP, namespace: config.namespace, labels: labels() },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: APP } },
      template: {
        metadata: {
          labels: labels(),
          // A changed pipeline changes this hash, and so the pod template: the Deployment rolls the pod.
          annotations: { 'checksum/config': sha256(configText) },
        },
        spec: {
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: COLLECTOR_UID,
            runAsGroup: COLLECTOR_UID,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: APP,
              image: config.image,
              args: [`--config=${CONFIG_DIR}/${CONFIG_KEY}`],
              env: [
                // The Go runtime collects harder as it nears this, before the memory_limiter has to refuse data.
                { name: 'GOMEMLIMIT', value: `${config.memoryLimiterMiB}MiB` },
              ],
              ports: [port('otlp-grpc'), port('otlp-http'), port('metrics'), port('health')],
              livenessProbe: probe(15, 30),
              readinessProbe: probe(5, 10),
              resources: {
                requests: { cpu: '100m', memory: formatMemoryQuantity(config.memoryRequestBytes) },
                limits: { memory: formatMemoryQuantity(config.memoryLimitBytes) },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
            },
          ],
          volumes: [{ name: 'config', configMap: { name: CONFIG_MAP } }],
        },
      },
    },
  };
}

export function collectorService(config: DeployConfig): K8sObject {
  const ip = config.loadBalancerIp;
  const annotations =
    ip !== undefined && config.loadBalancerMode !== 'spec'
      ? Object.fromEntries(LB_ANNOTATIONS[config.loadBalancerMode].map((key) => [key, ip]))
      : undefined;
  const servicePort = (name: PortName) => ({ name, port: PORTS[name], targetPort: name, protocol: 'TCP' });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: APP,
      namespace: config.namespace,
      labels: labels(),
      ...(annotations !== undefined ? { annotations } : {}),
    },
    spec: {
      type: 'LoadBalancer',
      ...(ip !== undefined && config.loadBalancerMode === 'spec' ? { loadBalancerIP: ip } : {}),
      selector: { app: APP },
      ports: [
        servicePort('otlp-grpc'),
        servicePort('otlp-http'),
        servicePort('metrics'),
        servicePort('health'),
      ],
    },
  };
}

export function collectorServiceMonitor(config: DeployConfig): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'ServiceMonitor',
    metadata: { name: APP, namespace: config.namespace, labels: labels({ release: config.release }) },
    spec: {
      selector: { matchLabels: { app: APP } },
      namespaceSelector: { matchNames: [config.namespace] },
      // The target's job becomes the Service's name, so up{job="otel-collector"} finds it.
      endpoints: [{ port: 'metrics', path: '/metrics', interval: config.scrapeInterval }],
    },
  };
}

export function dashboardConfigMap(config: DeployConfig, dashboard: object): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'claude-code-dashboard',
      namespace: config.namespace,
      labels: {
        [config.dashboardLabel.key]: config.dashboardLabel.value,
        'app.kubernetes.io/part-of': 'ccmon',
      },
    },
    data: { [DASHBOARD_KEY]: `${JSON.stringify(dashboard, null, 2)}\n` },
  };
}

/** The generated PrometheusRule, placed in the namespace and carrying the release label whatever it had. */
export function alertsRule(config: DeployConfig, rule: object): K8sObject {
  const source = rule as Partial<K8sObject>;
  const metadata: ObjectMeta = source.metadata ?? { name: 'claude-code-alerts' };
  return {
    ...source,
    apiVersion: source.apiVersion ?? 'monitoring.coreos.com/v1',
    kind: source.kind ?? 'PrometheusRule',
    metadata: {
      ...metadata,
      namespace: config.namespace,
      labels: { ...metadata.labels, release: config.release },
    },
  };
}
