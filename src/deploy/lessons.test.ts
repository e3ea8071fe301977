import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deployParts } from '../../test/support/deploy-parts.js';
import { instantCounterSelectors, LESSONS, lessonProblems, type Bundle } from './lessons.js';
import { renderObjects } from './render.js';
import { resolveDeployConfig } from './settings.js';

const config = resolveDeployConfig({});

function bundle(overrides?: unknown, dashboard?: object): Bundle {
  const parts = deployParts(config, overrides);
  const o = renderObjects(config, { ...parts, dashboard: parts.dashboard });
  return {
    collector: o.collector,
    deployment: o.deployment,
    dashboard: dashboard ?? parts.dashboard,
    rule: o.rule,
    clientEnv: { OTEL_RESOURCE_ATTRIBUTES: 'machine.name=HOST' },
  };
}

function refusal(overrides: unknown, dashboard?: object): string {
  try {
    renderObjects(config, {
      ...deployParts(config, overrides),
      ...(dashboard !== undefined ? { dashboard } : {}),
    });
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  assert.fail('rendering was expected to be refused');
}

const panel = (expr: string) => ({
  panels: [{ type: 'row', title: 'Overview', panels: [{ title: 'Cost', targets: [{ expr }] }] }],
});

describe("the design document's Key Learnings", () => {
  it('are all there, one check per row of the table', () => {
    assert.deepEqual(
      LESSONS.map((l) => l.topic),
      [
        'OTel Collector memory',
        'Loki OTLP ingestion',
        'health_check extension',
        'Per-session counters',
        'OTEL_RESOURCE_ATTRIBUTES',
        'Prometheus metric names',
        'Loki event names',
        'Security hardening',
      ],
    );
  });

  it('hold for the default rendering and the generated rules', () => {
    assert.deepEqual(lessonProblems(bundle()), []);
  });

  const overrides: [string, unknown, RegExp][] = [
    [
      'a loki exporter instead of otlphttp',
      {
        exporters: { loki: { endpoint: 'http://loki:3100/loki/api/v1/push' } },
        service: { pipelines: { logs: { exporters: ['loki'] } } },
      },
      /Loki OTLP ingestion: exporter loki is the deprecated loki exporter/,
    ],
    [
      'an otlphttp exporter not at /otlp',
      { exporters: { 'otlphttp/loki': { endpoint: 'http://loki:3100' } } },
      /must point at Loki's \/otlp endpoint/,
    ],
    [
      'the health_check extension left out',
      { extensions: { health_check: null }, service: { extensions: [] } },
      /health_check extension: health_check is not listed/,
    ],
    [
      'health_check on localhost',
      { extensions: { health_check: { endpoint: 'localhost:13133' } } },
      /must listen on 0\.0\.0\.0:13133/,
    ],
    [
      'batch before memory_limiter',
      { service: { pipelines: { metrics: { processors: ['batch', 'memory_limiter'] } } } },
      /pipeline metrics must start with memory_limiter/,
    ],
    [
      'a memory_limiter above the container limit',
      { processors: { memory_limiter: { limit_mib: 700 } } },
      /600Mi is not above the memory_limiter's 700 MiB/,
    ],
    [
      'metric names without suffixes',
      { exporters: { prometheus: { add_metric_suffixes: false } } },
      /Prometheus metric names: .*add_metric_suffixes/,
    ],
    [
      'a metric name prefix',
      { exporters: { prometheus: { namespace: 'claude' } } },
      /prefixes every metric name/,
    ],
  ];
  for (const [what, patch, message] of overrides) {
    it(`refuse ${what} (given as collector overrides)`, () => {
      const text = refusal(patch);
      assert.match(text, /refusing to render/);
      assert.match(text, message);
      assert.match(text, /lesson: /);
    });
  }

  it('refuse raw sum() over per-session counters, unknown metric names and | json on events', () => {
    assert.match(
      refusal(undefined, panel('sum(claude_code_cost_usage_USD_total)')),
      /Per-session counters: dashboard panel "Cost"/,
    );
    assert.match(
      refusal(undefined, panel('sum(claude_code_cost_usage_total[1h])')),
      /not a metric name the exporter writes/,
    );
    assert.match(
      refusal(undefined, panel('{service_name="claude-code"} | json | event_name="api_request"')),
      /Loki event names/,
    );
    assert.deepEqual(
      lessonProblems(
        bundle(undefined, panel('sum(increase(claude_code_cost_usage_USD_total{model!=""}[1h]))')),
      ),
      [],
    );
  });

  it('refuse a weakened pod and client settings without machine.name', () => {
    const b = bundle();
    const spec = structuredClone(b.deployment.spec) as {
      template: { spec: { containers: { securityContext: Record<string, unknown> }[] } };
    };
    const container = spec.template.spec.containers[0];
    assert.ok(container);
    container.securityContext.readOnlyRootFilesystem = false;
    container.securityContext.capabilities = { drop: [] };
    const weak = lessonProblems({ ...b, deployment: { ...b.deployment, spec } });
    assert.equal(weak.length, 2);
    assert.match(weak.join('\n'), /Security hardening: the container root filesystem is not read-only/);
    assert.match(
      lessonProblems({ ...b, clientEnv: {} }).join(''),
      /OTEL_RESOURCE_ATTRIBUTES: the client settings do not set machine\.name/,
    );
  });

  it('find counters read without a range', () => {
    assert.deepEqual(
      instantCounterSelectors(
        'sum(claude_code_a_total) + rate(claude_code_b_total{x="1"}[5m]) + claude_code_c_total offset 1h',
      ),
      ['claude_code_a_total', 'claude_code_c_total'],
    );
    assert.deepEqual(
      instantCounterSelectors('last_over_time(claude_code_cost_usage_USD_total[1d] offset 1d)'),
      [],
    );
  });
});
