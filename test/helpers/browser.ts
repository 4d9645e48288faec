// A real browser for page tests: Debian's chromium (apt-get install chromium; .ci/run installs it) driven by
// playwright-core, headless, in a new empty profile, with the flags this machine needs. Every request the page makes
// and every console error it logs are kept, so a test can say "nothing left the origin" and "no console error".
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser {
  context: BrowserContext;
  /** Every URL any page asked for, in order. */
  requests: string[];
  /** Console errors and uncaught page errors, as text. */
  errors: string[];
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function startBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`No browser at ${chromiumPath}: apt-get install -y chromium (.ci/run installs it), or set CHROMIUM_PATH.`);
  const profile = mkdtempSync(join(tmpdir(), 'fcdb-chromium-'));
  // A persistent context is how playwright takes a user-data-dir: a new, empty one per run.
  const context = await chromium.launchPersistentContext(profile, { executablePath: chromiumPath, headless: true, args: flags, viewport: { width: 1360, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const watch = (page: Page) => {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  };
  context.on('page', watch);
  context.pages().forEach(watch);
  return {
    context,
    requests,
    errors,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
