// The dashboard in a real browser (Debian's chromium through playwright-core) against the local stack's gateway and
// the built bundle, over a seeded month: the fleet renders, a failed night is in the right cell of the right row,
// filters and search work (mouse and keyboard), a database opens with its history, it fits a phone, an expired or
// forged link shows how to get a new one while the API answers 401, no request leaves the page's origin and the
// page logs no console error. FCDB_DASHBOARD_SCREENSHOT=docs/dashboard.png also writes the README's screenshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { dayFormatter } from '../../shared/dashboard/fleet';
import { mintToken } from '../../shared/dashboard/token';
import { drillLogFor } from '../../shared/drill/log';
import type { DrillRecord } from '../../shared/drill/record';
import { FileStore } from '../../shared/idempotency/file-store';
import { startBrowser, type Browser } from '../helpers/browser';
import { seedHistory, type SeedDatabase } from '../helpers/seed-history';
import { secrets, startStack, type Stack } from '../helpers/stack';

// Code passed to page.evaluate runs in the page; these are for the type checker only (the project has no DOM lib).
declare const document: { querySelectorAll(s: string): { length: number }; querySelector(s: string): { getAttribute(a: string): string | null } | null; documentElement: { scrollWidth: number }; activeElement: { id: string; classList: { contains(c: string): boolean }; textContent: string | null } | null };
declare const window: { innerWidth: number };

const DAY = 86_400_000;
let stack: Stack;
let browser: Browser;
let base: string;
let lastNight: number;

const nightly = { backup: 'nightly' };
const databases: SeedDatabase[] = [
  ...['rm-web01', 'rm-web02', 'rm-web03', 'rm-web04', 'rm-web05', 'rm-web06'].map((id, i) => ({ product: 'rds' as const, instanceId: id, tags: nightly, sizeBytes: (i + 2) * 2 ** 30, growth: i === 3 ? 2 ** 28 : 2 ** 22, durationMs: 240_000 })),
  ...['pc-web01', 'pc-web02', 'pc-web03'].map((id) => ({ product: 'polardb' as const, instanceId: id, tags: { app: 'orders' }, sizeBytes: 40 * 2 ** 30, durationMs: 600_000 })),
  ...['dds-web01', 'dds-web02', 'dds-web03'].map((id) => ({ product: 'mongodb' as const, instanceId: id, tags: { backup: 'weekly' }, sizeBytes: 8 * 2 ** 30, durationMs: 120_000 })),
];
const at = (id: string) => databases.find((d) => d.instanceId === id) as SeedDatabase;
// The incidents of the month: a failed night two nights ago, last night failed, a missed night and an ad-hoc one,
// and a database whose last two nights never ran (stale); one whose backups took twice as long lately.
at('rm-web03').nights = { 2: 'failed' };
at('rm-web05').nights = { 0: 'failed', 9: 'failed' };
at('pc-web02').nights = { 4: 'missing', 5: 'adhoc' };
at('dds-web03').nights = { 0: 'missing', 1: 'missing' };

/** A released drill of rm-web01 requested `daysAgo`, ready `recoveryMs` later. */
function drill(daysAgo: number, recoveryMs: number, verdict: DrillRecord['verdict']): DrillRecord {
  const requested = Date.now() - daysAgo * DAY;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    drillId: `drill_rds_rm-web01_${daysAgo}d`,
    product: 'rds',
    regionId: 'cn-hangzhou',
    sourceId: 'rm-web01',
    backupId: `b-web01-${daysAgo}`,
    backupStartedAt: iso(requested - DAY),
    origin: { trigger: 'timer' },
    phase: 'released',
    requestedAt: iso(requested),
    releaseBy: iso(requested + 2 * 3_600_000),
    readyAt: iso(requested + recoveryMs),
    recoveryMs,
    ...(verdict ? { verdict } : {}),
    ...(verdict === 'failed' ? { error: { code: 'DrillValidationFailed', message: 'table orders is empty' } } : {}),
    releasedAt: iso(requested + recoveryMs + 1_800_000),
    lifetimeMs: recoveryMs + 1_800_000,
    updatedAt: iso(requested + recoveryMs + 1_800_000),
  };
}

beforeAll(async () => {
  stack = await startStack({}, { LOG_LEVEL: 'error' });
  base = `${stack.gateway}/dashboard/`;
  const store = new FileStore({ dir: (process.env.IDEMPOTENCY_STORE as string).slice('file:'.length) });
  lastNight = await seedHistory({ store, databases });
  // rm-web01 was drilled twice: a failed validation 9 days ago (15 min to ready), a pass 2 days ago (10 min).
  const drills = drillLogFor(store);
  await drills.claim(drill(9, 900_000, 'failed'));
  await drills.claim(drill(2, 600_000, 'passed'));
  browser = await startBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const link = (token = mintToken(secrets.dashboard).token) => `${base}#token=${token}`;
const rows = (page: Page) => page.locator('table.rows tbody tr[data-db]');
const ids = async (page: Page) => rows(page).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-db')));

async function open(url: string, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage(viewport);
  await page.goto(url);
  return page;
}

describe('the dashboard in chromium', () => {
  it('renders the fleet: the counts, a row per database, problems first', async () => {
    const page = await open(link());
    await rows(page).first().waitFor();
    expect(await rows(page).count()).toBe(12);
    const counts = Object.fromEntries(await page.locator('.summary .count').evaluateAll((bs) => bs.map((b) => [b.getAttribute('data-state'), b.querySelector('strong')?.textContent])));
    expect(counts).toEqual({ failed: '1', stale: '1', running: '0', ok: '10' });
    expect((await ids(page)).slice(0, 2)).toEqual(['rds:rm-web05', 'mongodb:dds-web03']);
    // Each state also has its icon and its word, not only a colour.
    expect(await page.locator('tr[data-db="rds:rm-web05"] .badge').innerText()).toMatch(/✕\s*Failed/);
    expect(await page.locator('tr[data-db="mongodb:dds-web03"] .badge').innerText()).toMatch(/!\s*Stale/);
    await page.close();
  });

  it('a failed night shows in the right cell of the right row, and nowhere else', async () => {
    const page = await open(link());
    await rows(page).first().waitFor();
    const day = dayFormatter('Asia/Shanghai');
    const twoNightsAgo = day(lastNight - 2 * DAY);
    const cell = page.locator(`tr[data-db="rds:rm-web03"] .d[data-day="${twoNightsAgo}"]`);
    expect(await cell.getAttribute('data-outcome')).toBe('failed');
    expect(await cell.getAttribute('title')).toMatch(/failed/);
    // The row's other days succeeded; the other rows had no failure that night.
    const outcomes = await page.locator('tr[data-db="rds:rm-web03"] .d').evaluateAll((ds) => ds.map((d) => d.getAttribute('data-outcome')));
    expect(outcomes.filter((o) => o === 'failed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'succeeded')).toHaveLength(34);
    const sameNight = await page.locator(`.d[data-day="${twoNightsAgo}"][data-outcome="failed"]`).count();
    expect(sameNight).toBe(1);
    // Missing and ad-hoc nights have their own cells too.
    expect(await page.locator(`tr[data-db="polardb:pc-web02"] .d[data-day="${day(lastNight - 4 * DAY)}"]`).getAttribute('data-outcome')).toBe('missing');
    expect(await page.locator(`tr[data-db="polardb:pc-web02"] .d[data-day="${day(lastNight - 5 * DAY)}"]`).getAttribute('data-outcome')).toBe('ad-hoc backup only');
    // Read aloud: the strip says which day failed.
    expect(await page.locator('tr[data-db="rds:rm-web03"] .strip').getAttribute('aria-label')).toMatch(/34 succeeded, 1 failed \(/);
    await page.close();
  });

  it('filters by product, tag and state, and searches by instance id or job id; the fragment keeps them', async () => {
    const page = await open(link());
    await rows(page).first().waitFor();
    await page.selectOption('#f-product', 'polardb');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-db]').length === 3);
    expect(await ids(page)).toEqual(['polardb:pc-web01', 'polardb:pc-web02', 'polardb:pc-web03']);
    expect(page.url()).toMatch(/#token=.*&product=polardb/);
    await page.selectOption('#f-product', '');
    // The fleet re-renders (its filters too): choose the tag on the new select, not on the one being replaced.
    await page.waitForFunction(() => document.querySelectorAll('tr[data-db]').length === 12);
    await page.selectOption('#f-tag', 'backup=weekly');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-db]').length === 3 && document.querySelector('tr[data-db]')?.getAttribute('data-db')?.startsWith('mongodb'));
    await page.click('button.count[data-state="stale"]');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-db]').length === 1);
    expect(await ids(page)).toEqual(['mongodb:dds-web03']);
    await page.click('button.link');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-db]').length === 12);
    await page.fill('#f-q', 'rm-web04');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-db]').length === 1);
    expect(await ids(page)).toEqual(['rds:rm-web04']);
    // A job id the tool printed finds its database.
    await page.fill('#f-q', 'j20-pc-web03');
    await page.press('#f-q', 'Enter');
    await page.waitForFunction(() => document.querySelector('tr[data-db]')?.getAttribute('data-db') === 'polardb:pc-web03' && document.querySelectorAll('tr[data-db]').length === 1);
    await page.fill('#f-q', 'no-such-thing');
    await page.waitForSelector('td.empty');
    expect(await page.locator('td.empty').innerText()).toMatch(/No database matches/);
    await page.close();
  });

  it('keyboard only: search, open a database, read its history, Escape back to the fleet', async () => {
    const page = await open(link());
    await rows(page).first().waitFor();
    await page.focus('#f-q');
    await page.keyboard.type('rm-web05');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-db]').length === 1);
    // Tab from the search box reaches the row's name button (past Clear filters and the count buttons' order).
    let focused = '';
    for (let i = 0; i < 8 && focused !== 'rm-web05'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => (document.activeElement?.classList.contains('db-name') ? (document.activeElement.textContent ?? '') : ''));
    }
    expect(focused).toBe('rm-web05');
    await page.keyboard.press('Enter');
    await page.waitForSelector('article.detail');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('detail-title');
    expect(await page.locator('table.records tbody tr').count()).toBe(35);
    expect(await page.locator('table.records tbody tr').first().innerText()).toMatch(/timer.*failed.*BackupJobFailed/s);
    await page.keyboard.press('Escape');
    await page.waitForSelector('table.rows');
    await page.close();
  });

  it('restore drills: the last test’s verdict with its icon, its age and recovery time, the trend; the detail lists each drill', async () => {
    const page = await open(link());
    await rows(page).first().waitFor();
    const cell = page.locator('tr[data-db="rds:rm-web01"] td[data-section="drill"]');
    expect(await cell.locator('.drill').getAttribute('data-verdict')).toBe('passed');
    const text = await cell.innerText();
    expect(text).toMatch(/✓\s*Passed/);
    expect(text).toMatch(/tested (2 d|4\d h) ago · recovered in 10 min/);
    // The trend of its two recovery times, read aloud as the latest.
    expect(await cell.locator('.trend').getAttribute('aria-label')).toBe('Recovery time: 10 min');
    expect(await cell.locator('svg.spark polyline').count()).toBe(1);
    // Never drilled: said in words, not left blank.
    expect(await page.locator('tr[data-db="rds:rm-web02"] td[data-section="drill"]').innerText()).toMatch(/–\s*Not yet drilled/);
    expect(await page.locator('.not-recorded').getAttribute('data-sections')).not.toMatch(/drill/);

    await page.click('tr[data-db="rds:rm-web01"] button.db-name');
    await page.waitForSelector('table.drills');
    const drills = page.locator('table.drills tbody tr');
    expect(await drills.evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-drill'), tr.getAttribute('data-verdict')]))).toEqual([
      ['drill_rds_rm-web01_2d', 'passed'],
      ['drill_rds_rm-web01_9d', 'failed'],
    ]);
    expect(await drills.nth(1).innerText()).toMatch(/b-web01-9.*released.*✕\s*Failed.*15 min.*45 min.*DrillValidationFailed: table orders is empty/s);
    await page.goBack();
    await page.waitForSelector('table.rows');
    // A database with no drill says so in its detail too.
    await page.click('tr[data-db="rds:rm-web02"] button.db-name');
    await page.waitForSelector('.drills-none');
    await page.close();
  });

  it('fits a phone: 390 px wide, no sideways scrolling, every row a card', async () => {
    const page = await open(link(), { width: 390, height: 844 });
    await rows(page).first().waitFor();
    const { scroll, width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, width: window.innerWidth }));
    expect(scroll).toBeLessThanOrEqual(width);
    expect(await page.locator('table.rows thead').isVisible()).toBe(false);
    await page.close();
  });

  it('an expired link explains how to get a new one without asking the API, which answers 401 anyway', async () => {
    const expired = mintToken(secrets.dashboard, { now: Date.now() - 9 * 3_600_000 }).token;
    const before = browser.requests.length;
    const page = await open(link(expired));
    await page.waitForSelector('.refused');
    expect(await page.locator('.refused').innerText()).toMatch(/expired[\s\S]*fc-db-backup dashboard-link[\s\S]*report/);
    expect(browser.requests.slice(before).filter((u) => u.includes('/api/'))).toEqual([]);
    const res = await fetch(`${base}api/fleet`, { headers: { authorization: `Bearer ${expired}` } });
    expect(res.status).toBe(401);
    await page.close();
  });

  it('a forged link: the API’s 401 becomes the same explanation', async () => {
    const forged = mintToken('not-this-deployments-secret').token;
    const errorsBefore = browser.errors.length;
    const page = await open(link(forged));
    await page.waitForSelector('.refused');
    expect(await page.locator('.refused').innerText()).toMatch(/not valid[\s\S]*dashboard-link/);
    // Chromium itself reports the refused request; the page adds nothing.
    expect(browser.errors.slice(errorsBefore).every((e) => /status of 401/.test(e))).toBe(true);
    browser.errors.splice(errorsBefore);
    await page.close();
  });

  it('no request left the page’s origin, none carried the token in its URL, and the page logged no console error', async () => {
    const page = await open(link());
    await rows(page).first().waitFor();
    if (process.env.FCDB_DASHBOARD_SCREENSHOT) await page.screenshot({ path: process.env.FCDB_DASHBOARD_SCREENSHOT });
    await page.close();
    const origin = new URL(base).origin;
    expect(browser.requests.some((u) => u.startsWith(`${origin}/dashboard/api/fleet`))).toBe(true);
    expect(browser.requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'))).toEqual([]);
    // The fragment never goes on the wire: a URL the browser requested has no token in it.
    expect(browser.requests.filter((u) => /fcdb1\./.test(u.split('#')[0] ?? ''))).toEqual([]);
    expect(browser.errors.join('\n')).toBe('');
  });
});
