// Chat command → 200 → async invoke (local FC) → backup-worker bundle → one backup and one result posted back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dingtalkHeaders, slackHeaders } from '../../shared/http/signatures/http-adapters';
import { fcContext } from '../../local/fc-runtime';
import { startInvocation } from '../../shared/fc/invocation';
import { captureStdout } from '../helpers/fc';
import { secrets, startStack, type Stack } from '../helpers/stack';

const acl = [
  { users: ['slack:T1/U-ops'], commands: ['backup', 'status', 'report'] },
  { users: ['dingtalk:dingcorp/ding-ops'], channels: ['dingtalk:cid-ops'], commands: ['backup', 'status'] },
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 300 }, { CHATOPS_ACL: JSON.stringify(acl) });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.cloud.reset();
  stack.receiver.posted.length = 0;
});

function slackForm(text: string, over: Record<string, string> = {}) {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T1',
    channel_id: 'C-ops',
    user_id: 'U-ops',
    user_name: 'ops',
    command: '/backup',
    text,
    response_url: `${stack.receiver.url}/slack/response/${randomUUID()}`,
    trigger_id: `trig.${randomUUID()}`,
    ...over,
  }).toString();
}

async function slack(body: string, opts: { secret?: string; nowMs?: number; headers?: Record<string, string> } = {}) {
  const started = Date.now();
  const res = await fetch(`${stack.gateway}/chatops/slack`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, opts.secret ?? secrets.slack, opts.nowMs), ...opts.headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any>, ms: Date.now() - started };
}

function dingMessage(content: string, over: Record<string, unknown> = {}) {
  return JSON.stringify({
    msgtype: 'text',
    text: { content },
    msgId: `msg${randomUUID()}`,
    senderStaffId: 'ding-ops',
    senderCorpId: 'dingcorp',
    chatbotCorpId: 'dingcorp',
    senderNick: 'Ding Ops',
    conversationId: 'cid-ops',
    sessionWebhook: `${stack.receiver.url}/dingtalk/session/${randomUUID()}`,
    ...over,
  });
}

async function dingtalk(body: string, opts: { secret?: string; nowMs?: number } = {}) {
  const res = await fetch(`${stack.gateway}/chatops/dingtalk`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...dingtalkHeaders(opts.secret ?? secrets.dingtalk, opts.nowMs) },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const created = () => stack.cloud.jobs().length;

describe('Slack', () => {
  it('backup → 200 within 3 s → exactly one backup and one result posted to response_url', async () => {
    const body = slackForm('backup rds rm-sample1 Physical');
    const r = await slack(body);
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    expect(r.body).toMatchObject({ response_type: 'in_channel', text: expect.stringContaining('Backup of rds rm-sample1 requested by "ops" (U-ops)') });
    await stack.cloud.fcIdle();
    // The worker only requests the backup; the tracker records its end and posts the result.
    await stack.tracked();
    expect(created()).toBe(1);
    expect(stack.receiver.posted).toHaveLength(1);
    const posted = stack.receiver.posted[0] as { path: string; body: { text: string } };
    expect(posted.path).toMatch(/^\/slack\/response\//);
    expect(posted.body.text).toMatch(/Backup of rds rm-sample1 succeeded: job \d+, backup \d+, [\d.]+ MiB/);
  });

  it("Slack's retry of the same command (same trigger_id) takes no second backup and posts once", async () => {
    const body = slackForm('backup mongodb dds-sample1 Snapshot');
    await slack(body);
    const retry = await slack(body, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry.status).toBe(200);
    await stack.cloud.fcIdle();
    // The worker only requests the backup; the tracker records its end and posts the result.
    await stack.tracked();
    expect(created()).toBe(1);
    expect(stack.receiver.posted).toHaveLength(1);
  });

  it('FC refusing every invoke: "nothing was started" stays true, the user\'s retry is the one backup (the tracker never sends the refused one)', async () => {
    const since = new Date().toISOString();
    stack.cloud.inject({ product: 'fc', action: 'InvokeFunction', kind: 'throttle', times: 1_000 });
    const refused = await slack(slackForm('backup rds rm-sample2'));
    stack.cloud.clearFaults();
    expect(refused.body.text).toMatch(/Nothing was started; try the same command again/);
    const history = startInvocation(fcContext('test', {})).history;
    const records = (await history.forDatabase('rds', 'rm-sample2')).filter((r) => r.requestedAt >= since);
    expect(records.map((r) => [r.state, r.duties])).toEqual([['not-requested', []]]);
    // Past TRACKER_LOST_AFTER_SEC (the test's clock): a sweep would send a task still expected.
    for (const r of records) await history.reschedule(r, Date.now());
    await stack.sweep();
    expect((await slack(slackForm('backup rds rm-sample2'))).body.text).toMatch(/^Backup of rds rm-sample2 requested/);
    await stack.cloud.fcIdle();
    await stack.tracked();
    expect(created()).toBe(1);
    expect(stack.receiver.posted).toHaveLength(1);
  });

  it('an invoke whose answer was lost, then refused on retry: told it may be queued, not that nothing started; one backup', async () => {
    stack.cloud.inject({ product: 'fc', action: 'InvokeFunction', kind: 'drop-after-create' });
    stack.cloud.inject({ product: 'fc', action: 'InvokeFunction', kind: 'throttle', times: 1_000 });
    const r = await slack(slackForm('backup rds rm-sample2'));
    stack.cloud.clearFaults();
    expect(r.body.text).toMatch(/It may still have been queued: check with "status rm-sample2"/);
    await stack.cloud.fcIdle();
    await stack.tracked();
    expect(created()).toBe(1);
  });

  it('a failed backup is reported as failed', async () => {
    stack.cloud.inject({ action: 'CreateBackup', product: 'rds', kind: 'job-fails' });
    await slack(slackForm('backup rds rm-sample2'));
    await stack.cloud.fcIdle();
    // The worker only requests the backup; the tracker records its end and posts the result.
    await stack.tracked();
    expect((stack.receiver.posted[0]?.body as { text: string }).text).toMatch(/rm-sample2 FAILED/);
  });

  it('a denied user gets a clear message, the denial is logged, and nothing is called', async () => {
    const { result, lines } = await captureStdout(() => slack(slackForm('backup rds rm-sample1', { user_id: 'U-intruder', user_name: 'mallory' })));
    expect(result?.status).toBe(200);
    expect(result?.body.text).toMatch(/"mallory" \(U-intruder\) is not allowed to run "backup" on rm-sample1/);
    expect(lines.some((l) => l.includes('chatops command denied') && l.includes('U-intruder'))).toBe(true);
    await stack.cloud.fcIdle();
    expect(stack.cloud.requests).toHaveLength(0);
    expect(created()).toBe(0);
  });

  it('help (and empty text) and usage errors are answered with 200 and the usage', async () => {
    for (const text of ['help', '']) expect((await slack(slackForm(text))).body.text).toMatch(/Usage:/);
    const bad = await slack(slackForm('backup rds rm-sample1 Fast'));
    expect(bad.status).toBe(200);
    expect(bad.body.text).toMatch(/BackupMethod: "Fast" — must be one of Logical, Physical, Snapshot/);
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('status <job-id> and status <instance-id> answer from the cloud', async () => {
    await slack(slackForm('backup polardb pc-sample1'));
    await stack.cloud.fcIdle();
    // The worker only requests the backup; the tracker records its end and posts the result.
    await stack.tracked();
    const jobId = stack.cloud.jobs()[0]?.id as string;
    expect((await slack(slackForm(`status ${jobId}`))).body.text).toMatch(new RegExp(`polardb pc-sample1: succeeded.*job ${jobId}`));
    expect((await slack(slackForm('status pc-sample1'))).body.text).toMatch(/polardb pc-sample1: succeeded/);
  });

  it('report answers which databases lack a good backup, from the history the tracker wrote', async () => {
    stack.cloud.addInstance({ product: 'mongodb', id: 'dds-report1', failBackups: true });
    await slack(slackForm('backup mongodb dds-report1'));
    await stack.cloud.fcIdle();
    await stack.tracked();
    const text = (await slack(slackForm('report'))).body.text as string;
    expect(text).toMatch(/^\d+ of \d+ databases have no good backup within 26h00m:/);
    expect(text).toMatch(/• mongodb dds-report1: last good never; last failure BackupJobFailed at /);
  });

  it.each([
    ['a stale timestamp (6 minutes old)', { nowMs: Date.now() - 360_000 }],
    ['a future timestamp (6 minutes ahead)', { nowMs: Date.now() + 360_000 }],
    ['another secret', { secret: 'not-the-slack-secret' }],
  ])('%s → 401', async (_name, opts) => {
    const r = await slack(slackForm('backup rds rm-sample1'), opts);
    expect(r.status).toBe(401);
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('a tampered body → 401', async () => {
    const body = slackForm('status rm-sample1');
    const res = await fetch(`${stack.gateway}/chatops/slack`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, secrets.slack) },
      body: body.replace('status', 'backup'),
    });
    expect(res.status).toBe(401);
  });

  it('a signed form body that is not a slash command → 400, never 500', async () => {
    const r = await slack('hello=world');
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/user_id/);
  });
});

describe('DingTalk', () => {
  it('backup → exactly one backup and one result posted to the sessionWebhook, in DingTalk format', async () => {
    const body = dingMessage('@backup-bot backup polardb pc-sample1');
    const r = await dingtalk(body);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ msgtype: 'text', text: { content: expect.stringContaining('Backup of polardb pc-sample1 requested') } });
    // DingTalk resends a message it got no answer for: same msgId.
    await dingtalk(body);
    await stack.cloud.fcIdle();
    // The worker only requests the backup; the tracker records its end and posts the result.
    await stack.tracked();
    expect(created()).toBe(1);
    expect(stack.receiver.posted).toHaveLength(1);
    expect(stack.receiver.posted[0]).toMatchObject({ path: expect.stringMatching(/^\/dingtalk\/session\//), body: { msgtype: 'text', text: { content: expect.stringMatching(/succeeded/) } } });
  });

  it('a user outside the allowed conversation is denied', async () => {
    const r = await dingtalk(dingMessage('backup rds rm-sample1', { conversationId: 'cid-elsewhere' }));
    expect(r.body.text.content).toMatch(/not allowed/);
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('a timestamp outside the 5-minute window, or another secret → 401', async () => {
    expect((await dingtalk(dingMessage('help'), { nowMs: Date.now() - 310_000 })).status).toBe(401);
    expect((await dingtalk(dingMessage('help'), { secret: 'nope' })).status).toBe(401);
  });

  it('bad JSON → 400', async () => {
    const res = await fetch(`${stack.gateway}/chatops/dingtalk`, { method: 'POST', headers: { 'content-type': 'application/json', ...dingtalkHeaders(secrets.dingtalk) }, body: '{"msgId":' });
    expect(res.status).toBe(400);
  });
});

describe('chatops logs', () => {
  it('carry no secret, signature or token', async () => {
    const body = slackForm('backup rds rm-sample1');
    const headers = slackHeaders(body, secrets.slack);
    const { lines } = await captureStdout(async () => {
      await slack(body);
      await slack(slackForm('backup rds rm-sample1'), { secret: 'wrong' });
      await dingtalk(dingMessage('backup rds rm-sample2'));
      await stack.cloud.fcIdle();
    });
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      for (const s of [secrets.slack, secrets.dingtalk, secrets.deploy, 'sts-secret', 'legacy-verification-token', headers['x-slack-signature'] as string]) {
        expect(line).not.toContain(s);
      }
      expect(line).not.toMatch(/v0=[0-9a-f]{64}/);
    }
  });
});
