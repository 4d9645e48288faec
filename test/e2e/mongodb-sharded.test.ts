// MongoDB as the references describe it (issue 17 items 1 and 2; docs/mongodb-sharded.md), through the built timer
// and tracker bundles, the local cloud over real HTTP and the file store: a sharded cluster found by its tags, backed
// up once and followed to its end shard by shard, never deleted shard by shard; and a cloud-disk instance whose
// redelivery after its job finished adopts its own Snapshot set instead of taking a second backup.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { InstanceSeed } from '../../local/cloud/index';
import { startInvocation } from '../../shared/fc/invocation';
import { startStack, type Stack } from '../helpers/stack';
import { captureStdout, stsCredentials } from '../helpers/fc';

let stack: Stack;
const timer = () => loadHandler('scheduled-backup');
let firing = 0;

// The engine gives the cloud 300 ms to list a job it may have made; the cloud below may take longer.
beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 300 }, { CLOUD_LIST_LAG_MS: '300', LOG_LEVEL: 'error' });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.cloud.reset();
  stack.cloud.setListLag(0);
});

const SHARDS = ['d-bp1shard0', 'd-bp1shard1'];
const cluster: InstanceSeed = { product: 'mongodb', id: 'dds-bp1cluster', tags: { backup: 'cluster' }, mongo: { type: 'sharding', storageType: 'cloud_essd1', shards: SHARDS } };
const essd: InstanceSeed = { product: 'mongodb', id: 'dds-bp1essd', mongo: { storageType: 'cloud_essd1' } };

function timerEvent(targets: unknown[]): Buffer {
  firing++;
  // Each firing's trigger time just before it fires, as FC's timer sends it.
  const triggerTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000 + firing).toISOString();
  return Buffer.from(JSON.stringify({ triggerTime, triggerName: 'nightly', payload: JSON.stringify({ targets }) }));
}
const deliver = async (event: Buffer) => (await timer()(event, fcContext('scheduled-backup', { credentials: stsCredentials, timeoutSec: 30 }))) as { ok: boolean; results: Record<string, unknown>[] };
const history = () => startInvocation(fcContext('test', {})).history;
const jobsOf = (id: string) => stack.cloud.jobs('mongodb', id);

it('a sharded cluster is found by its tags, backed up once, recorded good with every shard\'s set, and never deleted shard by shard', async () => {
  stack.cloud.addInstance(cluster);
  const selector = { product: 'mongodb', tags: { backup: 'cluster' }, keep: 1 };
  const run = await deliver(timerEvent([selector]));
  expect(run.ok).toBe(true);
  expect(run.results.map((r) => r.instanceId)).toEqual(['dds-bp1cluster']);
  await stack.tracked();

  const [job] = jobsOf('dds-bp1cluster');
  const [record] = await history().forDatabase('mongodb', 'dds-bp1cluster');
  expect(record).toMatchObject({ state: 'succeeded', jobId: job?.id, method: 'Snapshot', backupId: SHARDS.map((n) => job?.shardBackupIds?.[n]).join(',') });
  // Every DescribeBackups named a shard: the cluster itself is not a node that has sets.
  const listed = stack.cloud.requests.filter((r) => r.action === 'DescribeBackups' && r.query.DBInstanceId === 'dds-bp1cluster');
  expect(listed.length).toBeGreaterThan(0);
  expect(new Set(listed.map((r) => r.query.NodeId))).toEqual(new Set(SHARDS));

  // A day later, a second night with keep 1: retention plans to delete the first, but a cluster backup is one set per
  // shard and DeleteBackup takes one id and no shard: refused, with its reason, before anything is sent.
  stack.cloud.backdate('mongodb', job?.backupId as string, 2 * 86_400_000);
  await deliver(timerEvent([selector]));
  const { lines, error } = await captureStdout(() => stack.tracked());
  expect(error).toBeUndefined();
  expect(lines.join('\n')).toMatch(/retention: deletion failed.*ShardedDeleteUnsupported/);
  expect(jobsOf('dds-bp1cluster')).toHaveLength(2);
  expect(stack.cloud.requests.filter((r) => r.action === 'DeleteBackup')).toEqual([]);
  expect((await history().get(record?.id as string))?.retired).toBeFalsy();
  expect(jobsOf('dds-bp1cluster').map((j) => [j.state, j.deleted ?? false])).toEqual([
    ['succeeded', false],
    ['succeeded', false],
  ]);
});

it('cloud-disk instance: a redelivery after its job finished adopts its own Snapshot set, exactly one backup', async () => {
  stack.cloud.addInstance(essd);
  // No BackupMethod: the instance takes snapshots only, and its set says so.
  const target = { product: 'mongodb', DBInstanceId: 'dds-bp1essd' };
  // The answer to CreateBackup is lost, and the job is listed only after this delivery stopped looking for it.
  stack.cloud.setListLag(1_500);
  stack.cloud.inject({ action: 'CreateBackup', product: 'mongodb', kind: 'drop-after-create' });
  const event = timerEvent([target]);
  const first = await deliver(event).catch((e: unknown) => e);
  expect(first, 'left ambiguous for the redelivery').toMatchObject({ retryable: true });
  expect(jobsOf('dds-bp1essd')).toHaveLength(1);

  // FC redelivers once the job has finished and is listed.
  await new Promise((r) => setTimeout(r, 2_000));
  expect(jobsOf('dds-bp1essd').map((j) => [j.state, j.method])).toEqual([['succeeded', 'Snapshot']]);
  const again = await deliver(event);
  expect(again.ok).toBe(true);
  expect(again.results[0]).toMatchObject({ outcome: 'adopted', jobId: jobsOf('dds-bp1essd')[0]?.id });
  expect(jobsOf('dds-bp1essd'), 'exactly one backup').toHaveLength(1);
  expect(stack.cloud.requests.filter((r) => r.action === 'CreateBackup')).toHaveLength(1);
});
