// A DeleteBackup repeated after it took effect (a redelivery, a retry after a lost answer) finds the set gone, and
// retention counts that as done. Each product says "no such backup set" its own way (docs/cloud-contract.md, "Error
// codes"; the catalogs' retention.goneCodes), and the local cloud answers each product's own: RDS's
// InvalidBackupId.NotFound was a failure when only PolarDB's InvalidBackupSetID.NotFound counted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { callerFor } from '../../../shared/backup/engine';
import type { Target } from '../../../shared/backup/targets';
import { callCloud } from '../../../shared/cloud/client';
import { products } from '../../../shared/cloud/products/registry';
import { closeStores, startInvocation } from '../../../shared/fc/invocation';
import { carryOut } from '../../../shared/retention/deletion';
import { until } from '../../helpers/wait';

let cloud: LocalCloud;
let dir: string;
beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 60 });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-gone-'));
});
afterAll(async () => {
  await closeStores();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => cloud.reset());

const invocation = () =>
  startInvocation(
    { requestId: 'already-gone', credentials: null, function: { name: 'tracker', timeout: 60 } },
    {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
        ALIBABA_CLOUD_REGION: 'cn-hangzhou',
        RDS_ENDPOINT: cloud.url,
        POLARDB_ENDPOINT: cloud.url,
        MONGODB_ENDPOINT: cloud.url,
        IDEMPOTENCY_STORE: `file:${dir}`,
      },
      sink: () => undefined,
    },
  );

const call = (product: keyof typeof products, action: string, query: Record<string, string>) =>
  callCloud({
    catalog: products[product],
    endpoint: { protocol: 'http', host: new URL(cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action,
    query,
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });

/** A finished manual backup, old enough for any product's DeleteBackup; its set id. */
async function finishedSet(product: keyof typeof products, id: string): Promise<string> {
  await call(product, 'CreateBackup', { [products[product].idField]: id });
  const job = await until('the backup finished', 5_000, () => cloud.jobs(product, id).find((j) => j.state === 'succeeded'));
  const setId = job.backupId as string;
  cloud.backdate(product, setId, 8 * 86_400_000);
  return setId;
}

it.each([
  ['rds', 'rm-sample1', 'InvalidBackupId.NotFound'],
  ['polardb', 'pc-sample1', 'InvalidBackupSetID.NotFound'],
  ['mongodb', 'dds-sample1', 'InvalidBackupSetID.NotFound'],
] as const)('%s %s: a set deleted already is "already-gone", the cloud having answered %s', async (product, id, code) => {
  const setId = await finishedSet(product, id);
  await call(product, 'DeleteBackup', { [products[product].idField]: id, BackupId: setId });
  const inv = invocation();
  const target = { product, [products[product].idField]: id } as unknown as Target;
  const [result] = await carryOut(callerFor(target, inv.deps), id, [{ kind: 'policy', backupId: setId, reason: 'test' }], inv.retention);
  expect(cloud.requests.filter((r) => r.action === 'DeleteBackup').map((r) => r.code)).toEqual([undefined, code]);
  expect(result).toMatchObject({ backupId: setId, outcome: 'already-gone' });
  expect(result?.error).toBeUndefined();
});

it("an instance's not-found is no set gone: the deletion failed", async () => {
  const inv = invocation();
  const target = { product: 'rds', DBInstanceId: 'rm-none' } as unknown as Target;
  const [result] = await carryOut(callerFor(target, inv.deps), 'rm-none', [{ kind: 'policy', backupId: '1', reason: 'test' }], inv.retention);
  expect(result).toMatchObject({ outcome: 'failed', error: { code: 'InvalidDBInstanceName.NotFound' } });
});
