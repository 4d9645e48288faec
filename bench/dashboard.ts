// Dashboard first paint: a 1,000-database fleet with 35 nights each (35,000 history records in Redis, written through
// the History API), the dashboard bundle behind the local gateway, Debian's chromium through playwright-core. Measured
// from navigation start to the page's `fcdb:fleet-rendered` mark (the counts and the first page of rows painted),
// against the same page over an empty fleet in the same run; plus the server's own fleet build.
import { createRequire } from 'node:module';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { fcContext, loadHandler } from '../local/fc-runtime';
import { startGateway } from '../local/stack/http-gateway';
import { buildFleet } from '../shared/dashboard/fleet';
import { mintToken } from '../shared/dashboard/token';
import { historyFor } from '../shared/history/for-store';
import { RedisStore } from '../shared/idempotency/redis-store';
import { seedHistory, type SeedDatabase } from '../test/helpers/seed-history';
import { cleanupPrefix } from '../test/helpers/redis';
import { median } from './stats';

export interface DashboardBenchOptions {
  root: string;
  distDir: string;
  databases: number;
  runs: number;
  redisUrl: string;
  keyPrefix: string;
  /** The first paint this page must stay under for `databases` (ms, cold: the fleet built for this request). */
  budgetMs: number;
}

export interface DashboardBenchResult {
  markdown: string;
  findings: string[];
}

const secret = 'bench-dashboard-secret-7f3a';
// Code passed to page.evaluate runs in the page; declared for the type checker only (the project has no DOM lib).
declare const document: { querySelectorAll(s: string): { length: number } };
const flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function fleetOf(n: number): SeedDatabase[] {
  const products = ['rds', 'polardb', 'mongodb'] as const;
  return Array.from({ length: n }, (_, i) => ({
    product: products[i % 3] as (typeof products)[number],
    instanceId: `${['rm', 'pc', 'dds'][i % 3]}-bench${String(i).padStart(4, '0')}`,
    tags: { backup: i % 10 === 0 ? 'weekly' : 'nightly', team: `t${i % 7}` },
    sizeBytes: 2 ** 30 + i * 2 ** 20,
    growth: 2 ** 22,
    nights: (i % 17 === 0 ? { 0: 'failed', 4: 'missing' } : i % 29 === 0 ? { 3: 'adhoc' } : {}) as SeedDatabase['nights'],
  }));
}

export async function runDashboard(o: DashboardBenchOptions): Promise<DashboardBenchResult> {
  // playwright-core stays outside the bundled runner: it is loaded from the repository's node_modules.
  const { chromium } = createRequire(join(o.root, 'package.json'))('playwright-core') as typeof import('playwright-core');
  const prefixes = { empty: `${o.keyPrefix}empty:`, full: `${o.keyPrefix}full:` };
  const seedStore = new RedisStore({ url: o.redisUrl, keyPrefix: prefixes.full });
  const seedStarted = Date.now();
  await seedHistory({ store: seedStore, databases: fleetOf(o.databases), concurrency: 50 });
  const seedMs = Date.now() - seedStarted;

  // The server's own work: one fleet build (every database's records read, the report and the strips computed).
  const history = historyFor(seedStore, { retentionMs: 40 * 86_400_000 });
  const builds: number[] = [];
  for (let i = 0; i < Math.max(3, Math.ceil(o.runs / 2)); i++) {
    const t = performance.now();
    const fleet = await buildFleet({ history, maxAgeMs: 26 * 3_600_000, timeZone: 'Asia/Shanghai' });
    builds.push(performance.now() - t);
    if (fleet.rows.length !== o.databases) throw new Error(`fleet has ${fleet.rows.length} rows, seeded ${o.databases}`);
  }
  await seedStore.close();

  // Each mount runs its own copy of the bundle, as a separate FC instance would: its own fleet cache. A fresh copy
  // per cold load is an instance whose cache is empty (and whose module was just loaded).
  const copies: string[] = [];
  const freshHandler = () => {
    const dir = mkdtempSync(join(tmpdir(), 'fcdb-bench-dashboard-'));
    copies.push(dir);
    mkdirSync(join(dir, 'dashboard'));
    copyFileSync(join(o.distDir, 'dashboard', 'index.js'), join(dir, 'dashboard', 'index.js'));
    return loadHandler('dashboard', dir);
  };
  const mounted = { empty: freshHandler(), full: freshHandler() };
  const mount = (fn: 'empty' | 'full', prefix: string) => ({
    handler: async (event: Buffer, context: ReturnType<typeof fcContext>) => {
      Object.assign(process.env, { IDEMPOTENCY_STORE: o.redisUrl, IDEMPOTENCY_KEY_PREFIX: prefix, DASHBOARD_SECRET: secret, LOG_LEVEL: 'error' });
      return mounted[fn](event, context);
    },
    context: () => fcContext('dashboard', { timeoutSec: 30 }),
  });
  const gateway = await startGateway({ functions: { empty: mount('empty', prefixes.empty), full: mount('full', prefixes.full) } });
  const profile = mkdtempSync(join(tmpdir(), 'fcdb-bench-chromium-'));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: flags, viewport: { width: 1360, height: 900 } });
  const paint = async (fn: 'empty' | 'full'): Promise<{ ms: number; rows: number }> => {
    const page = await context.newPage();
    await page.goto(`${gateway.url}/${fn}/#token=${mintToken(secret).token}`);
    await page.waitForFunction(() => performance.getEntriesByName('fcdb:fleet-rendered').length > 0, undefined, { timeout: 60_000 });
    const r = await page.evaluate(() => ({ ms: (performance.getEntriesByName('fcdb:fleet-rendered')[0]?.startTime ?? Number.NaN), rows: document.querySelectorAll('tr[data-db]').length }));
    await page.close();
    return r;
  };
  const samples = { empty: [] as number[], cold: [] as number[], warm: [] as number[] };
  let rows = 0;
  try {
    await paint('empty');
    for (let i = 0; i < o.runs; i++) {
      samples.empty.push((await paint('empty')).ms);
      // Cold: a new instance, so this request builds the fleet; warm: the next page view, from its 15 s cache.
      mounted.full = freshHandler();
      const cold = await paint('full');
      samples.cold.push(cold.ms);
      rows = cold.rows;
      samples.warm.push((await paint('full')).ms);
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
    await gateway.close();
    for (const dir of copies) rmSync(dir, { recursive: true, force: true });
    await Promise.all([cleanupPrefix(prefixes.full), cleanupPrefix(prefixes.empty)]);
  }
  const [empty, cold, warm, build] = [median(samples.empty), median(samples.cold), median(samples.warm), median(builds)];
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const markdown = [
    `${o.databases.toLocaleString('en')} databases × 35 nights (${(o.databases * 35).toLocaleString('en')} records, seeded through the History API into Redis in ${(seedMs / 1000).toFixed(1)} s), medians of ${o.runs} page loads in headless chromium (${rows} rows on the first page).`,
    '',
    '| what | empty fleet (same page, same run) | 1,000 databases | ratio | budget |',
    '|---|---|---|---|---|',
    `| first paint, fleet built for this request (cold instance cache) | ${ms(empty)} | ${ms(cold)} | ${(cold / empty).toFixed(1)}× | ${ms(o.budgetMs)}: ${cold <= o.budgetMs ? 'within' : '**over**'} |`,
    `| first paint, fleet from the instance's 15 s cache (the next page, a filter) | ${ms(empty)} | ${ms(warm)} | ${(warm / empty).toFixed(1)}× | — |`,
    `| server: one fleet build (every record read, report and strips) | — | ${ms(build)} | — | — |`,
  ].join('\n');
  return {
    markdown,
    findings: [
      `Dashboard: first paint of a ${o.databases.toLocaleString('en')}-database fleet ${ms(cold)} cold (${(cold / empty).toFixed(1)}× the empty page's ${ms(empty)}), ${ms(warm)} from the instance's cache; the budget is ${ms(o.budgetMs)}. Most of it is the server reading ${(o.databases * 35).toLocaleString('en')} records (${ms(build)} per build).`,
    ],
  };
}
