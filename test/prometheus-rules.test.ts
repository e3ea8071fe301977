/**
 * The generated PrometheusRule, checked by Prometheus' own tools: `promtool check rules` on the
 * generated rule files and `promtool test rules` on the unit tests beside them
 * (test/fixtures/rules/*.test.yaml), which show each rule firing and not firing at the right times.
 * The rule files are golden: regenerate them with CCMON_UPDATE_GOLDEN=1 after changing the generator.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, mock } from 'node:test';
import { parse, stringify } from 'yaml';
import { parseAlertsConfig } from '../src/alerts/config.js';
import { main } from '../src/cli/main.js';
import { prometheusRule, prometheusRuleGroups } from '../src/exporters/prometheus-rule.js';
import { tempDir } from './support/server.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'rules');
const PROMTOOL = '/usr/bin/promtool';
const UPDATE = process.env.CCMON_UPDATE_GOLDEN === '1';

/** Each fixture config and the rule file generated from it (DST horizon from 1970, promtool's epoch). */
const GOLDEN = ['manila', 'new-york'];

function configOf(name: string): ReturnType<typeof parseAlertsConfig> {
  const doc = parse(readFileSync(join(FIXTURES, `${name}.config.yaml`), 'utf8')) as { alerts?: unknown };
  return parseAlertsConfig(doc.alerts);
}

function ruleFileText(name: string): string {
  const groups = prometheusRuleGroups(configOf(name), { generatedAt: new Date(0) });
  return `# Generated from ${name}.config.yaml by test/prometheus-rules.test.ts (CCMON_UPDATE_GOLDEN=1).\n${stringify(groups, { lineWidth: 0 })}`;
}

function promtool(args: string[]): { code: number | null; output: string } {
  if (!existsSync(PROMTOOL)) throw new Error(`${PROMTOOL} is missing: install the Debian package prometheus`);
  const run = spawnSync(PROMTOOL, args, { cwd: FIXTURES, encoding: 'utf8', timeout: 110_000 });
  return { code: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('the generated PrometheusRule', () => {
  it('matches the committed rule files', () => {
    for (const name of GOLDEN) {
      const path = join(FIXTURES, `${name}.rules.yaml`);
      const text = ruleFileText(name);
      if (UPDATE) writeFileSync(path, text);
      assert.equal(
        readFileSync(path, 'utf8'),
        text,
        `${name}.rules.yaml is stale: run with CCMON_UPDATE_GOLDEN=1`,
      );
    }
  });

  it('passes promtool check rules', () => {
    const result = promtool(['check', 'rules', ...GOLDEN.map((n) => `${n}.rules.yaml`)]);
    assert.equal(result.code, 0, result.output);
    assert.match(result.output, /SUCCESS: 6 rules found/);
  });

  const tests = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.test.yaml'))
    .sort();
  for (const file of tests) {
    it(`passes promtool test rules ${file}`, () => {
      const result = promtool(['test', 'rules', file]);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /SUCCESS/);
    });
  }

  it('has the four original rules by default, under the original names', () => {
    const rule = prometheusRule(parseAlertsConfig(undefined), {
      namespace: 'obs',
      labels: { release: 'kps' },
    }) as {
      metadata: { name: string; namespace: string; labels: Record<string, string> };
      spec: {
        groups: { name: string; rules: { alert: string; for?: string; labels: { severity: string } }[] }[];
      };
    };
    assert.equal(rule.metadata.name, 'claude-code-alerts');
    assert.equal(rule.metadata.namespace, 'obs');
    assert.equal(rule.metadata.labels.release, 'kps');
    const group = rule.spec.groups[0];
    assert.equal(group?.name, 'claude-code');
    assert.deepEqual(
      group?.rules.map((r) => [r.alert, r.labels.severity, r.for]),
      [
        ['ClaudeCodeHighDailySpend', 'warning', '5m'],
        ['ClaudeCodeCriticalDailySpend', 'critical', '5m'],
        ['ClaudeCodeNoActivity', 'info', '5m'],
        ['OTelCollectorDown', 'critical', '2m'],
      ],
    );
  });

  it('is written by `ccmon prometheus rules`, with --help', async () => {
    const dir = tempDir();
    const out = join(dir, 'rules.yaml');
    assert.equal(
      await main([
        'prometheus',
        'rules',
        '--config',
        join(FIXTURES, 'manila.config.yaml'),
        '--out',
        out,
        '--label',
        'release=kps',
      ]),
      0,
    );
    const written = parse(readFileSync(out, 'utf8')) as {
      kind: string;
      metadata: { labels: Record<string, string> };
    };
    assert.equal(written.kind, 'PrometheusRule');
    assert.deepEqual(written.metadata.labels, { 'app.kubernetes.io/part-of': 'ccmon', release: 'kps' });
    const plain = join(dir, 'plain.yaml');
    assert.equal(
      await main([
        'prometheus',
        'rules',
        '--config',
        join(FIXTURES, 'manila.config.yaml'),
        '--format',
        'rule-file',
        '--out',
        plain,
      ]),
      0,
    );
    const checked = promtool(['check', 'rules', plain]);
    assert.equal(checked.code, 0, checked.output);

    const log = mock.method(console, 'log', () => undefined);
    try {
      assert.equal(await main(['prometheus', '--help']), 0);
      assert.match(String(log.mock.calls[0]?.arguments[0]), /Usage: ccmon prometheus rules/);
    } finally {
      log.mock.restore();
    }
    await assert.rejects(main(['prometheus', 'dashboards']), /expected `ccmon prometheus rules`/);
  });
});
