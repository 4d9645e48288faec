import { describe, expect, it } from 'vitest';
import { allows, parseAcl, scopeOf, type AclSubject, type Caller } from '../../../../functions/chatops/acl';

const slack = (userId: string, channelId?: string, workspaces = ['T1']): Caller => ({ platform: 'slack', workspaces, userId, channelId });
const ding = (userId: string, corp = 'dingcorp', channelId?: string): Caller => ({ platform: 'dingtalk', workspaces: [corp], userId, channelId });
const on = (instanceId: string, tags: Record<string, string> = {}): AclSubject => ({
  instanceId,
  hasTags: async (want) => Object.entries(want).every(([k, v]) => tags[k] === v),
});

describe('chat ACL', () => {
  const acl = parseAcl(
    JSON.stringify([
      { users: ['slack:T1/U1'], channels: ['slack:C1'], commands: ['backup', 'status'] },
      { users: ['slack:T1/*'], commands: ['status'] },
      { users: ['dingtalk:dingcorp/manager01'], commands: ['backup'], instances: ['rm-orders-*', 'pc-orders'] },
      { users: ['slack:E1/U7'], commands: ['backup'], tags: { app: 'orders' } },
    ]),
  );

  it('denies by default: unset, empty, invalid JSON or a malformed rule allow nothing but help', async () => {
    for (const raw of [undefined, '', '[]', 'not json', '{"users":[]}', '[{"users":"U1","commands":["backup"]}]']) {
      const a = parseAcl(raw);
      expect(await allows(a, slack('U1', 'C1'), 'backup', on('rm-1'))).toBe(false);
      expect(await allows(a, slack('U1'), 'status')).toBe(false);
      expect(await allows(a, slack('U1'), 'help')).toBe(true);
    }
    expect(parseAcl('not json').problem).toMatch(/not valid JSON/);
  });

  it('refuses the old format (names, bare ids, "*") with a message showing the new one', () => {
    for (const users of [['U024BE7LH', 'zhangsan'], ['zhangsan'], ['*'], ['slack:U024BE7LH']]) {
      const a = parseAcl(JSON.stringify([{ users, commands: ['backup'] }]));
      expect(a.rules).toEqual([]);
      expect(a.problem).toMatch(/is not an id qualified by platform and workspace \("slack:<team_id>\/<user_id>" or "dingtalk:<corpId>\/<staffId>"\)/);
      expect(a.problem).toMatch(/Write rules like \[\{"users":\["slack:T0123ABCD\/U024BE7LH"/);
    }
    expect(parseAcl('[{"users":["slack:T1/U1"],"channels":["C0123"],"commands":["backup"]}]').problem).toMatch(/channels must list channels qualified by platform/);
    expect(parseAcl('[{"users":["slack:T1/U1"],"commands":["backup"],"owner":"x"}]').problem).toMatch(/owner is not a rule field/);
  });

  it('matches ids only, within their platform and workspace; a display name never matches', async () => {
    expect(await allows(acl, slack('U1', 'C1'), 'backup', on('rm-1'))).toBe(true);
    // Another workspace with the same user id, DingTalk with a Slack id, a channel outside the rule's.
    expect(await allows(acl, slack('U1', 'C1', ['T2']), 'backup', on('rm-1'))).toBe(false);
    expect(await allows(acl, ding('U1', 'T1', 'C1'), 'backup', on('rm-1'))).toBe(false);
    expect(await allows(acl, slack('U1', 'C2'), 'backup', on('rm-1'))).toBe(false);
    // Anyone in T1 may read status; nobody outside it.
    expect(await allows(acl, slack('U9'), 'status')).toBe(true);
    expect(await allows(acl, slack('U9', undefined, ['T9']), 'status')).toBe(false);
  });

  it('limits backup to instances (ids or prefixes) and to tags, so "may back up the orders databases" is expressible', async () => {
    expect(await allows(acl, ding('manager01'), 'backup', on('rm-orders-7'))).toBe(true);
    expect(await allows(acl, ding('manager01'), 'backup', on('pc-orders'))).toBe(true);
    expect(await allows(acl, ding('manager01'), 'backup', on('rm-billing-1'))).toBe(false);
    expect(await allows(acl, ding('manager01', 'othercorp'), 'backup', on('rm-orders-7'))).toBe(false);
    // Enterprise Grid: the enterprise id qualifies the user as well as the team id.
    expect(await allows(acl, slack('U7', undefined, ['T5', 'E1']), 'backup', on('rm-x', { app: 'orders' }))).toBe(true);
    expect(await allows(acl, slack('U7', undefined, ['T5', 'E1']), 'backup', on('rm-x', { app: 'billing' }))).toBe(false);
  });

  it('limits what status and report show by the same instances and tags; a fleet-wide rule shows everything', async () => {
    const a = parseAcl(
      JSON.stringify([
        { users: ['slack:T1/U-orders'], commands: ['status', 'report'], instances: ['rm-orders-*'] },
        { users: ['slack:T1/U-orders'], commands: ['status'], tags: { app: 'orders' } },
        { users: ['slack:T1/U-ops'], commands: ['status', 'report'] },
      ]),
    );
    const orders = scopeOf(a, slack('U-orders'), 'report');
    expect(orders.fleetWide).toBe(false);
    expect(await orders.covers(on('rm-orders-1'))).toBe(true);
    expect(await orders.covers(on('rm-billing-1', { app: 'orders' }))).toBe(false);
    // status has a second rule: a tagged database is covered there, not in report.
    expect(await scopeOf(a, slack('U-orders'), 'status').covers(on('rm-billing-1', { app: 'orders' }))).toBe(true);
    expect(await scopeOf(a, slack('U-orders'), 'status').covers(on('pc-payroll1', { app: 'payroll' }))).toBe(false);
    // allows(command, subject) applies instances and tags to status too; without a subject it asks about the command.
    expect(await allows(a, slack('U-orders'), 'status', on('pc-payroll1'))).toBe(false);
    expect(await allows(a, slack('U-orders'), 'status')).toBe(true);
    const ops = scopeOf(a, slack('U-ops'), 'report');
    expect(ops.fleetWide).toBe(true);
    expect(await ops.covers(on('pc-payroll1'))).toBe(true);
    // No rule at all: nothing is covered.
    const none = scopeOf(a, slack('U-nobody'), 'report');
    expect(none.fleetWide).toBe(false);
    expect(await none.covers(on('rm-orders-1'))).toBe(false);
  });
});
