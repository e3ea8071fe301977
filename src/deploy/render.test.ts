/**
 * `deploy k8s` output: golden files (UPDATE_GOLDEN=1 rewrites them), the Kubernetes and prometheus-operator
 * schemas, `kubectl kustomize`, the collector configuration's consistency with the objects around it,
 * and `promtool check rules` on the rules inside claude-alerts.yaml.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { parse, parseAllDocuments } from 'yaml';
import { deployParts } from '../../test/support/deploy-parts.js';
import { tempDir } from '../../test/support/server.js';
import { componentType, PORTS, type CollectorConfig } from './collector-config.js';
import { sha256, type K8sObject } from './manifests.js';
import { MANIFEST_FILES } from './readme.js';
import { renderFiles, renderObjects } from './render.js';
import { resolveDeployConfig, type RawDeploySettings } from './settings.js';

const GOLDEN = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'deploy-k8s');
const UPDATE = process.env.UPDATE_GOLDEN === '1' || process.env.CCMON_UPDATE_GOLDEN === '1';
const KUBECTL = '/usr/bin/kubectl';
const PROMTOOL = '/usr/bin/promtool';

function render(flags: RawDeploySettings = {}) {
  const config = resolveDeployConfig(flags);
  return {
    config,
    files: renderFiles(config, deployParts(config)),
    objects: renderObjects(config, deployParts(config)),
  };
}

function objectsOf(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

function tool(
  path: string,
  args: string[],
  cwd?: string,
): { code: number | null; output: string; stdout: string } {
  if (!existsSync(path)) throw new Error(`${path} is missing: the deploy tests need it (see .ci/run)`);
  const run = spawnSync(path, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, output: `${run.stdout}${run.stderr}`, stdout: run.stdout };
}

const MODELS: Record<string, (o: K8sObject) => { validate(): void }> = {
  ConfigMap: (o) => new ConfigMap(o as never),
  Deployment: (o) => new Deployment(o as never),
  Service: (o) => new Service(o as never),
  ServiceMonitor: (o) => new ServiceMonitor(o as never),
  PrometheusRule: (o) => new PrometheusRule(o as never),
};

describe('deploy k8s rendering', () => {
  const { files, objects } = render();

  it('writes the five files of the design document, a kustomization and a README', () => {
    assert.deepEqual(
      files.map((f) => f.name),
      [...MANIFEST_FILES, 'kustomization.yaml', 'README.md'],
    );
  });

  it('matches the golden files', () => {
    mkdirSync(GOLDEN, { recursive: true });
    for (const f of files) {
      const path = join(GOLDEN, f.name);
      if (UPDATE) writeFileSync(path, f.text);
      assert.equal(
        readFileSync(path, 'utf8'),
        f.text,
        `${f.name} differs from its golden file: run with UPDATE_GOLDEN=1 if the change is meant`,
      );
    }
  });

  it('validates against the Kubernetes and prometheus-operator schemas', () => {
    const kinds: string[] = [];
    for (const f of files.filter((x) => MANIFEST_FILES.includes(x.name as never))) {
      for (const o of objectsOf(f.text)) {
        const model = MODELS[o.kind];
        assert.ok(model, `no schema for ${o.kind}`);
        assert.doesNotThrow(() => model(o).validate(), `${f.name}: ${o.kind} ${o.metadata.name}`);
        assert.equal(o.metadata.namespace, 'monitoring');
        kinds.push(o.kind);
      }
    }
    assert.deepEqual(kinds, [
      'ConfigMap',
      'Deployment',
      'Service',
      'ServiceMonitor',
      'ConfigMap',
      'PrometheusRule',
    ]);
    // The schemas do catch mistakes: a port given as text is refused.
    const broken = structuredClone(objects.service) as unknown as { spec: { ports: { port: unknown }[] } };
    (broken.spec.ports[0] as { port: unknown }).port = '4317';
    assert.throws(() => new Service(broken as never).validate(), /port must be integer/);
  });

  it('builds with kubectl kustomize', () => {
    const dir = tempDir('ccmon-deploy-');
    for (const f of files) writeFileSync(join(dir, f.name), f.text);
    const result = tool(KUBECTL, ['kustomize', dir]);
    assert.equal(result.code, 0, result.output);
    const built = objectsOf(result.stdout)
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    assert.deepEqual(built, [
      'ConfigMap/claude-code-dashboard',
      'ConfigMap/otel-collector-config',
      'Deployment/otel-collector',
      'PrometheusRule/claude-code-alerts',
      'Service/otel-collector',
      'ServiceMonitor/otel-collector',
    ]);
  });

  it('has a collector configuration consistent with the objects around it', () => {
    const configMap = objectsOf(files[0]?.text ?? '')[0] as K8sObject & { data: Record<string, string> };
    const text = configMap.data['config.yaml'] ?? '';
    const collector = parse(text) as CollectorConfig;
    assert.deepEqual(collector, objects.collector);
    // Every component a pipeline names is defined, and every defined one is used.
    const used = new Set<string>();
    for (const [name, p] of Object.entries(collector.service.pipelines)) {
      for (const [section, ids] of [
        ['receivers', p.receivers],
        ['processors', p.processors],
        ['exporters', p.exporters],
      ] as const) {
        for (const id of ids) {
          assert.ok(id in collector[section], `pipeline ${name}: ${section} ${id} is not defined`);
          used.add(`${section}/${id}`);
        }
      }
    }
    for (const section of ['receivers', 'processors', 'exporters'] as const)
      for (const id of Object.keys(collector[section]))
        assert.ok(used.has(`${section}/${id}`), `${id} is defined but unused`);
    for (const id of collector.service.extensions) assert.ok(id in collector.extensions);
    assert.deepEqual(Object.keys(collector.service.pipelines), ['metrics', 'logs']);
    assert.equal(componentType(collector.service.pipelines.logs?.exporters[0] ?? ''), 'otlphttp');

    // Ports: the pipeline's listeners, the container, the Service and the probes agree.
    const otlp = collector.receivers.otlp as { protocols: Record<string, { endpoint: string }> };
    const listen: Record<string, string> = {
      'otlp-grpc': otlp.protocols.grpc?.endpoint ?? '',
      'otlp-http': otlp.protocols.http?.endpoint ?? '',
      metrics: (collector.exporters.prometheus as { endpoint: string }).endpoint,
      health: (collector.extensions.health_check as { endpoint: string }).endpoint,
    };
    const pod = (
      objects.deployment.spec as {
        template: {
          metadata: { labels: Record<string, string>; annotations: Record<string, string> };
          spec: PodSpec;
        };
      }
    ).template;
    const container = pod.spec.containers[0];
    assert.ok(container);
    const service = objects.service.spec as {
      selector: Record<string, string>;
      ports: { name: string; port: number; targetPort: string }[];
    };
    for (const [name, port] of Object.entries(PORTS)) {
      assert.equal(listen[name], `0.0.0.0:${port}`, `${name} listens on all interfaces at ${port}`);
      assert.equal(container.ports.find((p) => p.name === name)?.containerPort, port);
      const sp = service.ports.find((p) => p.name === name);
      assert.equal(sp?.port, port);
      assert.equal(sp?.targetPort, name);
    }
    assert.equal(container.livenessProbe.httpGet.port, 'health');
    assert.equal(container.readinessProbe.httpGet.port, 'health');
    for (const [k, v] of Object.entries(service.selector))
      assert.equal(pod.metadata.labels[k], v, 'the Service selects the pod');
    const monitor = objects.serviceMonitor.spec as {
      selector: { matchLabels: Record<string, string> };
      endpoints: { port: string }[];
    };
    for (const [k, v] of Object.entries(monitor.selector.matchLabels))
      assert.equal(objects.service.metadata.labels?.[k], v, 'the ServiceMonitor selects the Service');
    assert.equal(monitor.endpoints[0]?.port, 'metrics');
    assert.equal(objects.serviceMonitor.metadata.labels?.release, 'prometheus');
    assert.equal(objects.rule.metadata.labels?.release, 'prometheus');

    // The configuration is mounted where --config points, and its hash rolls the pod when it changes.
    const mount = container.volumeMounts[0];
    assert.equal(container.args[0], `--config=${mount?.mountPath}/config.yaml`);
    assert.equal(pod.spec.volumes[0]?.configMap.name, configMap.metadata.name);
    assert.equal(pod.metadata.annotations['checksum/config'], sha256(text));
    const other = render({ metricExpiration: '48h' }).objects.deployment
      .spec as typeof objects.deployment.spec & {
      template: { metadata: { annotations: Record<string, string> } };
    };
    assert.notEqual(
      other.template.metadata.annotations['checksum/config'],
      pod.metadata.annotations['checksum/config'],
    );

    // The limiter / limit rule.
    const limiter = (collector.processors.memory_limiter as { limit_mib: number }).limit_mib;
    assert.equal(limiter, 512);
    assert.equal(container.resources.limits.memory, '600Mi');
  });

  it('asks for the load-balancer address the chosen way', () => {
    const svc = (flags: RawDeploySettings) =>
      render(flags).objects.service as K8sObject & { spec: Record<string, unknown> };
    assert.equal(svc({}).spec.loadBalancerIP, '10.10.30.22');
    assert.equal(svc({}).metadata.annotations, undefined);
    const metallb = svc({ loadBalancerMode: 'metallb' });
    assert.equal(metallb.spec.loadBalancerIP, undefined);
    assert.equal(metallb.metadata.annotations?.['metallb.universe.tf/loadBalancerIPs'], '10.10.30.22');
    assert.equal(
      svc({ loadBalancerMode: 'cilium' }).metadata.annotations?.['io.cilium/lb-ipam-ips'],
      '10.10.30.22',
    );
    const none = svc({ loadBalancerIp: 'none', loadBalancerMode: 'cilium' });
    assert.equal(none.spec.loadBalancerIP, undefined);
    assert.equal(none.metadata.annotations, undefined);
  });

  it('puts the dashboard in a sidecar-labelled ConfigMap and the rules where promtool accepts them', () => {
    const dashboard = objectsOf(files[3]?.text ?? '')[0] as K8sObject & { data: Record<string, string> };
    assert.equal(dashboard.metadata.labels?.grafana_dashboard, '1');
    assert.deepEqual(
      JSON.parse(dashboard.data['claude-code-monitoring.json'] ?? ''),
      deployParts().dashboard,
    );
    const rule = objectsOf(files[4]?.text ?? '')[0] as K8sObject & { spec: { groups: unknown[] } };
    const dir = tempDir('ccmon-rules-');
    writeFileSync(join(dir, 'rules.yaml'), JSON.stringify({ groups: rule.spec.groups }));
    const result = tool(PROMTOOL, ['check', 'rules', 'rules.yaml'], dir);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /SUCCESS: \d+ rules found/);
  });

  it('writes a README with the apply, verify and rollback commands', () => {
    const readme = files.find((f) => f.name === 'README.md')?.text ?? '';
    assert.match(readme, /kubectl apply -k \./);
    assert.match(readme, /ccmon verify --collector-health http:\/\/10\.10\.30\.22:13133\//);
    assert.match(
      readme,
      /kubectl delete -f claude-alerts\.yaml\nkubectl delete -f claude-dashboard-configmap\.yaml/,
    );
    assert.match(readme, /ccmon client remove/);
  });
});

interface PodSpec {
  containers: {
    args: string[];
    ports: { name: string; containerPort: number }[];
    livenessProbe: { httpGet: { port: string } };
    readinessProbe: { httpGet: { port: string } };
    resources: { limits: { memory: string } };
    volumeMounts: { mountPath: string }[];
  }[];
  volumes: { configMap: { name: string } }[];
}
