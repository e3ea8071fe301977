/** `ccmon deploy k8s` as a user runs it: files written, settings from flags and the config file, refusals. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { runCli } from './support/cli.js';
import { tempDir } from './support/server.js';

const GOLDEN = join(import.meta.dirname, 'fixtures', 'deploy-k8s');

describe('ccmon deploy k8s', { timeout: 110_000 }, () => {
  it('writes the golden files with the default settings', async () => {
    const out = join(tempDir('ccmon-deploy-'), 'manifests');
    const result = await runCli(['deploy', 'k8s', '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /wrote 7 files/);
    assert.deepEqual(readdirSync(out).sort(), readdirSync(GOLDEN).sort());
    for (const name of readdirSync(GOLDEN)) {
      const text = readFileSync(join(out, name), 'utf8');
      if (name === 'claude-alerts.yaml') {
        // The working-hours rule carries daylight-saving dates from the current year on: compare the rules.
        const names = (t: string) =>
          (
            parse(t.replace(/^(#.*\n)*---\n/, '')) as { spec: { groups: { rules: { alert: string }[] }[] } }
          ).spec.groups[0]?.rules.map((r) => r.alert);
        assert.deepEqual(names(text), names(readFileSync(join(GOLDEN, name), 'utf8')));
      } else assert.equal(text, readFileSync(join(GOLDEN, name), 'utf8'), name);
    }
  });

  it('takes settings from the deploy: and alerts: sections of the config file, flags first', async () => {
    const dir = tempDir('ccmon-deploy-');
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      'deploy:\n  namespace: observability\n  release: kps\n  load-balancer-mode: cilium\n  metric-expiration: 36h\nalerts:\n  rules:\n    high-daily-spend:\n      threshold: 40\n',
    );
    const out = join(dir, 'out');
    const result = await runCli([
      'deploy',
      'k8s',
      '--out',
      out,
      '--config',
      config,
      '--release',
      'monitoring-stack',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const collector = readFileSync(join(out, 'otel-collector.yaml'), 'utf8');
    assert.match(collector, /namespace: observability/);
    assert.match(collector, /lbipam\.cilium\.io\/ips: 10\.10\.30\.22/);
    assert.match(readFileSync(join(out, 'otel-collector-config.yaml'), 'utf8'), /metric_expiration: 36h/);
    const alerts = readFileSync(join(out, 'claude-alerts.yaml'), 'utf8');
    assert.match(alerts, /release: monitoring-stack/);
    assert.match(alerts, /\) > 40\n/);
  });

  const refusals: [string, string[], RegExp][] = [
    [
      'a container limit at the limiter',
      ['--memory-limit', '512Mi'],
      /must exceed the memory_limiter, or the kernel OOM-kills the pod/,
    ],
    ['a short metric_expiration', ['--metric-expiration', '30m'], /at least 1h/],
    [
      "Loki's push endpoint",
      ['--loki-endpoint', 'http://loki:3100/loki/api/v1/push'],
      /deprecated loki exporter/,
    ],
  ];
  for (const [what, flags, message] of refusals) {
    it(`refuses ${what} with the reason`, async () => {
      const result = await runCli(['deploy', 'k8s', '--out', tempDir('ccmon-deploy-'), ...flags]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, message);
    });
  }

  it('refuses collector overrides that break a Key Learning, and writes nothing', async () => {
    const dir = tempDir('ccmon-deploy-');
    const overrides = join(dir, 'overrides.yaml');
    writeFileSync(
      overrides,
      'exporters:\n  loki:\n    endpoint: http://loki:3100/loki/api/v1/push\nservice:\n  pipelines:\n    logs:\n      exporters: [loki]\n',
    );
    const out = join(dir, 'out');
    const result = await runCli(['deploy', 'k8s', '--out', out, '--collector-overrides', overrides]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /refusing to render: the deployment would break the design document's Key Learnings/,
    );
    assert.match(result.stderr, /Loki OTLP ingestion: exporter loki is the deprecated loki exporter/);
    assert.throws(() => readdirSync(out));
    const accepted = join(dir, 'ok.yaml');
    writeFileSync(accepted, 'processors:\n  batch:\n    timeout: 2s\n');
    assert.equal((await runCli(['deploy', 'k8s', '--out', out, '--collector-overrides', accepted])).code, 0);
    assert.match(readFileSync(join(out, 'otel-collector-config.yaml'), 'utf8'), /batch:\n {8}timeout: 2s/);
  });

  it('explains its options and its usage mistakes', async () => {
    const help = await runCli(['deploy', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--load-balancer-mode MODE .*spec \(spec\.loadBalancerIP\), metallb or cilium/);
    assert.match(help.stdout, /--memory-limit QUANTITY .*\(default 600Mi\)/);
    const noOut = await runCli(['deploy', 'k8s']);
    assert.equal(noOut.code, 1);
    assert.match(noOut.stderr, /--out DIR is required/);
    const dir = tempDir('ccmon-deploy-');
    writeFileSync(join(dir, 'c.yaml'), 'deploy:\n  namespaces: x\n');
    const typo = await runCli(['deploy', 'k8s', '--out', dir, '--config', join(dir, 'c.yaml')]);
    assert.match(typo.stderr, /unknown setting deploy\.namespaces/);
  });
});
