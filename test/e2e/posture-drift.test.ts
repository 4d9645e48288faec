// Posture drift through the real tracker bundle: a database meeting POSTURE_RULES, then a DBA lowers its backup
// retention, then puts it back. One alert when it breaks (naming the rule, the old and the new value), none while it
// stays broken, one when it recovers; the chat report shows the verdict the tracker recorded.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { slackHeaders } from '../../shared/http/signatures/http-adapters';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import { callCloud } from '../../shared/cloud/client';
import { products } from '../../shared/cloud/products/registry';
import { stsCredentials } from '../helpers/fc';
import { secrets, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 100 }, { LOG_LEVEL: 'error', CHATOPS_ACL: JSON.stringify([{ users: ['slack:T1/U-ops'], commands: ['report'] }]), POSTURE_RULES: JSON.stringify({ default: { minRetentionDays: 30 } }), POSTURE_CHECK_INTERVAL: '1s' });
});
afterAll(() => stack.close());

const setRetention = (days: number) =>
  callCloud({
    catalog: products.rds,
    endpoint: { protocol: 'http', host: new URL(stack.cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action: 'ModifyBackupPolicy',
    query: { RegionId: 'cn-hangzhou', DBInstanceId: 'rm-sample1', PreferredBackupTime: '19:00Z-20:00Z', PreferredBackupPeriod: 'Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday', BackupRetentionPeriod: String(days), BackupLog: 'Enable', LogBackupRetentionPeriod: '7' },
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });
const drift = () => stack.receiver.notified.filter((n) => n.channel === 'slack' && /Backup settings (no longer meet|meet) the rules/.test(JSON.stringify(n.body)));
const nextCheck = async () => {
  await new Promise((r) => setTimeout(r, 1_200));
  return stack.sweep();
};

it('compliant → broken is alerted once with the old and new value, and its recovery once', async () => {
  const event = Buffer.from(JSON.stringify({ triggerTime: '2026-11-30T18:00:00Z', triggerName: 'nightly', payload: JSON.stringify({ targets: [{ product: 'rds', DBInstanceId: 'rm-sample1' }] }) }));
  await loadHandler('scheduled-backup')(event, fcContext('scheduled-backup', { credentials: stsCredentials, timeoutSec: 60 }));
  await stack.tracked();
  stack.receiver.notified.length = 0;
  const first = await nextCheck();
  expect(first.posture).toMatchObject({ checked: 1, alerted: 0 });
  expect(drift()).toEqual([]);

  await setRetention(7);
  await nextCheck();
  expect(drift()).toHaveLength(1);
  const broke = JSON.stringify(drift()[0]?.body);
  expect(broke).toContain('Backup settings no longer meet the rules');
  expect(broke).toMatch(/minRetentionDays: was 30 days \(BackupRetentionPeriod 30\), now 7 days \(BackupRetentionPeriod 7\)/);
  expect(broke).toContain('fc-db-backup posture --fix');
  await nextCheck();
  expect(drift()).toHaveLength(1);

  // The chat report shows the recorded verdict, without a posture read of its own.
  const reads = stack.cloud.requests.filter((r) => r.action === 'DescribeBackupPolicy').length;
  const body = new URLSearchParams({ team_id: 'T1', channel_id: 'C-ops', user_id: 'U-ops', user_name: 'ops', command: '/backup', text: 'report', response_url: `${stack.receiver.url}/slack/response/${randomUUID()}`, trigger_id: `trig.${randomUUID()}` }).toString();
  const res = await fetch(`${stack.gateway}/chatops/slack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, secrets.slack) }, body });
  const text = ((await res.json()) as { text: string }).text;
  expect(text).toMatch(/rds rm-sample1/);
  expect(text).toMatch(/minRetentionDays/);
  expect(stack.cloud.requests.filter((r) => r.action === 'DescribeBackupPolicy').length).toBe(reads);

  await setRetention(30);
  await nextCheck();
  expect(drift()).toHaveLength(2);
  expect(JSON.stringify(drift()[1]?.body)).toContain('Backup settings meet the rules again');
  await nextCheck();
  expect(drift()).toHaveLength(2);
});
