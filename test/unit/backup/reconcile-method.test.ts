// Reconciliation adopts only a job or set of the method asked for: a DBA's console Logical or Snapshot backup that
// finished inside our window is someone else's, never a Physical request's own. Drives the real reconcile look
// through the engine's bound caller against the local cloud over real HTTP (issue 21: `matchesShape` ignoring the
// method left the suite green).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { callerFor } from '../../../shared/backup/engine';
import { look } from '../../../shared/backup/reconcile';
import type { Target } from '../../../shared/backup/targets';
import { callCloud } from '../../../shared/cloud/client';
import { products } from '../../../shared/cloud/products/registry';
import { closeStores, startInvocation } from '../../../shared/fc/invocation';
import { until } from '../../helpers/wait';

let cloud: LocalCloud;
let dir: string;
beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 200 });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-reconcile-method-'));
});
afterAll(async () => {
  await closeStores();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

const consoleBackup = (DBInstanceId: string, BackupMethod: string) =>
  callCloud({
    catalog: products.rds,
    endpoint: { protocol: 'http', host: new URL(cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action: 'CreateBackup',
    query: { RegionId: 'cn-hangzhou', DBInstanceId, BackupMethod },
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });

function readerFor(target: Target) {
  const env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
    ALIBABA_CLOUD_REGION: 'cn-hangzhou',
    RDS_ENDPOINT: cloud.url,
    IDEMPOTENCY_STORE: `file:${dir}`,
    LOG_LEVEL: 'error',
  };
  const inv = startInvocation({ requestId: 'reconcile-method', credentials: null, function: { name: 'cli', timeout: 60 } }, { env });
  return callerFor(target, inv.deps);
}

it.each(['Logical', 'Snapshot'])('a console %s set inside the window is not adopted for a Physical request; a request of its own method finds it', async (method) => {
  const since = Date.now() - 60_000;
  const other = await consoleBackup('rm-sample2', method);
  await until('the console job finished', 5_000, () => cloud.jobs('rds').every((j) => j.state === 'succeeded'));
  const target: Target = { product: 'rds', DBInstanceId: 'rm-sample2', BackupMethod: 'Physical' };
  const window = { since, until: Date.now() + 60_000, runningBefore: [] };
  const seen = await look(target, readerFor(target), window);
  expect(seen.running).toEqual([]);
  expect(seen.ours).toBeUndefined();

  // The control: the same set, asked for by a request of its own method, is found — so the refusal above is the
  // method's doing, not the window's.
  const same: Target = { product: 'rds', DBInstanceId: 'rm-sample2', BackupMethod: method as 'Logical' | 'Snapshot' };
  const found = await look(same, readerFor(same), window);
  expect(found.ours?.jobId ?? found.ours?.backupId).toBeDefined();
  expect(String(other.BackupJobId)).toBeTruthy();
});
