import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Unreachable } from './http-get.js';
import { recentQuery } from './verify-prometheus.js';
import {
  exitCode,
  renderJson,
  renderTable,
  runChecks,
  type VerifyCheck,
  type VerifyTargets,
} from './verify.js';

const targets: VerifyTargets = {
  prometheus: 'http://127.0.0.1:9',
  job: 'otel-collector',
  ruleGroup: 'claude-code',
  expectedAlerts: [],
  dashboardUid: 'claude-code-monitoring',
  expectedRows: 8,
  expectedPanels: 33,
  recentMs: 900_000,
  eventsSinceMs: 86_400_000,
  timeoutMs: 1000,
};

const check = (
  id: string,
  run: VerifyCheck['run'],
  missing: VerifyCheck['missing'] = () => undefined,
): VerifyCheck => ({
  id,
  title: `Check ${id}`,
  missing,
  run,
});

describe('the verify runner', () => {
  const checks = [
    check('ok', async () => ({ ok: true, detail: 'fine' })),
    check('bad', async () => ({ ok: false, detail: 'broken', hint: 'fix it' })),
    check('down', async () => {
      throw new Unreachable('http://127.0.0.1:9/: connection refused (nothing listens there)');
    }),
    check(
      'loki',
      async () => ({ ok: true, detail: '' }),
      (t) => (t.loki === undefined ? '--loki' : undefined),
    ),
  ];

  it('passes, fails with hints, and skips a check whose endpoint is missing', async () => {
    const out = await runChecks(checks, targets, false);
    assert.deepEqual(
      out.map((o) => [o.id, o.status]),
      [
        ['ok', 'pass'],
        ['bad', 'fail'],
        ['down', 'fail'],
        ['loki', 'skip'],
      ],
    );
    assert.equal(out[2]?.hint?.startsWith('the endpoint did not answer'), true);
    assert.equal(exitCode(out), 1);
    const table = renderTable(out);
    assert.match(table, /^FAIL {4}Check bad {3}broken$/m);
    assert.match(table, /What to do:\n {2}Check bad:\n {4}fix it/);
    assert.match(table, /1 passed, 2 failed, 1 skipped\n$/);
    assert.equal(JSON.parse(renderJson(out)).ok, false);
  });

  it('fails a check it cannot make with --strict, and exits 0 when only skips remain', async () => {
    const strict = await runChecks([checks[3] as VerifyCheck], targets, true);
    assert.equal(strict[0]?.status, 'fail');
    assert.match(strict[0]?.hint ?? '', /give --loki/);
    assert.equal(
      exitCode(await runChecks([checks[0] as VerifyCheck, checks[3] as VerifyCheck], targets, false)),
      0,
    );
  });

  it('looks for moving counters or new series, by machine', () => {
    assert.equal(
      recentQuery(900),
      'group by (machine_name) (changes({__name__=~"claude_code_.+_total"}[900s]) > 0) or group by (machine_name) ({__name__=~"claude_code_.+_total"} unless {__name__=~"claude_code_.+_total"} offset 900s)',
    );
  });
});
