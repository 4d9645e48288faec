// The backup-tracker bundle follows every backup to its end, through the real bundles, the local cloud and the
// local receivers: a failed job for each product (PolarDB's and MongoDB's only as a failed backup set), what a
// success records, alerts in each platform's format (the DingTalk signature checked), each sent once, lost
// dispatches sent again under a new task id.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import { startInvocation } from '../../shared/fc/invocation';
import { subjectOf } from '../../shared/history/history';
import { deployHeaders } from '../../shared/http/signatures/http-adapters';
import { secrets, startStack, type Stack } from '../helpers/stack';
import { captureStdout, stsCredentials } from '../helpers/fc';

let stack: Stack;
const timer = () => loadHandler('scheduled-backup');
let firing = 0;

beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 300 }, { TRACKER_LOST_AFTER_SEC: '1', LOG_LEVEL: 'error' });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.cloud.reset();
  stack.receiver.notified.length = 0;
  stack.receiver.refused.length = 0;
  stack.receiver.posted.length = 0;
});

const targets: Target[] = [
  { product: 'rds', DBInstanceId: 'rm-sample1', BackupMethod: 'Physical' },
  { product: 'polardb', DBClusterId: 'pc-sample1' },
  { product: 'mongodb', DBInstanceId: 'dds-sample1', BackupMethod: 'Snapshot' },
];
const idOf = (t: Target) => ('DBClusterId' in t ? t.DBClusterId : t.DBInstanceId);

async function fire(ts: Target[]): Promise<Record<string, unknown>> {
  firing++;
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date(Date.UTC(2026, 11, 1, 2, 0, firing)).toISOString(), triggerName: 'nightly', payload: JSON.stringify({ targets: ts }) }));
  return (await timer()(event, fcContext('scheduled-backup', { credentials: stsCredentials, timeoutSec: 60 }))) as Record<string, unknown>;
}

/** The history as any function sees it, from the same environment. */
const history = () => startInvocation(fcContext('test', {})).history;
const recordOf = async (t: Target) => (await history().forDatabase(t.product, idOf(t)))[0];

describe.each(targets)('$product', (target) => {
  it('a job that fails at its end is recorded failed with the cloud\'s word, and alerted once on each channel in its format', async () => {
    stack.cloud.inject({ action: 'CreateBackup', product: target.product, kind: 'job-fails' });
    const run = await fire([target]);
    expect(run.ok).toBe(true);
    expect((await recordOf(target))?.state).toBe('running');
    await stack.tracked();

    const r = await recordOf(target);
    expect(r).toMatchObject({ state: 'failed', product: target.product, instanceId: idOf(target), error: { code: 'BackupJobFailed' } });
    expect(r?.error?.message).toMatch(/BackupStatus Failed/);
    // The cloud agrees: the job really failed (the record is not a guess).
    expect(stack.cloud.jobs(target.product, idOf(target)).map((j) => j.state)).toEqual(['failed']);

    expect(stack.receiver.refused).toEqual([]);
    const ding = stack.receiver.notified.filter((n) => n.channel === 'dingtalk');
    const slack = stack.receiver.notified.filter((n) => n.channel === 'slack');
    expect(ding).toHaveLength(1);
    expect(slack).toHaveLength(1);
    const md = (ding[0]?.body as { markdown: { title: string; text: string } }).markdown;
    expect(md.title).toMatch(new RegExp(`Backup job failed: ${target.product} ${idOf(target)}`));
    expect(md.text).toMatch(/\*\*error code\*\*: `BackupJobFailed`/);
    expect(md.text).toMatch(/\*\*What to do\*\*: .*fc-db-backup backup/);
    const blocks = (slack[0]?.body as { blocks: { type: string; text?: { text: string }; fields?: { text: string }[] }[]; text: string });
    expect(blocks.text).toContain(idOf(target));
    expect(blocks.blocks[0]?.type).toBe('header');
    expect(JSON.stringify(blocks.blocks)).toContain('BackupJobFailed');
    expect(JSON.stringify(blocks.blocks)).toContain('What to do');

    // More sweeps, and two at once, send nothing again.
    await Promise.all([stack.sweep(), stack.sweep(), stack.sweep()]);
    expect(stack.receiver.notified).toHaveLength(2);
  });

  it('a job that succeeds is recorded with its backup set, size, start, end, duration and method, and alerts nobody', async () => {
    await fire([target]);
    await stack.tracked();
    const r = await recordOf(target);
    expect(r).toMatchObject({ state: 'succeeded', backupId: expect.any(String), sizeBytes: expect.any(Number), startedAt: expect.any(String), finishedAt: expect.any(String), duties: [] });
    expect(r?.durationMs).toBeGreaterThanOrEqual(0);
    expect(r?.method).toBe(target.product === 'polardb' ? 'Snapshot' : (target as { BackupMethod: string }).BackupMethod);
    expect(stack.receiver.notified).toEqual([]);
    // Found again by the ids the tool prints.
    expect((await history().find(r?.jobId as string)).map((x) => x.id)).toEqual([r?.id]);
    expect((await history().find(r?.backupId as string)).map((x) => x.id)).toContain(r?.id);
  });
});

it('two sweeps at once record each end once and alert once', async () => {
  for (const t of targets) stack.cloud.inject({ action: 'CreateBackup', product: t.product, kind: 'job-fails' });
  await fire(targets);
  await new Promise((r) => setTimeout(r, 400));
  await Promise.all([stack.sweep(), stack.sweep()]);
  await stack.tracked();
  expect(stack.receiver.notified).toHaveLength(6);
  const titles = stack.receiver.notified.map((n) => JSON.stringify(n.body));
  for (const t of targets) expect(titles.filter((x) => x.includes(idOf(t)))).toHaveLength(2);
});

it('a dispatched task that never ran is dispatched again under a new task id, and its backup is followed to the end', async () => {
  const target = targets[1] as Target;
  const key = `fcdb_lost${Date.now()}`;
  await history().expect(subjectOf(key, target, { trigger: 'timer' }));
  await new Promise((r) => setTimeout(r, 1_100));
  const first = await stack.sweep();
  expect(first.redispatched).toBe(1);
  await stack.cloud.fcIdle();
  expect(stack.cloud.fcTasks.map((t) => t.taskId)).toEqual([`${key}_r1`]);
  await stack.tracked();
  expect(await history().get(key)).toMatchObject({ state: 'succeeded', redispatches: 1 });
  expect(stack.cloud.jobs('polardb', 'pc-sample1')).toHaveLength(1);
  expect(stack.receiver.notified).toEqual([]);
});

it("FC's failure destination hands the tracker a task that failed for good: dispatched again at once", async () => {
  const target = targets[2] as Target;
  const key = `fcdb_dest${Date.now()}`;
  // Recorded before the hand-over, as every dispatcher does: the history holds the key.
  await history().expect(subjectOf(key, target, { trigger: 'timer' }));
  // What FC posts to the onFailure destination (docs/fc-async-destination.md): the failed invocation's context and its original payload.
  const destination = { timestamp: Date.now(), requestContext: { requestId: 'r-1', condition: 'UnhandledInvocationError', approximateInvokeCount: 4 }, requestPayload: JSON.stringify({ key, target, trigger: 'timer' }) };
  const r = (await loadHandler('backup-tracker')(Buffer.from(JSON.stringify(destination)), fcContext('backup-tracker', { credentials: stsCredentials }))) as Record<string, unknown>;
  expect(r).toMatchObject({ ok: true, key, recovery: 'redispatched' });
  await stack.cloud.fcIdle();
  expect(stack.cloud.fcTasks.map((t) => t.taskId)).toEqual([`${key}_r1`]);
  await stack.tracked();
  expect(await history().get(key)).toMatchObject({ state: 'succeeded', redispatches: 1 });
});

describe("FC's failure destination is not a way in (issue 16)", () => {
  const tracker = (event: unknown) => loadHandler('backup-tracker')(Buffer.isBuffer(event) ? event : Buffer.from(JSON.stringify(event)), fcContext('backup-tracker', { credentials: stsCredentials }));
  const withWarnings = async (event: unknown) => {
    process.env.LOG_LEVEL = 'warn';
    try {
      return await captureStdout(async () => (await tracker(event)) as Record<string, unknown>);
    } finally {
      process.env.LOG_LEVEL = 'error';
    }
  };
  const fcContextOf = { requestId: 'r-crafted', condition: 'UnhandledInvocationError', approximateInvokeCount: 4 };

  it.each([
    ['a valid target', { product: 'polardb', DBClusterId: 'pc-sample1' }],
    ['a target that is not one (once a TypeError)', { product: 'polardb' }],
    ['no target at all', undefined],
  ])('a crafted event with a key the history does not hold and %s: logged and ignored, no backup, no dispatch, no throw', async (_name, target) => {
    const key = `fcdb_crafted${Date.now()}`;
    const { result, error, lines } = await withWarnings({ timestamp: Date.now(), requestContext: fcContextOf, requestPayload: JSON.stringify({ key, target, trigger: 'chat', requestedBy: 'attacker' }) });
    expect(error).toBeUndefined();
    expect(result).toEqual({ ok: false, ignored: 'unknown-key', key });
    expect(lines.some((l) => l.includes('the history holds no backup with this key') && l.includes(key))).toBe(true);
    await stack.cloud.fcIdle();
    expect(stack.cloud.requests.filter((r) => r.action === 'CreateBackup')).toHaveLength(0);
    expect(stack.cloud.fcTasks).toHaveLength(0);
    expect(await history().get(key)).toBeUndefined();
  });

  it.each([
    ['a payload that is not JSON', { requestContext: fcContextOf, requestPayload: '{"key":' }],
    ['a payload without a key', { requestContext: fcContextOf, requestPayload: JSON.stringify({ target: { product: 'rds', DBInstanceId: 'rm-sample1' } }) }],
    ['a key that is not one', { requestContext: fcContextOf, requestPayload: JSON.stringify({ key: '../../etc/passwd' }) }],
    ['a payload that is a number', { requestContext: fcContextOf, requestPayload: 5 }],
    ['a context and no payload', { requestContext: fcContextOf }],
    ['a context of the wrong type', { requestContext: 'x', requestPayload: '{}' }],
  ])('a malformed destination event (%s): logged and ignored, nothing swept, dispatched or backed up', async (_name, event) => {
    const { result, error, lines } = await withWarnings(event);
    expect(error).toBeUndefined();
    expect(result).toEqual({ ok: false, ignored: 'malformed' });
    expect(lines.some((l) => l.includes('async destination event ignored: not the shape FC sends') && l.includes('ValidationError'))).toBe(true);
    await stack.cloud.fcIdle();
    expect(stack.cloud.requests).toHaveLength(0);
    expect(stack.cloud.fcTasks).toHaveLength(0);
  });

  it('an event that is not JSON at all: logged and ignored, no throw', async () => {
    const { result, error, lines } = await withWarnings(Buffer.from('not json'));
    expect(error).toBeUndefined();
    expect(result).toEqual({ ok: false, ignored: 'not-json' });
    expect(lines.some((l) => l.includes('tracker event ignored: not JSON'))).toBe(true);
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it("a known key with another database in the payload: the record's database is backed up, the payload's is never touched", async () => {
    const target = targets[0] as Target;
    const key = `fcdb_swap${Date.now()}`;
    await history().expect(subjectOf(key, target, { trigger: 'timer' }));
    const { result } = await withWarnings({ requestContext: fcContextOf, requestPayload: JSON.stringify({ key, target: { product: 'rds', DBInstanceId: 'rm-sample2' }, replyTo: { platform: 'slack', url: 'https://hooks.slack.com/commands/T1/1/evil' } }) });
    expect(result).toMatchObject({ ok: true, key, recovery: 'redispatched' });
    await stack.cloud.fcIdle();
    await stack.tracked();
    expect(stack.cloud.requests.filter((r) => r.action === 'CreateBackup').map((r) => r.query.DBInstanceId)).toEqual(['rm-sample1']);
    expect(await history().get(key)).toMatchObject({ state: 'succeeded', origin: { trigger: 'timer' } });
    expect((await history().get(key))?.origin.replyTo).toBeUndefined();
  });
});

it("the timer's redelivery does not count a 409 as done when the worker failed for good: the task is sent again", async () => {
  process.env.FANOUT_THRESHOLD = '0';
  try {
    const target = targets[0] as Target;
    // Every attempt FC makes fails (the first and its 3 retries): FC gives up on the task.
    stack.cloud.inject({ product: 'fc', action: 'InvokeFunction:run', kind: 'function-error', times: 4 });
    firing++;
    const event = Buffer.from(JSON.stringify({ triggerTime: new Date(Date.UTC(2026, 11, 3, 2, 0, firing)).toISOString(), triggerName: 'nightly', payload: JSON.stringify({ targets: [target] }) }));
    const run = () => timer()(event, fcContext('scheduled-backup', { credentials: stsCredentials, timeoutSec: 60 }));
    expect(await run()).toMatchObject({ ok: true, fannedOut: true, dispatched: 1 });
    await stack.cloud.fcIdle();
    expect(stack.cloud.fcTasks.map((t) => t.status)).toEqual(['failed']);
    expect(stack.cloud.jobs()).toHaveLength(0);
    // Past TRACKER_LOST_AFTER_SEC the redelivery's 409 for the old task id sends it again under a new one.
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await run()).toMatchObject({ ok: true, duplicates: 1 });
    await stack.cloud.fcIdle();
    const key = stack.cloud.fcTasks[0]?.taskId as string;
    expect(stack.cloud.fcTasks.map((t) => t.taskId)).toEqual([key, `${key}_r1`]);
    await stack.tracked();
    expect(stack.cloud.jobs()).toHaveLength(1);
    expect((await recordOf(target))?.state).toBe('succeeded');
  } finally {
    delete process.env.FANOUT_THRESHOLD;
  }
});

it('a selector that matches nothing is alerted once on each channel, however often the firing is delivered', async () => {
  firing++;
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date(Date.UTC(2026, 11, 4, 2, 0, firing)).toISOString(), triggerName: 'nightly', payload: JSON.stringify({ targets: [{ product: 'polardb', tags: { backup: 'renamed' } }] }) }));
  for (let i = 0; i < 2; i++) expect(await timer()(event, fcContext('scheduled-backup', { credentials: stsCredentials }))).toMatchObject({ ok: false, warnings: [expect.stringMatching(/matched no database/)] });
  expect(stack.receiver.notified.map((n) => n.channel).sort()).toEqual(['dingtalk', 'slack']);
  expect(JSON.stringify(stack.receiver.notified[0]?.body)).toMatch(/matched no database.*renamed/);
  expect(stack.receiver.refused).toEqual([]);
});

it('the daily digest goes out once, at DIGEST_HOUR, with the report', async () => {
  await fire([targets[1] as Target]);
  await stack.tracked();
  Object.assign(process.env, { DIGEST_HOUR: String(new Date().getUTCHours()), DIGEST_TIMEZONE: 'UTC' });
  try {
    await stack.sweep();
    await stack.sweep();
  } finally {
    delete process.env.DIGEST_HOUR;
    delete process.env.DIGEST_TIMEZONE;
  }
  const digests = stack.receiver.notified.filter((n) => JSON.stringify(n.body).includes('Backups 20'));
  expect(digests.map((n) => n.channel).sort()).toEqual(['dingtalk', 'slack']);
  expect(JSON.stringify(digests[0]?.body)).toMatch(/databases/);
});

it('a deploy-gate backup made but not recorded (answer lost, the look for it refused, 503 to a CI that never retries) is followed by the tracker to its end: one backup', async () => {
  const target = { product: 'rds', DBInstanceId: 'rm-sample2', BackupMethod: 'Physical' } as const;
  stack.cloud.inject({ action: 'CreateBackup', product: 'rds', instanceId: 'rm-sample2', kind: 'drop-after-create' });
  // The look before CreateBackup passes; every look for the job after the lost answer is refused.
  stack.cloud.inject({ action: 'DescribeBackupTasks', product: 'rds', instanceId: 'rm-sample2', kind: 'status', status: 503, times: 1_000, skip: 1 });
  const deployId = `deploy-unrecorded-${Date.now()}`;
  const text = JSON.stringify({ targets: [target], deployId });
  const res = await fetch(`${stack.gateway}/deploy-hook/backups`, { method: 'POST', headers: { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', text, secrets.deploy) }, body: text });
  expect(res.status).toBe(503);
  const key = ((await res.json()) as { jobs: { key: string }[] }).jobs[0]?.key as string;
  expect(stack.cloud.jobs('rds', 'rm-sample2')).toHaveLength(1);
  expect(await history().get(key)).toMatchObject({ state: 'dispatched', origin: { trigger: 'deploy', deployId } });
  stack.cloud.clearFaults();
  await new Promise((r) => setTimeout(r, 1_100));
  await stack.sweep();
  await stack.cloud.fcIdle();
  await stack.tracked();
  expect(await history().get(key)).toMatchObject({ state: 'succeeded', origin: { deployId } });
  expect(stack.cloud.jobs('rds', 'rm-sample2')).toHaveLength(1);
});

/** Every invocation of the worker fails, every time FC tries: the tracker sends the task again until it gives up. */
async function sweepUntilLost(): Promise<void> {
  stack.cloud.inject({ product: 'fc', action: 'InvokeFunction:run', kind: 'function-error', times: Number.POSITIVE_INFINITY });
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 1_100));
    await stack.sweep();
    await stack.cloud.fcIdle();
  }
  stack.cloud.clearFaults();
  await stack.sweep();
}

it("a lost task whose CreateBackup may have reached the cloud (an ambiguous attempt on record) is not alerted as never requested", async () => {
  const target = targets[1] as Target;
  const key = `fcdb_maybe${Date.now()}`;
  await history().expect(subjectOf(key, target, { trigger: 'timer' }));
  // What a worker leaves when CreateBackup's answer was lost and it then died: an ambiguous attempt on record.
  const at = new Date().toISOString();
  const store = startInvocation(fcContext('test', {})).deps.store;
  await store.putIfAbsent({ key, payloadHash: 'h', status: 'ambiguous', owner: 'gone', claimedAt: at, leaseExpiresAt: 0, firstAttemptAt: at, lastAttemptAt: at, attempts: 1 }, 3_600_000);
  await sweepUntilLost();
  const r = await history().get(key);
  expect(r).toMatchObject({ state: 'lost', error: { code: 'DispatchLost' } });
  expect(r?.error?.message).toMatch(/may have reached the cloud.*check the instance's backups/);
  expect(r?.error?.message).not.toMatch(/never requested/);
});

it('a task that never produces a job, however often it is sent, is given up as lost and alerted once', async () => {
  const target = targets[1] as Target;
  const key = `fcdb_gone${Date.now()}`;
  await history().expect(subjectOf(key, target, { trigger: 'timer' }));
  await sweepUntilLost();
  expect(stack.cloud.fcTasks.map((t) => t.taskId)).toEqual([`${key}_r1`, `${key}_r2`]);
  expect(await history().get(key)).toMatchObject({ state: 'lost', redispatches: 2, error: { code: 'DispatchLost' }, duties: [] });
  expect(stack.cloud.jobs()).toHaveLength(0);
  const alerts = stack.receiver.notified.map((n) => JSON.stringify(n.body));
  expect(alerts).toHaveLength(2);
  for (const a of alerts) expect(a).toMatch(/Backup task lost: polardb pc-sample1.*DispatchLost/);
});

it('a deploy whose deployId looks like a URL and a mention: its failure alert shows it as code on both channels, never as a link (issue 16)', async () => {
  const target = { product: 'rds', DBInstanceId: 'rm-sample1', BackupMethod: 'Physical' } as const;
  stack.cloud.inject({ action: 'CreateBackup', product: 'rds', kind: 'job-fails' });
  // Within the gate's deployId rule (letters, digits and . _ : / # @ + -).
  const deployId = `https://evil.example/@channel/${Date.now()}`;
  const text = JSON.stringify({ targets: [target], deployId });
  const res = await fetch(`${stack.gateway}/deploy-hook/backups`, { method: 'POST', headers: { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', text, secrets.deploy) }, body: text });
  expect(res.status).toBe(202);
  await stack.tracked();
  const slack = stack.receiver.notified.find((n) => n.channel === 'slack')?.body as { blocks: Record<string, any>[] };
  const fields = slack.blocks.flatMap((b) => b.fields ?? []) as { text: string; verbatim?: boolean }[];
  expect(fields.map((f) => f.text)).toContain(`*trigger*\n\`deploy ${deployId}\``);
  const mrkdwn = JSON.stringify(slack.blocks).match(/"type":"mrkdwn"[^}]*/g) ?? [];
  expect(mrkdwn.length).toBeGreaterThan(3);
  for (const m of mrkdwn) expect(m).toContain('"verbatim":true');
  const ding = stack.receiver.notified.find((n) => n.channel === 'dingtalk')?.body as { markdown: { text: string } };
  const trigger = ding.markdown.text.split('\n').find((l) => l.startsWith('- **trigger**')) as string;
  expect(trigger).toBe(`- **trigger**: \`deploy ${deployId.replace(/([:.@])/g, '$1\u200b')}\``);
  expect(trigger).not.toContain('https://');
});
