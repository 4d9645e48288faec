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
import { startInvocation } from '../../shared/fc/invocation';
import { SHARDS } from '../../shared/history/history';
import type { Target } from '../../shared/backup/targets';

export const secrets = { deploy: 'test-deploy-secret-3f9a', slack: 'test-slack-secret-8c1d', dingtalk: 'test-dingtalk-secret-5e7b', dashboard: 'test-dashboard-secret-9d4e' };

export const notifySecret = 'test-dingtalk-robot-secret-6a2c';

export interface Stack {
  cloud: LocalCloud;
  gateway: string;
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** One run of the tracker bundle, as its timer runs it; resolves to its summary. */
  sweep(): Promise<{ outstanding: number } & Record<string, unknown>>;
  /** Sweeps until every job has ended and its result and alerts are sent (two quiet sweeps in a row). */
  tracked(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(o: LocalCloudOptions = {}, env: Record<string, string> = {}): Promise<Stack> {
  const dist = join(__dirname, '..', '..', 'dist');
  const cloud = await startLocalCloud({ jobDurationMs: 300, retryDelayMs: 20, distDir: dist, ...o });
  const receiver = await startReceiver({ dingtalkSecret: notifySecret });
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
    DASHBOARD_SECRET: secrets.dashboard,
    STATUS_POLL_MS: '50',
    CLOUD_READ_TIMEOUT_MS: '2000',
    NOTIFY_DINGTALK_WEBHOOK_URL: `${receiver.url}/notify/dingtalk?access_token=test-token`,
    NOTIFY_DINGTALK_SECRET: notifySecret,
    NOTIFY_SLACK_WEBHOOK_URL: `${receiver.url}/notify/slack`,
    CHAT_REPLY_LOCAL_RECEIVER: receiver.url,
    // Tests back the same sample databases up many times an hour; test/e2e/security-amplification.test.ts sets the real limit.
    ADHOC_BACKUPS_PER_DAY: '100',
    ...env,
  });
  // The tracker's 1-minute timer, run on demand (sweep, tracked) so tests decide when outcomes are recorded.
  const tracker = loadHandler('backup-tracker', dist);
  const sweep = async () =>
    (await tracker(Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'sweep', payload: '' })), fcContext('backup-tracker', { credentials: stsCredentials, timeoutSec: 60 }))) as {
      outstanding: number;
    } & Record<string, unknown>;

  const gateway = await startGateway({
    functions: Object.fromEntries(
      ['deploy-hook', 'chatops', 'dashboard'].map((name) => [name, { handler: loadHandler(name, dist), context: () => fcContext(name, { credentials: stsCredentials, timeoutSec: 30 }) }]),
    ),
  });
  return {
    cloud,
    gateway: gateway.url,
    receiver,
    sweep,
    async tracked(timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      const history = startInvocation(fcContext('test', {})).history;
      for (;;) {
        await sweep();
        const open = (await Promise.all(Array.from({ length: SHARDS }, (_, s) => history.open(s)))).flat();
        const records = (await Promise.all(open.map((id) => history.get(id)))).filter((r) => r !== undefined);
        // Done when no job is still running and no finished backup still owes its result or alert (a task waiting
        // to be called lost is not waited for).
        // A job the local cloud forgot (cloud.reset() between tests) can never end: not waited for.
        const known = (r: { product: Target['product']; instanceId: string; jobId?: string; backupId?: string }) =>
          cloud.jobs(r.product, r.instanceId).some((j) => j.id === r.jobId || j.backupId === r.backupId);
        const waiting = records.filter((r) => (r.state === 'running' && known(r)) || (r.state !== 'dispatched' && r.state !== 'running' && r.duties.length > 0));
        if (waiting.length === 0) return;
        if (Date.now() > end) throw new Error(`backups still outstanding after ${timeoutMs} ms: ${waiting.map((r) => `${r.id} ${r.state}`).join(', ')}`);
        // The tracker spaces its looks at a running job; here the clock is the test's, so look again now.
        for (const r of waiting) if (r.state === 'running') await history.reschedule(r, Date.now());
        await new Promise((res) => setTimeout(res, 50));
      }
    },
    async close() {
      await cloud.close();
      await Promise.all([gateway.close(), receiver.close()]);
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
