// Every call a product's catalogs make (backup, tracking and retention; the restore drill; posture and its fixes),
// each built by the catalog's own query function from representative inputs and sent through the engine's bound
// caller (which adds what the engine adds, RegionId among it) to the local cloud, each answer read by the catalog's
// own parser while recordReads notes every field it reads. The wire parameters are the local cloud's request log.
import type { LocalCloud } from '../../local/cloud/index';
import { callerFor, type EngineDeps, type ProductCaller } from '../../shared/backup/engine';
import type { Target } from '../../shared/backup/targets';
import type { ProductName, Query } from '../../shared/cloud/products/catalog';
import { catalogOf } from '../../shared/cloud/products/registry';
import { drillNamePrefix, type ApiCall, type RestoreRequest } from '../../shared/drill/restore-catalog';
import { restoreCatalogOf } from '../../shared/drill/products/registry';
import type { RuleResult } from '../../shared/posture/evaluate';
import { postureOf } from '../../shared/posture/products/registry';
import type { RuleSet } from '../../shared/posture/rules';
import { recordReads } from './model';

export interface Exchange {
  action: string;
  query: Query;
  body: Record<string, unknown>;
  /** Every response path the parser read, `Items.Backup[].BackupId`. */
  reads: Set<string>;
}

const REGION = 'cn-hangzhou';
const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Posture rules that all fail on the sample policies, so plan() builds every fix call it can. */
const rules: RuleSet = {
  minRetentionDays: 60,
  requireLogBackup: { minRetentionDays: 30 },
  minBackupsPerWeek: 7,
  requireCrossRegion: { regions: ['cn-shanghai'] },
  keepBackupsOnRelease: 'all',
};
const failing = (['minRetentionDays', 'requireLogBackup', 'minLogRetentionDays', 'minBackupsPerWeek', 'requireCrossRegion', 'keepBackupsOnRelease'] as const).map(
  (rule) => ({ rule, status: 'failing', expected: '', actual: '' }) as RuleResult,
);

/**
 * Runs every call of `product` on instance `id` (a sample instance of the local cloud, with backup policies), the
 * target naming its RegionId as a user's may. Calls the local cloud refuses are kept in the request log (their
 * parameters are checked too) but have no answer to read.
 */
export async function exercise(product: ProductName, id: string, cloud: LocalCloud, deps: EngineDeps): Promise<Exchange[]> {
  const catalog = catalogOf(product);
  const target = { product, [catalog.idField]: id, RegionId: REGION } as unknown as Target;
  const caller = callerFor(target, deps);
  const out: Exchange[] = [];
  const note = (action: string, query: Query, raw: Record<string, unknown>) => {
    const r = recordReads(raw);
    out.push({ action, query, body: raw, reads: r.paths });
    return r.body;
  };
  const send = async <T>(action: string, query: Query, parse: (body: Record<string, unknown>) => T): Promise<T | undefined> => {
    let raw: Record<string, unknown>;
    try {
      raw = await caller.once(action, query);
    } catch {
      return undefined;
    }
    return parse(note(action, query, raw));
  };

  // Tag discovery: every listing the catalog makes, first page and a later one.
  for (const variant of catalog.listVariants ?? [{ query: {} }]) {
    for (const page of [1, 2]) await send(catalog.listAction, { ...catalog.listQuery({ backup: 'nightly', team: 'payments' }, page, 30), ...variant.query }, (b) => catalog.parseList(b));
  }
  // The instance's facts, where its calls depend on them (MongoDB).
  if (catalog.instance) await send(catalog.instance.action, catalog.instance.query(id), (b) => catalog.instance?.parse(b, id));

  // A backup, tracked to its end.
  const requestedAt = new Date(Date.now() - 60_000);
  const jobId = (await send('CreateBackup', catalog.createQuery(target as never, 'contract-token-1'), (b) => catalog.jobIdFromCreate(b))) ?? '';
  await send('DescribeBackupTasks', catalog.tasksQuery(id), (b) => catalog.parseTasks(b));
  await send('DescribeBackupTasks', catalog.tasksQuery(id, jobId), (b) => catalog.parseTasks(b));
  await sleep(150);
  await send('DescribeBackupTasks', catalog.tasksQuery(id, jobId), (b) => catalog.parseTasks(b));
  const window = { since: requestedAt, until: new Date(Date.now() + 60_000) };
  const sets = (await send('DescribeBackups', catalog.backupsQuery(id, { window }), (b) => catalog.parseBackups(b))) ?? [];
  // As listBackupSets pages a window (shared/backup/backup-sets.ts), and with both modes as retention's inventory asks.
  await send('DescribeBackups', { ...catalog.backupsQuery(id, { window, allModes: true }), PageSize: '100', PageNumber: '2' }, (b) => catalog.parseBackups(b));
  await send('DescribeBackups', catalog.backupsQuery(id, { jobId }), (b) => catalog.parseBackups(b));
  const backupId = sets[0]?.backupId ?? jobId;
  await send('DescribeBackups', catalog.backupsQuery(id, { jobId, backupId }), (b) => catalog.parseBackups(b));

  // The restore drill of that backup.
  const restore = restoreCatalogOf(product);
  const drillId = 'contract1';
  const call = <I, O>(api: ApiCall<I, O>, input: I) => send(api.action, api.query(input), (b) => api.parse(b));
  const spec = await call(restore.source, { regionId: REGION, sourceId: id });
  if (spec) {
    const smallest = restore.smallest(spec);
    const request: RestoreRequest = {
      regionId: REGION, sourceId: id, backupId, drillId, name: `${drillNamePrefix}${drillId}`, clientToken: `tok-${drillId}`, spec,
      instanceClass: smallest.instanceClass, storageGb: smallest.storageGb, vpcId: spec.vpcId, vSwitchId: spec.vSwitchId, zoneId: spec.zoneId,
    };
    const created = await call(restore.create, request);
    const instanceId = created?.instanceId ?? 'no-instance';
    if (restore.tagAfterCreate) await call(restore.tagAfterCreate, { regionId: REGION, instanceId, drillId });
    if (restore.readTags) await call(restore.readTags, { regionId: REGION, instanceId });
    await call(restore.describe, { regionId: REGION, instanceId });
    if (restore.endpoint) await call(restore.endpoint, { regionId: REGION, instanceId });
    await call(restore.listByTag, { regionId: REGION, drillId });
    await call(restore.release, { regionId: REGION, instanceId });
  }

  // Posture: the reads, then every fix the failing rules call for.
  const recording: ProductCaller = { ...caller, read: async (action, query) => note(action, query, await caller.read(action, query)) };
  const posture = postureOf(product);
  const view = await posture.read(recording, id);
  for (const fix of posture.plan({ view, rules, failing, instanceId: id, region: REGION }).calls) await send(fix.action, fix.query, () => undefined);

  // Retention: the set, old enough for every product's DeleteBackup.
  // A sharded cluster's set (one per shard, merged) is never deleted: its DeleteBackup is refused before it is sent.
  try {
    cloud.backdate(product, backupId, 8 * DAY);
  } catch {
    return out;
  }
  await send('DeleteBackup', catalog.retention.deleteQuery(id, backupId), () => undefined);
  return out;
}
