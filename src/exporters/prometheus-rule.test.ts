import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promqlErrors } from '../../test/support/query-syntax.js';
import { parseAlertsConfig } from '../alerts/config.js';
import { prometheusRuleGroups, spendExpr } from './prometheus-rule.js';
import { localTimeExpr, localWindowExpr, promDuration } from './promql-time.js';

describe('PrometheusRule expressions', () => {
  it('writes durations in one unit', () => {
    assert.deepEqual([86_400_000, 8 * 3_600_000, 90_000, 120_000, 1500].map(promDuration), [
      '24h',
      '8h',
      '90s',
      '2m',
      '1500ms',
    ]);
  });

  it('shifts time() by the zone offset, and picks the offset by instant where it changes', () => {
    assert.equal(localTimeExpr('UTC', 0, 86_400_000), 'vector(time())');
    assert.equal(
      localTimeExpr('Asia/Manila', Date.UTC(2026, 0, 1), Date.UTC(2036, 0, 1)),
      'vector(time() + 28800)',
    );
    assert.equal(
      localTimeExpr('America/St_Johns', Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 1)),
      'vector(time() - 12600)',
    );
    const ny = localTimeExpr('America/New_York', Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));
    assert.equal(
      ny,
      '(vector(time() - 18000) and on() (vector(time()) < 1772953200 or vector(time()) >= 1793512800)) or ' +
        '(vector(time() - 14400) and on() (vector(time()) >= 1772953200 < 1793512800))',
    );
    assert.deepEqual(promqlErrors(`hour(${ny})`), []);
  });

  it('writes working hours with minutes and weekdays that are not consecutive', () => {
    const expr = localWindowExpr('vector(time())', [0, 1, 2, 5], 8 * 60 + 30, 24 * 60);
    assert.equal(
      expr,
      '((hour(vector(time())) * 60 + minute(vector(time()))) >= 510) and on() ' +
        '(day_of_week(vector(time())) >= 0 <= 2 or day_of_week(vector(time())) == 5)',
    );
    assert.deepEqual(promqlErrors(expr), []);
  });

  it('groups per user and per machine under the labels ccmon uses', () => {
    const byUser = spendExpr(86_400_000, 'user');
    assert.match(byUser, /^sum by \(user\) \(label_replace\(label_replace\(label_replace\(/);
    assert.deepEqual(promqlErrors(byUser), []);
    assert.deepEqual(promqlErrors(spendExpr(3_600_000, 'machine')), []);
  });

  it('leaves out the billing-cycle rule, which ccmon alone evaluates', () => {
    const config = parseAlertsConfig({
      rules: { 'billing-budget': { budget: 100 }, 'no-activity': { for: 0 } },
    });
    const rules = prometheusRuleGroups(config).groups[0]?.rules ?? [];
    assert.deepEqual(
      rules.map((r) => r.alert),
      [
        'ClaudeCodeHighDailySpend',
        'ClaudeCodeCriticalDailySpend',
        'ClaudeCodeNoActivity',
        'OTelCollectorDown',
      ],
    );
    assert.equal(rules[2]?.for, undefined, '`for: 0` is left out');
    for (const r of rules) assert.deepEqual(promqlErrors(r.expr), [], r.alert);
  });
});
