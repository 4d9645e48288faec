// The local cloud behaves like Alibaba Cloud for what the engine relies on, driven by the real client.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud/index';
import { callCloud } from '../../shared/cloud-client';
import type { Credentials } from '../../shared/credentials';
import { BackupError } from '../../shared/errors';
import { products } from '../../shared/products/index';
import type { ProductCatalog } from '../../shared/products/catalog';

let cloud: LocalCloud;
let offset = 0;
const ak: Credentials = { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' };
const sts: Credentials = { accessKeyId: 'STS.local', accessKeySecret: 'sts-secret', securityToken: 'sts-token' };

beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 1_000, now: () => Date.now() + offset });
});
afterAll(() => cloud.close());
beforeEach(() => {
  cloud.reset();
  offset = 0;
});

const call = (catalog: ProductCatalog, action: string, query: Record<string, string>, credentials: Credentials = ak, readMs = 2_000) =>
  callCloud({ catalog, endpoint: { protocol: 'http', host: new URL(cloud.url).host }, credentials, action, query: { RegionId: 'cn-hangzhou', ...query }, timeouts: { connectMs: 1_000, readMs } });

async function refusal(p: Promise<unknown>): Promise<BackupError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(BackupError);
  return e as BackupError;
}

const rds = products.rds as unknown as ProductCatalog;
const polardb = products.polardb as unknown as ProductCatalog;
const mongodb = products.mongodb as unknown as ProductCatalog;

describe('signatures', () => {
  it('accepts ACS3 requests signed with an AccessKey or an STS triple, and records who signed', async () => {
    await call(rds, 'DescribeBackupTasks', { DBInstanceId: 'rm-sample1' });
    await call(rds, 'DescribeBackupTasks', { DBInstanceId: 'rm-sample1' }, sts);
    expect(cloud.requests.map((r) => [r.accessKeyId, r.securityToken])).toEqual([
      ['LTAI-local-test', undefined],
      ['STS.local', 'sts-token'],
    ]);
  });

  it.each([
    ['a wrong secret', { ...ak, accessKeySecret: 'nope' }, 'SignatureDoesNotMatch'],
    ['an unknown AccessKey', { accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' }, 'InvalidAccessKeyId.NotFound'],
    ['an STS key without its token', { accessKeyId: 'STS.local', accessKeySecret: 'sts-secret' }, 'InvalidSecurityToken.Mismatch'],
    ['an STS key with another token', { ...sts, securityToken: 'stolen' }, 'InvalidSecurityToken.Mismatch'],
  ])('refuses %s as the cloud does', async (_n, creds, code) => {
    const e = await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample1' }, creds));
    expect(e.code).toBe(code);
    expect(e.category).toBe('auth');
    expect(cloud.jobs()).toHaveLength(0);
  });

  it('refuses a request whose clock is more than 15 minutes off', async () => {
    offset = 16 * 60_000;
    expect((await refusal(call(rds, 'DescribeBackupTasks', { DBInstanceId: 'rm-sample1' }))).code).toBe('IllegalTimestamp');
  });
});

describe('parameters and instances', () => {
  it('MissingParameter names the parameter; unknown actions and instances are refused with the documented codes', async () => {
    const missing = await refusal(call(rds, 'CreateBackup', {}));
    expect(missing.code).toBe('MissingParameter');
    expect(missing.message).toContain('DBInstanceId');
    expect((await refusal(call(rds, 'DeleteEverything', {}))).code).toBe('InvalidAction.NotFound');
    expect((await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-nope' }))).code).toBe('InvalidDBInstanceName.NotFound');
    expect((await refusal(call(polardb, 'CreateBackup', { DBClusterId: 'pc-nope' }))).code).toBe('InvalidDBClusterId.NotFound');
    expect((await refusal(call(mongodb, 'CreateBackup', { DBInstanceId: 'dds-nope' }))).code).toBe('InvalidDBInstanceId.NotFound');
    // An instance in another region is not found there.
    expect((await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample1', RegionId: 'cn-beijing' }))).code).toBe('InvalidDBInstanceName.NotFound');
  });

  it('validates enums and ranges with the products’ codes', async () => {
    expect((await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample1', BackupMethod: 'Fast' }))).code).toBe('InvalidBackupMethod.ValueNotSupport');
    expect((await refusal(call(mongodb, 'CreateBackup', { DBInstanceId: 'dds-sample1', BackupRetentionPeriod: '3' }))).code).toBe('InvalidParameter');
    expect(cloud.jobs()).toHaveLength(0);
  });

  it('refuses an instance that is not Running', async () => {
    cloud.setInstanceStatus('rds', 'rm-sample1', 'Restarting');
    const e = await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample1' }));
    expect(e).toMatchObject({ code: 'IncorrectDBInstanceState', retryable: true });
  });
});

describe('jobs', () => {
  it.each([
    [rds, 'rm-sample1', 'BackupJobExists'],
    [mongodb, 'dds-sample1', 'OperationDenied.BackupJobExists'],
  ])('%s: one running job per instance; it is listed while running and by id after it finished', async (catalog, id, code) => {
    const { BackupJobId } = (await call(catalog, 'CreateBackup', { [catalog.idField]: id })) as { BackupJobId: string };
    expect((await refusal(call(catalog, 'CreateBackup', { [catalog.idField]: id }))).code).toBe(code);
    const running = catalog.parseTasks(await call(catalog, 'DescribeBackupTasks', catalog.tasksQuery(id)));
    expect(running.map((j) => [j.jobId, j.manual])).toEqual([[BackupJobId, true]]);
    expect(['queued', 'running']).toContain(running[0]?.state);
    offset = 1_500;
    expect(catalog.parseTasks(await call(catalog, 'DescribeBackupTasks', catalog.tasksQuery(id)))).toEqual([]);
    expect(catalog.parseTasks(await call(catalog, 'DescribeBackupTasks', catalog.tasksQuery(id, BackupJobId)))[0]?.state).toBe('succeeded');
    const window = { since: new Date(Date.now() - 60_000), until: new Date(Date.now() + 120_000) };
    const sets = catalog.parseBackups(await call(catalog, 'DescribeBackups', catalog.backupsQuery(id, { window })));
    expect(sets).toHaveLength(1);
    expect(sets[0]).toMatchObject({ state: 'succeeded', manual: true, sizeBytes: expect.any(Number) });
    // A new backup is allowed once the first finished.
    await call(catalog, 'CreateBackup', { [catalog.idField]: id });
    expect(cloud.jobs(catalog.name, id)).toHaveLength(2);
  });

  it('RDS: at most 20 backups per instance per day → Exceeded.BackupTimes', async () => {
    for (let i = 0; i < 20; i++) {
      await call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample2' });
      offset += 1_100;
    }
    expect((await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample2' }))).code).toBe('Exceeded.BackupTimes');
  });

  it('PolarDB: the same ClientToken replays the same job; other parameters → IdempotentParameterMismatch; 3 manual backups at most', async () => {
    const a = (await call(polardb, 'CreateBackup', { DBClusterId: 'pc-sample1', ClientToken: 'tok-1' })) as { BackupJobId: string };
    const b = (await call(polardb, 'CreateBackup', { DBClusterId: 'pc-sample1', ClientToken: 'tok-1' })) as { BackupJobId: string };
    expect(b.BackupJobId).toBe(a.BackupJobId);
    expect((await refusal(call(polardb, 'CreateBackup', { DBClusterId: 'pc-sample1', ClientToken: 'tok-1', Comment: 'other' }))).code).toBe('IdempotentParameterMismatch');
    await call(polardb, 'CreateBackup', { DBClusterId: 'pc-sample1', ClientToken: 'tok-2' });
    await call(polardb, 'CreateBackup', { DBClusterId: 'pc-sample1', ClientToken: 'tok-3' });
    expect((await refusal(call(polardb, 'CreateBackup', { DBClusterId: 'pc-sample1', ClientToken: 'tok-4' }))).code).toBe('BackupTimesExceeded');
    expect(cloud.jobs('polardb')).toHaveLength(3);
  });

  it('lists instances by tag, page by page', async () => {
    for (let i = 0; i < 45; i++) cloud.addInstance({ product: 'mongodb', id: `dds-t${String(i).padStart(2, '0')}`, tags: { env: 'prod' } });
    const pages = [];
    for (let page = 1; page <= 3; page++) pages.push(mongodb.parseList(await call(mongodb, 'DescribeDBInstances', mongodb.listQuery({ env: 'prod' }, page, 20))));
    expect(pages.map((p) => p.ids.length)).toEqual([20, 20, 5]);
    expect(pages[0]?.total).toBe(45);
    expect(rds.parseList(await call(rds, 'DescribeDBInstances', rds.listQuery({ backup: 'nightly' }, 1, 30))).ids).toEqual(['rm-sample1', 'rm-sample2']);
    expect(polardb.parseList(await call(polardb, 'DescribeDBClusters', polardb.listQuery({ backup: 'nightly' }, 1, 30))).ids).toEqual(['pc-sample1']);
  });
});

describe('faults', () => {
  it('drop-after-create: the job exists, the client sees an ambiguous network error', async () => {
    cloud.inject({ action: 'CreateBackup', product: 'rds', kind: 'drop-after-create' });
    const e = await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample1' }));
    expect(e).toMatchObject({ category: 'transient', ambiguous: true });
    expect(cloud.jobs('rds')).toHaveLength(1);
  });

  it('status 503 and Throttling refuse without creating; reset fails before creating', async () => {
    cloud.inject({ action: 'CreateBackup', kind: 'status', status: 503 });
    expect(await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample1' }))).toMatchObject({ code: 'ServiceUnavailable', ambiguous: true });
    cloud.inject({ action: 'CreateBackup', kind: 'throttle' });
    expect(await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample1' }))).toMatchObject({ code: 'Throttling.User', category: 'throttled', ambiguous: false });
    cloud.inject({ action: 'CreateBackup', kind: 'reset' });
    expect(await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample1' }))).toMatchObject({ category: 'transient' });
    expect(cloud.jobs()).toHaveLength(0);
  });

  it('timeout: the job is created and the client gives up at its read timeout', async () => {
    cloud.inject({ action: 'CreateBackup', kind: 'timeout', ms: 1_000 });
    const started = Date.now();
    const e = await refusal(call(mongodb, 'CreateBackup', { DBInstanceId: 'dds-sample1' }, ak, 300));
    expect(e).toMatchObject({ code: 'ReadTimeout', ambiguous: true });
    expect(Date.now() - started).toBeLessThan(900);
    expect(cloud.jobs('mongodb')).toHaveLength(1);
  });

  it('faults are scoped by instance and consumed by count; latency delays the answer', async () => {
    cloud.inject({ action: 'CreateBackup', instanceId: 'rm-sample2', kind: 'throttle', times: 2 });
    await call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample1' });
    await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample2' }));
    await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample2' }));
    await call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample2' });
    cloud.inject({ action: 'DescribeBackupTasks', kind: 'latency', ms: 200 });
    const t = Date.now();
    await call(rds, 'DescribeBackupTasks', { DBInstanceId: 'rm-sample1' });
    expect(Date.now() - t).toBeGreaterThanOrEqual(190);
  });

  it('job-fails: the job ends Failed in the task list and in DescribeBackups', async () => {
    cloud.inject({ action: 'CreateBackup', kind: 'job-fails' });
    const { BackupJobId } = (await call(rds, 'CreateBackup', { DBInstanceId: 'rm-sample1' })) as { BackupJobId: string };
    offset = 1_500;
    expect(rds.parseTasks(await call(rds, 'DescribeBackupTasks', rds.tasksQuery('rm-sample1', BackupJobId)))[0]?.state).toBe('failed');
    expect(cloud.jobs('rds')[0]?.state).toBe('failed');
  });

  it('is controllable over HTTP from another process', async () => {
    const post = (path: string, body?: unknown) => fetch(`${cloud.url}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
    await post('/__admin/instances', { product: 'rds', id: 'rm-admin' });
    await post('/__admin/faults', { action: 'CreateBackup', kind: 'throttle' });
    expect((await refusal(call(rds, 'CreateBackup', { DBInstanceId: 'rm-admin' }))).code).toBe('Throttling.User');
    await call(rds, 'CreateBackup', { DBInstanceId: 'rm-admin' });
    const jobs = (await (await fetch(`${cloud.url}/__admin/jobs`)).json()) as { instanceId: string }[];
    expect(jobs.map((j) => j.instanceId)).toEqual(['rm-admin']);
  });
});
