// The HTTP functions as FC runs them, on loopback: the local cloud (with FC invoke running backup-worker), the
// gateway turning requests into FC 3.0 HTTP events for the built bundles, and a receiver for chat results.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../local/cloud/index';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import { startGateway } from '../../local/stack/http-gateway';
import { startReceiver } from '../../local/stack/receiver';
import { stsCredentials } from './fc';

export const secrets = { deploy: 'test-deploy-secret-3f9a', slack: 'test-slack-secret-8c1d', dingtalk: 'test-dingtalk-secret-5e7b' };

export interface Stack {
  cloud: LocalCloud;
  gateway: string;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  close(): Promise<void>;
}

export async function startStack(o: LocalCloudOptions = {}, env: Record<string, string> = {}): Promise<Stack> {
  const dist = join(__dirname, '..', '..', 'dist');
  const cloud = await startLocalCloud({ jobDurationMs: 300, retryDelayMs: 20, distDir: dist, ...o });
  const receiver = await startReceiver();
  const storeDir = mkdtempSync(join(tmpdir(), 'fcdb-stack-'));
  Object.assign(process.env, {
    RDS_ENDPOINT: cloud.url,
    POLARDB_ENDPOINT: cloud.url,
    MONGODB_ENDPOINT: cloud.url,
    FC_ENDPOINT: cloud.url,
    IDEMPOTENCY_STORE: `file:${storeDir}`,
    WORKER_FUNCTION: 'backup-worker',
    DEPLOY_HOOK_SECRET: secrets.deploy,
    SLACK_SIGNING_SECRET: secrets.slack,
    DINGTALK_APP_SECRET: secrets.dingtalk,
    STATUS_POLL_MS: '50',
    CLOUD_READ_TIMEOUT_MS: '2000',
    ...env,
  });
  const gateway = await startGateway({
    functions: Object.fromEntries(
      ['deploy-hook', 'chatops'].map((name) => [name, { handler: loadHandler(name, dist), context: () => fcContext(name, { credentials: stsCredentials, timeoutSec: 30 }) }]),
    ),
  });
  return {
    cloud,
    gateway: gateway.url,
    receiver,
    async close() {
      await cloud.close();
      await Promise.all([gateway.close(), receiver.close()]);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
