import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DASHBOARD } from './definition.js';
import type { PanelParams } from './panel-data.js';
import { compilePanel } from './sql.js';

/*
 * Pins the SQL of every panel. A change to the compiler shows up here as a readable diff of the
 * generated statements; after checking it, refresh the files with UPDATE_GOLDEN=1.
 */

const DIR = join(import.meta.dirname, '__golden__');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

// Two filters set, so the filter conditions are pinned too.
const PARAMS: PanelParams = {
  fromMs: Date.UTC(2026, 2, 10, 0),
  toMs: Date.UTC(2026, 2, 10, 8),
  tz: 'Europe/Berlin',
  billingDay: 10,
  nowMs: Date.UTC(2026, 2, 10, 9),
  filters: { machine: 'laptop', user: 'alice@example.com' },
};

// Beyond one file per panel: a series in a zone whose hours are not UTC hours (UTC+5:30).
const EXTRA = [{ id: 24, name: 'panel-24-kolkata.sql', params: { ...PARAMS, tz: 'Asia/Kolkata' } }];

function golden(id: number, params: PanelParams = PARAMS): string {
  const panel = DASHBOARD.panels.find((p) => p.id === id);
  if (panel === undefined) throw new Error(`no panel ${id}`);
  const { sql } = compilePanel(panel, params);
  const bound = JSON.stringify(sql.params, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return `-- panel ${id}: ${panel.title} (${params.tz})\n${sql.text};\n-- params: ${bound}\n`;
}

const fileOf = (id: number): string => join(DIR, `panel-${String(id).padStart(2, '0')}.sql`);

function check(file: string, actual: string): void {
  if (UPDATE) writeFileSync(file, actual);
  assert.ok(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

describe('generated SQL (golden files)', () => {
  if (UPDATE) mkdirSync(DIR, { recursive: true });

  for (const panel of DASHBOARD.panels) {
    it(`panel ${panel.id} ${panel.title}`, () => check(fileOf(panel.id), golden(panel.id)));
  }
  for (const extra of EXTRA) {
    it(extra.name, () => check(join(DIR, extra.name), golden(extra.id, extra.params)));
  }

  it('has no golden file for a panel that does not exist', () => {
    const expected = [
      ...DASHBOARD.panels.map((p) => fileOf(p.id).slice(DIR.length + 1)),
      ...EXTRA.map((e) => e.name),
    ];
    assert.deepEqual(readdirSync(DIR).sort(), expected.sort());
  });

  it('binds every value of the request and puts none of it into the text', () => {
    const hostile = "x' OR 1=1 --";
    for (const panel of DASHBOARD.panels) {
      const { sql } = compilePanel(panel, {
        ...PARAMS,
        filters: Object.fromEntries(DASHBOARD.filters.map((f) => [f, hostile])),
      });
      assert.ok(!sql.text.includes(hostile), `panel ${panel.id}`);
      assert.equal(sql.text.split('?').length - 1, sql.params.length, `panel ${panel.id}: placeholders`);
    }
  });
});
