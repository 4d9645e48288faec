// Issue 10, points 1, 2, 3 and 8: the chat attacks, performed through the gateway and the built chatops and
// backup-worker bundles against the local cloud, and shown refused.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dingtalkHeaders, slackHeaders } from '../../shared/http/signatures/http-adapters';
import { asEvent, captureStdout, fcContext, loadBundle } from '../helpers/fc';
import { secrets, startStack, type Stack } from '../helpers/stack';

const acl = [
  { users: ['slack:T1/U-ops'], commands: ['backup', 'status'] },
  { users: ['slack:T1/U-payments'], commands: ['backup'], tags: { team: 'payments' } },
  { users: ['dingtalk:dingcorp/manager01'], channels: ['dingtalk:cid-ops'], commands: ['backup', 'status'] },
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

const creates = () => stack.cloud.requests.filter((r) => r.action === 'CreateBackup').length;

function dingBody(over: Record<string, unknown> = {}) {
  return JSON.stringify({
    msgtype: 'text',
    text: { content: 'backup polardb pc-sample1' },
    msgId: `msg${randomUUID()}`,
    senderStaffId: 'manager01',
    senderCorpId: 'dingcorp',
    chatbotCorpId: 'dingcorp',
    senderNick: 'Manager',
    conversationId: 'cid-ops',
    sessionWebhook: `${stack.receiver.url}/dingtalk/session/${randomUUID()}`,
    ...over,
  });
}

async function dingtalk(body: string, headers: Record<string, string>) {
  const res = await fetch(`${stack.gateway}/chatops/dingtalk`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

function slackBody(over: Record<string, string> = {}) {
  return new URLSearchParams({
    team_id: 'T1',
    channel_id: 'C-ops',
    user_id: 'U-ops',
    user_name: 'ops',
    command: '/backup',
    text: 'backup rds rm-sample1',
    response_url: `${stack.receiver.url}/slack/response/${randomUUID()}`,
    trigger_id: `trig.${randomUUID()}`,
    ...over,
  }).toString();
}

async function slack(body: string) {
  const res = await fetch(`${stack.gateway}/chatops/slack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, secrets.slack) }, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('point 1: DingTalk identity fields are unsigned', () => {
  it('a captured (timestamp, sign) pair replayed with a forged body → 401 replayed; the forged webhook is never posted to', async () => {
    const captured = dingtalkHeaders(secrets.dingtalk);
    expect((await dingtalk(dingBody({ text: { content: 'status pc-sample1' } }), captured)).status).toBe(200);
    const forged = await dingtalk(dingBody({ sessionWebhook: `${stack.receiver.url}/dingtalk/session/attacker` }), captured);
    expect(forged.status).toBe(401);
    expect(forged.body.error.details.reason).toBe('replayed');
    await stack.cloud.fcIdle();
    await stack.tracked();
    expect(creates()).toBe(0);
    expect(stack.receiver.posted.map((p) => p.path)).not.toContain('/dingtalk/session/attacker');
  });

  it('the same pair with spaces around it is the same pair: 401 replayed', async () => {
    const captured = dingtalkHeaders(secrets.dingtalk);
    expect((await dingtalk(dingBody({ text: { content: 'help' } }), captured)).status).toBe(200);
    const padded = { timestamp: ` ${captured.timestamp} `, sign: ` ${captured.sign} ` };
    const r = await dingtalk(dingBody(), padded);
    expect(r.status).toBe(401);
    expect(r.body.error.details.reason).toBe('replayed');
  });

  it('the 4 base64 spellings of one captured sign (the last character\'s 2 spare bits) are one pair: only the first is accepted', async () => {
    const captured = dingtalkHeaders(secrets.dingtalk);
    const signed = String(captured.sign);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = alphabet.indexOf(signed.at(-2)!);
    const spellings = [0, 1, 2, 3].map((k) => `${signed.slice(0, -2)}${alphabet[(last & ~3) | k]}=`);
    expect(new Set(spellings.map((s) => Buffer.from(s, 'base64').toString('hex'))).size).toBe(1);
    const canonical = spellings.indexOf(signed);
    const order = [signed, ...spellings.filter((_, i) => i !== canonical)];
    const answers = [];
    for (const sign of order) answers.push((await dingtalk(dingBody({ msgId: `msg-spelling-${randomUUID()}` }), { ...captured, sign })).status);
    expect(answers).toEqual([200, 401, 401, 401]);
    await stack.cloud.fcIdle();
    expect(creates()).toBe(1);
  });

  it('three forged msgIds on one pair cannot fill PolarDB\'s 3 manual slots: only one request is ever accepted', async () => {
    const captured = dingtalkHeaders(secrets.dingtalk);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push((await dingtalk(dingBody({ msgId: `msg-forged-${i}-${randomUUID()}` }), captured)).status);
    expect(answers).toEqual([200, 401, 401]);
    await stack.cloud.fcIdle();
    expect(creates()).toBe(1);
  });

  it('a 50-minute-old pair (inside DingTalk\'s documented hour) → 401 stale: the window is 5 minutes', async () => {
    const r = await dingtalk(dingBody(), dingtalkHeaders(secrets.dingtalk, Date.now() - 50 * 60_000));
    expect(r.status).toBe(401);
    expect(r.body.error.details.reason).toBe('stale');
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('with DINGTALK_CORP_ID set, a message from another corp, or naming none, → 403', async () => {
    process.env.DINGTALK_CORP_ID = 'dingcorp';
    try {
      expect((await dingtalk(dingBody({ chatbotCorpId: 'dingother' }), dingtalkHeaders(secrets.dingtalk))).status).toBe(403);
      expect((await dingtalk(dingBody({ chatbotCorpId: undefined }), dingtalkHeaders(secrets.dingtalk))).status).toBe(403);
      expect((await dingtalk(dingBody({ text: { content: 'help' } }), dingtalkHeaders(secrets.dingtalk))).status).toBe(200);
    } finally {
      delete process.env.DINGTALK_CORP_ID;
    }
    expect(stack.cloud.requests).toHaveLength(0);
  });
});

describe('point 2: the reply URL is not an SSRF', () => {
  it.each([
    ['an attacker host', 'https://attacker.example/hook'],
    ['http to Slack', 'http://hooks.slack.com/commands/T1/1/x'],
    ['an IP literal', 'https://10.0.0.5/commands/x'],
    ['a look-alike host', 'https://hooks.slack.com.attacker.example/commands/x'],
    ['credentials in the URL', 'https://user:pw@hooks.slack.com/commands/x'],
    ['another port', 'https://hooks.slack.com:8443/commands/x'],
    ['an incoming-webhook path on the right host', 'https://hooks.slack.com/services/T1/B1/x'],
    ['a loopback port that is not the local receiver', 'http://127.0.0.1:1/x'],
  ])('Slack response_url to %s → 400 at ingress, nothing dispatched', async (_name, url) => {
    const r = await slack(slackBody({ response_url: url }));
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/response_url: .* — must be an https:\/\/hooks\.slack\.com\/commands\/… address/);
    await stack.cloud.fcIdle();
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('a DingTalk sessionWebhook outside oapi.dingtalk.com/robot/sendBySession → 400', async () => {
    const r = await dingtalk(dingBody({ sessionWebhook: 'https://oapi.dingtalk.com.evil.example/robot/sendBySession?x' }), dingtalkHeaders(secrets.dingtalk));
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/sessionWebhook/);
  });

  it('the worker checks again: an event carrying an attacker URL is refused and nothing is fetched', async () => {
    const worker = loadBundle('backup-worker');
    const { result } = await captureStdout(() =>
      worker(asEvent({ key: `fcdb_sec_${randomUUID().slice(0, 8)}`, target: { product: 'rds', DBInstanceId: 'rm-sample1' }, replyTo: { platform: 'slack', url: 'http://169.254.169.254/latest/meta-data' } }), fcContext({ name: 'backup-worker' })),
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'ValidationError', message: expect.stringMatching(/replyTo/) } });
    expect(creates()).toBe(0);
  });

  it('a reply address answering 307 is not followed: the POST never reaches the internal listener', async () => {
    let internalHits = 0;
    const internal = await listen(createServer((_req, res) => {
      internalHits++;
      res.end('{}');
    }));
    const redirector = await listen(createServer((_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${port(internal)}/internal` });
      res.end();
    }));
    const saved = process.env.CHAT_REPLY_LOCAL_RECEIVER;
    process.env.CHAT_REPLY_LOCAL_RECEIVER = `http://127.0.0.1:${port(redirector)}`;
    try {
      const { lines } = await captureStdout(async () => {
        expect((await slack(slackBody({ response_url: `http://127.0.0.1:${port(redirector)}/slack/response/x` }))).status).toBe(200);
        await stack.cloud.fcIdle();
        // The tracker records the end and posts the result: to the redirector, which answers 307.
        await stack.tracked();
      });
      expect(creates()).toBe(1);
      expect(internalHits).toBe(0);
      expect(lines.some((l) => l.includes('ChatReplyRefused'))).toBe(true);
    } finally {
      process.env.CHAT_REPLY_LOCAL_RECEIVER = saved;
      await Promise.all([close(internal), close(redirector)]);
    }
  });
});

describe('point 3: the ACL trusts ids, not names', () => {
  it('a Slack user named like an allowed user, or with an allowed id in another workspace, is denied', async () => {
    const named = await slack(slackBody({ user_id: 'U0OTHER', user_name: 'U-ops' }));
    expect(named.body.text).toMatch(/is not allowed to run "backup"/);
    const otherTeam = await slack(slackBody({ team_id: 'T-evil' }));
    expect(otherTeam.body.text).toMatch(/is not allowed to run "backup"/);
    await stack.cloud.fcIdle();
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('a DingTalk nickname of an allowed Slack id, or a staff id without the corp, is denied', async () => {
    const nick = await dingtalk(dingBody({ senderStaffId: 'nobody', senderNick: 'U-ops' }), dingtalkHeaders(secrets.dingtalk));
    expect(nick.body.text.content).toMatch(/is not allowed/);
    const noCorp = await dingtalk(dingBody({ senderCorpId: 'dingother', chatbotCorpId: 'dingother' }), dingtalkHeaders(secrets.dingtalk));
    expect(noCorp.body.text.content).toMatch(/is not allowed/);
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('a DingTalk message without senderStaffId whose senderNick is an allowed staff id is denied (the nickname is never the user)', async () => {
    const body = JSON.parse(dingBody({ senderNick: 'manager01' })) as Record<string, unknown>;
    delete body.senderStaffId;
    const r = await dingtalk(JSON.stringify(body), dingtalkHeaders(secrets.dingtalk));
    expect(r.body.text.content).toMatch(/is not allowed/);
    await stack.cloud.fcIdle();
    expect(creates()).toBe(0);
  });

  it('a rule limited by tags allows the instances carrying them (looked up in the cloud) and no other', async () => {
    // In the local cloud only rm-sample1 carries team=payments; rm-sample2 does not.
    const tagged = await slack(slackBody({ user_id: 'U-payments', text: 'backup rds rm-sample1' }));
    expect(tagged.body.text).toMatch(/Backup of rds rm-sample1 requested/);
    const untagged = await slack(slackBody({ user_id: 'U-payments', text: 'backup rds rm-sample2' }));
    expect(untagged.body.text).toMatch(/is not allowed to run "backup" on rm-sample2/);
    await stack.cloud.fcIdle();
    expect(stack.cloud.requests.filter((r) => r.action === 'CreateBackup').map((r) => r.query.DBInstanceId)).toEqual(['rm-sample1']);
  });

  it('an old-format CHATOPS_ACL (names, bare ids) denies everything and the log shows how to write the new one', async () => {
    const saved = process.env.CHATOPS_ACL;
    process.env.CHATOPS_ACL = JSON.stringify([{ users: ['U024BE7LH', 'zhangsan'], commands: ['backup', 'status'] }]);
    try {
      const { result, lines } = await captureStdout(() => slack(slackBody({ user_id: 'U0OTHER', user_name: 'zhangsan' })));
      expect(result?.body.text).toMatch(/is not allowed/);
      expect(lines.some((l) => l.includes('aclProblem') && l.includes('slack:<team_id>/<user_id>') && l.includes('Write rules like'))).toBe(true);
    } finally {
      process.env.CHATOPS_ACL = saved;
    }
    expect(stack.cloud.requests).toHaveLength(0);
  });
});

describe('point 8: echoed user text', () => {
  it('a nickname with Slack markup is quoted, cut short and escaped: the bot cannot be made to mention or link', async () => {
    const r = await slack(slackBody({ user_name: '<!channel> <https://evil.example|click here to re-authenticate your account now>' }));
    const text = r.body.text as string;
    expect(text).not.toMatch(/<[!@#]|<https?:/);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toMatch(/requested by "&lt;!channel&gt; &lt;https:\/\/evil\.example\|click …" \(U-ops\)\./);
    await stack.cloud.fcIdle();
  });

  it('an unsigned DingTalk staff id carrying a line break and a fake "[SYSTEM] … approve: https://…" is quoted, flattened and cut, in the reply and in the tracker\'s result', async () => {
    const saved = process.env.CHATOPS_ACL;
    // Anyone in the corp may back up pc-sample1: the forged id is allowed, so the result is posted too.
    process.env.CHATOPS_ACL = JSON.stringify([{ users: ['dingtalk:dingcorp/*'], commands: ['backup'], instances: ['pc-sample1'] }]);
    const forged = 'manager01\n\n[SYSTEM] Your session expired, approve: https://evil.example/approve';
    const shown = '("manager01 [SYSTEM] Your session expired…")';
    try {
      const r = await dingtalk(dingBody({ senderStaffId: forged }), dingtalkHeaders(secrets.dingtalk));
      const reply = r.body.text.content as string;
      expect(reply).not.toMatch(/[\n\r]/);
      expect(reply).toBe(`Backup of polardb pc-sample1 requested by "Manager" ${shown}. I'll post the result here when it finishes.`);
      await stack.cloud.fcIdle();
      await stack.tracked();
    } finally {
      process.env.CHATOPS_ACL = saved;
    }
    expect(creates()).toBe(1);
    const results = stack.receiver.posted.filter((p) => p.path.startsWith('/dingtalk/session/')).map((p) => (p.body as { text: { content: string } }).text.content);
    expect(results).toHaveLength(1);
    expect(results[0]).not.toMatch(/[\n\r]|https:/);
    expect(results[0]).toMatch(new RegExp(`^Backup of polardb pc-sample1 succeeded: .*\\(asked by "Manager" ${shown.replace(/[()[\]]/g, '\\$&')}\\)\\.$`));
  });

  it('an invalid command is echoed quoted and truncated', async () => {
    const r = await slack(slackBody({ text: `frobnicate<@U123>${'x'.repeat(300)}` }));
    const text = r.body.text as string;
    expect(text).toMatch(/command: "frobnicate&lt;@U123&gt;x+\.\.\. — must be backup, status/);
    expect(text.length).toBeLessThan(1_000);
  });
});

function listen(server: Server): Promise<Server> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}
const port = (s: Server) => (s.address() as AddressInfo).port;
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
