import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveDeployConfig } from './settings.js';

describe('deploy settings', () => {
  it("defaults to the design document's values", () => {
    const c = resolveDeployConfig({});
    assert.equal(c.namespace, 'monitoring');
    assert.equal(c.loadBalancerIp, '10.10.30.22');
    assert.equal(c.loadBalancerMode, 'spec');
    assert.equal(c.image, 'otel/opentelemetry-collector-contrib:0.144.0');
    assert.equal(c.lokiEndpoint, 'http://loki.monitoring.svc.cluster.local:3100/otlp');
    assert.equal(c.memoryLimiterMiB, 512);
    assert.equal(c.memoryLimitBytes, 600 * 1024 * 1024);
    assert.equal(c.metricExpiration, '24h');
    assert.equal(c.release, 'prometheus');
    assert.deepEqual(c.dashboardLabel, { key: 'grafana_dashboard', value: '1' });
  });

  it('takes flags over the config file over the defaults', () => {
    const c = resolveDeployConfig(
      { namespace: 'obs' },
      { namespace: 'ignored', release: 'kps', metricExpiration: '2d' },
    );
    assert.equal(c.namespace, 'obs');
    assert.equal(c.release, 'kps');
    assert.equal(c.metricExpiration, '48h');
    assert.equal(resolveDeployConfig({ loadBalancerIp: 'none' }).loadBalancerIp, undefined);
    assert.equal(
      resolveDeployConfig({ memoryLimitBytes: '1Gi', memoryLimiterMiB: '900MiB' }).memoryLimiterMiB,
      900,
    );
  });

  const refusals: [string, Parameters<typeof resolveDeployConfig>[0], RegExp][] = [
    [
      'a container limit equal to the limiter',
      { memoryLimitBytes: '512Mi' },
      /must be above --memory-limiter 512MiB.*OOM-kills/s,
    ],
    ['a container limit below the limiter', { memoryLimitBytes: '500Mi' }, /must exceed the memory_limiter/],
    ['a limiter at the limit', { memoryLimiterMiB: '600MiB' }, /must be above/],
    ['a request above the limit', { memoryRequestBytes: '1Gi' }, /request above its limit/],
    ['a short metric_expiration', { metricExpiration: '5m' }, /at least 1h.*increase\(\)/s],
    ['a metric_expiration just under an hour', { metricExpiration: '59m59s' }, /too short/],
    [
      "Loki's push API (the loki exporter's)",
      { lokiEndpoint: 'http://loki:3100/loki/api/v1/push' },
      /deprecated loki exporter.*otlphttp/,
    ],
    [
      'a Loki URL with /v1/logs',
      { lokiEndpoint: 'http://loki:3100/otlp/v1/logs' },
      /ends in \/otlp.*appends \/v1\/logs/,
    ],
    ['the core collector image', { image: 'otel/opentelemetry-collector:0.144.0' }, /no prometheus exporter/],
    ['an unpinned image', { image: 'otel/opentelemetry-collector-contrib:latest' }, /pin a version/],
    ['an image without a tag', { image: 'otel/opentelemetry-collector-contrib' }, /pin a version/],
    ['a bad address', { loadBalancerIp: '10.10.30' }, /IP address/],
    ['an unknown load-balancer mode', { loadBalancerMode: 'kube-vip' }, /spec, metallb or cilium/],
    ['a bad namespace', { namespace: 'Monitoring' }, /Kubernetes name/],
    ['a bad dashboard label', { dashboardLabel: 'grafana_dashboard' }, /KEY=VALUE/],
    ['a limiter in fractions of a MiB', { memoryLimiterMiB: '100.5MiB' }, /whole MiB/],
  ];
  for (const [what, flags, message] of refusals) {
    it(`refuses ${what}`, () => assert.throws(() => resolveDeployConfig(flags), message));
  }

  it('accepts a digest-pinned image and the other load-balancer modes', () => {
    const digest = `otel/opentelemetry-collector-contrib@sha256:${'a'.repeat(64)}`;
    assert.equal(resolveDeployConfig({ image: digest }).image, digest);
    assert.equal(resolveDeployConfig({ loadBalancerMode: 'cilium' }).loadBalancerMode, 'cilium');
    assert.equal(
      resolveDeployConfig({ lokiEndpoint: 'https://loki.example/otlp/' }).lokiEndpoint,
      'https://loki.example/otlp',
    );
  });
});
