// DingTalk custom robot webhook: markdown messages; with a signing secret, the `timestamp` (ms) and `sign`
// query parameters, sign = base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)), URL-encoded
// (docs/notifications.md). DingTalk answers HTTP 200 with {"errcode":0} on success, another errcode otherwise.
import { createHmac } from 'node:crypto';
import { severity, type Alert } from './alert';
import type { NotifyChannel } from './channel';

export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

const icon = { failure: '🔴', warning: '🟠', info: '🟢' } as const;

export function dingtalkMarkdown(a: Alert): { title: string; text: string } {
  const lines = [`### ${icon[severity(a)]} ${a.title}`];
  if (a.database) lines.push(`- **database**: ${a.database.product} \`${a.database.instanceId}\``);
  if (a.code) lines.push(`- **error code**: \`${a.code}\``);
  for (const [k, v] of Object.entries(a.facts ?? {})) lines.push(`- **${k}**: ${v}`);
  lines.push('', a.message);
  if (a.lines?.length) lines.push('', ...a.lines.map((l) => `    ${l}`));
  lines.push('', `**What to do**: ${a.action}`, '', `<font color="#888888">fc-db-backup · ${a.at}</font>`);
  return { title: a.title, text: lines.join('\n') };
}

export function dingtalkRobot(webhookUrl: string, secret?: string): NotifyChannel {
  return {
    name: 'dingtalk',
    message(alert, now) {
      const url = new URL(webhookUrl);
      if (secret) {
        url.searchParams.set('timestamp', String(now));
        url.searchParams.set('sign', dingtalkSign(secret, now));
      }
      return { url: url.toString(), body: { msgtype: 'markdown', markdown: dingtalkMarkdown(alert) } };
    },
    accepted(status, body) {
      if (status !== 200) return false;
      try {
        return (JSON.parse(body) as { errcode?: number }).errcode === 0;
      } catch {
        return false;
      }
    },
  };
}
