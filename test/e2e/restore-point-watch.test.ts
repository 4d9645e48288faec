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
});
