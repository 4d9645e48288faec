// A console Logical MongoDB job adopted for a Physical request (the CLI: no request time, so no fresh look; the
// task rows carry no method): once its set is listed, the tracker records the adoption as wrong, alerts, marks the
// set origin uncertain, and dispatches this tool's own backup under a new key. Real engine, real history in a file
// store, the local cloud over real HTTP; the worker dispatch is captured (FC's InvokeFunction is tested elsewhere).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { requestBackup } from '../../../shared/backup/engine';
import type { Target } from '../../../shared/backup/targets';
import { callCloud } from '../../../shared/cloud/client';
import { products } from '../../../shared/cloud/products/registry';
import { closeStores, startInvocation } from '../../../shared/fc/invocation';
import type { WorkerEvent } from '../../../shared/fc/worker-dispatch';
import { idempotencyKey } from '../../../shared/idempotency/key';
import { visit } from '../../../shared/tracking/sweep';
import { until } from '../../helpers/wait';

let cloud: LocalCloud;
let dir: string;
beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 400 });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-wrong-adoption-'));
});
afterAll(async () => {
  await closeStores();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a console Logical job adopted for a Physical request: recorded as wrong, alerted, never ours to delete, and our own backup dispatched', async () => {
  const env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
    ALIBABA_CLOUD_REGION: 'cn-hangzhou',
    MONGODB_ENDPOINT: cloud.url,
    IDEMPOTENCY_STORE: `file:${dir}`,
    LOG_LEVEL: 'error',
  };
  const inv = startInvocation({ requestId: 'wrong-adoption', credentials: null, function: { name: 'cli', timeout: 60 } }, { env });
  // A DBA's Logical backup, started just before ours.
  const consoleJob = await callCloud({
    catalog: products.mongodb,
    endpoint: { protocol: 'http', host: new URL(cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action: 'CreateBackup',
    query: { RegionId: 'cn-hangzhou', DBInstanceId: 'dds-sample1', BackupMethod: 'Logical' },
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });
  const target: Target = { product: 'mongodb', DBInstanceId: 'dds-sample1', BackupMethod: 'Physical', BackupRetentionPeriod: 730 };
  const key = idempotencyKey('cli', ['wrong-adoption'], target);
  const outcome = await requestBackup(target, key, inv.deps);
  expect(outcome).toMatchObject({ outcome: 'adopted', jobId: String(consoleJob.BackupJobId) });
  const subject = { id: key, target, product: 'mongodb' as const, instanceId: 'dds-sample1', origin: { trigger: 'cli' as const } };
  await inv.history.requested(subject, outcome);
  await until('the console job finished', 5_000, () => cloud.jobs('mongodb').every((j) => j.state === 'succeeded'));

  const sent: WorkerEvent[] = [];
  const deps = { history: inv.history, engine: inv.deps, concurrency: 1, redispatch: { history: inv.history, store: inv.deps.store, dispatch: async (e: WorkerEvent) => void sent.push(e) } };
  await visit(key, deps);
  const r = await inv.history.get(key);
  expect(r).toMatchObject({ state: 'failed', originUncertain: true, method: 'Logical', error: { code: 'AdoptedWrongBackup' } });
  expect(r?.error?.message).toMatch(/made a Logical backup, not the Physical one asked for.*own backup was requested as .*_own/);
  expect(r?.duties).toContain('alert');
  // Our own backup: a new key, recorded as dispatched, sent without a request time (no look that could adopt it again).
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ key: `${key}_own`, target, trigger: 'cli' });
  expect(sent[0]?.requestedAt).toBeUndefined();
  expect((await inv.history.get(`${key}_own`))?.state).toBe('dispatched');
  // A second sweep over the (now final) record dispatches nothing more.
  await visit(key, { ...deps, duties: undefined });
  expect(sent).toHaveLength(1);
});
