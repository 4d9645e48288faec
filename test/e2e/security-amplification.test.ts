// Issue 10, point 6: cheap amplification, performed through the gateway and the built deploy-hook and chatops bundles
// against the local cloud. Duplicate selectors cost one list, a request holds a bounded number of them, and a leaked
// credential cannot drain a database's backup quota: ADHOC_BACKUPS_PER_DAY per database
// in a sliding 24 h window, chat and deploy gate together.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deployHeaders, slackHeaders } from '../../shared/http/signatures/http-adapters';
import { secrets, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(
    { jobDurationMs: 200 },
    { ADHOC_BACKUPS_PER_DAY: '2', MAX_SELECTORS_PER_REQUEST: '20', CHATOPS_ACL: JSON.stringify([{ users: ['slack:T1/U-ops'], commands: ['backup'] }]) },
  );
});
afterAll(() => stack.close());
beforeEach(() => stack.cloud.reset());

async function gate(body: Record<string, unknown>) {
  const text = JSON.stringify(body);
  const res = await fetch(`${stack.gateway}/deploy-hook/backups`, { method: 'POST', headers: { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', text, secrets.deploy) }, body: text });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, any> };
}
const calls = (action: string) => stack.cloud.requests.filter((r) => r.action === action).length;

describe('point 6: amplification', () => {
  it('1,200 copies of one tag selector in one signed dry run make one DescribeDBInstances call, not 1,200', async () => {
    const targets = Array.from({ length: 1200 }, () => ({ product: 'rds', tags: { backup: 'nightly' } }));
    const r = await gate({ targets, deployId: `amp-dup-${randomUUID().slice(0, 8)}`, dryRun: true });
    expect(r.status).toBe(200);
    expect(r.body.calls.length).toBeGreaterThan(0);
    expect(calls('DescribeDBInstances')).toBe(1);
  });

  it('21 different selectors (over MAX_SELECTORS_PER_REQUEST) → 422 before any list call', async () => {
    const targets = Array.from({ length: 21 }, (_, i) => ({ product: 'rds', tags: { team: `t${i}` } }));
    const r = await gate({ targets, deployId: `amp-many-${randomUUID().slice(0, 8)}`, dryRun: true });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'TooManySelectors', message: expect.stringMatching(/21 different tag selectors, more than the limit of 20 \(MAX_SELECTORS_PER_REQUEST\)/) });
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('a third new deployId for the same database within 24 h → 429 with Retry-After, no third CreateBackup; a re-run of the first still answers', async () => {
    const target = [{ product: 'polardb', DBClusterId: 'pc-sample1' }];
    const first = `amp-q1-${randomUUID().slice(0, 8)}`;
    expect((await gate({ targets: target, deployId: first })).status).toBeLessThan(300);
    expect((await gate({ targets: target, deployId: `amp-q2-${randomUUID().slice(0, 8)}` })).status).toBeLessThan(300);
    const third = await gate({ targets: target, deployId: `amp-q3-${randomUUID().slice(0, 8)}` });
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({ code: 'AdhocLimitExceeded', message: expect.stringMatching(/polardb pc-sample1 already had 2 ad-hoc backups in the last 24 hours \(ADHOC_BACKUPS_PER_DAY\); nothing was started\. The oldest slot frees at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\./) });
    // The window slides: the first slot frees 24 h after it was taken, not at the next hour.
    expect(Number(third.retryAfter)).toBeGreaterThan(86_000);
    expect(calls('CreateBackup')).toBe(2);
    // The pipeline's re-run of the first deploy is the same request: it takes no new slot and is not refused.
    expect((await gate({ targets: target, deployId: first })).status).toBeLessThan(300);
    expect(calls('CreateBackup')).toBe(2);
  });

  it('a request over the limit on one database takes nothing on the others (all or none)', async () => {
    const full = [{ product: 'rds', DBInstanceId: 'rm-sample2' }];
    await gate({ targets: full, deployId: `amp-a-${randomUUID().slice(0, 8)}` });
    await gate({ targets: full, deployId: `amp-b-${randomUUID().slice(0, 8)}` });
    stack.cloud.reset();
    const mixed = await gate({ targets: [{ product: 'mongodb', DBInstanceId: 'dds-sample1' }, ...full], deployId: `amp-c-${randomUUID().slice(0, 8)}` });
    expect(mixed.status).toBe(429);
    expect(calls('CreateBackup')).toBe(0);
    // dds-sample1's slot was given back: two more backups of it still fit in the window.
    expect((await gate({ targets: [{ product: 'mongodb', DBInstanceId: 'dds-sample1' }], deployId: `amp-d-${randomUUID().slice(0, 8)}` })).status).toBeLessThan(300);
    expect((await gate({ targets: [{ product: 'mongodb', DBInstanceId: 'dds-sample1' }], deployId: `amp-e-${randomUUID().slice(0, 8)}` })).status).toBeLessThan(300);
  });

  it('chat and the deploy gate share the limit: a chat backup of a database the gate already used twice is refused, nothing dispatched', async () => {
    const body = new URLSearchParams({
      team_id: 'T1',
      user_id: 'U-ops',
      user_name: 'ops',
      channel_id: 'C1',
      command: '/backup',
      text: 'backup rds rm-sample2',
      response_url: `${stack.receiver.url}/slack/response/${randomUUID()}`,
      trigger_id: `trig.${randomUUID()}`,
    }).toString();
    const res = await fetch(`${stack.gateway}/chatops/slack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, secrets.slack) }, body });
    const reply = (await res.json()) as { text: string };
    expect(reply.text).toMatch(/rds rm-sample2 already had 2 ad-hoc backups in the last 24 hours/);
    await stack.cloud.fcIdle();
    expect(calls('InvokeFunction')).toBe(0);
    expect(calls('CreateBackup')).toBe(0);
  });
});
