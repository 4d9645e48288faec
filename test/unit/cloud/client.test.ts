// The one cloud caller's timeouts hold on a kept-alive connection too: a stalled answer is a read timeout at the
// configured bound, however the connection was used before.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { callCloud } from '../../../shared/cloud/client';
import { products } from '../../../shared/cloud/products/registry';
import { BackupError } from '../../../shared/errors';

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 1_000 });
});
afterAll(() => cloud.close());

const call = (action: string, readMs: number) =>
  callCloud({
    catalog: products.polardb,
    endpoint: { protocol: 'http', host: new URL(cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action,
    query: { RegionId: 'cn-hangzhou', DBClusterId: 'pc-sample1' },
    timeouts: { connectMs: 5_000, readMs },
  });

it('a read with the same read timeout, then a stalled CreateBackup on the same socket: ReadTimeout (ambiguous) at the bound, not the server’s reset', async () => {
  await call('DescribeBackupTasks', 300);
  cloud.inject({ action: 'CreateBackup', kind: 'timeout', ms: 2_000 });
  const e = await call('CreateBackup', 300).then(
    () => undefined,
    (x: unknown) => x as BackupError,
  );
  expect(e).toBeInstanceOf(BackupError);
  // Without our own timer this was the server's reset after its 2 s stall (Network.ECONNRESET).
  expect(e?.code).toBe('ReadTimeout');
  expect(e?.ambiguous).toBe(true);
  // The job was created before the answer stalled: the caller must reconcile, which the ambiguity tells it.
  expect(cloud.jobs('polardb')).toHaveLength(1);
});
