// Issue 16: a chat user allowed only `backup` on one PolarDB cluster sent four `backup polardb pc-…`, two before the
// hour and two after it. Counted by clock hour, all four fit, and each one freed a slot by deleting a restore point.
// Performed through the gateway and the built chatops bundle against the local cloud, with the process clock set
// (only Date is faked; timers run for real), the window now slides: the ones beyond ADHOC_BACKUPS_PER_DAY are refused.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deployHeaders, slackHeaders } from '../../shared/http/signatures/http-adapters';
import { secrets, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack(
    // The local cloud reads the process clock at call time, so its signature checks follow the clock the test sets.
    { jobDurationMs: 200, now: () => Date.now() },
    // The shipped default (3): the attack had 4.
    { ADHOC_BACKUPS_PER_DAY: '3', CHATOPS_ACL: JSON.stringify([{ users: ['slack:T1/U-dev'], commands: ['backup'], instances: ['pc-sample1', 'pc-sample2'] }]) },
  );
});
afterAll(() => stack.close());
afterEach(() => vi.useRealTimers());

async function chat(text: string): Promise<string> {
  const body = new URLSearchParams({
    team_id: 'T1',
    user_id: 'U-dev',
    user_name: 'dev',
    channel_id: 'C1',
    command: '/backup',
    text,
    response_url: `${stack.receiver.url}/slack/response/${randomUUID()}`,
    trigger_id: `trig.${randomUUID()}`,
  }).toString();
  const res = await fetch(`${stack.gateway}/chatops/slack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, secrets.slack) }, body });
  return ((await res.json()) as { text: string }).text;
}
async function gate(body: Record<string, unknown>) {
  const text = JSON.stringify(body);
  const res = await fetch(`${stack.gateway}/deploy-hook/backups`, { method: 'POST', headers: { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', text, secrets.deploy) }, body: text });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, any> };
}
const calls = (action: string) => stack.cloud.requests.filter((r) => r.action === action).length;
/** A clock a few minutes before the next whole hour after now (never backwards: signatures and credentials read it). */
const beforeNextHour = (minutes: number): number => (Math.floor(Date.now() / 3_600_000) + 2) * 3_600_000 - minutes * 60_000;

describe('issue 16: the ad-hoc limit is a sliding 24 h window', () => {
  it('four `backup polardb pc-sample1` from chat, two before the hour and two after: the 4th is refused, naming when the oldest slot frees', async () => {
    stack.cloud.reset();
    const first = beforeNextHour(2);
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(first);
    const replies: string[] = [];
    replies.push(await chat('backup polardb pc-sample1'));
    replies.push(await chat('backup polardb pc-sample1'));
    vi.setSystemTime(first + 4 * 60_000);
    replies.push(await chat('backup polardb pc-sample1'));
    replies.push(await chat('backup polardb pc-sample1'));
    for (const r of replies.slice(0, 3)) expect(r).toMatch(/^Backup of polardb pc-sample1 requested by/);
    expect(replies[3]).toMatch(/polardb pc-sample1 already had 3 ad-hoc backups in the last 24 hours \(ADHOC_BACKUPS_PER_DAY\); nothing was started\./);
    expect(replies[3]).toContain(`The oldest slot frees at ${new Date(first + 86_400_000).toISOString().slice(0, 16)}`);
    // Just before 24 h after the first two, still refused; 24 h after them, their two slots are free again, and the
    // next is refused until 24 h after the third.
    vi.setSystemTime(first + 86_400_000 - 5_000);
    expect(await chat('backup polardb pc-sample1')).toMatch(/already had 3 ad-hoc backups in the last 24 hours/);
    vi.setSystemTime(first + 86_400_000 + 1_000);
    expect(await chat('backup polardb pc-sample1')).toMatch(/^Backup of polardb pc-sample1 requested by/);
    expect(await chat('backup polardb pc-sample1')).toMatch(/^Backup of polardb pc-sample1 requested by/);
    expect(await chat('backup polardb pc-sample1')).toContain(`The oldest slot frees at ${new Date(first + 4 * 60_000 + 86_400_000).toISOString().slice(0, 16)}`);
    await stack.cloud.fcIdle();
    expect(calls('InvokeFunction')).toBe(5);
  });

  it('chat and the deploy gate share the window: two from the gate, one from chat, then the gate is refused with a Retry-After to the oldest slot', async () => {
    stack.cloud.reset();
    const target = [{ product: 'polardb', DBClusterId: 'pc-sample2' }];
    expect((await gate({ targets: target, deployId: `win-1-${randomUUID().slice(0, 8)}` })).status).toBeLessThan(300);
    const t1 = Date.now();
    expect((await gate({ targets: target, deployId: `win-2-${randomUUID().slice(0, 8)}` })).status).toBeLessThan(300);
    expect(await chat('backup polardb pc-sample2')).toMatch(/^Backup of polardb pc-sample2 requested by/);
    const over = await gate({ targets: target, deployId: `win-3-${randomUUID().slice(0, 8)}` });
    expect(over.status).toBe(429);
    expect(over.body.error).toMatchObject({ code: 'AdhocLimitExceeded', message: expect.stringMatching(/polardb pc-sample2 already had 3 ad-hoc backups in the last 24 hours/) });
    expect(Number(over.retryAfter)).toBeGreaterThan(86_300);
    expect(Number(over.retryAfter)).toBeLessThanOrEqual(Math.ceil((t1 + 86_400_000 - Date.now()) / 1000) + 1);
    expect(await chat('backup polardb pc-sample2')).toMatch(/already had 3 ad-hoc backups in the last 24 hours/);
  });
});
