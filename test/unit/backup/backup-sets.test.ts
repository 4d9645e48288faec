// listBackupSets against the local cloud over real HTTP: ten years of sets, dense at the recent end, read in short
// windows (the DescribeBackups reference: "as short as possible to avoid timeout"), each page, each set once.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { listBackupSets, MAX_WINDOW_MS } from '../../../shared/backup/backup-sets';
import type { ProductName } from '../../../shared/cloud/products/catalog';
import { readerFor } from '../../helpers/cloud-reader';

const DAY = 86_400_000;
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 1, instances: [] });
});
afterAll(() => cloud.close());
beforeEach(() => cloud.reset());

/** A finished manual set of `id`, started `agoMs` in the past. */
async function setAgo(product: ProductName, id: string, agoMs: number): Promise<string> {
  const r = readerFor(cloud, product);
  const body = await r.read('CreateBackup', { [r.catalog.idField]: id });
  const job = cloud.jobs(product, id).find((j) => j.id === String(body.BackupJobId));
  if (!job) throw new Error('no job');
  cloud.backdate(product, job.backupId, agoMs);
  return job.backupId;
}

const windowsAsked = () =>
  cloud.requests
    .filter((r) => r.action === 'DescribeBackups')
    .map((r) => ({ span: Date.parse(r.query.EndTime ?? '') - Date.parse(r.query.StartTime ?? ''), page: Number(r.query.PageNumber ?? 1) }));

describe('listBackupSets', () => {
  it('finds every set of ten years once, in windows no longer than the bound, each dense window page by page', async () => {
    cloud.addInstance({ product: 'rds', id: 'rm-tenyears' });
    const ids = new Set<string>();
    // 110 in the last six days (two pages of the first window; RDS takes 20 a day), 60 over the past ten years.
    for (let i = 0; i < 110; i++) ids.add(await setAgo('rds', 'rm-tenyears', 60_000 + i * 80 * 60_000));
    for (let i = 0; i < 60; i++) ids.add(await setAgo('rds', 'rm-tenyears', 3 * DAY + i * 60 * DAY));
    const now = Date.now();
    cloud.requests.length = 0;
    const sets = await listBackupSets(readerFor(cloud, 'rds'), 'rm-tenyears', { since: new Date(now - 3650 * DAY), until: new Date(now + 60_000) });
    expect(sets.map((s) => s.backupId).sort()).toEqual([...ids].sort());
    const asked = windowsAsked();
    expect(Math.max(...asked.map((a) => a.span)), 'no window wider than the bound (plus the minute rounding)').toBeLessThanOrEqual(MAX_WINDOW_MS + 120_000);
    expect(asked.some((a) => a.page === 2), 'the dense window was read past its first page').toBe(true);
    expect(asked.filter((a) => a.page === 1).length, 'ten years in 15 windows').toBe(15);
  });

  it('stops walking back once the caller has enough', async () => {
    cloud.addInstance({ product: 'polardb', id: 'pc-enough' });
    await setAgo('polardb', 'pc-enough', 60_000);
    const now = Date.now();
    cloud.requests.length = 0;
    const sets = await listBackupSets(readerFor(cloud, 'polardb'), 'pc-enough', { since: new Date(now - 3650 * DAY), until: new Date(now) }, { enough: (s) => s.length >= 1 });
    expect(sets).toHaveLength(1);
    expect(windowsAsked(), 'one batch of windows read at once, then no more').toHaveLength(8);
    cloud.requests.length = 0;
    await listBackupSets(readerFor(cloud, 'polardb'), 'pc-enough', { since: new Date(now - 3650 * DAY), until: new Date(now) }, { enough: (s) => s.length >= 1, concurrency: 1 });
    expect(windowsAsked()).toHaveLength(1);
  });

  it('re-reads a wide window that is too dense in halves, and still lists each set once', async () => {
    cloud.addInstance({ product: 'mongodb', id: 'dds-dense' });
    const ids = new Set<string>();
    // 130 sets 20 days back: past the first 7-day window, inside a wider one.
    for (let i = 0; i < 130; i++) ids.add(await setAgo('mongodb', 'dds-dense', 20 * DAY + i * 60_000));
    const now = Date.now();
    const sets = await listBackupSets(readerFor(cloud, 'mongodb'), 'dds-dense', { since: new Date(now - 40 * DAY), until: new Date(now) }, { maxPagesPerWindow: 1 });
    expect(sets.map((s) => s.backupId).sort()).toEqual([...ids].sort());
  });
});
