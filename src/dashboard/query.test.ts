import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { at, HAIKU, logRows, OPUS, SONNET, WHO, writeFixture } from '../../test/support/dashboard-fixture.js';
import { Database } from '../store/database.js';
import { DASHBOARD } from './definition.js';
import type { PanelData, PanelParams } from './panel-data.js';
import { queryPanel, queryPanels } from './query.js';
import type { FilterName, Panel } from './types.js';

/*
 * Every panel against a hand-built day (test/support/dashboard-fixture.ts). The expected numbers are
 * worked out by hand from the fixture's tables; nothing here re-runs SQL to find them.
 */

const BASE: PanelParams = {
  fromMs: at(0),
  toMs: at(8),
  tz: 'Asia/Manila', // UTC+8: hour buckets are UTC hours, the billing day starts at 16:00Z the day before
  billingDay: 10,
  nowMs: at(9),
  filters: {},
};

const scalar = (value: number): PanelData => ({ kind: 'scalar', value });
const rows = (dim: string, entries: [string, number][]): PanelData => ({
  kind: 'breakdown',
  by: [dim] as never,
  rows: entries.map(([label, value]) => ({ labels: { [dim]: label }, value })),
});
/** Entries in the order given (an array, since an object would put '529' before '(none)'). */
const series = (entries: Record<string, [number, number][]> | [string, [number, number][]][]): PanelData => ({
  kind: 'series',
  bucketMs: 3_600_000,
  series: (Array.isArray(entries) ? entries : Object.entries(entries)).map(([name, points]) => ({
    name,
    points,
  })),
});

const SUMMARY = {
  cost: 0.3 + 0.2 + 1 + 0.05 + 0.1 + 0.5, // 2.15
  tokens: { input: 3700, output: 750, cacheRead: 4000, cacheCreation: 1500 }, // 9950
  sessions: 3, // s1, s2 and the single-export s3
  active: { user: 60 + 30 + 120, cli: 10 + 120 + 90 + 300 }, // 210 + 520 s
  added: 45,
  removed: 10,
};
const TOKENS = 3700 + 750 + 4000 + 1500;
const ACTIVE = 730;

const panel = (id: number): Panel => {
  const p = DASHBOARD.panels.find((x) => x.id === id);
  if (p === undefined) throw new Error(`no panel ${id}`);
  return p;
};

const EXPECTED: Record<number, PanelData> = {
  1: scalar(2 + SUMMARY.cost + 0.7), // s0 (Manila 01:00 on the 10th) + range + the 08:00Z export
  2: scalar(10000 + TOKENS + 300),
  3: scalar(3),
  4: scalar(SUMMARY.cost),
  5: scalar(SUMMARY.cost / 8),
  6: scalar(SUMMARY.cost / (TOKENS / 1e6)),
  7: scalar(1),
  8: scalar(1),
  9: scalar(3),
  10: scalar(45),
  11: scalar(10),
  12: scalar(35),
  13: scalar(35 / SUMMARY.cost),
  14: scalar(2), // alice@example.com (two user ids, one e-mail) and ub; s4 has no user
  15: scalar(ACTIVE / 3),
  16: scalar(ACTIVE / 3600),
  17: scalar(SUMMARY.cost / (ACTIVE / 3600)),
  18: {
    kind: 'breakdown',
    by: ['language', 'decision'],
    rows: [
      { labels: { language: 'TypeScript', decision: 'accept' }, value: 2 },
      { labels: { language: '(none)', decision: 'reject' }, value: 1 },
    ],
  },
  19: series({
    [HAIKU]: [
      [at(3), 0.05],
      [at(6), 0.5],
    ],
    [OPUS]: [[at(3), 1]],
    [SONNET]: [
      [at(1), 0.3],
      [at(2), 0.2],
      [at(5), 0.1],
    ],
  }),
  20: series({
    cacheCreation: [
      [at(1), 500],
      [at(3), 1000],
    ],
    cacheRead: [
      [at(1), 3000],
      [at(2), 1000],
    ],
    input: [
      [at(1), 1000],
      [at(2), 500],
      [at(3), 2100],
      [at(5), 100],
    ],
    output: [
      [at(1), 200],
      [at(2), 100],
      [at(3), 450],
    ],
  }),
  21: rows('model', [
    [OPUS, 1],
    [SONNET, 0.6],
    [HAIKU, 0.55],
  ]),
  22: rows('model', [
    [SONNET, 6400],
    [OPUS, 3400],
    [HAIKU, 150],
  ]),
  23: rows('user', [
    ['ub', 1.05],
    ['alice@example.com', 0.6],
    ['(none)', 0.5],
  ]),
  24: series({
    [HAIKU]: [
      [at(3), 500],
      [at(6), 700],
    ],
    [OPUS]: [[at(3), 4000]],
    [SONNET]: [
      [at(1), 2000],
      [at(2), 2500],
    ],
  }),
  25: series([
    ['(none)', [[at(6), 1]]],
    ['529', [[at(2), 1]]],
    ['Connection error', [[at(3), 1]]],
  ]),
  26: logRows(panel(26), BASE),
  27: logRows(panel(27), BASE),
  28: scalar((4000 / (3700 + 4000)) * 100),
  29: rows('type', [
    ['cacheRead', 4000],
    ['input', 3700],
    ['cacheCreation', 1500],
    ['output', 750],
  ]),
  30: rows('type', [
    ['cli', 520],
    ['user', 210],
  ]),
  31: rows('tool_name', [
    ['Bash', 2],
    ['Write', 2],
  ]),
  32: series({
    Bash: [
      [at(2), 1],
      [at(3), 1],
    ],
    Write: [
      [at(0), 1],
      [at(1), 1],
    ],
  }),
  33: series({
    '': [
      [at(1), 1],
      [at(2), 1],
      [at(3), 1],
      [at(5), 1],
    ],
  }),
};

/** deepEqual with numbers compared to 1e-9 (sums of doubles may differ in the last bit). */
function assertClose(actual: unknown, expected: unknown, path = ''): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    assert.ok(Number.isFinite(actual), `${path}: ${actual} is not finite`);
    assert.ok(
      Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
      `${path}: ${actual} != ${expected}`,
    );
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: not an object`);
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const [k, v] of Object.entries(expected))
      assertClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  assert.equal(actual, expected, path);
}

describe('queryPanel', () => {
  let dir: string;
  let db: Database;
  const run = (id: number, params: Partial<PanelParams> = {}): Promise<PanelData> =>
    db.withRead((r) => queryPanel(r, panel(id), { ...BASE, ...params }));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ccmon-dashboard-'));
    db = await Database.open(dir);
    await writeFixture(db);
  });
  after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a hand-computed expectation for every panel', () => {
    assert.deepEqual(
      Object.keys(EXPECTED).map(Number),
      DASHBOARD.panels.map((p) => p.id),
    );
  });

  for (const p of DASHBOARD.panels) {
    it(`panel ${p.id} ${p.title}`, async () => {
      assertClose(await run(p.id), EXPECTED[p.id], `panel ${p.id}`);
    });
  }

  it('gives the same numbers for a batch of panels (shared scans) as panel by panel', async () => {
    for (const filters of [{}, { machine: 'laptop' }]) {
      const batch = await db.withRead((r) => queryPanels(r, DASHBOARD.panels, { ...BASE, filters }));
      assert.equal(batch.size, DASHBOARD.panels.length);
      for (const p of DASHBOARD.panels)
        assertClose(batch.get(p.id), await run(p.id, { filters }), `panel ${p.id}`);
    }
  });

  it('compiles measures the definition does not use yet', async () => {
    const adHoc = (query: Panel['query']): Promise<PanelData> =>
      db.withRead((r) => queryPanel(r, { ...panel(4), id: 99, query }, BASE));
    const activeUsers = { kind: 'metric_distinct', metric: 'claude_code.cost.usage', of: 'user' } as const;
    // s4 spent on laptop but has no user: nobody to count
    assertClose(
      await adHoc({ shape: 'breakdown', measure: activeUsers, by: ['machine'] }),
      rows('machine', [
        ['desktop', 1],
        ['laptop', 1],
        ['laptop2', 1],
      ]),
    );
    assertClose(
      await adHoc({ shape: 'series', measure: activeUsers, bucket: 'hour' }),
      series({ '': [at(1), at(2), at(3), at(5)].map((t): [number, number] => [t, 1]) }),
    );
    assertClose(
      await adHoc({
        shape: 'breakdown',
        measure: { kind: 'event_sum', event: 'api_request', field: 'cost_usd' },
        by: ['model'],
      }),
      rows('model', [
        [OPUS, 1],
        [HAIKU, 0.55],
        [SONNET, 0.5],
      ]),
    );
    const mean = { kind: 'event_mean', event: 'api_request', field: 'duration_ms' } as const;
    assertClose(
      await adHoc({ shape: 'scalar', expr: mean }),
      scalar((1000 + 3000 + 2500 + 4000 + 500 + 700) / 6),
    );
    assertClose(
      await adHoc({
        shape: 'scalar',
        expr: {
          kind: 'add',
          left: { kind: 'event_count', event: 'tool_result' },
          right: { kind: 'const', value: 0.5 },
        },
      }),
      scalar(4.5),
    );
  });

  it('gives 0, empty tables and no series for an empty range and cycle, never NaN', async () => {
    const empty = { fromMs: Date.UTC(2026, 0, 1), toMs: Date.UTC(2026, 0, 2), nowMs: Date.UTC(2026, 0, 2) };
    for (const p of DASHBOARD.panels) {
      const data = await run(p.id, empty);
      const want =
        data.kind === 'scalar'
          ? scalar(0)
          : data.kind === 'breakdown'
            ? { ...data, rows: [] }
            : data.kind === 'series'
              ? { ...data, series: [] }
              : { ...data, rows: [] };
      assert.deepEqual(data, want, `panel ${p.id}`);
    }
  });

  it('starts the billing cycle at the billing day in the chosen zone', async () => {
    // In UTC the cycle starts at 00:00Z on the 10th: s0 (17:00Z on the 9th) is before it.
    assertClose(await run(1, { tz: 'UTC' }), scalar(SUMMARY.cost + 0.7));
    // Billing day 15: the cycle began in February and includes the 4 USD of the 9th.
    assertClose(await run(1, { billingDay: 15 }), scalar(4 + 2 + SUMMARY.cost + 0.7));
    // The selected range does not matter to it.
    assertClose(await run(1, { fromMs: at(5), toMs: at(6) }), EXPECTED[1]);
  });

  it('buckets hours in the chosen zone (half-hour offset)', async () => {
    // Asia/Kolkata is UTC+5:30: local hours start at :30 UTC.
    assertClose(
      await run(33, { tz: 'Asia/Kolkata' }),
      series({ '': [at(0, 30), at(1, 30), at(2, 30), at(5, 30)].map((t): [number, number] => [t, 1]) }),
    );
  });

  it('applies every filter to metrics and events', async () => {
    const filtered = async (filters: Partial<Record<FilterName, string>>, id: number): Promise<PanelData> =>
      run(id, { filters });
    assertClose(await filtered({ machine: 'laptop' }, 4), scalar(0.5 + 0.5));
    assertClose(await filtered({ machine: 'laptop' }, 3), scalar(1));
    assertClose(await filtered({ machine: 'laptop' }, 1), scalar(2 + 1));
    assertClose(
      await filtered({ machine: 'laptop' }, 23),
      rows('user', [
        ['(none)', 0.5],
        ['alice@example.com', 0.5],
      ]),
    );
    assertClose(
      await filtered({ machine: 'laptop' }, 31),
      rows('tool_name', [
        ['Write', 2],
        ['Bash', 1],
      ]),
    );
    const laptop = { ...BASE, filters: { machine: 'laptop' } };
    assertClose(
      await filtered({ machine: 'laptop' }, 27),
      logRows(panel(27), laptop, (e) => WHO[e.who]?.resource['machine.name'] === 'laptop'),
    );
    // The user is the e-mail where known, so both of alice's user ids count as her.
    assertClose(await filtered({ user: 'alice@example.com' }, 4), scalar(0.6));
    assertClose(await filtered({ user: 'alice@example.com' }, 3), scalar(2));
    assertClose(await filtered({ user: 'alice@example.com' }, 14), scalar(1));
    assertClose(await filtered({ user: 'ub' }, 4), scalar(1.05));
    assertClose(
      await filtered({ user: 'alice@example.com' }, 33),
      series({ '': [at(1), at(2), at(5)].map((t): [number, number] => [t, 1]) }),
    );
    assertClose(await filtered({ model: HAIKU }, 4), scalar(0.55));
    assertClose(await filtered({ model: HAIKU }, 22), rows('model', [[HAIKU, 150]]));
    assertClose(
      await filtered({ model: HAIKU }, 24),
      series({
        [HAIKU]: [
          [at(3), 500],
          [at(6), 700],
        ],
      }),
    );
    assertClose(await filtered({ session: 's2' }, 4), scalar(1.05));
    assertClose(await filtered({ session: 's2' }, 31), rows('tool_name', [['Bash', 1]]));
    assertClose(await filtered({ terminal: 'vscode' }, 4), scalar(0.5));
    assertClose(await filtered({ service_version: '2.1.190' }, 4), scalar(1.05));
    assertClose(await filtered({ machine: 'laptop', user: 'alice@example.com' }, 4), scalar(0.5));
    assertClose(await filtered({ machine: 'nowhere' }, 13), scalar(0));
  });
});
