import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertGoldenText } from '../../test/support/golden.js';
import { logqlErrors } from '../../test/support/query-syntax.js';
import { DASHBOARD } from './definition.js';
import { interpolate, panelSource, SAMPLE_VALUES } from './grafana-vars.js';
import { compileLokiPanel, exprLogQL } from './logql.js';
import type { Panel } from './types.js';

const EVENT_PANELS = DASHBOARD.panels.filter((p) => panelSource(p) === 'events');
const GOLDEN = join(import.meta.dirname, '__golden_grafana__', 'logql.txt');

function panel(id: number): Panel {
  const found = DASHBOARD.panels.find((p) => p.id === id);
  if (found === undefined) throw new Error(`no panel ${id}`);
  return found;
}

const exprOf = (id: number): string => compileLokiPanel(panel(id)).targets[0]?.expr ?? '';

describe('LogQL compiler', () => {
  it('compiles every event and log panel, and only those', () => {
    assert.deepEqual(
      EVENT_PANELS.map((p) => p.id),
      [24, 25, 26, 27, 31, 32, 33],
    );
    for (const p of DASHBOARD.panels) {
      if (panelSource(p) === 'events') assert.ok(compileLokiPanel(p).targets.length > 0, p.title);
      else assert.throws(() => compileLokiPanel(p), /reads metrics/, p.title);
    }
  });

  it('parses: every query, with Grafana variables at sample values, has no syntax error', () => {
    for (const p of EVENT_PANELS) {
      for (const t of compileLokiPanel(p).targets) {
        const text = interpolate(t.expr, SAMPLE_VALUES);
        assert.doesNotMatch(text, /\$/, `panel ${p.id}: a variable was left in ${text}`);
        assert.deepEqual(logqlErrors(text), [], `panel ${p.id} ${p.title}: ${text}`);
      }
    }
    const scalar = exprLogQL({
      kind: 'div',
      left: { kind: 'event_sum', event: 'api_request', field: 'cost_usd' },
      right: { kind: 'event_count', event: 'api_request' },
    });
    assert.deepEqual(logqlErrors(interpolate(scalar, SAMPLE_VALUES)), [], scalar);
  });

  it('matches the golden file (UPDATE_GOLDEN=1 to refresh after checking the diff)', () => {
    const text = EVENT_PANELS.map((p) => {
      const c = compileLokiPanel(p);
      const head = `# panel ${p.id}: ${p.title} (${p.type}${c.minInterval ? `, step >= ${c.minInterval}` : ''})`;
      return [
        head,
        ...c.targets.map(
          (t) =>
            `${t.instant ? 'instant' : 'range'}${t.maxLines ? ` max ${t.maxLines} lines` : ''}: ${t.expr}`,
        ),
      ].join('\n');
    }).join('\n\n');
    assertGoldenText(GOLDEN, `${text}\n`);
  });

  it("reads Loki's OTLP stream and structured metadata, values as strings", () => {
    for (const p of EVENT_PANELS) assert.ok(exprOf(p.id).includes('{service_name="claude-code"}'), p.title);
    assert.match(exprOf(24), /\| event_name="api_request" /);
    assert.match(
      exprOf(24),
      /\| duration_ms!="" \| unwrap duration_ms \| __error__="" \[\$__interval\]\) by \(model\)$/,
    );
    assert.match(
      exprOf(31),
      /^sum by \(tool_name\) \(count_over_time\(.*\| event_name="tool_result" .*\[\$__range\]\)\)$/,
    );
    assert.match(
      exprOf(33),
      /^sum\(count_over_time\(.*\| event_name="user_prompt" .*\[\$__interval\]\)\) \/ \(\$__interval_ms \/ 3600000\)$/,
    );
  });

  it('groups API errors by status code, or the error text when there is none', () => {
    assert.match(
      exprOf(25),
      /label_format status="\{\{ if \.status_code \}\}\{\{ \.status_code \}\}\{\{ else \}\}\{\{ \.error \}\}\{\{ end \}\}"/,
    );
    assert.match(exprOf(25), /^sum by \(status\) \(count_over_time\(/);
  });

  it('filters by the same variables as the metric panels, with one notion of a user', () => {
    const e = exprOf(32);
    for (const f of [
      'machine_name=~"$machine"',
      'model=~"$model"',
      'session_id=~"$session"',
      'terminal_type=~"$terminal"',
    ]) {
      assert.ok(e.includes(f), f);
    }
    assert.ok(e.includes('| (user_email=~"$user" or (user_email="" and user_id=~"$user"))'));
  });

  it('shows the latest events in the log panels, newest first', () => {
    const recent = compileLokiPanel(panel(26)).targets[0];
    assert.equal(recent?.maxLines, 100);
    assert.match(
      recent?.expr ?? '',
      /\| event_name="tool_result" .*\| line_format "tool=\{\{ \.tool_name \}\} success=/,
    );
    const all = compileLokiPanel(panel(27)).targets[0];
    assert.equal(all?.maxLines, 200);
    assert.doesNotMatch(all?.expr ?? '', /event_name="/);
  });
});
