// The restore-point watch through the real tracker bundle: backups taken by the timer, then a console deletion and a
// foreign DeleteBackup (someone else's key) each caught by the next sweep that counts the database, and alerted once;
// a deletion this tool recorded is not an alarm. The report shows the restore points the watch counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import { callCloud } from '../../shared/cloud/client';
import { products } from '../../shared/cloud/products/registry';
import { startInvocation } from '../../shared/fc/invocation';
import { cli } from '../helpers/cli';
import { stsCredentials } from '../helpers/fc';
import { startStack, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';

let stack: Stack;
let firing = 0;
const INTERVAL_MS = 300;

beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 100 }, { LOG_LEVEL: 'error', RESTORE_POINT_WATCH_INTERVAL: '1s' });
});
afterAll(() => stack.close());

async function fire(t: Target): Promise<string> {
  firing++;
  const triggerTime = new Date(Date.UTC(2026, 10, 1 + firing, 18, 0, 0)).toISOString();
  const event = Buffer.from(JSON.stringify({ triggerTime, triggerName: 'nightly', payload: JSON.stringify({ targets: [t] }) }));
  const run = (await loadHandler('scheduled-backup')(event, fcContext('scheduled-backup', { credentials: stsCredentials, timeoutSec: 60 }))) as { results: { jobId: string }[] };
  return run.results[0]?.jobId as string;
}

const vanishedAlerts = () => stack.receiver.notified.filter((n) => n.channel === 'slack' && JSON.stringify(n.body).includes('Restore points disappeared'));
const nextWatch = async () => {
  await new Promise((r) => setTimeout(r, 1_000 + INTERVAL_MS));
  return stack.sweep();
};

describe('restore-point watch', () => {
  it('a console deletion and a foreign DeleteBackup are each alerted once; this tool’s own recorded deletion is not', async () => {
    stack.cloud.addInstance({ product: 'rds', id: 'rm-watched' });
    const target: Target = { product: 'rds', DBInstanceId: 'rm-watched' };
    for (let i = 0; i < 4; i++) {
      await fire(target);
      await stack.tracked();
    }
    const sets = () => stack.cloud.jobs('rds', 'rm-watched').filter((j) => !j.deleted && j.state === 'succeeded');
    expect(sets()).toHaveLength(4);
    stack.receiver.notified.length = 0;
    // The first count only notes what is there.
    const first = await nextWatch();
    expect(first.restorePoints).toMatchObject({ watched: 1, vanished: 0, alerted: 0 });
    expect(vanishedAlerts()).toEqual([]);

    // A DBA deletes one in the console.
    const [a, b, c] = sets();
    stack.cloud.deleteBackup('rds', a?.backupId as string);
    await nextWatch();
    expect(vanishedAlerts()).toHaveLength(1);
    const text = JSON.stringify(vanishedAlerts()[0]?.body);
    expect(text).toContain('1 backup of rm-watched disappeared since');
    expect(text).toContain('none deleted by fc-db-backup');
    expect(text).toContain(a?.backupId as string);
    // Alerted once: the next count starts from what is there now.
    await nextWatch();
    expect(vanishedAlerts()).toHaveLength(1);

    // Someone else's key calls DeleteBackup.
    await callCloud({
      catalog: products.rds,
      endpoint: { protocol: 'http', host: new URL(stack.cloud.url).host },
      credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
      action: 'DeleteBackup',
      query: { RegionId: 'cn-hangzhou', DBInstanceId: 'rm-watched', BackupId: b?.backupId as string },
      timeouts: { connectMs: 1_000, readMs: 2_000 },
    }).catch(() => stack.cloud.deleteBackup('rds', b?.backupId as string));
    await nextWatch();
    expect(vanishedAlerts()).toHaveLength(2);
    expect(JSON.stringify(vanishedAlerts()[1]?.body)).toContain(b?.backupId as string);

    // This tool's own deletion, recorded on its history record first (as retention does): no alarm.
    const history = startInvocation(fcContext('test', {})).history;
    const [mine] = await history.find(c?.backupId as string);
    expect(mine).toBeDefined();
    await history.retire(mine?.id as string, 'test: retention deleted it');
    stack.cloud.deleteBackup('rds', c?.backupId as string);
    const quiet = await nextWatch();
    expect(quiet.restorePoints).toMatchObject({ watched: 1, vanished: 1, alerted: 0 });
    expect(vanishedAlerts()).toHaveLength(2);

    // The report shows the restore points as last counted, and the oldest.
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
      ALIBABA_CLOUD_REGION: 'cn-hangzhou',
      IDEMPOTENCY_STORE: process.env.IDEMPOTENCY_STORE as string,
      LOG_LEVEL: 'error',
    };
    const json = JSON.parse((await cli(['report', '--json'], env)).stdout) as { databases: { instanceId: string; restorePoints?: { count: number; oldest?: string } }[] };
    const rp = json.databases.find((d) => d.instanceId === 'rm-watched')?.restorePoints;
    expect(rp?.count).toBe(1);
    expect(rp?.oldest).toBeDefined();
    expect((await cli(['report'], env)).stdout).toMatch(/RESTORE POINTS/);
  });

  it('an automated backup older than the instance’s BackupRetentionPeriod that ages out is not an alarm; one younger that disappears is', async () => {
    const DAY = 86_400_000;
    // Two RDS instances (data backups kept 7 days), each with a daily automated backup that starts now and ends in 1 s.
    for (const id of ['rm-ages-out', 'rm-auto-lost']) {
      stack.cloud.addInstance({ product: 'rds', id, automatedBackup: { startMs: Date.now() % DAY, durationMs: 1_000 }, backupPolicy: { BackupRetentionPeriod: 7 } });
      await callCloud({
        catalog: products.rds,
        endpoint: { protocol: 'http', host: new URL(stack.cloud.url).host },
        credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
        action: 'DescribeBackupTasks',
        query: { RegionId: 'cn-hangzhou', DBInstanceId: id },
        timeouts: { connectMs: 1_000, readMs: 2_000 },
      });
    }
    const automated = (id: string) => stack.cloud.jobs('rds', id).filter((j) => j.mode === 'Automated');
    await until('the automated backups finished', 5_000, () => ['rm-ages-out', 'rm-auto-lost'].every((id) => automated(id)[0]?.state === 'succeeded'));
    // One is 8 days old (its 7 days are up), the other 3 (the emulated clock: creation times moved back).
    stack.cloud.backdate('rds', automated('rm-ages-out')[0]?.backupId as string, 8 * DAY);
    stack.cloud.backdate('rds', automated('rm-auto-lost')[0]?.backupId as string, 3 * DAY);
    // A nightly of this tool on each, so the watch counts them (it watches the databases the history knows).
    for (const id of ['rm-ages-out', 'rm-auto-lost']) {
      await fire({ product: 'rds', DBInstanceId: id });
      await stack.tracked();
    }
    for (const id of ['rm-ages-out', 'rm-auto-lost']) expect(stack.cloud.jobs('rds', id).filter((j) => !j.deleted && j.state === 'succeeded'), id).toHaveLength(2);
    stack.receiver.notified.length = 0;
    const first = await nextWatch();
    expect(first.restorePoints).toMatchObject({ vanished: 0, alerted: 0 });

    // The product's own retention expires the 8-day-old one (the local cloud does not age sets out itself: removed as
    // the cloud would); someone deletes the 3-day-old one, which the same retention still had to keep 4 more days.
    stack.cloud.deleteBackup('rds', automated('rm-ages-out')[0]?.backupId as string);
    stack.cloud.deleteBackup('rds', automated('rm-auto-lost')[0]?.backupId as string);
    const after = await nextWatch();
    expect(after.restorePoints).toMatchObject({ vanished: 2, alerted: 1 });
    const alerts = vanishedAlerts().map((a) => JSON.stringify(a.body));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toContain('1 backup of rm-auto-lost disappeared since');
    expect(alerts[0]).toContain('automated');
    expect(alerts.some((t) => t.includes('rm-ages-out'))).toBe(false);
    // Alerted once; and the expiry stays excused on the next count too.
    await nextWatch();
    expect(vanishedAlerts()).toHaveLength(1);
  });
});
