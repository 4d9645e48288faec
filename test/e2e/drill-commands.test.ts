// A drill asked for by a person: chat's `drill <product> <id>` (Slack, through the chatops bundle behind the gateway,
// handed to restore-drill by the local FC) and the built CLI's `drill` (a child process invoking restore-drill
// synchronously). Each runs only for a database DRILL_TARGETS covers, with that configuration; the chat outcome is
// posted back once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import { drillLogFor } from '../../shared/drill/log';
import type { DrillRecord } from '../../shared/drill/record';
import { startInvocation } from '../../shared/fc/invocation';
import { slackHeaders } from '../../shared/http/signatures/http-adapters';
import { cli } from '../helpers/cli';
import { followDrillToEnd } from '../helpers/drill';
import { stsCredentials } from '../helpers/fc';
import { secrets, startStack, type Stack } from '../helpers/stack';

const acl = [
  { users: ['slack:T1/U-ops'], commands: ['backup', 'drill'] },
  { users: ['slack:T1/U-backup-only'], commands: ['backup', 'status'] },
];
const covered: Target = { product: 'mongodb', DBInstanceId: 'dds-chatdrill1', BackupMethod: 'Snapshot' };
const cliCovered: Target = { product: 'rds', DBInstanceId: 'rm-clidrill1', BackupMethod: 'Physical' };

let stack: Stack;
let firing = 0;
beforeAll(async () => {
  stack = await startStack(
    { jobDurationMs: 200, restore: { restoreMs: 300, releaseMs: 200 } },
    { LOG_LEVEL: 'error', CHATOPS_ACL: JSON.stringify(acl), DRILL_FUNCTION: 'restore-drill', DRILL_PERIOD: '90d', DRILL_TARGETS: JSON.stringify([covered, cliCovered]) },
  );
  stack.cloud.addInstance({ product: 'mongodb', id: 'dds-chatdrill1' });
  stack.cloud.addInstance({ product: 'rds', id: 'rm-clidrill1' });
  for (const t of [covered, cliCovered]) await backUp(t);
});
afterAll(() => stack.close());
// Not cloud.reset(): it would forget the instances and backups seeded above. Each test looks at what it caused.
let since = { requests: 0, tasks: 0 };
beforeEach(() => {
  since = { requests: stack.cloud.requests.length, tasks: stack.cloud.fcTasks.length };
  stack.receiver.posted.length = 0;
});

const context = (name: string) => fcContext(name, { credentials: stsCredentials, timeoutSec: 60 });
const log = () => drillLogFor(startInvocation(fcContext('test', {})).deps.store);
const requests = () => stack.cloud.requests.slice(since.requests);
const creates = () => requests().filter((q) => /Clone|Create(DBInstance|DBCluster)|Delete/.test(q.action));
const drillInvokes = () => requests().filter((q) => q.action === 'InvokeFunction' && q.query.functionName === 'restore-drill');

async function backUp(t: Target): Promise<void> {
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date(Date.UTC(2026, 11, 1, 3, 0, ++firing)).toISOString(), triggerName: 'daily', payload: JSON.stringify({ targets: [t] }) }));
  const run = (await loadHandler('scheduled-backup')(event, context('scheduled-backup'))) as Record<string, unknown>;
  expect(run.ok).toBe(true);
  await stack.tracked();
}

const followToEnd = (drillId: string, timeoutMs?: number) => followDrillToEnd(stack, drillId, timeoutMs);

function slackForm(text: string, over: Record<string, string> = {}) {
  return new URLSearchParams({
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

async function slack(body: string, headers: Record<string, string> = {}) {
  const started = Date.now();
  const res = await fetch(`${stack.gateway}/chatops/slack`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, secrets.slack), ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as { text: string; response_type?: string }, ms: Date.now() - started };
}

describe('chat drill', () => {
  it('an allowed user starts a drill of a covered database; a Slack retry is the same task; the outcome is posted back once', async () => {
    const body = slackForm('drill mongodb dds-chatdrill1');
    const r = await slack(body);
    expect(r.status).toBe(200);
    expect(r.ms).toBeLessThan(3000);
    expect(r.body).toMatchObject({ response_type: 'in_channel' });
    expect(r.body.text).toMatch(/^Restore drill of mongodb dds-chatdrill1 requested by "ops" \(U-ops\).*I'll post the outcome here when the drill ends\.$/);
    const retry = await slack(body, { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    expect(retry.body.text).toMatch(/^Restore drill of mongodb dds-chatdrill1/);
    await stack.cloud.fcIdle();
    // One task: FC dropped the retry's (same task id, 409), so restore-drill ran once.
    const tasks = stack.cloud.fcTasks.slice(since.tasks).filter((t) => t.functionName === 'restore-drill');
    expect(tasks).toHaveLength(1);
    expect(drillInvokes().map((q) => q.status)).toEqual([202, 409]);
    expect(tasks[0]?.result).toMatchObject({ ok: true, drill: { origin: { trigger: 'chat', requestedBy: '"ops" (U-ops)' } } });

    const drillId = ((tasks[0]?.result as { drill: { drillId: string } }).drill).drillId;
    const done = await followToEnd(drillId);
    expect(done).toMatchObject({ phase: 'released', verdict: 'passed', sourceId: 'dds-chatdrill1' });
    await stack.sweep();
    await stack.cloud.fcIdle();
    const responsePath = new URLSearchParams(body).get('response_url')?.replace(stack.receiver.url, '');
    const posted = stack.receiver.posted.filter((p) => p.path === responsePath);
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0]?.body)).toMatch(/PASSED: recovery time/);
    expect(requests().filter((q) => q.action === 'CreateDBInstance' && q.status === 200)).toHaveLength(1);
  });

  it('a user whose rule allows only backup is refused, and nothing is invoked or created', async () => {
    const r = await slack(slackForm('drill mongodb dds-chatdrill1', { user_id: 'U-backup-only', user_name: 'bk' }));
    expect(r.status).toBe(200);
    expect(r.body.text).toMatch(/^Sorry, "bk" \(U-backup-only\) is not allowed to run "drill" on dds-chatdrill1 here\./);
    expect(r.body.response_type).not.toBe('in_channel');
    await stack.cloud.fcIdle();
    expect(drillInvokes()).toEqual([]);
    expect(creates()).toEqual([]);
  });

  it('a database the drill configuration does not cover is refused in the answer, and nothing is invoked or created', async () => {
    const r = await slack(slackForm('drill rds rm-sample1'));
    expect(r.status).toBe(200);
    expect(r.body.text).toMatch(/^Sorry, rds rm-sample1 is not covered by the drill configuration \(DRILL_TARGETS\); nothing was restored\./);
    await stack.cloud.fcIdle();
    expect(drillInvokes()).toEqual([]);
    expect(creates()).toEqual([]);
  });

  it('without DRILL_FUNCTION, a clear refusal', async () => {
    const saved = process.env.DRILL_FUNCTION;
    delete process.env.DRILL_FUNCTION;
    try {
      const r = await slack(slackForm('drill mongodb dds-chatdrill1'));
      expect(r.body.text).toMatch(/^Sorry, restore drills cannot be asked for from chat here: DRILL_FUNCTION .* is not set .* Nothing was started\.$/);
    } finally {
      process.env.DRILL_FUNCTION = saved;
    }
    expect(drillInvokes()).toEqual([]);
  });

  it('help lists drill', async () => {
    const r = await slack(slackForm('help'));
    expect(r.body.text).toMatch(/\n {2}drill &lt;product&gt; &lt;instance-id&gt; +restore drill now/);
  });
});

describe('cli drill', () => {
  const env = () => ({
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
    ALIBABA_CLOUD_REGION: 'cn-hangzhou',
    FC_ACCOUNT_ID: '1234567890',
    FC_ENDPOINT: stack.cloud.url,
    DRILL_FUNCTION: 'restore-drill',
  });

  it('--dry-run prints the plan and creates nothing; --json is the function\'s answer', async () => {
    const r = await cli(['drill', 'rds', 'rm-clidrill1', '--dry-run'], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Dry run, drill drill_rds_rm-clidrill1_\d+: would restore backup .* Nothing was created\.\n$/);
    const j = await cli(['drill', 'rds', 'rm-clidrill1', '--dry-run', '--json'], env());
    expect(j.code, j.stderr).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, dryRun: true, plan: { sourceId: 'rm-clidrill1', product: 'rds' } });
    expect(creates()).toEqual([]);
    expect(await log().get(JSON.parse(j.stdout).plan.drillId)).toBeUndefined();
  });

  it('starts a drill of a covered database, asked by the OS user', async () => {
    const r = await cli(['drill', 'rds', 'rm-clidrill1', '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { ok: boolean; drill: DrillRecord; text: string };
    expect(out).toMatchObject({ ok: true, drill: { sourceId: 'rm-clidrill1', origin: { trigger: 'cli', requestedBy: expect.stringMatching(/^cli:/) } } });
    expect(out.text).toMatch(/^Restore drill drill_rds_rm-clidrill1_\d+ of rds rm-clidrill1/);
    expect(await followToEnd(out.drill.drillId)).toMatchObject({ phase: 'released', verdict: 'passed' });
  });

  it('a database the drill configuration does not cover exits non-zero with the refusal, creating nothing', async () => {
    const r = await cli(['drill', 'rds', 'rm-sample2'], env());
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fc-db-backup: rds rm-sample2 is not covered by the drill configuration \(DRILL_TARGETS\); nothing was restored\./);
    const j = await cli(['drill', 'rds', 'rm-sample2', '--json'], env());
    expect(j.code).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'DrillNotCovered' } });
    expect(creates()).toEqual([]);
  });

  it('a bad id is refused by restore-drill\'s own rule; without FC_ACCOUNT_ID it says what to set', async () => {
    const bad = await cli(['drill', 'rds', 'RM;x'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/run\.instanceId/);
    const { FC_ACCOUNT_ID: _, ...noAccount } = env();
    const r = await cli(['drill', 'rds', 'rm-clidrill1'], noAccount);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/set FC_ACCOUNT_ID/);
    expect(creates()).toEqual([]);
  });
});
