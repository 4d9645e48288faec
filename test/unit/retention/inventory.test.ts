// inventory's listing of the cloud's sets: through listBackupSets, so no DescribeBackups call spans more than a short
// window (the reference: "as short as possible to avoid timeout"), while a PolarDB slot held for years still counts.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { MAX_WINDOW_MS } from '../../../shared/backup/backup-sets';
import type { ProductCaller } from '../../../shared/backup/engine';
import type { ProductName } from '../../../shared/cloud/products/catalog';
import type { HistoryRecord } from '../../../shared/history/record';
import { inventory } from '../../../shared/retention/inventory';
import { readerFor } from '../../helpers/cloud-reader';

const DAY = 86_400_000;
let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 1, instances: [] });
});
afterAll(() => cloud.close());
beforeEach(() => cloud.reset());

const callerOf = (product: ProductName): ProductCaller => {
  const r = readerFor(cloud, product);
  return { ...r, region: 'cn-hangzhou', endpoint: { protocol: 'http', host: new URL(cloud.url).host }, once: r.read };
};

async function setAgo(product: ProductName, id: string, agoMs: number): Promise<{ jobId: string; backupId: string }> {
  const c = callerOf(product);
  const body = await c.read('CreateBackup', { [c.catalog.idField]: id });
  const job = cloud.jobs(product, id).find((j) => j.id === String(body.BackupJobId));
  if (!job) throw new Error('no job');
  cloud.backdate(product, job.backupId, agoMs);
  return { jobId: job.id, backupId: job.backupId };
}

const record = (product: ProductName, instanceId: string, ids: { jobId: string; backupId: string }, agoMs: number): HistoryRecord =>
  ({ id: `k-${ids.jobId}`, product, instanceId, origin: { trigger: 'timer' }, state: 'succeeded', requestedAt: new Date(Date.now() - agoMs).toISOString(), ...ids, duties: [], redispatches: 0 }) as unknown as HistoryRecord;

const widest = () =>
  Math.max(...cloud.requests.filter((r) => r.action === 'DescribeBackups').map((r) => Date.parse(r.query.EndTime ?? '') - Date.parse(r.query.StartTime ?? '')));

it('a PolarDB console backup five years old still holds a slot, and no call spans more than a short window', async () => {
  cloud.addInstance({ product: 'polardb', id: 'pc-old-slot' });
  const old = await setAgo('polardb', 'pc-old-slot', 5 * 365 * DAY);
  const ours = await setAgo('polardb', 'pc-old-slot', 2 * DAY);
  cloud.requests.length = 0;
  const held = await inventory(callerOf('polardb'), 'pc-old-slot', [record('polardb', 'pc-old-slot', ours, 2 * DAY)], Date.now());
  expect(held.map((h) => [h.backupId, h.ours])).toEqual(
    expect.arrayContaining([
      [ours.backupId, true],
      [old.backupId, false],
    ]),
  );
  expect(widest()).toBeLessThanOrEqual(MAX_WINDOW_MS + 120_000);
});

it('RDS: a set of this tool nine years old is still found, and no call spans more than a short window', async () => {
  cloud.addInstance({ product: 'rds', id: 'rm-inventory' });
  const ours = await setAgo('rds', 'rm-inventory', 9 * 365 * DAY);
  await setAgo('rds', 'rm-inventory', DAY);
  cloud.requests.length = 0;
  const held = await inventory(callerOf('rds'), 'rm-inventory', [record('rds', 'rm-inventory', ours, 9 * 365 * DAY)], Date.now());
  expect(held.filter((h) => h.ours).map((h) => h.backupId)).toEqual([ours.backupId]);
  expect(held).toHaveLength(2);
  expect(widest()).toBeLessThanOrEqual(MAX_WINDOW_MS + 120_000);
});
