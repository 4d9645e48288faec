// Slack incoming webhook: Block Kit messages (a header, the facts as fields, the message, what to do) with a
// plain `text` fallback for notifications. Slack answers 200 "ok"; 4xx (invalid_payload, no_service) otherwise.
import { slackEscape } from '../chat/reply';
import { flatUserText } from '../chat/user-text';
import { severity, type Alert } from './alert';
import type { NotifyChannel } from './channel';

// What Slack would otherwise turn into a link or a mention (docs.slack.dev, "Formatting text for app surfaces" and
// the Block Kit "Text object"): `&`, `<` and `>` are control characters in every text (<!channel>, <url|text>), so they
// are always escaped; and a mrkdwn object with `verbatim: false`, the default, also auto-links bare URLs and channel
// names and parses some mentions, so every mrkdwn object here is `verbatim: true`. A value someone else chose (an
// instance id, a deployId, which may look like a URL, a requester) is also shown as inline code (`…`): one line, and a
// backtick inside it becomes ˋ, since mrkdwn has no escape for one and it would close the span.
export const slackCode = (value: string): string => `\`${slackEscape(flatUserText(value, 200)).replace(/`/g, 'ˋ')}\``;
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text, verbatim: true });

const icon = { failure: ':red_circle:', warning: ':large_orange_circle:', info: ':large_green_circle:' } as const;

/** Slack's limits: header text 150 characters, section text 3,000, 10 fields. */
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function slackBlocks(a: Alert): Record<string, unknown> {
  const fields: string[] = [];
  if (a.database) fields.push(`*Database*\n${a.database.product} ${slackCode(a.database.instanceId)}`);
  if (a.code) fields.push(`*Error code*\n${slackCode(a.code)}`);
  for (const [k, v] of Object.entries(a.facts ?? {})) fields.push(`*${slackEscape(k)}*\n${slackCode(v)}`);
  const blocks: Record<string, unknown>[] = [
    // plain_text: Slack formats nothing in it, links and mentions included.
    { type: 'header', text: { type: 'plain_text', text: cut(`${a.title}`, 150), emoji: true } },
  ];
  if (fields.length) blocks.push({ type: 'section', fields: fields.slice(0, 10).map((text) => mrkdwn(cut(text, 2000))) });
  blocks.push({ type: 'section', text: mrkdwn(cut(slackEscape(a.message), 3000)) });
  if (a.lines?.length) blocks.push({ type: 'section', text: mrkdwn(cut(`\`\`\`\n${slackEscape(a.lines.join('\n')).replace(/```/g, 'ˋˋˋ')}\n\`\`\``, 3000)) });
  blocks.push({ type: 'section', text: mrkdwn(cut(`*What to do:* ${slackEscape(a.action)}`, 3000)) });
  blocks.push({ type: 'context', elements: [mrkdwn(`fc-db-backup · ${slackEscape(a.at)}`)] });
  const subject = a.database ? ` — ${a.database.product} ${slackCode(a.database.instanceId)}` : '';
  // The notification text is read with the same control characters: escaped too.
  return { text: `${icon[severity(a)]} ${slackEscape(a.title)}${subject}${a.code ? ` (${slackEscape(a.code)})` : ''}`, blocks };
}

export function slackWebhook(webhookUrl: string): NotifyChannel {
  return {
    name: 'slack',
    message: (alert) => ({ url: webhookUrl, body: slackBlocks(alert) }),
    accepted: (status) => status === 200,
  };
}
