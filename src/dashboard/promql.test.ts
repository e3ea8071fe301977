import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertGoldenText } from '../../test/support/golden.js';
import { promqlErrors } from '../../test/support/query-syntax.js';
import { DASHBOARD } from './definition.js';
import { interpolate, panelSource, SAMPLE_VALUES } from './grafana-vars.js';
import { compilePromPanel, exprPromQL, growth } from './promql.js';
import type { Panel } from './types.js';

const METRIC_PANELS = DASHBOARD.panels.filter((p) => panelSource(p) === 'metrics');
const GOLDEN = join(import.meta.dirname, '__golden_grafana__', 'promql.txt');

function panel(id: number): Panel {
  const found = DASHBOARD.panels.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no panel ${id}`);
  return found;
}

const exprOf = (id: number): string => compilePromPanel(panel(id)).targets[0]?.expr ?? '';

describe('PromQL compiler', () => {
  it('compiles every metric panel, and only those', () => {
    assert.equal(METRIC_PANELS.length, 26);
    for (const p of DASHBOARD.panels) {
      if (panelSource(p) === 'metrics') assert.ok(compilePromPanel(p).targets.length > 0, p.title);
      else assert.throws(() => compilePromPanel(p), /events|log panel/, p.title);
    }
  });

  it('parses: every query, with Grafana variables at sample values, has no syntax error', () => {
    for (const p of METRIC_PANELS) {
      for (const t of compilePromPanel(p).targets) {
        const text = interpolate(t.expr, SAMPLE_VALUES);
        assert.doesNotMatch(text, /\$(?!1")/, `panel ${p.id}: a variable was left in ${text}`);
        assert.deepEqual(promqlErrors(text), [], `panel ${p.id} ${p.title}: ${text}`);
      }
    }
  });

  it('matches the golden file (UPDATE_GOLDEN=1 to refresh after checking the diff)', () => {
    const text = METRIC_PANELS.map((p) => {
      const c = compilePromPanel(p);
      const head = `# panel ${p.id}: ${p.title} (${p.type}, window ${c.window}${c.minInterval ? `, step >= ${c.minInterval}` : ''})`;
      return [
        head,
        ...c.targets.map((t) => `${t.instant ? 'instant' : 'range'} ${t.format}: ${t.expr}`),
      ].join('\n');
    }).join('\n\n');
    assertGoldenText(GOLDEN, `${text}\n`);
  });

  it('counts a series from zero when it did not exist one window earlier, and never uses increase()', () => {
    const g = growth('claude_code.session.count', '$__range');
    assert.match(
      g,
      /^\(last_over_time\(.*\[\$__range\]\) or last_over_time\(.*\)\) - \(\(last_over_time\(.*\[\$__range\] offset \$__range\)/,
    );
    assert.match(g, / or \(last_over_time\(.*\)\) \* 0\)$/);
    for (const p of METRIC_PANELS) {
      for (const t of compilePromPanel(p).targets)
        assert.doesNotMatch(t.expr, /\b(increase|rate|irate|delta)\(/);
    }
  });

  it('reads the Collector metric names and filters by every dashboard variable', () => {
    assert.match(exprOf(3), /claude_code_session_count_total\{/);
    assert.match(exprOf(4), /claude_code_cost_usage_USD_total\{/);
    assert.match(exprOf(16), /claude_code_active_time_seconds_total\{/);
    for (const v of ['machine', 'model', 'session', 'terminal', 'service_version', 'user']) {
      assert.ok(exprOf(4).includes(`"$${v}"`), v);
    }
    assert.match(exprOf(10), /type="added"/);
    assert.match(exprOf(28), /type=~"input\|cacheRead"/);
  });

  it('has one notion of a user: user_email where set, else user_id, in filters, breakdowns and counts', () => {
    for (const id of [14, 23]) {
      const e = exprOf(id);
      assert.match(
        e,
        /label_replace\(label_replace\(.*, "user", "\$1", "user_id", "\(\.\+\)"\), "user", "\$1", "user_email", "\(\.\+\)"\)/,
      );
      assert.match(e, /user_email=~"\$user"/);
      assert.match(e, /user_email="",user_id=~"\$user"/);
    }
    assert.match(exprOf(14), /^\(count\(sum by \(user\) /);
    assert.match(exprOf(23), /^sum by \(user\) /);
  });

  it('never divides by zero: 0 instead of NaN or Inf', () => {
    const e = exprPromQL(
      {
        kind: 'div',
        left: { kind: 'const', value: 1 },
        right: { kind: 'metric_sum', metric: 'claude_code.cost.usage' },
      },
      '1h',
    );
    assert.match(e, /^\(\(1 \/ \(.* != 0\)\) or vector\(0\)\)$/);
    assert.equal(
      exprPromQL(
        { kind: 'div', left: { kind: 'const', value: 1 }, right: { kind: 'const', value: 0 } },
        '1h',
      ),
      'vector(0)',
    );
    assert.match(exprOf(5), / \/ \(\$__range_s \/ 3600\)\)$/);
  });

  it('narrows the billing-cycle panels to the cycle and gives series panels hourly steps', () => {
    assert.equal(compilePromPanel(panel(1)).window, 'billing_cycle');
    assert.equal(compilePromPanel(panel(2)).window, 'billing_cycle');
    assert.equal(compilePromPanel(panel(4)).window, 'range');
    const series = compilePromPanel(panel(19));
    assert.equal(series.minInterval, '1h');
    assert.equal(series.targets[0]?.instant, false);
    assert.match(
      series.targets[0]?.expr ?? '',
      /^sum by \(model\) \(.*\[\$__interval\] offset \$__interval.*\) \/ \(\$__interval_ms \/ 3600000\)$/,
    );
  });
});
