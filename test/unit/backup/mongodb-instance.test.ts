// MongoDB calls as the instance takes them (issue 17 items 1 and 2; docs/mongodb-sharded.md), over real HTTP with the
// real client against the local cloud, which now behaves as the references say: DescribeDBInstances lists sharded
// clusters only when DBInstanceType=sharding is asked, a sharded cluster's DescribeBackups needs a shard's NodeId, and
// an instance on cloud disks reports its sets as Snapshot.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type InstanceSeed, type LocalCloud } from '../../../local/cloud/index';
import { resolveTargets } from '../../../shared/backup/discovery';
import { callerFor } from '../../../shared/backup/engine';
import { callCloud } from '../../../shared/cloud/client';
import { look } from '../../../shared/backup/reconcile';
import { getStatus } from '../../../shared/backup/status';
import type { Target } from '../../../shared/backup/targets';
import { closeStores, startInvocation } from '../../../shared/fc/invocation';
import { BackupError } from '../../../shared/errors';

let cloud: LocalCloud;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 1, instances: [] });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-mongo-'));
});
afterAll(async () => {
  await closeStores();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  cloud.reset();
  logs.length = 0;
});

const deps = () =>
  startInvocation(
    { requestId: 'mongo', credentials: null, function: { name: 'cli', timeout: 60 } },
    {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
        ALIBABA_CLOUD_REGION: 'cn-hangzhou',
        MONGODB_ENDPOINT: cloud.url,
        IDEMPOTENCY_STORE: `file:${dir}`,
      },
      sink: (line: string) => void logs.push(line),
    },
  ).deps;

const SHARDS = ['d-shard0', 'd-shard1', 'd-shard2'];
const sharded: InstanceSeed = { product: 'mongodb', id: 'dds-cluster1', tags: { backup: 'nightly' }, mongo: { type: 'sharding', storageType: 'cloud_essd1', shards: SHARDS } };
const cloudDisk: InstanceSeed = { product: 'mongodb', id: 'dds-essd1', tags: { backup: 'nightly' }, mongo: { storageType: 'cloud_essd1' } };

const calls = (action: string) => cloud.requests.filter((r) => r.product === 'mongodb' && r.action === action);
const finished = () => new Promise((r) => setTimeout(r, 20));

describe('tag discovery', () => {
  it('finds sharded clusters and serverless instances too, not only the replica sets listed by default', async () => {
    cloud.addInstance(sharded);
    cloud.addInstance({ product: 'mongodb', id: 'dds-replica1', tags: { backup: 'nightly' } });
    cloud.addInstance({ product: 'mongodb', id: 'dds-serverless1', tags: { backup: 'nightly' }, mongo: { type: 'serverless', storageType: 'cloud_essd1' } });
    const found = await resolveTargets([{ product: 'mongodb', tags: { backup: 'nightly' } }], deps(), { maxTargets: 10 });
    expect(found.map((t) => (t as { DBInstanceId: string }).DBInstanceId).sort()).toEqual(['dds-cluster1', 'dds-replica1', 'dds-serverless1']);
    expect(calls('DescribeDBInstances').map((r) => r.query.DBInstanceType)).toEqual(['replicate', 'sharding', 'serverless']);
  });

  it('the local cloud lists a sharded cluster only when DBInstanceType=sharding is asked', async () => {
    cloud.addInstance(sharded);
    const c = callerFor({ product: 'mongodb', DBInstanceId: 'selector-probe' }, deps());
    const ids = async (q: Record<string, string>) => c.catalog.parseList(await c.read('DescribeDBInstances', { ...c.catalog.listQuery({ backup: 'nightly' }, 1, 30), ...q })).ids;
    expect(await ids({})).toEqual([]);
    expect(await ids({ DBInstanceType: 'sharding' })).toEqual(['dds-cluster1']);
  });

  it('a site that refuses DBInstanceType=serverless lists the other kinds, and says so in the log', async () => {
    cloud.addInstance(sharded);
    cloud.inject({ product: 'mongodb', action: 'DescribeDBInstances', kind: 'status', status: 400, code: 'InvalidParameter', skip: 2 });
    const found = await resolveTargets([{ product: 'mongodb', tags: { backup: 'nightly' } }], deps(), { maxTargets: 10 });
    expect(found.map((t) => (t as { DBInstanceId: string }).DBInstanceId)).toEqual(['dds-cluster1']);
    expect(logs.join('\n')).toMatch(/refused a kind of instance this site may not offer/);
  });

  it('the run limit counts every kind together', async () => {
    cloud.addInstance(sharded);
    cloud.addInstance({ product: 'mongodb', id: 'dds-replica1', tags: { backup: 'nightly' } });
    await expect(resolveTargets([{ product: 'mongodb', tags: { backup: 'nightly' } }], deps(), { maxTargets: 1 })).rejects.toMatchObject({ code: 'TooManyTargets' });
  });
});

describe('a sharded cluster', () => {
  const target: Target = { product: 'mongodb', DBInstanceId: 'dds-cluster1' };

  it('DescribeBackups without NodeId is refused by the cloud, as the reference says (what the old code sent)', async () => {
    cloud.addInstance(sharded);
    const { catalog, endpoint } = callerFor(target, deps());
    const bare = callCloud({
      catalog,
      endpoint,
      credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
      action: 'DescribeBackups',
      query: { RegionId: 'cn-hangzhou', DBInstanceId: 'dds-cluster1' },
      timeouts: { connectMs: 2_000, readMs: 5_000 },
    });
    await expect(bare).rejects.toMatchObject({ code: 'MissingParameter' });
  });

  it('one backup is one set per shard: read shard by shard (NodeId) and reported as one, every shard named in its id', async () => {
    cloud.addInstance(sharded);
    const c = callerFor(target, deps());
    const { BackupJobId } = await c.once('CreateBackup', c.catalog.createQuery(target as never));
    await finished();
    const status = await getStatus(c, 'dds-cluster1', { jobId: String(BackupJobId) });
    const [job] = cloud.jobs('mongodb', 'dds-cluster1');
    expect(status).toMatchObject({ state: 'succeeded', jobId: String(BackupJobId), method: 'Snapshot', backupId: SHARDS.map((n) => job?.shardBackupIds?.[n]).join(',') });
    expect(calls('DescribeBackups').map((r) => r.query.NodeId).sort()).toEqual(SHARDS);
    expect(calls('DescribeDBInstanceAttribute'), 'the instance is described once per caller').toHaveLength(1);
    // The composite id finds the same backup again (a status by backup id, the history's).
    expect(await getStatus(c, 'dds-cluster1', { backupId: status.backupId })).toMatchObject({ state: 'succeeded', backupId: status.backupId });
  });

  it('reconciliation adopts its own cluster backup from the merged sets', async () => {
    cloud.addInstance(sharded);
    const c = callerFor(target, deps());
    const since = Date.now() - 1_000;
    const { BackupJobId } = await c.once('CreateBackup', c.catalog.createQuery(target as never));
    await finished();
    const seen = await look(target, c, { since, until: Date.now() + 5_000 });
    expect(seen.ours?.jobId).toBe(String(BackupJobId));
    expect(seen.ours?.backupId?.split(',')).toHaveLength(SHARDS.length);
  });

  it('DeleteBackup is refused before anything is sent: deleting shard by shard would break the restore point', async () => {
    cloud.addInstance(sharded);
    const c = callerFor(target, deps());
    await c.once('CreateBackup', c.catalog.createQuery(target as never));
    await finished();
    const err = await c.once('DeleteBackup', c.catalog.retention.deleteQuery('dds-cluster1', 'a,b,c')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackupError);
    expect(err).toMatchObject({ code: 'ShardedDeleteUnsupported', category: 'validation', retryable: false });
    expect(calls('DeleteBackup')).toHaveLength(0);
  });
});

describe('the method an instance actually uses', () => {
  const target: Target = { product: 'mongodb', DBInstanceId: 'dds-essd1' };

  it('a cloud-disk instance reports its sets as Snapshot, and reconciliation without a BackupMethod adopts its own', async () => {
    cloud.addInstance(cloudDisk);
    const c = callerFor(target, deps());
    const since = Date.now() - 1_000;
    const { BackupJobId } = await c.once('CreateBackup', c.catalog.createQuery(target as never));
    await finished();
    const sets = c.catalog.parseBackups(await c.read('DescribeBackups', c.catalog.backupsQuery('dds-essd1', { jobId: String(BackupJobId) })));
    expect(sets.map((s) => s.method)).toEqual(['Snapshot']);
    // A redelivery after the job finished: its own set, not a second backup (before: the default Physical, no match).
    const seen = await look(target, c, { since, until: Date.now() + 5_000 });
    expect(seen.ours?.jobId).toBe(String(BackupJobId));
  });

  it('a standalone instance (ReplicationFactor 1) is matched as Snapshot too', async () => {
    cloud.addInstance({ product: 'mongodb', id: 'dds-single1', mongo: { replicationFactor: 1 } });
    const t: Target = { product: 'mongodb', DBInstanceId: 'dds-single1' };
    const c = callerFor(t, deps());
    expect(c.catalog.requestShape(t as never, await c.facts?.())).toEqual({ method: 'Snapshot' });
  });

  it('a local-SSD replica set without BackupMethod is matched as Physical, the documented default, and not adopted from a Logical set', async () => {
    cloud.addInstance({ product: 'mongodb', id: 'dds-local1' });
    const t: Target = { product: 'mongodb', DBInstanceId: 'dds-local1' };
    const c = callerFor(t, deps());
    const since = Date.now() - 1_000;
    await c.once('CreateBackup', { DBInstanceId: 'dds-local1', BackupMethod: 'Logical' });
    await finished();
    expect((await look(t, c, { since, until: Date.now() + 5_000 })).ours).toBeUndefined();
  });

  it('another method asked of a cloud-disk instance is refused, naming why, and never sent', async () => {
    cloud.addInstance(cloudDisk);
    const t: Target = { product: 'mongodb', DBInstanceId: 'dds-essd1', BackupMethod: 'Physical' };
    const c = callerFor(t, deps());
    const err = await c.once('CreateBackup', c.catalog.createQuery(t as never)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MethodNotSupportedByInstance', retryable: false, ambiguous: false });
    expect((err as Error).message).toMatch(/StorageType cloud_essd1.*Snapshot backups only/);
    expect(calls('CreateBackup')).toHaveLength(0);
  });
});
