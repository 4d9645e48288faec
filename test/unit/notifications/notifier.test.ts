// Alerts over real HTTP to the local receivers: DingTalk's documented signing (checked by the receiver and against
// an independent computation of the documented formula), Slack blocks, each alert once per channel, retried when
// the platform is down, and never a throw when it stays down.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReceiver } from '../../../local/stack/receiver';
import { createDeadline } from '../../../shared/deadline';
import { FileStore } from '../../../shared/idempotency/file-store';
import { createLogger } from '../../../shared/logger';
import type { Alert } from '../../../shared/notifications/alert';
import { dingtalkRobot, dingtalkSign } from '../../../shared/notifications/dingtalk-robot';
import { notify, type NotifierDeps } from '../../../shared/notifications/notifier';
import { slackWebhook } from '../../../shared/notifications/slack-webhook';

const secret = 'SEC-test-robot-secret-0123456789abcdef';
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  receiver = await startReceiver({ dingtalkSecret: secret });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-notify-'));
});
afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  receiver.notified.length = 0;
  receiver.refused.length = 0;
  receiver.failAlerts(0);
  logs.length = 0;
});

let n = 0;
const alert = (over: Partial<Alert> = {}): Alert => ({
  id: `test-${++n}-${Date.now()}`,
  kind: 'job-failed',
  title: 'Backup job failed: polardb pc-abc',
  database: { product: 'polardb', instanceId: 'pc-abc' },
  code: 'BackupJobFailed',
  message: 'PolarDB reported backup set 123 with BackupStatus Failed (DescribeBackups)',
  action: 'Open the console backup list, then run fc-db-backup backup polardb pc-abc.',
  at: '2026-12-01T02:31:00.000Z',
  facts: { job: '123' },
  ...over,
});

const deps = (over: Partial<NotifierDeps> = {}): NotifierDeps => ({
  store: new FileStore({ dir }),
  channels: [dingtalkRobot(`${receiver.url}/notify/dingtalk?access_token=abc`, secret), slackWebhook(`${receiver.url}/notify/slack`)],
  logger: createLogger({ requestId: 't', level: 'debug', sink: (l) => logs.push(l) }),
  deadline: createDeadline({ startedAt: Date.now(), timeoutSec: 30 }),
  ttlMs: 3_600_000,
  backoff: { baseMs: 10, capMs: 20, maxAttempts: 4 },
  ...over,
});

describe('DingTalk custom robot signing', () => {
  it('is base64(HMAC-SHA256(secret, timestamp + "\\n" + secret)), as DingTalk documents it', () => {
    const ts = 1_700_000_000_000;
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`${ts}\n${secret}`, 'utf8')).digest().toString('base64');
    expect(dingtalkSign(secret, ts)).toBe(expected);
    const url = new URL(dingtalkRobot('https://oapi.dingtalk.com/robot/send?access_token=T', secret).message(alert(), ts).url);
    expect(url.searchParams.get('access_token')).toBe('T');
    expect(url.searchParams.get('timestamp')).toBe(String(ts));
    expect(url.searchParams.get('sign')).toBe(expected);
    // The sign is URL-encoded on the wire (base64 has + / =).
    expect(url.search).toContain(`sign=${encodeURIComponent(expected)}`);
  });

  it('without a secret sends no timestamp or sign', () => {
    const url = new URL(dingtalkRobot('https://oapi.dingtalk.com/robot/send?access_token=T').message(alert(), 1).url);
    expect(url.searchParams.has('sign')).toBe(false);
  });

  it('a message signed with another secret is refused by the receiver, and the alert stays undelivered', async () => {
    const ok = await notify(alert(), deps({ channels: [dingtalkRobot(`${receiver.url}/notify/dingtalk`, 'another-secret-0123456789')] }));
    expect(ok).toBe(false);
    expect(receiver.refused).toEqual([{ channel: 'dingtalk', reason: 'sign not match' }]);
    expect(receiver.notified).toEqual([]);
  });
});

describe('notify', () => {
  it('sends DingTalk markdown and Slack blocks naming the database, product, error code and what to do', async () => {
    expect(await notify(alert(), deps())).toBe(true);
    expect(receiver.refused).toEqual([]);
    const ding = receiver.notified.find((x) => x.channel === 'dingtalk')?.body as { msgtype: string; markdown: { title: string; text: string } };
    expect(ding.msgtype).toBe('markdown');
    expect(ding.markdown.text).toContain('polardb `pc-abc`');
    expect(ding.markdown.text).toContain('`BackupJobFailed`');
    expect(ding.markdown.text).toContain('**What to do**: Open the console');
    const slack = receiver.notified.find((x) => x.channel === 'slack')?.body as { text: string; blocks: Record<string, unknown>[] };
    expect(slack.text).toContain('pc-abc');
    expect(slack.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect(JSON.stringify(slack.blocks)).toContain('*Error code*\\n`BackupJobFailed`');
  });

  it('sends the same alert once per channel, however often (and however concurrently) it is raised', async () => {
    const a = alert();
    const d = deps();
    await Promise.all([notify(a, d), notify(a, d), notify(a, d)]);
    await notify(a, d);
    expect(receiver.notified.map((x) => x.channel).sort()).toEqual(['dingtalk', 'slack']);
  });

  it('retries a platform that answers 503, and delivers', async () => {
    receiver.failAlerts(2);
    expect(await notify(alert(), deps())).toBe(true);
    expect(receiver.notified).toHaveLength(2);
    expect(logs.some((l) => l.includes('notification attempt failed'))).toBe(true);
  });

  it('never throws when a platform cannot be reached; the alert is left for the next sweep, then sent once', async () => {
    const a = alert();
    const down = deps({ channels: [slackWebhook('http://127.0.0.1:1/notify/slack')] });
    await expect(notify(a, down)).resolves.toBe(false);
    expect(logs.some((l) => l.includes('notification failed; retried by the next sweep'))).toBe(true);
    expect(await notify(a, deps({ channels: [slackWebhook(`${receiver.url}/notify/slack`)] }))).toBe(true);
    expect(receiver.notified).toHaveLength(1);
  });

  it('with no channel configured delivers nothing and says so: the alert stays owed until a function with channels sends it', async () => {
    const a = alert();
    expect(await notify(a, deps({ channels: [] }))).toBe(false);
    expect(await notify(a, deps())).toBe(true);
    expect(receiver.notified.map((x) => x.channel).sort()).toEqual(['dingtalk', 'slack']);
  });

  it('logs no webhook URL or token', async () => {
    receiver.failAlerts(1);
    await notify(alert(), deps());
    expect(logs.join('\n')).not.toMatch(/access_token|notify\/dingtalk|sign=/);
  });
});
