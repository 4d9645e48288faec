// The dashboard's model over a seeded month in a real file store: one state per database, the 35-day strip
// (failed, missing and ad-hoc nights in their cells), the sparklines, tags, and the API's server-side filters,
// search by every id the tool prints, and paging.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet, daysOf, FleetCache, lastDays, dayFormatter, stateOf, type Fleet } from '../../../shared/dashboard/fleet';
import { databaseDetail, fleetPage, fleetQuery } from '../../../shared/dashboard/query';
import { historyFor } from '../../../shared/history/for-store';
import type { History } from '../../../shared/history/history';
import { FileStore } from '../../../shared/idempotency/file-store';
import { summarise } from '../../../shared/report/report';
import { seedHistory } from '../../helpers/seed-history';

const DAY = 86_400_000;
const now = Date.parse('2026-12-01T06:00:00Z');
let dir: string;
let history: History;
let fleet: Fleet;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fcdb-dash-'));
  const store = new FileStore({ dir, now: () => now });
  await seedHistory({
    store,
    now,
    databases: [
      { product: 'rds', instanceId: 'rm-good', tags: { backup: 'nightly' }, sizeBytes: 1e9, growth: 1e8 },
      { product: 'rds', instanceId: 'rm-broke', tags: { backup: 'nightly' }, nights: { 0: 'failed', 3: 'failed' } },
      { product: 'polardb', instanceId: 'pc-gap', tags: { app: 'orders' }, nights: { 5: 'missing', 6: 'adhoc' } },
      { product: 'mongodb', instanceId: 'dds-old', nights: Object.fromEntries(Array.from({ length: 3 }, (_, i) => [i, 'missing'])) },
    ],
  });
  history = historyFor(store, { retentionMs: 40 * DAY, now: () => now });
  fleet = await buildFleet({ history, maxAgeMs: 26 * 3_600_000, timeZone: 'Asia/Shanghai', now });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const row = (id: string) => fleet.rows.find((r) => r.instanceId === id);

describe('the fleet model', () => {
  it('35 days ending today in the time zone, one cell each, oldest first', () => {
    expect(fleet.days).toHaveLength(35);
    expect(fleet.days.at(-1)).toBe('2026-12-01');
    expect(fleet.days[0]).toBe('2026-10-28');
    expect(lastDays(Date.parse('2026-11-30T17:00:00Z'), 2, dayFormatter('Asia/Shanghai'))).toEqual(['2026-11-30', '2026-12-01']);
  });

  it('each night in its cell: a failed night is "f" on its day, a missing one "m", an ad-hoc only one "a"', () => {
    expect(row('rm-good')?.strip).toBe('s'.repeat(35));
    expect(row('rm-broke')?.strip).toBe(`${'s'.repeat(31)}fssf`);
    expect(row('pc-gap')?.strip).toBe(`${'s'.repeat(28)}am${'s'.repeat(5)}`);
    expect(row('dds-old')?.strip).toBe(`${'s'.repeat(32)}mmm`);
  });

  it('one state per database, the worst true of it; the counts add up', () => {
    expect([row('rm-good')?.state, row('rm-broke')?.state, row('pc-gap')?.state, row('dds-old')?.state]).toEqual(['ok', 'failed', 'ok', 'stale']);
    const base = summarise('rds', 'x', [], 1, now);
    expect(stateOf({ ...base, ok: true, running: true, listedBy: 'history' })).toBe('running');
    expect(stateOf({ ...base, ok: true, consecutiveSuccesses: 0, lastFailure: { code: 'X', message: 'x', at: '' }, listedBy: 'history' })).toBe('failed');
  });

  it('sparklines: each day’s good backup size and duration; a failed day has none', () => {
    const good = row('rm-good');
    expect(good?.sizes[0]).toBe(1e9);
    expect(good?.sizes[34]).toBe(1e9 + 34 * 1e8);
    expect(row('rm-broke')?.sizes[34]).toBeNull();
    expect(good?.durations.every((d) => d !== null && d >= 60_000)).toBe(true);
  });

  it('tags as the timer found each database; a strip before the history begins is "-"', () => {
    expect(row('pc-gap')?.tags).toEqual({ app: 'orders' });
    expect(row('dds-old')?.tags).toEqual({});
    const day = dayFormatter('UTC');
    const one = daysOf([], ['2026-11-30', '2026-12-01'], day);
    expect(one.strip).toBe('--');
  });
});

describe('the API: filters, search and paging on the server', () => {
  const page = (q: Record<string, string>) => fleetPage(fleet, fleetQuery.parse(q), history);

  it('counts for the whole fleet, whatever the filter', async () => {
    const p = await page({ state: 'failed' });
    expect(p.summary).toEqual({ total: 4, failed: 1, stale: 1, running: 0, ok: 2 });
    expect(p.databases.map((d) => d.instanceId)).toEqual(['rm-broke']);
    expect(p.facets).toEqual({ products: ['mongodb', 'polardb', 'rds'], tags: ['app=orders', 'backup=nightly'] });
  });

  it('by product, by tag, by state, together', async () => {
    expect((await page({ product: 'rds' })).databases.map((d) => d.instanceId).sort()).toEqual(['rm-broke', 'rm-good']);
    expect((await page({ tag: 'backup=nightly', state: 'ok' })).databases.map((d) => d.instanceId)).toEqual(['rm-good']);
    expect((await page({ tag: 'app=orders', product: 'rds' })).matching).toBe(0);
  });

  it('search by part of an instance id, and exactly by a job id, a backup set id or a key', async () => {
    expect((await page({ q: 'BROKE' })).databases.map((d) => d.instanceId)).toEqual(['rm-broke']);
    const records = fleet.records.get('polardb:pc-gap') ?? [];
    const good = records.find((r) => r.state === 'succeeded');
    for (const ref of [good?.jobId, good?.backupId, good?.id]) expect((await page({ q: ref as string })).databases.map((d) => d.instanceId)).toEqual(['pc-gap']);
    expect((await page({ q: 'nothing-like-it' })).matching).toBe(0);
  });

  it('pages: pageSize rows each, the last page clamps, search refs never reach the browser', async () => {
    const p1 = await page({ pageSize: '3' });
    expect([p1.page, p1.pages, p1.databases.length, p1.matching]).toEqual([1, 2, 3, 4]);
    const p9 = await page({ pageSize: '3', page: '9' });
    expect([p9.page, p9.databases.length]).toEqual([2, 1]);
    expect(JSON.stringify(p1)).not.toContain('"refs"');
  });

  it('refuses what it does not know, naming the parameter', () => {
    for (const q of [{ state: 'great' }, { product: 'mysql' }, { pageSize: '1000' }, { page: '0' }, { tag: 'nokey' }, { sort: 'x' }]) expect(fleetQuery.safeParse(q).success).toBe(false);
  });

  it('a database’s detail: its row and every record, newest first, without where chat results were posted', () => {
    const d = databaseDetail(fleet, 'rds', 'rm-broke');
    expect(d?.records).toHaveLength(35);
    expect(d?.records[0]).toMatchObject({ state: 'failed', trigger: 'timer', error: { code: 'BackupJobFailed' } });
    expect(databaseDetail(fleet, 'rds', 'rm-none')).toBeUndefined();
  });
});

describe('FleetCache', () => {
  it('one build for concurrent and quick successive requests; a new one after the ttl or a failure', async () => {
    let t = 0;
    let builds = 0;
    const cache = new FleetCache(1000, () => t);
    const build = async () => (builds++, fleet);
    await Promise.all([cache.get(build), cache.get(build)]);
    t = 999;
    await cache.get(build);
    expect(builds).toBe(1);
    t = 1000;
    await cache.get(build);
    expect(builds).toBe(2);
    await expect(cache.get(async () => Promise.reject(new Error('store down')))).resolves.toBe(fleet);
    t = 5000;
    await expect(cache.get(async () => Promise.reject(new Error('store down')))).rejects.toThrow('store down');
    await cache.get(build);
    expect(builds).toBe(3);
  });
});
