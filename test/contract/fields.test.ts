// Contract: PolarDB (2017-08-01) and MongoDB (2015-12-01) against field lists drawn from their generated models in
// Alibaba Cloud's SDK sources (polardb-fields.ts, mongodb-fields.ts, each citing its files), as rds-model.test.ts does
// with the npm models: every call of the catalogs (exercise.ts) over the local cloud, then every wire parameter is a
// request field, every path a parser reads a response field, and every answer has only model fields of model types.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type InstanceSeed, type LocalCloud } from '../../local/cloud/index';
import { sampleInstances } from '../../local/cloud/server';
import type { ProductName } from '../../shared/cloud/products/catalog';
import { catalogOf } from '../../shared/cloud/products/registry';
import { closeStores, startInvocation } from '../../shared/fc/invocation';
import { exercise, type Exchange } from './exercise';
import { castIssues, unknownParams, unknownPaths, type Tree } from './model';
import * as mongodbFields from './mongodb-fields';
import * as polardbFields from './polardb-fields';

const lists: Record<'polardb' | 'mongodb', { fields: Record<string, { request: Tree; response: Tree }> }> = { polardb: polardbFields, mongodb: mongodbFields };

let cloud: LocalCloud;
let dir: string;
beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 50 });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-contract-fields-'));
});
afterAll(async () => {
  await closeStores();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(product: ProductName, id: string, seed?: InstanceSeed): Promise<Exchange[]> {
  cloud.reset();
  if (seed) cloud.addInstance(seed);
  const { deps } = startInvocation(
    { requestId: `contract-${product}`, credentials: null, function: { name: 'cli', timeout: 60 } },
    {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret', ALIBABA_CLOUD_REGION: 'cn-hangzhou',
        POLARDB_ENDPOINT: cloud.url, MONGODB_ENDPOINT: cloud.url, IDEMPOTENCY_STORE: `file:${dir}`,
      },
      sink: () => undefined,
    },
  );
  return exercise(product, id, cloud, deps);
}

const cases: { name: string; product: 'polardb' | 'mongodb'; id: string; seed?: InstanceSeed; actions: string[] }[] = [
  {
    name: 'PolarDB', product: 'polardb', id: 'pc-sample1',
    actions: ['CreateBackup', 'CreateDBCluster', 'DeleteBackup', 'DeleteDBCluster', 'DescribeBackupPolicy', 'DescribeBackupTasks', 'DescribeBackups', 'DescribeDBClusterAttribute', 'DescribeDBClusterEndpoints', 'DescribeDBClusters', 'DescribeLogBackupPolicy', 'ModifyBackupPolicy', 'ModifyLogBackupPolicy'],
  },
  {
    name: 'MongoDB replica set', product: 'mongodb', id: 'dds-sample1',
    actions: ['CreateBackup', 'CreateDBInstance', 'DeleteBackup', 'DeleteDBInstance', 'DescribeBackupPolicy', 'DescribeBackupTasks', 'DescribeBackups', 'DescribeDBInstanceAttribute', 'DescribeDBInstances', 'ModifyBackupPolicy'],
  },
  {
    name: 'MongoDB sharded cluster', product: 'mongodb', id: 'dds-cluster1',
    seed: { product: 'mongodb', id: 'dds-cluster1', tags: { backup: 'nightly', team: 'payments' }, mongo: { type: 'sharding', storageType: 'cloud_essd1', shards: ['d-s0', 'd-s1'] } },
    actions: ['CreateBackup', 'CreateDBInstance', 'DeleteDBInstance', 'DescribeBackupPolicy', 'DescribeBackupTasks', 'DescribeBackups', 'DescribeDBInstanceAttribute', 'DescribeDBInstances', 'ModifyBackupPolicy'],
  },
];

describe.each(cases)('$name: the catalogs against the field list', ({ product, id, seed, actions }) => {
  let calls: Exchange[];
  let sent: LocalCloud['requests'];
  const fields = (action: string) => {
    const f = lists[product].fields[action];
    if (!f) throw new Error(`no ${product} field list for ${action}`);
    return f;
  };
  beforeAll(async () => {
    calls = await run(product, id, seed);
    sent = cloud.requests.filter((r) => r.product === product);
  });

  it('covers every action the catalogs send', () => {
    expect([...new Set(sent.map((r) => r.action))].sort()).toEqual([...actions].sort());
  });

  it('every parameter on the wire is a request field (RegionId only where the list has one)', () => {
    const unknown: Record<string, string[]> = {};
    for (const r of sent) {
      const names = unknownParams(r.query, fields(r.action).request);
      if (names.length > 0) unknown[r.action] = [...new Set([...(unknown[r.action] ?? []), ...names])];
    }
    expect(unknown).toEqual({});
  });

  it('catalog.regionIdActions names exactly the actions whose request has RegionId', () => {
    const withRegion = Object.entries(lists[product].fields).filter(([, f]) => 'RegionId' in f.request).map(([a]) => a).sort();
    expect([...catalogOf(product).regionIdActions].sort()).toEqual(withRegion);
  });

  it('every response path a parser reads is a response field', () => {
    const unknown: Record<string, string[]> = {};
    for (const c of calls) {
      const paths = unknownPaths(c.reads, fields(c.action).response);
      if (paths.length > 0) unknown[c.action] = [...new Set([...(unknown[c.action] ?? []), ...paths])];
    }
    expect(unknown).toEqual({});
  });

  it('every local cloud answer has only response fields, each of the listed type', () => {
    const issues = [...new Set(calls.flatMap((c) => castIssues(c.body, fields(c.action).response).map((i) => `${c.action} ${i}`)))];
    expect(issues).toEqual([]);
  });
});

it('the sample instances include the ones these cases exercise', () => {
  expect(sampleInstances.map((s) => s.id)).toEqual(expect.arrayContaining(['pc-sample1', 'dds-sample1']));
});
