import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { assertGoldenJson } from '../../test/support/golden.js';
import { logqlErrors, promqlErrors } from '../../test/support/query-syntax.js';
import { DASHBOARD } from '../dashboard/definition.js';
import { interpolate, panelSource, SAMPLE_VALUES } from '../dashboard/grafana-vars.js';
import { billingCycleStart } from './grafana-variables.js';
import { grafanaDashboard } from './grafana-dashboard.js';

interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface Target {
  expr: string;
  refId: string;
  datasource?: { type: string; uid: string };
  instant?: boolean;
  range?: boolean;
}
interface GPanel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  collapsed?: boolean;
  panels?: GPanel[];
  datasource?: { type: string; uid: string };
  targets?: Target[];
  fieldConfig?: { defaults?: { unit?: string; max?: number } };
  timeFrom?: string;
  interval?: string;
}
interface Variable {
  name: string;
  type: string;
  query?: unknown;
  current?: { text: unknown; value: unknown };
  options?: { text: string; value: string }[];
  includeAll?: boolean;
  allValue?: string;
  datasource?: { type: string; uid: string };
}
interface GDashboard {
  uid: string;
  title: string;
  time: { from: string; to: string };
  refresh: string;
  panels: GPanel[];
  templating: { list: Variable[] };
}

const GOLDEN = join(import.meta.dirname, '__golden__', 'grafana-dashboard.json');
const json = grafanaDashboard() as GDashboard;
const rows = json.panels.filter((p) => p.type === 'row');

/** Every non-row panel with the row it belongs to, wherever Grafana keeps it. */
function panelsWithRows(d: GDashboard): { panel: GPanel; row: GPanel }[] {
  const out: { panel: GPanel; row: GPanel }[] = [];
  let current: GPanel | undefined;
  for (const p of d.panels) {
    if (p.type === 'row') {
      current = p;
      for (const inner of p.panels ?? []) out.push({ panel: inner, row: p });
    } else {
      assert.ok(current !== undefined, `panel ${p.title} comes before any row`);
      out.push({ panel: p, row: current });
    }
  }
  return out;
}

const placed = panelsWithRows(json);

describe('Grafana dashboard JSON', () => {
  it('is "Claude Code Monitoring" with its uid, 8 h by default, refreshed every 30 s', () => {
    assert.equal(json.uid, 'claude-code-monitoring');
    assert.equal(json.title, 'Claude Code Monitoring');
    assert.deepEqual(json.time, { from: 'now-8h', to: 'now' });
    assert.equal(json.refresh, '30s');
  });

  it('has the 8 sections as rows, open or collapsed as defined', () => {
    assert.equal(rows.length, 8);
    assert.deepEqual(
      rows.map((r) => [r.title, r.collapsed]),
      DASHBOARD.sections.map((s) => [s.title, !s.open]),
    );
    for (const row of rows) {
      const section = DASHBOARD.sections.find((s) => s.title === row.title);
      // Grafana's rule: an open row is empty and its panels follow it; a collapsed one holds them.
      if (section?.open) assert.deepEqual(row.panels, [], row.title);
      else assert.ok((row.panels ?? []).length > 0, row.title);
      assert.deepEqual({ x: row.gridPos.x, w: row.gridPos.w, h: row.gridPos.h }, { x: 0, w: 24, h: 1 });
    }
  });

  it('has all 33 panels, each in its section, with its type, unit, width and a unique id', () => {
    assert.equal(placed.length, 33);
    for (const def of DASHBOARD.panels) {
      const found = placed.find((x) => x.panel.title === def.title);
      assert.ok(found !== undefined, `panel ${def.id} "${def.title}" is missing from the JSON`);
      const { panel, row } = found;
      assert.equal(panel.id, def.id);
      assert.equal(panel.type, def.type, def.title);
      assert.equal(row.title, DASHBOARD.sections.find((s) => s.id === def.section)?.title, def.title);
      assert.equal(panel.gridPos.w, def.width, def.title);
      assert.equal(panel.fieldConfig?.defaults?.unit, def.unit === 'none' ? undefined : def.unit, def.title);
      if (def.max !== undefined) assert.equal(panel.fieldConfig?.defaults?.max, def.max, def.title);
    }
    const ids = [...rows, ...placed.map((x) => x.panel)].map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('wires metric panels to the Prometheus variable and event panels to the Loki variable', () => {
    for (const def of DASHBOARD.panels) {
      const panel = placed.find((x) => x.panel.id === def.id)?.panel;
      const want =
        panelSource(def) === 'metrics'
          ? { type: 'prometheus', uid: '${datasource}' }
          : { type: 'loki', uid: '${loki_datasource}' };
      assert.deepEqual(panel?.datasource, want, def.title);
      assert.ok((panel?.targets ?? []).length > 0, def.title);
      for (const t of panel?.targets ?? []) {
        assert.deepEqual(t.datasource, want, def.title);
        const text = interpolate(t.expr, SAMPLE_VALUES);
        const errors = want.type === 'prometheus' ? promqlErrors(text) : logqlErrors(text);
        assert.deepEqual(errors, [], `${def.title}: ${text}`);
      }
    }
  });

  it('lays panels out without overlaps inside the 24-column grid', () => {
    const taken = new Set<string>();
    for (const { panel } of placed) {
      const g = panel.gridPos;
      assert.ok(g.x >= 0 && g.x + g.w <= 24, panel.title);
      for (let x = g.x; x < g.x + g.w; x++)
        for (let y = g.y; y < g.y + g.h; y++) {
          assert.ok(!taken.has(`${x},${y}`), `${panel.title} overlaps at ${x},${y}`);
          taken.add(`${x},${y}`);
        }
    }
  });

  it('has datasource variables, a billing day 1-28 and the definition filters', () => {
    const vars = json.templating.list;
    const byName = (n: string): Variable | undefined => vars.find((v) => v.name === n);
    assert.equal(byName('datasource')?.type, 'datasource');
    assert.equal(byName('datasource')?.query, 'prometheus');
    assert.equal(byName('loki_datasource')?.type, 'datasource');
    assert.equal(byName('loki_datasource')?.query, 'loki');
    const billing = byName('billing_day');
    assert.deepEqual(
      billing?.options?.map((o) => o.text),
      Array.from({ length: 28 }, (_, i) => String(i + 1)),
    );
    assert.deepEqual(billing?.current, { text: '1', value: 'now/M', selected: true });
    for (const f of DASHBOARD.filters) {
      const v = byName(f);
      assert.equal(v?.type, 'query', f);
      assert.equal(v?.includeAll, true, f);
      assert.equal(v?.allValue, '.*', f);
      assert.deepEqual(v?.datasource, { type: 'prometheus', uid: '${datasource}' }, f);
      // Grafana's variable functions wrap PromQL: label_values(selector, label), query_result(query).
      const query = String(v?.query);
      const inner =
        /^label_values\((.+), \w+\)$/.exec(query)?.[1] ?? /^query_result\((.+)\)$/.exec(query)?.[1];
      assert.ok(inner !== undefined, query);
      assert.deepEqual(promqlErrors(inner), [], f);
    }
  });

  it('gives the billing-cycle panels the cycle as their time range, series panels hourly steps', () => {
    for (const { panel } of placed) {
      const billing = panel.id === 1 || panel.id === 2;
      assert.equal(panel.timeFrom, billing ? '$billing_day' : undefined, panel.title);
      assert.equal(panel.interval, panel.type === 'timeseries' ? '1h' : undefined, panel.title);
    }
  });

  it('selects the datasources it is given', () => {
    const d = grafanaDashboard({
      prometheusDatasource: 'prom-uid',
      lokiDatasource: 'loki-uid',
    }) as GDashboard;
    const current = (n: string): unknown => d.templating.list.find((v) => v.name === n)?.current?.value;
    assert.equal(current('datasource'), 'prom-uid');
    assert.equal(current('loki_datasource'), 'loki-uid');
  });

  it('matches the golden file (UPDATE_GOLDEN=1 to refresh after checking the diff)', () => {
    assertGoldenJson(GOLDEN, json);
  });
});

describe('billing cycle start as Grafana date math', () => {
  /** Grafana's date math, for the operations used here, applied in UTC. */
  function apply(math: string, now: Date): Date {
    const d = new Date(now);
    for (const [, op, n] of math.slice(3).matchAll(/([-+/])(\d*)([dM])/g)) {
      if (op === '/') {
        d.setUTCDate(1);
        d.setUTCHours(0, 0, 0, 0);
      } else d.setUTCDate(d.getUTCDate() + (op === '-' ? -1 : 1) * Number(n));
    }
    return d;
  }

  it('is the most recent billing day, 00:00, this month or last', () => {
    const now = new Date(Date.UTC(2026, 2, 10, 15, 30));
    assert.deepEqual(apply(billingCycleStart(1), now), new Date(Date.UTC(2026, 2, 1)));
    assert.deepEqual(apply(billingCycleStart(10), now), new Date(Date.UTC(2026, 2, 10)));
    assert.deepEqual(apply(billingCycleStart(11), now), new Date(Date.UTC(2026, 1, 11)));
    assert.deepEqual(apply(billingCycleStart(28), now), new Date(Date.UTC(2026, 1, 28)));
    assert.deepEqual(
      apply(billingCycleStart(28), new Date(Date.UTC(2026, 0, 5))),
      new Date(Date.UTC(2025, 11, 28)),
    );
  });

  it("stays within Grafana's parser limits (digits at most at position 10 of the math)", () => {
    for (let day = 1; day <= 28; day++) {
      const math = billingCycleStart(day).slice(3);
      assert.ok(math.length <= 10, math);
      assert.match(billingCycleStart(day), /^now(-\d{1,2}d)?\/M(\+\d{1,2}d)?$/);
    }
  });
});
