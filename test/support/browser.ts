/**
 * Debian's chromium driven by playwright-core, for the web UI's browser tests and screenshots, and
 * the built UI they load.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildUi, UI_OUT_DIR, UI_SOURCE_DIR } from '../../ui/build.js';

export const CHROMIUM = process.env.CCMON_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** Fails (never skips) without chromium: the UI is untested otherwise. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install the Debian package chromium (apt-get install chromium), or set CCMON_CHROMIUM`,
    );
  }
  // A default launch uses a fresh temporary profile, removed on close.
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/** The newest modification time of the UI's sources. */
function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }, 0);
}

/** dist/ui, built now when `npm run build` has not built it or the UI's sources changed since. */
export async function ensureUiBuilt(force = false): Promise<void> {
  const index = join(UI_OUT_DIR, 'index.html');
  if (force || !existsSync(index) || newestSource(UI_SOURCE_DIR) > statSync(index).mtimeMs) await buildUi();
}

/**
 * Waits until every panel of the open sections has its data (or an error), none loading. Polled from
 * here: the UI's content security policy forbids the string evaluation a page-side wait would use.
 */
export async function waitForPanels(page: Page, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const panels = await page.locator('.dash-section.open .panel').count();
    const loading = await page
      .locator('.dash-section.open .panel:is([data-state="loading"], .loading)')
      .count();
    if (panels > 0 && loading === 0) return;
    if (Date.now() > deadline)
      throw new Error(`panels still loading after ${timeoutMs} ms (${loading} of ${panels})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The page's height, to take one tall screenshot instead of a full-page one. */
export async function pageHeight(page: Page): Promise<number> {
  return page.locator('html').evaluate((html) => html.scrollHeight);
}

/** What a page script stored in window.__xss (undefined unless injected markup ran). */
export async function xssMarker(page: Page): Promise<unknown> {
  return page.evaluate(() => (globalThis as { __xss?: unknown }).__xss);
}

/** Opens every collapsed dashboard section. */
export async function openAllSections(page: Page): Promise<void> {
  for (const header of await page.$$('.section-header[aria-expanded="false"]')) await header.click();
}
