// Issue 16, smaller findings: `status` and `report` honour an ACL rule's `instances` and `tags`. Attacks by a chat
// user limited to one team's databases, through the gateway and the built chatops bundle against the local cloud:
// another team's databases, deploys and jobs stay unseen, and a refusal reads the same as a ref naming nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployHeaders, slackHeaders } from '../../shared/http/signatures/http-adapters';
import { secrets, startStack, type Stack } from '../helpers/stack';

const acl = [
  // The attacker of the issue: `backup` and `status` on one instance.
  { users: ['slack:T1/U-orders'], commands: ['backup', 'status'], instances: ['rm-orders1'] },
  // Readers of the orders team, by instance prefix and by tag.
  { users: ['slack:T1/U-orders-reader'], commands: ['status', 'report'], instances: ['rm-orders*'] },
  { users: ['slack:T1/U-orders-tags'], commands: ['status', 'report'], tags: { team: 'orders' } },
  // Fleet-wide: sees everything (the control that shows the other team's databases are there to be seen).
  { users: ['slack:T1/U-ops'], commands: ['status', 'report'] },
];

// Words that name the payroll team's databases, deploy or configuration: none may reach an orders user.
const payrollWords = ['rm-payroll1', 'pc-payroll1', 'payroll', 'nobody'];

let stack: Stack;
const jobOf: Record<string, string> = {};
beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 200 }, {
    CHATOPS_ACL: JSON.stringify(acl),
    // A selector matching nothing: its warning names the tag, so only a fleet-wide reader sees it.
    BACKUP_TARGETS: JSON.stringify([{ product: 'rds', tags: { team: 'nobody' } }]),
  });
  // Every backup fails, so each database is a line of the report.
  stack.cloud.addInstance({ product: 'rds', id: 'rm-orders1', tags: { team: 'orders' }, failBackups: true });
  stack.cloud.addInstance({ product: 'rds', id: 'rm-payroll1', tags: { team: 'payroll' }, failBackups: true });
  stack.cloud.addInstance({ product: 'polardb', id: 'pc-payroll1', tags: { team: 'payroll' }, failBackups: true });
  const payroll = await deploy('deploy-payroll-7', [{ product: 'rds', DBInstanceId: 'rm-payroll1' }, { product: 'polardb', DBClusterId: 'pc-payroll1' }]);
  await deploy('deploy-orders-2', [{ product: 'rds', DBInstanceId: 'rm-orders1' }]);
  // One database of each team: the orders user may not see the whole deploy.
  await deploy('deploy-mixed-3', [{ product: 'rds', DBInstanceId: 'rm-orders1' }, { product: 'polardb', DBClusterId: 'pc-payroll1' }]);
  await stack.tracked();
  for (const j of payroll.jobs as { instanceId: string; jobId: string }[]) jobOf[j.instanceId] = j.jobId;
});
afterAll(() => stack.close());

async function deploy(deployId: string, targets: unknown[]) {
  const body = JSON.stringify({ targets, deployId, wait: 10 });
  const res = await fetch(`${stack.gateway}/deploy-hook/backups`, { method: 'POST', headers: { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', body, secrets.deploy) }, body });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
}

async function say(userId: string, text: string): Promise<string> {
  const body = new URLSearchParams({
    team_id: 'T1',
    channel_id: 'C-ops',
    user_id: userId,
    user_name: userId.toLowerCase(),
    command: '/backup',
    text,
    response_url: `${stack.receiver.url}/slack/response/${randomUUID()}`,
    trigger_id: `trig.${randomUUID()}`,
  }).toString();
  const res = await fetch(`${stack.gateway}/chatops/slack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, secrets.slack) }, body });
  expect(res.status).toBe(200);
  return ((await res.json()) as { text: string }).text;
}

const cloudReads = () => stack.cloud.requests.filter((r) => r.action === 'DescribeBackupTasks' || r.action === 'DescribeBackups').length;
const leaksNothing = (text: string) => {
  for (const w of payrollWords) expect(text).not.toContain(w);
};

describe('a chat user allowed backup and status on one instance', () => {
  it('asks for the report: refused, naming no database', async () => {
    const text = await say('U-orders', 'report');
    expect(text).toMatch(/is not allowed to run "report"/);
    leaksNothing(text);
  });

  it.each([
    ['another team\'s deployId', 'deploy-payroll-7'],
    ['a deployId half of whose databases are another team\'s', 'deploy-mixed-3'],
    ['another team\'s instance id (RDS)', 'rm-payroll1'],
    ['another team\'s instance id (PolarDB)', 'pc-payroll1'],
  ])('asks status of %s: the same refusal as for a ref naming nothing, and not one cloud read', async (_what, ref) => {
    const nothing = (await say('U-orders', 'status deploy-does-not-exist')).replace('deploy-does-not-exist', '<ref>');
    const before = cloudReads();
    const text = await say('U-orders', `status ${ref}`);
    expect(cloudReads()).toBe(before);
    expect(text.replace(ref, '<ref>')).toBe(nothing);
    expect(text).toMatch(/names nothing .* may see: status answers only for databases your CHATOPS_ACL rule covers/);
    leaksNothing(text.replace(ref, ''));
  });

  it('asks status of another team\'s job id: refused the same way', async () => {
    const jobId = jobOf['pc-payroll1'] as string;
    expect(jobId).toEqual(expect.any(String));
    const text = await say('U-orders', `status ${jobId}`);
    expect(text).toMatch(/names nothing .* may see/);
    leaksNothing(text);
  });

  it('still gets the status of its own instance and of a deploy all of whose databases it may see', async () => {
    expect(await say('U-orders', 'status rm-orders1')).toMatch(/^rds rm-orders1: failed/m);
    const deployText = await say('U-orders', 'status deploy-orders-2');
    expect(deployText).toMatch(/^rds rm-orders1: failed.*deploy deploy-orders-2/);
    leaksNothing(deployText);
  });

  it('the fleet-wide reader sees the other team\'s deploy: the refusal above is the ACL, not a missing record', async () => {
    const text = await say('U-ops', 'status deploy-payroll-7');
    expect(text).toMatch(/rds rm-payroll1: failed/);
    expect(text).toMatch(/polardb pc-payroll1: failed/);
    expect(await say('U-ops', 'status deploy-mixed-3')).toMatch(/rds rm-orders1: failed[\s\S]*polardb pc-payroll1: failed|polardb pc-payroll1: failed[\s\S]*rds rm-orders1: failed/);
  });
});

describe('report, for a reader limited to some databases', () => {
  it.each([
    ['by instance prefix', 'U-orders-reader'],
    ['by tag, resolved as backup resolves tags', 'U-orders-tags'],
  ])('limited %s: only its databases are counted and listed; configuration warnings are left out', async (_how, user) => {
    const text = await say(user, 'report');
    expect(text).toMatch(/^1 of 1 databases have no good backup within /);
    expect(text).toMatch(/• rds rm-orders1: last good never; last failure BackupJobFailed/);
    expect(text).toMatch(/warning: warnings about the configured targets are left out here/);
    leaksNothing(text);
    // The dashboard link is for fleet-wide rules only.
    expect(text).not.toMatch(/Dashboard/);
  });

  it('limited by tag, status of a deploy of its tagged database answers; another team\'s does not', async () => {
    expect(await say('U-orders-tags', 'status deploy-orders-2')).toMatch(/^rds rm-orders1: failed/);
    for (const ref of ['deploy-payroll-7', 'deploy-mixed-3', 'pc-payroll1']) {
      const text = await say('U-orders-tags', `status ${ref}`);
      expect(text).toMatch(/names nothing .* may see/);
      leaksNothing(text.replace(ref, ''));
    }
  });

  it('the fleet-wide reader sees every database and the warning', async () => {
    const text = await say('U-ops', 'report');
    for (const id of ['rm-orders1', 'rm-payroll1', 'pc-payroll1']) expect(text).toContain(`${id}: last good never`);
    expect(text).toMatch(/warning: selector \{"team":"nobody"\} on rds matched no database/);
  });
});
