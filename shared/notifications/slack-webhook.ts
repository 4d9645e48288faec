// Slack incoming webhook: Block Kit messages (a header, the facts as fields, the message, what to do) with a
// plain `text` fallback for notifications. Slack answers 200 "ok"; 4xx (invalid_payload, no_service) otherwise.
import { severity, type Alert } from './alert';
import type { NotifyChannel } from './channel';

const icon = { failure: ':red_circle:', warning: ':large_orange_circle:', info: ':large_green_circle:' } as const;

/** Slack's limits: header text 150 characters, section text 3,000, 10 fields. */
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function slackBlocks(a: Alert): Record<string, unknown> {
  const fields: string[] = [];
  if (a.database) fields.push(`*Database*\n${a.database.product} \`${a.database.instanceId}\``);
  if (a.code) fields.push(`*Error code*\n\`${a.code}\``);
  for (const [k, v] of Object.entries(a.facts ?? {})) fields.push(`*${k}*\n${v}`);
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(`${a.title}`, 150), emoji: true } },
  ];
  if (fields.length) blocks.push({ type: 'section', fields: fields.slice(0, 10).map((text) => ({ type: 'mrkdwn', text: cut(text, 2000) })) });
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(a.message, 3000) } });
  if (a.lines?.length) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`\`\`\`\n${a.lines.join('\n')}\n\`\`\``, 3000) } });
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`*What to do:* ${a.action}`, 3000) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `fc-db-backup · ${a.at}` }] });
  const subject = a.database ? ` — ${a.database.product} ${a.database.instanceId}` : '';
  return { text: `${icon[severity(a)]} ${a.title}${subject}${a.code ? ` (${a.code})` : ''}`, blocks };
}

export function slackWebhook(webhookUrl: string): NotifyChannel {
  return {
    name: 'slack',
    message: (alert) => ({ url: webhookUrl, body: slackBlocks(alert) }),
    accepted: (status) => status === 200,
  };
}
