/**
 * Screenshots of the web UI for the README: a ccmon filled by real Claude Code sessions (offline,
 * against the fake Anthropic API), the dashboard with every section open, and one session's timeline.
 *
 *   npx tsx bench/screenshots.ts [--out docs]
 *
 * Writes dashboard.png and session.png into the output folder.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import {
  ensureUiBuilt,
  launchChromium,
  openAllSections,
  pageHeight,
  waitForPanels,
} from '../test/support/browser.js';
import { runSessions, type SessionSpec } from '../test/support/claude-sessions.js';
import { startTestServer } from '../test/support/server.js';
import { exitWithUsageIfAsked } from './usage.js';

exitWithUsageIfAsked(import.meta.url);

const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs' } } });
const out = values.out ?? 'docs';

/** Several models, machines and commands, so the charts and tables have more than one row. */
const SESSIONS: readonly SessionSpec[] = [
  { name: 'api-refactor', protocol: 'grpc', lines: 42, machine: 'laptop', model: 'claude-sonnet-4-5' },
  {
    name: 'fix-login',
    protocol: 'http/protobuf',
    lines: 12,
    machine: 'workstation',
    model: 'claude-opus-4-1',
    command: 'sleep 2 && echo tests passed',
  },
  { name: 'docs', protocol: 'http/json', lines: 25, machine: 'laptop', model: 'claude-haiku-4-5' },
  {
    name: 'render-page',
    protocol: 'grpc',
    lines: 8,
    machine: 'workstation',
    model: 'claude-sonnet-4-5',
    env: { OTEL_LOG_TOOL_DETAILS: '1' },
    fileText: '<h1>Report</h1><script src="app.js"></script>',
    command: 'ls -la && echo done',
  },
  { name: 'migrate-db', protocol: 'grpc', lines: 60, machine: 'ci-runner', model: 'claude-sonnet-4-5' },
];

async function settle(page: Page): Promise<void> {
  await waitForPanels(page);
  // ECharts draws on the next frame after its data.
  await page.waitForTimeout(500);
}

async function main(): Promise<void> {
  await ensureUiBuilt(true);
  const server = await startTestServer();
  const browser = await launchChromium();
  try {
    await runSessions(server, SESSIONS.slice(0, 2), { parallel: 2 });
    await runSessions(server, SESSIONS.slice(2), { parallel: 2 });
    mkdirSync(out, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, colorScheme: 'dark' });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    // "Last 1 hour": the sessions just ran, so the hour buckets are what a real hour looks like.
    await page.goto(`${server.apiUrl}/#/?range=1h&refresh=off`);
    await settle(page);
    await openAllSections(page);
    await settle(page);
    // One tall viewport rather than a full-page capture, so the sticky toolbar stays at the top.
    await page.setViewportSize({ width: 1600, height: await pageHeight(page) });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, 'dashboard.png') });

    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(`${server.apiUrl}/#/sessions?range=1h&refresh=off`);
    await page.waitForSelector('tr[data-session-id]');
    // The session whose tool input was logged: its timeline shows the written file as text.
    const detailed = await page
      .locator('tr[data-session-id]', { hasText: 'workstation' })
      .filter({ hasText: 'sonnet' })
      .first()
      .getAttribute('data-session-id');
    await page.goto(`${server.apiUrl}/#/sessions/${encodeURIComponent(detailed ?? '')}?range=1h&refresh=off`);
    await page.waitForSelector('.prompt');
    await page.waitForTimeout(300);
    await page.setViewportSize({ width: 1400, height: Math.min(await pageHeight(page), 2400) });
    await page.screenshot({ path: join(out, 'session.png') });
    console.log(`wrote ${join(out, 'dashboard.png')} and ${join(out, 'session.png')}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
