// Issue 16's cases 3 and 4 performed end to end through the bundles (the timer, the tracker, the worker through the
// local FC), the local cloud and the history, now harmless: every restore point is still there afterwards.
// Case 3: a console backup taken about 1 s after a request, whose worker ran late (the tracker's `_r1`), adopted by the
// worker's fresh-claim look: recorded "adopted, origin uncertain" and never deleted by the nights after it.
// Case 4: PolarDB keep 3 on a 3-slot cluster, then a nightly whose job fails: no restore point lost.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import { callCloud } from '../../shared/cloud/client';
import { products } from '../../shared/cloud/products/registry';
import { startInvocation } from '../../shared/fc/invocation';
import { subjectOf } from '../../shared/history/history';
import { cli } from '../helpers/cli';
import { stsCredentials } from '../helpers/fc';
import { startStack, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

let stack: Stack;
let firing = 0;
const DAY = 86_400_000;

beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 150 }, { TRACKER_LOST_AFTER_SEC: '1', LOG_LEVEL: 'error' });
});
afterAll(() => stack.close());
beforeEach(() => stack.cloud.reset());

type Run = { ok: boolean; error?: { code: string; message: string }; results?: { outcome: string; jobId?: string }[]; calls?: { retention?: { deletions?: { backupId: string }[] } }[] };

async function fire(ts: Target[], extra: Record<string, unknown> = {}): Promise<Run> {
  firing++;
  const triggerTime = new Date(Date.UTC(2026, 8, 1 + firing, 18, 0, 0)).toISOString();
  const event = Buffer.from(JSON.stringify({ triggerTime, triggerName: 'nightly', payload: JSON.stringify({ targets: ts, ...extra }) }));
  return (await loadHandler('scheduled-backup')(event, fcContext('scheduled-backup', { credentials: stsCredentials, timeoutSec: 60 }))) as Run;
}

const history = () => startInvocation(fcContext('test', {})).history;
const good = (product: Target['product'], id: string) => stack.cloud.jobs(product, id).filter((j) => !j.deleted && j.state === 'succeeded');
const deleteCalls = () => stack.cloud.requests.filter((r) => r.action === 'DeleteBackup');
const finished = (product: Target['product'], id: string) => until(`every job of ${id} finished`, 10_000, () => stack.cloud.jobs(product, id).every((j) => j.state === 'succeeded' || j.state === 'failed'));
/** The emulated clock: `days` pass for every backup the cloud holds (creation times move back; the signing clock stays). */
const daysPass = (days: number) => {
  for (const j of stack.cloud.jobs()) if (j.backupId) stack.cloud.backdate(j.product, j.backupId, days * DAY);
};

/** A manual backup made in the console: CreateBackup by someone else, unknown to this tool's history. */
async function consoleBackup(product: 'rds' | 'polardb', id: string): Promise<string> {
  const body = await callCloud({
    catalog: products[product],
    endpoint: { protocol: 'http', host: new URL(stack.cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action: 'CreateBackup',
    query: { RegionId: 'cn-hangzhou', [products[product].idField]: id },
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });
  await finished(product, id);
  return String(body.BackupJobId);
}

describe('issue 16, case 3: a console backup adopted by a late worker', () => {
  it('recorded "adopted, origin uncertain", shown so by the report, and never deleted by three nights of RDS keep 1 after it', async () => {
    stack.cloud.addInstance({ product: 'rds', id: 'rm-case3' });
    const target: Target = { product: 'rds', DBInstanceId: 'rm-case3' };
    // T0: a deploy-gate request for the database is recorded and handed to FC; its worker never runs.
    const key = `fcdb_case3${Date.now()}`;
    await history().expect(subjectOf(key, target, { trigger: 'deploy', deployId: 'd-case3' }));
    // T0 + 1 s: a DBA takes a backup in the console.
    await new Promise((r) => setTimeout(r, 1_000));
    const consoleJob = await consoleBackup('rds', 'rm-case3');
    const consoleSet = stack.cloud.jobs('rds', 'rm-case3').find((j) => j.id === consoleJob)?.backupId as string;
    // The tracker finds the dispatch lost and sends it again (`_r1`); that late worker's fresh claim looks, and adopts.
    await new Promise((r) => setTimeout(r, 200));
    expect((await stack.sweep()).redispatched).toBe(1);
    await stack.cloud.fcIdle();
    expect(stack.cloud.fcTasks.map((t) => t.taskId)).toEqual([`${key}_r1`]);
    await stack.tracked();
    expect(await history().get(key)).toMatchObject({ state: 'succeeded', backupId: consoleSet, originUncertain: true });
    expect(stack.cloud.jobs('rds', 'rm-case3').map((j) => j.id), 'the worker took none of its own').toEqual([consoleJob]);

    // Nights a week and a day apart (RDS deletes only sets older than 7 days), scheduled keep 1.
    const nightly: Target = { ...target, keep: 1 };
    const ours: string[] = [];
    for (let night = 1; night <= 3; night++) {
      daysPass(8);
      const run = await fire([nightly]);
      expect(run.ok, JSON.stringify(run.results)).toBe(true);
      ours.push(run.results?.[0]?.jobId as string);
      await stack.tracked();
      // The console backup is still there, every night.
      expect(good('rds', 'rm-case3').map((j) => j.id)).toContain(consoleJob);
    }
    // The report says what it is; the plan for the next night does not delete it either.
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
      ALIBABA_CLOUD_REGION: 'cn-hangzhou',
      IDEMPOTENCY_STORE: process.env.IDEMPOTENCY_STORE as string,
      LOG_LEVEL: 'error',
    };
    const report = JSON.parse((await cli(['report', '--json'], env)).stdout) as { databases: { instanceId: string; retention?: { retained: { backupId: string; kind: string }[] } }[] };
    expect(report.databases.find((d) => d.instanceId === 'rm-case3')?.retention?.retained).toContainEqual(expect.objectContaining({ backupId: consoleSet, kind: 'adopted, origin uncertain' }));
    const plan = await fire([nightly], { dryRun: true });
    expect(plan.calls?.[0]?.retention?.deletions).toBeDefined();
    expect(JSON.stringify(plan.calls?.[0]?.retention?.deletions)).not.toContain(consoleSet);
    // Only this tool's own older nightlies were deleted, one per new good one; the adopted backup never sent for deletion.
    expect(deleteCalls().map((r) => r.query.BackupId)).not.toContain(consoleSet);
    const setOf = (job: string) => stack.cloud.jobs('rds', 'rm-case3').find((j) => j.id === job)?.backupId;
    expect(deleteCalls().filter((r) => r.status === 200).map((r) => r.query.BackupId)).toEqual(ours.slice(0, 2).map(setOf));
    expect(good('rds', 'rm-case3').map((j) => j.id)).toEqual([consoleJob, ours[2]]);
  });
});

describe('issue 16, case 4: PolarDB, a nightly whose job fails', () => {
  it('keep 3 on a 3-slot cluster is refused before any call to the cluster; at keep 2 a failed nightly frees nothing: every restore point still there', async () => {
    stack.cloud.addInstance({ product: 'polardb', id: 'pc-case4' });
    // Bad input is answered, not thrown (FC would only redeliver it), naming the field and the rule.
    const refused = await fire([{ product: 'polardb', DBClusterId: 'pc-case4', keep: 3 }]);
    expect(refused.ok).toBe(false);
    expect(refused.error?.code, JSON.stringify(refused)).toBe('ValidationError');
    expect(refused.error?.message).toMatch(/targets\[0\]\.keep: 3 — must be 1 to 2/);
    expect(stack.cloud.requests.filter((r) => Object.values(r.query).includes('pc-case4') && (r.action === 'CreateBackup' || r.action === 'DeleteBackup'))).toEqual([]);

    // Keep 2 (what the schema allows): two good nightlies a day apart, and a console backup — all 3 slots in use then.
    const target: Target = { product: 'polardb', DBClusterId: 'pc-case4', keep: 2 };
    for (let night = 1; night <= 2; night++) {
      daysPass(1);
      expect((await fire([target])).ok).toBe(true);
      await stack.tracked();
    }
    const before = good('polardb', 'pc-case4').map((j) => j.id);
    expect(before).toHaveLength(2);
    // The next nightly's job fails at its end: the free slot was used, nothing was deleted to make room.
    daysPass(1);
    stack.cloud.inject({ action: 'CreateBackup', product: 'polardb', instanceId: 'pc-case4', kind: 'job-fails' });
    const failedNight = await fire([target]);
    expect(failedNight.results?.[0]?.outcome).toBe('created');
    await stack.tracked();
    expect((await history().forDatabase('polardb', 'pc-case4'))[0]?.state).toBe('failed');
    expect(deleteCalls()).toEqual([]);
    expect(good('polardb', 'pc-case4').map((j) => j.id)).toEqual(before);
    // With 2 of ours and a console backup, the 3 slots are full: the next nightly is refused rather than delete first.
    const consoleJob = await consoleBackup('polardb', 'pc-case4');
    daysPass(1);
    const full = await fire([target]).then(
      (r) => r,
      (e: unknown) => e as { code: string; details?: { failed: { code: string }[] } },
    );
    expect(full, JSON.stringify(full)).toMatchObject({ code: 'TargetsFailed', details: { failed: [{ code: 'NoBackupSlot' }] } });
    await stack.tracked();
    expect(deleteCalls()).toEqual([]);
    expect(good('polardb', 'pc-case4').map((j) => j.id)).toEqual([...before, consoleJob]);
  });
});
