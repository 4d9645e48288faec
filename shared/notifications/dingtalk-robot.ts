// DingTalk custom robot webhook: markdown messages; with a signing secret, the `timestamp` (ms) and `sign`
// query parameters, sign = base64(HMAC-SHA256(key = secret, timestamp + "\n" + secret)), URL-encoded
// (docs/notifications.md). DingTalk answers HTTP 200 with {"errcode":0} on success, another errcode otherwise.
import { createHmac } from 'node:crypto';
import { flatUserText } from '../chat/user-text';
import { severity, type Alert } from './alert';
import type { NotifyChannel } from './channel';

export function dingtalkSign(secret: string, timestampMs: number): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
}

const icon = { failure: '🔴', warning: '🟠', info: '🟢' } as const;

// DingTalk's robot markdown takes HTML (<font>), so `&`, `<` and `>` are always escaped. Its documented subset
// (open.dingtalk.com, "自定义机器人发送群消息": headings, quotes, bold, italics, [links](…), ![images](…), lists) has no
// code span that turns links off, and clients link bare URLs. So a value someone else chose (an instance id, a
// deployId, which may look like a URL, a requester) is shown in backticks like code and also defused: one line, a
// backtick becomes ˋ, [ ] ( ) ! become entities, and a zero-width space follows every ':', '.' and '@', so no scheme,
// domain or mention is recognised. Read such a value from the logs or the report to copy it exactly.
const htmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const entities: Record<string, string> = { '[': '&#91;', ']': '&#93;', '(': '&#40;', ')': '&#41;', '!': '&#33;' };
export const dingtalkCode = (value: string): string =>
  `\`${htmlEscape(flatUserText(value, 200))
    .replace(/`/g, 'ˋ')
    .replace(/[[\]()!]/g, (c) => entities[c] as string)
    .replace(/([:.@])/g, '$1\u200b')}\``;

export function dingtalkMarkdown(a: Alert): { title: string; text: string } {
  const lines = [`### ${icon[severity(a)]} ${htmlEscape(a.title)}`];
  if (a.database) lines.push(`- **database**: ${a.database.product} ${dingtalkCode(a.database.instanceId)}`);
  if (a.code) lines.push(`- **error code**: ${dingtalkCode(a.code)}`);
  for (const [k, v] of Object.entries(a.facts ?? {})) lines.push(`- **${htmlEscape(k)}**: ${dingtalkCode(v)}`);
  lines.push('', htmlEscape(a.message));
  if (a.lines?.length) lines.push('', ...a.lines.map((l) => `    ${htmlEscape(l)}`));
  lines.push('', `**What to do**: ${htmlEscape(a.action)}`, '', `<font color="#888888">fc-db-backup · ${htmlEscape(a.at)}</font>`);
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
