// The local cloud behaves like Alibaba Cloud for what the engine relies on, driven by the real client.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as OpenApi from '@alicloud/openapi-client';
import * as OpenApiUtilModule from '@alicloud/openapi-util';
import { RuntimeOptions } from '@alicloud/tea-util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, verifyAcs3, type LocalCloud } from '../../../local/cloud/index';
import { callCloud } from '../../../shared/cloud/client';
import type { Credentials } from '../../../shared/cloud/credentials';
import { products } from '../../../shared/cloud/products/registry';
import type { ProductCatalog } from '../../../shared/cloud/products/catalog';
import { rejection as refusal } from '../../helpers/errors';

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

  it('PolarDB: the same ClientToken replays the same job (Comment, no parameter of CreateBackup, ignored); another cluster → IdempotentParameterMismatch; 3 manual backups at most', async () => {
    const a = (await call(polardb, 'CreateBackup', { DBClusterId: 'pc-sample1', ClientToken: 'tok-1' })) as { BackupJobId: string };
    const b = (await call(polardb, 'CreateBackup', { DBClusterId: 'pc-sample1', ClientToken: 'tok-1', Comment: 'other' })) as { BackupJobId: string };
    expect(b.BackupJobId).toBe(a.BackupJobId);
    cloud.addInstance({ product: 'polardb', id: 'pc-other' });
    expect((await refusal(call(polardb, 'CreateBackup', { DBClusterId: 'pc-other', ClientToken: 'tok-1' }))).code).toBe('IdempotentParameterMismatch');
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

// ---------------------------------------------------------------------------------------------------------------
// The same cloud through the bare client (OpenApi Client.callApi, no project code in between): the wire names and
// shapes of every response, the documented statuses, and every fault kind as the client sees it.

// Both packages are CommonJS with `exports.default = X`; vitest may hand us the exports object instead of X.
const unwrap = <T>(m: unknown): T => (typeof m === 'function' ? m : (m as { default: unknown }).default) as T;
type BareClient = { callApi(p: OpenApi.Params, r: OpenApi.OpenApiRequest, rt: RuntimeOptions): Promise<{ body: Record<string, any> }> };
const Client = unwrap<new (c: OpenApi.Config) => BareClient>((OpenApi as unknown as { default: unknown }).default);
const OpenApiUtil = unwrap<{ query(q: Record<string, unknown>): Record<string, string> }>((OpenApiUtilModule as unknown as { default: unknown }).default);

type Product = 'rds' | 'polardb' | 'mongodb';
const version: Record<Product, string> = { rds: '2014-08-15', polardb: '2017-08-01', mongodb: '2015-12-01' };
const idParam: Record<Product, string> = { rds: 'DBInstanceId', polardb: 'DBClusterId', mongodb: 'DBInstanceId' };
const JOB_MS = 1_000;
type Failure = { code: string; statusCode: number; name: string; message: string; data?: Record<string, unknown> };

describe('wire format through the bare client', () => {
  let wc: LocalCloud;
  // The clock stays within the 15-minute signature window of the real one, and clear of a UTC midnight so the
  // RDS daily quota never straddles two days.
  let base = Date.now();
  if (86_400_000 - (base % 86_400_000) < 120_000) base += 86_400_000 - (base % 86_400_000) + 1_000;
  let shift = 0;
  const advance = (ms: number) => {
    shift += ms;
  };

  beforeAll(async () => {
    wc = await startLocalCloud({ jobDurationMs: JOB_MS, now: () => base + shift });
  });
  afterAll(() => wc.close());
  beforeEach(() => {
    wc.reset();
  });

  interface CallOpts {
    cred?: Credentials;
    readTimeout?: number;
    body?: Record<string, string>;
    to?: LocalCloud;
  }

  function bare(product: Product, action: string, query: Record<string, unknown>, o: CallOpts = {}): Promise<Record<string, any>> {
    const client = new Client(
      new OpenApi.Config({ ...(o.cred ?? ak), endpoint: `127.0.0.1:${(o.to ?? wc).port}`, protocol: 'http', readTimeout: o.readTimeout ?? 5_000, connectTimeout: 5_000 }),
    );
    const params = new OpenApi.Params({
      action,
      version: version[product],
      protocol: 'HTTP',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const request = new OpenApi.OpenApiRequest({ query: OpenApiUtil.query(query), body: o.body });
    return client.callApi(params, request, new RuntimeOptions({})).then((r) => r.body);
  }

  /** The error the client throws (fails the test if the call succeeds). */
  async function failure(p: Promise<unknown>): Promise<Failure> {
    try {
      await p;
    } catch (e) {
      return e as Failure;
    }
    throw new Error('expected the call to fail');
  }
  const codeOf = (p: Promise<unknown>) => failure(p).then((e) => [e.code, e.statusCode]);

  const create = (product: Product, id: string, extra: Record<string, unknown> = {}) => bare(product, 'CreateBackup', { [idParam[product]]: id, ...extra });
  const tasks = (product: Product, id: string, extra: Record<string, unknown> = {}) => bare(product, 'DescribeBackupTasks', { [idParam[product]]: id, ...extra });
  const minute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16)}Z`;
  const window = () => ({ StartTime: minute(base + shift - 3_600_000), EndTime: minute(base + shift + 3_600_000) });
  const backups = (product: Product, id: string, extra: Record<string, unknown> = {}) =>
    bare(product, 'DescribeBackups', { [idParam[product]]: id, ...(product === 'polardb' ? window() : {}), ...extra });

  describe('signatures', () => {
    it('verifies a signed form body, and a query with the characters querystring leaves raw', async () => {
      expect(await codeOf(create('rds', "rm-a b*(x)!'"))).toEqual(['InvalidDBInstanceName.NotFound', 404]);
      const r = await bare('rds', 'CreateBackup', {}, { body: { DBInstanceId: 'rm-sample1' } });
      expect(wc.jobs('rds', 'rm-sample1').map((j) => j.id)).toEqual([r.BackupJobId]);
    });

    it('statuses: SignatureDoesNotMatch 400, InvalidAccessKeyId.NotFound 404, InvalidSecurityToken.Mismatch 400, IllegalTimestamp 400, InvalidAction.NotFound 404', async () => {
      expect(await codeOf(bare('rds', 'DescribeDBInstances', { RegionId: 'cn-hangzhou' }, { cred: { ...ak, accessKeySecret: 'nope' } }))).toEqual(['SignatureDoesNotMatch', 400]);
      expect(await codeOf(bare('rds', 'DescribeDBInstances', { RegionId: 'cn-hangzhou' }, { cred: { accessKeyId: 'LTAI-who', accessKeySecret: 'x' } }))).toEqual(['InvalidAccessKeyId.NotFound', 404]);
      expect(await codeOf(bare('rds', 'DescribeDBInstances', { RegionId: 'cn-hangzhou' }, { cred: { ...sts, securityToken: 'stolen' } }))).toEqual(['InvalidSecurityToken.Mismatch', 400]);
      expect(await codeOf(bare('rds', 'DropEverything', {}))).toEqual(['InvalidAction.NotFound', 404]);
      advance(-16 * 60_000);
      try {
        expect(await codeOf(bare('rds', 'DescribeDBInstances', { RegionId: 'cn-hangzhou' }))).toEqual(['IllegalTimestamp', 400]);
      } finally {
        advance(16 * 60_000);
      }
    });

    it('answers an unsigned request with IncompleteSignature as JSON with the gateway’s fields', async () => {
      const res = await fetch(`${wc.url}/?DBInstanceId=rm-sample1`, { method: 'POST', headers: { 'x-acs-action': 'CreateBackup', 'x-acs-version': '2014-08-15' } });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
      expect(body.Code).toBe('IncompleteSignature');
      expect(wc.jobs()).toHaveLength(0);
    });

    it('verifyAcs3 detects a tampered body, query or signed-header list on a request the real client sent', async () => {
      let captured: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer } | undefined;
      const capture = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          captured = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((r) => capture.listen(0, '127.0.0.1', r));
      const client = new Client(new OpenApi.Config({ ...sts, endpoint: `127.0.0.1:${(capture.address() as AddressInfo).port}`, protocol: 'http' }));
      const params = new OpenApi.Params({ action: 'CreateBackup', version: '2014-08-15', protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
      await client.callApi(params, new OpenApi.OpenApiRequest({ query: OpenApiUtil.query({ DBInstanceId: 'rm-1' }), body: { Comment: 'x' } }), new RuntimeOptions({}));
      capture.close();
      const req = captured!;
      const keys = [{ accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret, securityToken: sts.securityToken }];
      const now = Date.now();
      expect(verifyAcs3(req, keys, now)).toMatchObject({ ok: true, accessKeyId: 'STS.local', securityToken: 'sts-token' });
      expect(verifyAcs3({ ...req, body: Buffer.from('Comment=y') }, keys, now)).toMatchObject({ ok: false, reason: 'mismatch' });
      expect(verifyAcs3({ ...req, url: req.url.replace('rm-1', 'rm-2') }, keys, now)).toMatchObject({ ok: false, reason: 'mismatch' });
      const fewer = String(req.headers.authorization).replace('x-acs-security-token;', '');
      expect(verifyAcs3({ ...req, headers: { ...req.headers, authorization: fewer } }, keys, now)).toMatchObject({ ok: false, reason: 'incomplete' });
    });
  });

  describe('CreateBackup → DescribeBackupTasks → DescribeBackups', () => {
    it('RDS: NoStart → Preparing → Uploading → Finished in Items.BackupJob, then a Success set in Items.Backup', async () => {
      const { BackupJobId: jobId } = await create('rds', 'rm-sample1', { BackupMethod: 'Physical' });
      expect(jobId).toMatch(/^\d+$/);
      const seen = [];
      for (let i = 0; i < 3; i++) {
        const [job] = (await tasks('rds', 'rm-sample1')).Items.BackupJob;
        expect(job).toMatchObject({ BackupJobId: jobId, JobMode: 'Manual', TaskAction: 'TempBackupTask' });
        seen.push([job.BackupStatus, job.Process]);
        advance(JOB_MS * 0.3);
      }
      expect(seen).toEqual([
        ['NoStart', '0'],
        ['Preparing', '30'],
        ['Uploading', '60'],
      ]);
      expect((await tasks('rds', 'rm-sample1', { BackupJobStatus: 'NoStart' })).Items.BackupJob).toEqual([]);
      advance(JOB_MS);
      expect((await tasks('rds', 'rm-sample1')).Items.BackupJob).toEqual([]);
      const [done] = (await tasks('rds', 'rm-sample1', { BackupJobId: jobId })).Items.BackupJob;
      expect(done).toMatchObject({ BackupJobId: jobId, BackupStatus: 'Finished', Process: '100' });
      const list = (await backups('rds', 'rm-sample1')).Items.Backup;
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ BackupId: done.BackupId, BackupStatus: 'Success', BackupMode: 'Manual', BackupMethod: 'Physical' });
      expect(list[0].BackupStartTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(list[0].BackupSize).toBeGreaterThan(0);
    });

    it('PolarDB: BackupProgressStatus/Process/StartTime, then Items.Backup named by the job id with BackupSetSize', async () => {
      const { BackupJobId: jobId } = await create('polardb', 'pc-sample1');
      advance(JOB_MS / 2);
      const [job] = (await tasks('polardb', 'pc-sample1')).Items.BackupJob;
      expect(job).toMatchObject({ BackupJobId: jobId, BackupProgressStatus: 'Uploading', Process: '50', JobMode: 'Manual' });
      expect(job.StartTime).toMatch(/Z$/);
      advance(JOB_MS);
      expect((await tasks('polardb', 'pc-sample1', { BackupJobId: jobId })).Items.BackupJob[0].BackupProgressStatus).toBe('Finished');
      const list = (await backups('polardb', 'pc-sample1')).Items.Backup;
      expect(list).toMatchObject([{ BackupId: jobId, BackupStatus: 'Success', BackupMode: 'Manual', BackupMethod: 'Snapshot' }]);
      expect(Number(list[0].BackupSetSize)).toBeGreaterThan(0);
      const e = await failure(bare('polardb', 'DescribeBackups', { DBClusterId: 'pc-sample1', EndTime: window().EndTime }));
      expect([e.code, e.statusCode, e.data?.Message]).toEqual(['MissingParameter', 400, 'The input parameter "StartTime" that is mandatory for processing this request is not supplied.']);
    });

    it('MongoDB: BackupJobs[].BackupjobId (sic) Scheduled → Backuping → Finished, then Backups.Backup with BackupJobId', async () => {
      const created = await create('mongodb', 'dds-sample1');
      expect(created.BackupId).toBeTruthy();
      expect((await tasks('mongodb', 'dds-sample1')).BackupJobs).toMatchObject([{ BackupjobId: created.BackupJobId, BackupSetStatus: 'Scheduled', Progress: '0%', JobMode: 'Manual' }]);
      advance(JOB_MS / 2);
      expect((await tasks('mongodb', 'dds-sample1')).BackupJobs[0]).toMatchObject({ BackupSetStatus: 'Backuping', Progress: '50%' });
      advance(JOB_MS);
      // The document says to pass CreateBackup's backup id as BackupJobId; the job id works too.
      for (const ref of [created.BackupJobId, created.BackupId]) {
        expect((await tasks('mongodb', 'dds-sample1', { BackupJobId: ref })).BackupJobs).toMatchObject([{ BackupjobId: created.BackupJobId, BackupSetStatus: 'Finished', Progress: '100%' }]);
      }
      const res = await backups('mongodb', 'dds-sample1');
      expect(res.Backups.Backup).toMatchObject([{ BackupId: created.BackupId, BackupJobId: created.BackupJobId, BackupStatus: 'Success', BackupMode: 'Manual' }]);
      expect(res.TotalCount).toBe(1);
    });

    it('DescribeBackups honours the time window, BackupMode and pagination', async () => {
      for (let i = 0; i < 3; i++) {
        await create('rds', 'rm-sample1');
        advance(JOB_MS);
      }
      const page2 = await backups('rds', 'rm-sample1', { PageSize: 2, PageNumber: 2 });
      expect([page2.TotalRecordCount, page2.PageNumber, page2.PageRecordCount, page2.Items.Backup.length]).toEqual(['3', '2', '1', 1]);
      expect((await backups('rds', 'rm-sample1', { StartTime: minute(base - 7_200_000), EndTime: minute(base - 3_600_000) })).Items.Backup).toEqual([]);
      expect((await backups('rds', 'rm-sample1', { BackupMode: 'Automated' })).Items.Backup).toEqual([]);
    });
  });

  describe('documented refusals', () => {
    it('one running job: RDS 400 BackupJobExists, MongoDB 403 OperationDenied.BackupJobExists', async () => {
      await create('rds', 'rm-sample1');
      await create('mongodb', 'dds-sample1');
      expect(await codeOf(create('rds', 'rm-sample1'))).toEqual(['BackupJobExists', 400]);
      expect(await codeOf(create('mongodb', 'dds-sample1'))).toEqual(['OperationDenied.BackupJobExists', 403]);
      expect(wc.jobs()).toHaveLength(2);
    });

    it('RDS: the 21st backup of an instance in one UTC day is 403 Exceeded.BackupTimes', async () => {
      for (let i = 0; i < 20; i++) {
        await create('rds', 'rm-sample2');
        advance(JOB_MS);
      }
      expect(await codeOf(create('rds', 'rm-sample2'))).toEqual(['Exceeded.BackupTimes', 403]);
      expect(wc.jobs('rds', 'rm-sample2')).toHaveLength(20);
    });

    it('PolarDB: replay consumes nothing; 3 manual backups finished or not (403 BackupTimesExceeded); deleting one frees a slot', async () => {
      const a = await create('polardb', 'pc-sample1', { ClientToken: 't1', Comment: 'nightly' });
      expect(wc.jobs('polardb')[0]?.clientToken).toBe('t1');
      // Comment is no parameter of PolarDB's CreateBackup: a different one is the same request.
      expect((await create('polardb', 'pc-sample1', { ClientToken: 't1', Comment: 'other' })).BackupJobId).toBe(a.BackupJobId);
      await create('polardb', 'pc-sample1', { ClientToken: 't2' });
      advance(JOB_MS);
      await create('polardb', 'pc-sample1', { ClientToken: 't3' });
      expect(await codeOf(create('polardb', 'pc-sample1', { ClientToken: 't4' }))).toEqual(['BackupTimesExceeded', 403]);
      expect((await create('polardb', 'pc-sample1', { ClientToken: 't1', Comment: 'nightly' })).BackupJobId).toBe(a.BackupJobId);
      wc.deleteBackup('polardb', a.BackupJobId);
      await create('polardb', 'pc-sample1', { ClientToken: 't4' });
      expect(wc.jobs('polardb')).toHaveLength(4);
      expect((await backups('polardb', 'pc-sample1')).Items.Backup.map((b: { BackupId: string }) => b.BackupId)).toEqual([wc.jobs('polardb')[1]?.id]);
    });

    it('DeleteBackup, PolarDB: frees a slot; a comma list deletes several; unknown, running or deleted ids are 400 InvalidBackupSetID.NotFound and delete nothing', async () => {
      const del = (ids: string) => bare('polardb', 'DeleteBackup', { DBClusterId: 'pc-sample1', BackupId: ids });
      const [a, b] = [await create('polardb', 'pc-sample1'), await create('polardb', 'pc-sample1')];
      expect(await codeOf(del(`${a.BackupJobId},${b.BackupJobId}`))).toEqual(['InvalidBackupSetID.NotFound', 400]);
      advance(JOB_MS);
      const c = await create('polardb', 'pc-sample1');
      expect(await codeOf(create('polardb', 'pc-sample1'))).toEqual(['BackupTimesExceeded', 403]);
      expect(await codeOf(del(`${a.BackupJobId},nope`))).toEqual(['InvalidBackupSetID.NotFound', 400]);
      expect((await del(a.BackupJobId)).RequestId).toBeTypeOf('string');
      expect(await codeOf(del(a.BackupJobId))).toEqual(['InvalidBackupSetID.NotFound', 400]);
      await create('polardb', 'pc-sample1');
      advance(JOB_MS);
      await del(`${b.BackupJobId},${c.BackupJobId}`);
      const listed = (await backups('polardb', 'pc-sample1')).Items.Backup.map((x: { BackupId: string }) => x.BackupId);
      expect(listed).toEqual([wc.jobs('polardb')[3]?.id]);
      expect(await codeOf(bare('polardb', 'DeleteBackup', { DBClusterId: 'pc-none', BackupId: '1' }))).toEqual(['InvalidDBClusterId.NotFound', 404]);
      expect(await codeOf(bare('polardb', 'DeleteBackup', { DBClusterId: 'pc-sample1' }))).toEqual(['MissingParameter', 400]);
    });

    it('DeleteBackup, RDS: only sets older than 7 days (403 IncorrectBackupSetState), at most 100 ids, StoreStatus Enabled listed', async () => {
      const a = await create('rds', 'rm-sample1');
      advance(JOB_MS);
      const del = (ids: string) => bare('rds', 'DeleteBackup', { DBInstanceId: 'rm-sample1', BackupId: ids });
      const setId = wc.jobs('rds')[0]?.backupId as string;
      expect(a.BackupJobId).not.toBe(setId);
      expect((await backups('rds', 'rm-sample1')).Items.Backup[0].StoreStatus).toBe('Enabled');
      expect(await codeOf(del(setId))).toEqual(['IncorrectBackupSetState', 403]);
      expect(await codeOf(del(Array.from({ length: 101 }, (_, i) => String(i)).join(',')))).toEqual(['DeleteBackupSetNumExceed', 400]);
      wc.backdate('rds', setId, 7 * 86_400_000);
      await del(setId);
      expect((await backups('rds', 'rm-sample1')).Items.Backup).toEqual([]);
      // RDS's own spelling (unconfirmed for DeleteBackup: docs/cloud-contract.md "Error codes").
      expect(await codeOf(del(setId))).toEqual(['InvalidBackupId.NotFound', 404]);
    });

    it('DeleteBackup, MongoDB: one id per call; refused while a backup job runs (403 OperationDenied.BackupJobExists)', async () => {
      const a = await create('mongodb', 'dds-sample1');
      const del = (id: string) => bare('mongodb', 'DeleteBackup', { DBInstanceId: 'dds-sample1', BackupId: id });
      expect(await codeOf(del(a.BackupId))).toEqual(['OperationDenied.BackupJobExists', 403]);
      advance(JOB_MS);
      const b = await create('mongodb', 'dds-sample1');
      advance(JOB_MS);
      expect(await codeOf(del(`${a.BackupId},${b.BackupId}`))).toEqual(['InvalidBackupSetID.NotFound', 400]);
      await del(a.BackupId);
      expect((await backups('mongodb', 'dds-sample1')).Backups.Backup.map((x: { BackupId: string }) => x.BackupId)).toEqual([b.BackupId]);
    });

    it('DeleteBackup, MongoDB: an automated backup is refused (403 OperationDenied.BackupMode; only manual backups can be deleted)', async () => {
      wc.addInstance({ product: 'mongodb', id: 'dds-auto', automatedBackup: { startMs: (base + shift) % 86_400_000, durationMs: JOB_MS } });
      await tasks('mongodb', 'dds-auto');
      advance(JOB_MS);
      const [auto] = (await backups('mongodb', 'dds-auto')).Backups.Backup as { BackupId: string; BackupMode: string }[];
      expect(auto?.BackupMode).toBe('Automated');
      expect(await codeOf(bare('mongodb', 'DeleteBackup', { DBInstanceId: 'dds-auto', BackupId: auto?.BackupId }))).toEqual(['OperationDenied.BackupMode', 403]);
    });

    it('not Running: RDS and MongoDB 403 IncorrectDBInstanceState, PolarDB 400 OperationDenied.DBClusterStatus', async () => {
      wc.setInstanceStatus('rds', 'rm-sample1', 'Rebooting');
      wc.setInstanceStatus('polardb', 'pc-sample1', 'Creating');
      wc.setInstanceStatus('mongodb', 'dds-sample1', 'Restarting');
      expect(await codeOf(create('rds', 'rm-sample1'))).toEqual(['IncorrectDBInstanceState', 403]);
      expect(await codeOf(create('polardb', 'pc-sample1'))).toEqual(['OperationDenied.DBClusterStatus', 400]);
      expect(await codeOf(create('mongodb', 'dds-sample1'))).toEqual(['IncorrectDBInstanceState', 403]);
      expect(wc.jobs()).toHaveLength(0);
    });

    it('enums and ranges: BackupMethod (RDS, MongoDB), BackupRetentionPeriod 7–730 or -1; PolarDB ignores parameters it does not have', async () => {
      expect(await codeOf(create('rds', 'rm-sample1', { BackupMethod: 'Tape' }))).toEqual(['InvalidBackupMethod.ValueNotSupport', 400]);
      expect(await codeOf(create('mongodb', 'dds-sample1', { BackupMethod: 'Tape' }))).toEqual(['InvalidBackupMethod.ValueNotSupport', 400]);
      for (const days of [6, 731, 0]) expect(await codeOf(create('mongodb', 'dds-sample1', { BackupRetentionPeriod: days }))).toEqual(['InvalidParameter', 400]);
      await create('mongodb', 'dds-sample1', { BackupRetentionPeriod: -1 });
      await create('polardb', 'pc-sample1', { BackupMethod: 'Tape' });
      expect(wc.jobs().map((j) => j.product)).toEqual(['mongodb', 'polardb']);
    });
  });

  describe('faults as the client sees them', () => {
    it('drop-after-create: no HTTP answer, one job; the retry reaches the cloud and meets the running job', async () => {
      wc.inject({ action: 'CreateBackup', product: 'rds', kind: 'drop-after-create' });
      const e = await failure(create('rds', 'rm-sample1'));
      expect(e.statusCode).toBeUndefined();
      expect(wc.jobs('rds', 'rm-sample1')).toHaveLength(1);
      expect(await codeOf(create('rds', 'rm-sample1'))).toEqual(['BackupJobExists', 400]);
    });

    it('status: 503 ServiceUnavailable by default or the given status and code, `times` times, nothing done', async () => {
      wc.inject({ action: 'CreateBackup', kind: 'status', times: 2 });
      wc.inject({ action: 'CreateBackup', kind: 'status', status: 500, code: 'InternalError' });
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await codeOf(create('polardb', 'pc-sample1', { ClientToken: 'same' })));
      expect(answers).toEqual([
        ['ServiceUnavailable', 503],
        ['ServiceUnavailable', 503],
        ['InternalError', 500],
      ]);
      expect(wc.jobs()).toHaveLength(0);
      await create('polardb', 'pc-sample1', { ClientToken: 'same' });
      expect(wc.jobs()).toHaveLength(1);
    });

    it('throttle: 400 Throttling.User with the gateway message, forever with times: Infinity, until cleared', async () => {
      wc.inject({ instanceId: 'rm-sample1', kind: 'throttle', times: Infinity });
      for (let i = 0; i < 3; i++) {
        const e = await failure(create('rds', 'rm-sample1'));
        expect([e.code, e.statusCode, e.data?.Message]).toEqual(['Throttling.User', 400, 'Request was denied due to user flow control.']);
      }
      wc.clearFaults();
      await create('rds', 'rm-sample1');
      expect(wc.jobs()).toHaveLength(1);
    });

    it('reset: the connection drops before anything is done', async () => {
      wc.inject({ action: 'CreateBackup', kind: 'reset' });
      expect((await failure(create('rds', 'rm-sample1'))).statusCode).toBeUndefined();
      expect(wc.jobs()).toHaveLength(0);
    });

    it('timeout: RequestTimeoutError at the client’s readTimeout, the job exists', async () => {
      wc.inject({ action: 'CreateBackup', kind: 'timeout', ms: 5_000 });
      const t = Date.now();
      const e = await failure(bare('rds', 'CreateBackup', { DBInstanceId: 'rm-sample1' }, { readTimeout: 300 }));
      expect(e.name).toBe('RequestTimeoutError');
      expect(Date.now() - t).toBeLessThan(2_000);
      expect(wc.jobs('rds', 'rm-sample1')).toHaveLength(1);
    });

    it('job-fails is used up only by a CreateBackup; an instance with failBackups fails every backup', async () => {
      wc.inject({ instanceId: 'rm-sample1', kind: 'job-fails' });
      await tasks('rds', 'rm-sample1');
      const { BackupJobId } = await create('rds', 'rm-sample1');
      wc.addInstance({ product: 'mongodb', id: 'dds-broken', failBackups: true });
      await create('mongodb', 'dds-broken');
      advance(JOB_MS);
      expect((await tasks('rds', 'rm-sample1', { BackupJobId })).Items.BackupJob[0].BackupStatus).toBe('Failed');
      expect((await backups('rds', 'rm-sample1')).Items.Backup[0].BackupStatus).toBe('Failed');
      expect((await backups('mongodb', 'dds-broken')).Backups.Backup[0].BackupStatus).toBe('Failed');
      await create('rds', 'rm-sample1');
      advance(JOB_MS);
      expect(wc.jobs().map((j) => j.state)).toEqual(['failed', 'failed', 'succeeded']);
    });

    it('/__admin: faults (times "Infinity"), DELETE faults, jobs, requests, instances, reset', async () => {
      const admin = (path: string, method = 'GET', body?: unknown) =>
        fetch(`${wc.url}/__admin/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) }).then((r) => r.json() as Promise<any>);
      await admin('instances', 'POST', { product: 'rds', id: 'rm-admin' });
      await admin('faults', 'POST', { action: 'CreateBackup', kind: 'status', times: 'Infinity' });
      expect((await failure(create('rds', 'rm-admin'))).code).toBe('ServiceUnavailable');
      expect((await failure(create('rds', 'rm-admin'))).code).toBe('ServiceUnavailable');
      await admin('faults', 'DELETE');
      const { BackupJobId } = await create('rds', 'rm-admin');
      expect((await admin('jobs')).map((j: { id: string }) => j.id)).toEqual([BackupJobId]);
      expect((await admin('requests')).map((r: { code?: string }) => r.code ?? 'ok')).toEqual(['ServiceUnavailable', 'ServiceUnavailable', 'ok']);
      await admin('reset', 'POST');
      expect(await admin('jobs')).toEqual([]);
      expect((await failure(create('rds', 'rm-admin'))).code).toBe('InvalidDBInstanceName.NotFound');
    });

    it('latencyMs delays every answer', async () => {
      const slow = await startLocalCloud({ latencyMs: 250 });
      try {
        const t = Date.now();
        await bare('rds', 'DescribeDBInstances', { RegionId: 'cn-hangzhou' }, { to: slow });
        expect(Date.now() - t).toBeGreaterThanOrEqual(240);
      } finally {
        await slow.close();
      }
    });
  });

  describe('listing by tag, page by page', () => {
    beforeEach(() => {
      for (let i = 1; i <= 5; i++) {
        const tags = { backup: i <= 3 ? 'hourly' : 'never', team: 'core' };
        wc.addInstance({ product: 'rds', id: `rm-t${i}`, tags, engine: 'PostgreSQL' });
        wc.addInstance({ product: 'polardb', id: `pc-t${i}`, tags });
        wc.addInstance({ product: 'mongodb', id: `dds-t${i}`, tags, regionId: i === 3 ? 'cn-shanghai' : undefined });
      }
    });

    it('RDS DescribeDBInstances: Tags as JSON (array or the documented object form) → Items.DBInstance, TotalRecordCount', async () => {
      const page1 = await bare('rds', 'DescribeDBInstances', { RegionId: 'cn-hangzhou', Tags: '[{"Key":"backup","Value":"hourly"}]', PageSize: 2 });
      const page2 = await bare('rds', 'DescribeDBInstances', { RegionId: 'cn-hangzhou', Tags: '{"backup":"hourly","team":"core"}', PageSize: 2, PageNumber: 2 });
      expect(page1.Items.DBInstance).toEqual([
        { DBInstanceId: 'rm-t1', RegionId: 'cn-hangzhou', DBInstanceStatus: 'Running', Engine: 'PostgreSQL' },
        { DBInstanceId: 'rm-t2', RegionId: 'cn-hangzhou', DBInstanceStatus: 'Running', Engine: 'PostgreSQL' },
      ]);
      expect([page1.TotalRecordCount, page1.PageNumber, page1.PageRecordCount]).toEqual([3, 1, 2]);
      expect([page2.Items.DBInstance.map((i: { DBInstanceId: string }) => i.DBInstanceId), page2.PageRecordCount]).toEqual([['rm-t3'], 1]);
    });

    it('PolarDB DescribeDBClusters: Tag.N.Key/Value → Items.DBCluster', async () => {
      const r = await bare('polardb', 'DescribeDBClusters', { RegionId: 'cn-hangzhou', Tag: [{ Key: 'backup', Value: 'hourly' }, { Key: 'team', Value: 'core' }], PageSize: 2, PageNumber: 2 });
      expect(wc.requests.at(-1)?.query).toMatchObject({ 'Tag.1.Key': 'backup', 'Tag.2.Value': 'core' });
      expect(r.Items.DBCluster).toEqual([{ DBClusterId: 'pc-t3', RegionId: 'cn-hangzhou', DBClusterStatus: 'Running' }]);
      expect([r.TotalRecordCount, r.PageNumber, r.PageRecordCount]).toEqual([3, 2, 1]);
    });

    it('MongoDB DescribeDBInstances: Tag.N.Key/Value and RegionId → DBInstances.DBInstance, TotalCount, PageSize', async () => {
      const r = await bare('mongodb', 'DescribeDBInstances', { RegionId: 'cn-hangzhou', Tag: [{ Key: 'backup', Value: 'hourly' }], PageSize: 1 });
      expect(r.DBInstances.DBInstance).toEqual([{ DBInstanceId: 'dds-t1', RegionId: 'cn-hangzhou', DBInstanceStatus: 'Running', DBInstanceType: 'replicate', StorageType: 'local_ssd', ReplicationFactor: '3' }]);
      expect([r.TotalCount, r.PageNumber, r.PageSize]).toEqual([2, 1, 1]);
      expect(await codeOf(bare('mongodb', 'DescribeDBInstances', { Tag: [{ Key: 'backup', Value: 'hourly' }] }))).toEqual(['MissingParameter', 400]);
    });

    it('PageSize defaults to 30 and is capped at 100', async () => {
      for (let i = 0; i < 120; i++) wc.addInstance({ product: 'polardb', id: `pc-bulk${String(i).padStart(3, '0')}` });
      const def = await bare('polardb', 'DescribeDBClusters', { RegionId: 'cn-hangzhou' });
      const big = await bare('polardb', 'DescribeDBClusters', { RegionId: 'cn-hangzhou', PageSize: 500 });
      expect([def.Items.DBCluster.length, big.Items.DBCluster.length, big.TotalRecordCount]).toEqual([30, 100, 126]);
    });
  });
});
