// Retention through the real bundles: the scheduled-backup timer fired night after night, the backup-tracker
// sweeping after each (it records each success and runs retention), the local cloud enforcing PolarDB's 3 manual
// backups at a time, and a manual backup someone made in the console that the tool must never touch.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import { callCloud } from '../../shared/cloud/client';
import { products } from '../../shared/cloud/products/registry';
import { cli } from '../helpers/cli';
import { startStack, type Stack } from '../helpers/stack';
import { stsCredentials } from '../helpers/fc';
import { until } from '../helpers/wait';

let stack: Stack;
const timer = () => loadHandler('scheduled-backup');
let firing = 0;

beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 150 }, { LOG_LEVEL: 'error' });
});
afterAll(() => stack.close());
beforeEach(() => stack.cloud.reset());

type Run = { ok: boolean; dryRun?: boolean; warnings?: string[]; results?: { outcome: string; jobId?: string; error?: { code: string } }[]; calls?: { retention?: Record<string, unknown> }[] };

async function fire(ts: Target[], extra: Record<string, unknown> = {}): Promise<Run> {
  firing++;
  const triggerTime = new Date(Date.UTC(2026, 6, 1 + firing, 18, 0, 0)).toISOString();
  const event = Buffer.from(JSON.stringify({ triggerTime, triggerName: 'nightly', payload: JSON.stringify({ targets: ts, ...extra }) }));
  return (await timer()(event, fcContext('scheduled-backup', { credentials: stsCredentials, timeoutSec: 60 }))) as Run;
}

/** A manual backup made in the console: CreateBackup by someone else, so the tool's history has never seen it. */
async function consoleBackup(clusterId: string): Promise<string> {
  const body = await callCloud({
    catalog: products.polardb,
    endpoint: { protocol: 'http', host: new URL(stack.cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action: 'CreateBackup',
    query: { RegionId: 'cn-hangzhou', DBClusterId: clusterId },
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });
  await until('the console backup finished', 5_000, () => stack.cloud.jobs('polardb', clusterId).every((j) => j.state === 'succeeded'));
  return String(body.BackupJobId);
}

const manual = (id: string) => stack.cloud.jobs('polardb', id).filter((j) => j.mode === 'Manual' && !j.deleted && j.state !== 'failed');

/** The emulated clock: a day passes for every backup the cloud holds (RETENTION_MIN_AGE is 24 h). */
function dayPasses(): void {
  for (const j of stack.cloud.jobs()) if (j.backupId) stack.cloud.backdate(j.product, j.backupId, 86_400_000);
}

describe('PolarDB with keep: 1 and a console-made manual backup', () => {
  it('7 nightly firings a day apart: none refused, the console backup untouched, never more than 3 manual backups, one deletion per night and only after the new one is good', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1', keep: 1 };
    const consoleId = await consoleBackup('pc-sample1');
    const ours: string[] = [];
    for (let night = 1; night <= 7; night++) {
      dayPasses();
      const deletesBefore = stack.cloud.requests.filter((r) => r.action === 'DeleteBackup').length;
      const run = await fire([target]);
      expect(run.ok, JSON.stringify(run.results)).toBe(true);
      expect(run.results?.[0]?.outcome).toBe('created');
      ours.push(run.results?.[0]?.jobId as string);
      expect(manual('pc-sample1').length).toBeLessThanOrEqual(3);
      // Create before delete: the firing itself deleted nothing.
      expect(stack.cloud.requests.filter((r) => r.action === 'DeleteBackup')).toHaveLength(deletesBefore);
      // The tracker records the night's success and runs retention after it.
      await stack.tracked();
      const held = manual('pc-sample1');
      expect(held.length).toBeLessThanOrEqual(3);
      expect(held.map((j) => j.id)).toContain(consoleId);
      expect(held.filter((j) => j.state === 'succeeded' && j.id !== consoleId)).toHaveLength(1);
    }
    expect(stack.cloud.requests.filter((r) => r.action === 'CreateBackup' && r.status !== 200)).toEqual([]);
    expect(manual('pc-sample1').map((j) => j.id)).toEqual([consoleId, ...ours.slice(-1)]);
    // Only ever this tool's own backups were deleted, oldest first, one per night.
    const deleted = stack.cloud.requests.filter((r) => r.action === 'DeleteBackup' && r.status === 200).map((r) => r.query.BackupId);
    expect(deleted).toEqual(ours.slice(0, 6));

    // The report shows what is kept, every deletion with its reason, and when the next one falls due.
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
      ALIBABA_CLOUD_REGION: 'cn-hangzhou',
      POLARDB_ENDPOINT: stack.cloud.url,
      IDEMPOTENCY_STORE: process.env.IDEMPOTENCY_STORE as string,
      LOG_LEVEL: 'error',
    };
    const json = JSON.parse((await cli(['report', '--json'], env)).stdout) as { databases: { instanceId: string; retention: Record<string, any> }[] };
    const polar = json.databases.find((d) => d.instanceId === 'pc-sample1')?.retention;
    expect(polar?.policy).toEqual({ keep: 1 });
    expect(polar?.retained.map((r: { backupId: string }) => r.backupId)).toEqual(ours.slice(-1));
    expect(polar?.deleted.map((r: { backupId: string }) => r.backupId).sort()).toEqual(ours.slice(0, 6).sort());
    expect(polar?.deleted.every((r: { reason: string }) => r.reason === 'not kept by the scheduled policy (keep 1)')).toBe(true);
    expect(polar?.nextDeletion).toBe('after the next good scheduled backup');
    const table = (await cli(['report'], env)).stdout;
    expect(table).toMatch(/KEPT\s+DELETED\s+NEXT DELETION/);
    expect(table).toMatch(/pc-sample1 .* 1 \(keep 1\)\s+6\s+after the next good scheduled backup/);
  });

  it('dryRun shows what is kept and when the next deletion falls due, and makes none (nor any backup)', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1', keep: 1 };
    dayPasses();
    const a = (await fire([target])).results?.[0]?.jobId;
    await stack.tracked();
    dayPasses();
    const b = (await fire([target])).results?.[0]?.jobId;
    await stack.tracked();
    expect(manual('pc-sample1').map((j) => j.id)).toEqual([b]);
    dayPasses();
    const requestsBefore = stack.cloud.requests.length;
    const planned = await fire([target], { dryRun: true });
    expect(planned.dryRun).toBe(true);
    expect(a).toBeDefined();
    expect(planned.calls?.[0]?.retention).toMatchObject({ keep: 1, deletions: [], kept: [b], nextDeletion: 'after the next good scheduled backup' });
    const during = stack.cloud.requests.slice(requestsBefore).map((r) => r.action);
    expect(during.filter((x) => x !== 'DescribeBackups' && x !== 'DescribeBackupTasks')).toEqual([]);
    expect(manual('pc-sample1')).toHaveLength(1);
  });

  it('all 3 slots held by backups this tool did not make: the firing is refused before CreateBackup, and the alert names each holder', async () => {
    stack.receiver.notified.length = 0;
    const ids = [await consoleBackup('pc-sample1'), await consoleBackup('pc-sample1'), await consoleBackup('pc-sample1')];
    // The invocation fails (a target failed for good), naming the code; the refusal is recorded and alerted once.
    const refusal = await fire([{ product: 'polardb', DBClusterId: 'pc-sample1' }]).then(
      () => undefined,
      (e: unknown) => e as { code: string; details: { failed: { code: string; retryable: boolean }[] } },
    );
    expect(refusal?.code).toBe('TargetsFailed');
    expect(refusal?.details.failed).toMatchObject([{ code: 'NoBackupSlot', retryable: false }]);
    await stack.tracked();
    const alerts = stack.receiver.notified.map((n) => JSON.stringify(n.body));
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) {
      for (const id of ids) expect(alert).toContain(`${id} (not in this tool's history`);
      expect(alert).toContain('3 manual backups per cluster at a time');
      expect(alert).toContain('console, delete one of the manual backups of pc-sample1 named above');
    }
    expect(stack.cloud.requests.filter((r) => r.action === 'CreateBackup')).toHaveLength(3);
    expect(stack.cloud.requests.filter((r) => r.action === 'DeleteBackup')).toEqual([]);
  });

  it('a keepDays longer than HISTORY_RETENTION_DAYS (40 by default) is a warning of the run, naming the setting to raise', async () => {
    const run = await fire([{ product: 'rds', DBInstanceId: 'rm-sample1', keepDays: 60 }], { dryRun: true });
    expect(run.warnings).toEqual([
      'rds rm-sample1: keepDays 60 is longer than HISTORY_RETENTION_DAYS 40; its backups leave the history after 40 days and are then never deleted. Raise HISTORY_RETENTION_DAYS to at least 60.',
    ]);
  });
});
