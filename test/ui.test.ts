/**
 * The web UI in Debian's chromium against a ccmon filled by real Claude Code sessions: every section
 * and panel draws, the numbers equal `ccmon report`'s, range and filters change them and live in the
 * URL, telemetry HTML stays text, and an empty server tells a new user what to paste.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { DASHBOARD } from '../src/dashboard/definition.js';
import type { Summary } from '../src/report/queries.js';
import { formatValue } from '../ui/src/format.js';
import { shellBlock } from '../ui/src/setup-block.js';
import {
  ensureUiBuilt,
  launchChromium,
  openAllSections,
  waitForPanels,
  xssMarker,
} from './support/browser.js';
import { runSessions, type SessionSpec } from './support/claude-sessions.js';
import { startTestServer, tempDir, type TestServer } from './support/server.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'ccmon.js');
const XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss=2">';

const FIRST: readonly SessionSpec[] = [
  { name: 'ui-a', protocol: 'grpc', lines: 4, machine: 'host-a' },
  { name: 'ui-b', protocol: 'http/json', lines: 6, machine: 'host-b', model: 'claude-haiku-4-5' },
];
const SECOND: SessionSpec = {
  name: 'ui-xss',
  protocol: 'http/protobuf',
  lines: 3,
  machine: 'host-x',
  env: { OTEL_LOG_TOOL_DETAILS: '1' },
  fileText: XSS,
};

const run = promisify(execFile);

/** `ccmon report KIND --json` for [from, to), asked of the test server like a user would. */
async function report<T>(server: TestServer, kind: string, fromMs: number, toMs: number): Promise<T> {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')))
    throw new Error('bin/ccmon.js needs `npm run build` first');
  const args = [BIN, 'report', kind, '--json', '--server', server.apiUrl];
  args.push('--from', new Date(fromMs).toISOString(), '--to', new Date(toMs).toISOString(), '--tz', 'UTC');
  const { stdout } = await run(process.execPath, args, { env: { PATH: process.env.PATH, HOME: tempDir() } });
  return JSON.parse(stdout) as T;
}

/** The value a panel shows: its text and the exact number behind it. */
async function shown(
  page: Page,
  id: number,
  selector = '.stat-value',
): Promise<{ text: string; value: number }> {
  const node = page.locator(`[data-panel-id="${id}"] ${selector}`).first();
  return { text: (await node.innerText()).trim(), value: Number(await node.getAttribute('data-value')) };
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

/** Loads a URL and waits until the open sections have their data. */
async function open(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await waitForPanels(page);
}

describe('web UI in chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  let fromMs: number;
  let midMs: number;
  let toMs: number;
  const hash = (from: number, to: number, extra = ''): string =>
    `#/?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&refresh=off${extra}`;

  before(async () => {
    const built = ensureUiBuilt();
    const launched = launchChromium();
    server = await startTestServer();
    fromMs = Date.now() - 1000;
    await runSessions(server, FIRST, { parallel: 2 });
    // Each run's last export happens before it exits, so this instant splits the two batches.
    midMs = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await runSessions(server, [SECOND]);
    toMs = Date.now() + 60_000;
    await built;
    browser = await launched;
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads the dashboard with all 8 section titles and 33 panel titles', async () => {
    await open(page, `${server.apiUrl}/${hash(fromMs, toMs)}`);
    const sections = await page.locator('.section-title').allInnerTexts();
    assert.deepEqual(
      sections,
      DASHBOARD.sections.map((s) => s.title),
    );
    const titles = await page.locator('.panel-title').evaluateAll((nodes) => nodes.map((n) => n.textContent));
    assert.deepEqual(
      titles,
      DASHBOARD.panels.map((p) => p.title),
    );
    const opened = await page.locator('.dash-section.open .section-title').allInnerTexts();
    assert.deepEqual(opened, ['Overview', 'Trends', 'Token & Efficiency']);
  });

  it('draws every panel of every section once expanded, with no console errors', async () => {
    await openAllSections(page);
    await waitForPanels(page);
    const states = await page
      .locator('.panel[data-panel-id]')
      .evaluateAll((nodes) =>
        nodes.map((n) => [Number(n.getAttribute('data-panel-id')), n.getAttribute('data-state')]),
      );
    assert.equal(states.length, 33);
    for (const [id, state] of states) {
      // The sessions made no API errors: that panel has nothing to draw, and says so.
      assert.equal(state, id === 25 ? 'empty' : 'ready', `panel ${String(id)}`);
    }
    for (const panel of DASHBOARD.panels.filter((p) =>
      ['timeseries', 'piechart', 'gauge'].includes(p.type),
    )) {
      if (panel.id === 25) continue;
      assert.equal(
        await page.locator(`[data-panel-id="${panel.id}"] canvas`).count(),
        1,
        `panel ${panel.id} chart`,
      );
    }
    assert.ok((await page.locator('[data-panel-id="27"] tbody tr').count()) > 10, 'event log rows');
    assert.deepEqual(problems, []);
  });

  it('shows the numbers of ccmon report for the same range', async () => {
    const sum = await report<Summary>(server, 'summary', fromMs, toMs);
    assert.equal(sum.sessions, 3);
    const cost = await shown(page, 4);
    close(cost.value, sum.cost_usd, 'Cost (Selected)');
    assert.equal(cost.text, formatValue(sum.cost_usd, 'currencyUSD'));
    const sessions = await shown(page, 3);
    assert.equal(sessions.value, sum.sessions);
    assert.equal(sessions.text, '3');
    const lines = await shown(page, 10);
    assert.equal(lines.value, sum.lines.added);
    assert.equal(lines.text, formatValue(sum.lines.added, 'short'));
    const rate = (sum.tokens.cacheRead / (sum.tokens.input + sum.tokens.cacheRead)) * 100;
    const cache = await shown(page, 28);
    close(cache.value, rate, 'Cache Hit Rate');
    assert.equal(cache.text, formatValue(rate, 'percent'));
    const tools = await page
      .locator('[data-panel-id="31"] .legend-row')
      .evaluateAll((rows) =>
        rows.map((r) => [
          r.querySelector('.legend-name')?.textContent,
          Number(r.querySelector('.legend-value')?.getAttribute('data-value')),
        ]),
      );
    // Each session wrote a file and ran a command: one Write and one Bash result apiece.
    assert.deepEqual(Object.fromEntries(tools), { Bash: 3, Write: 3 });
    assert.equal(
      tools.reduce((n, [, v]) => n + Number(v), 0),
      sum.events.tool_result,
    );
  });

  it('changes the numbers with the time range, picked in the range picker', async () => {
    await page.click('[data-testid="range-button"]');
    await page.fill('.range-custom input[name="from"]', new Date(fromMs).toISOString());
    await page.fill('.range-custom input[name="to"]', new Date(midMs).toISOString());
    await page.click('.range-custom button[type="submit"]');
    const to = encodeURIComponent(new Date(midMs).toISOString());
    await page.waitForURL((url) => url.hash.includes(to));
    await waitForPanels(page);
    const sum = await report<Summary>(server, 'summary', fromMs, midMs);
    assert.equal(sum.sessions, 2);
    assert.equal((await shown(page, 3)).value, 2);
    close((await shown(page, 4)).value, sum.cost_usd, 'Cost (Selected) in the first half');
    assert.equal((await shown(page, 10)).value, sum.lines.added);
  });

  it('changes the numbers with a machine filter, kept in the URL over a reload', async () => {
    await open(page, `${server.apiUrl}/${hash(fromMs, toMs)}`);
    await page.selectOption('select[data-filter="machine"]', 'host-a');
    await page.waitForURL((url) => url.hash.includes('machine=host-a'));
    await waitForPanels(page);
    const machines = await report<{ key: string; cost_usd: number; sessions: number }[]>(
      server,
      'machines',
      fromMs,
      toMs,
    );
    const hostA = machines.find((m) => m.key === 'host-a');
    assert.ok(hostA !== undefined);
    const check = async (): Promise<void> => {
      assert.equal((await shown(page, 3)).value, hostA.sessions);
      close((await shown(page, 4)).value, hostA.cost_usd, 'Cost (Selected) on host-a');
    };
    await check();
    await page.reload();
    await waitForPanels(page);
    assert.equal(await page.inputValue('select[data-filter="machine"]'), 'host-a');
    await check();
  });

  it('lists the sessions and shows a tool input holding HTML as text', async () => {
    await page.goto(
      `${server.apiUrl}/#/sessions?from=${new Date(fromMs).toISOString()}&to=${new Date(toMs).toISOString()}&refresh=off`,
    );
    await page.waitForSelector('tr[data-session-id]');
    assert.equal(await page.locator('tr[data-session-id]').count(), 3);
    await page.locator('tr[data-session-id]', { hasText: 'host-x' }).click();
    await page.waitForSelector('.prompt .event');
    const names = await page
      .locator('.prompt .event')
      .evaluateAll((n) => n.map((e) => e.getAttribute('data-event-name')));
    for (const name of ['user_prompt', 'api_request', 'tool_decision', 'tool_result'])
      assert.ok(names.includes(name), name);
    const texts = await page.locator('.session-page pre').allTextContents();
    assert.ok(
      texts.some((t) => t.includes(XSS)),
      'the written file, with its HTML, appears as text',
    );
    assert.equal(await page.locator('.session-page script, .session-page img').count(), 0);
    assert.equal(await xssMarker(page), undefined);
    // The event log panel shows the same session's events without running anything either.
    await open(page, `${server.apiUrl}/${hash(fromMs, toMs)}`);
    await openAllSections(page);
    await waitForPanels(page);
    assert.equal(await xssMarker(page), undefined);
    assert.deepEqual(problems, []);
  });

  it('shows the alerts page', async () => {
    await page.goto(`${server.apiUrl}/#/alerts`);
    await page.waitForSelector(
      '.alerts-body .grid-table, .alerts-body .panel-note:not(:empty), [data-testid="alerts-not-configured"]',
    );
    assert.equal(await page.locator('.page-error').count(), 0);
  });

  it('builds DOM from text only: no HTML parsing anywhere in ui/src', () => {
    const dir = join(ROOT, 'ui', 'src');
    for (const file of readdirSync(dir)) {
      const source = readFileSync(join(dir, file), 'utf8');
      assert.doesNotMatch(source, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser/, file);
    }
  });

  it('tells a new user what to paste when the store is empty, after asking for the token', async () => {
    const empty = await startTestServer({ token: 'ui-secret' });
    const fresh = await browser.newPage();
    try {
      await fresh.goto(`${empty.apiUrl}/`);
      await fresh.waitForSelector('.token-form');
      await fresh.fill('.token-form input', 'ui-secret');
      await fresh.click('.token-form button');
      await fresh.waitForSelector('[data-testid="empty-state"]');
      const block = await fresh.locator('[data-testid="setup-shell"]').innerText();
      const grpcEndpoint = `http://${empty.grpcTarget}`;
      assert.equal(
        block.trim(),
        shellBlock({ grpcEndpoint, httpEndpoint: empty.otlpHttpUrl, tokenRequired: true }),
      );
      // The block is the README's, pointed at this server, plus the header for its token.
      const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
      const readmeBlock = /```sh\n(# Claude Code telemetry -> ccmon\n[\s\S]*?)```/.exec(readme)?.[1]?.trim();
      assert.ok(readmeBlock !== undefined);
      assert.equal(
        block.trim(),
        `${readmeBlock.replace('http://127.0.0.1:4317', grpcEndpoint)}\nexport OTEL_EXPORTER_OTLP_HEADERS="Authorization=Bearer YOUR_TOKEN"`,
      );
    } finally {
      await fresh.close();
      await empty.stop();
    }
  });
});
