// Messages to Slack and DingTalk: the body of an immediate answer, and a follow-up posted later to Slack's
// response_url or DingTalk's sessionWebhook — only to the platforms' own hosts (reply-url.ts), never following a
// redirect (a 3xx would re-send the POST, body included, wherever it points).
import { BackupError } from '../errors';
import { checkReplyUrl } from './reply-url';

export type ChatPlatform = 'slack' | 'dingtalk';

export interface ReplyTo {
  platform: ChatPlatform;
  url: string;
}

// Slack reads <…> as links, mentions and commands (<!channel>): https://api.slack.com/reference/surfaces/formatting#escaping
export const slackEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function chatMessage(platform: ChatPlatform, text: string, visibleToAll = false): Record<string, unknown> {
  return platform === 'slack'
    ? { response_type: visibleToAll ? 'in_channel' : 'ephemeral', text: slackEscape(text) }
    : { msgtype: 'text', text: { content: text } };
}

export interface PostOptions {
  timeoutMs?: number;
  /** CHAT_REPLY_LOCAL_RECEIVER: the local stack's loopback receiver, the one address allowed besides the platforms'. */
  localReceiver?: string;
}

export async function postChatReply(to: ReplyTo, text: string, o: PostOptions = {}): Promise<void> {
  const target = checkReplyUrl(to.platform, to.url, o.localReceiver);
  if (!target.ok) {
    throw new BackupError({ code: 'ChatReplyRefused', category: 'validation', message: `Not posting the result: the ${to.platform} reply address ${target.rule}.` });
  }
  let res: Response;
  try {
    res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chatMessage(to.platform, text, true)),
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs ?? 5_000),
    });
  } catch (cause) {
    // A reset or a timeout after the request went out may still have posted it.
    throw new BackupError({ code: 'ChatReplyFailed', category: 'transient', ambiguous: true, message: `Could not reach ${to.platform} to post the result.`, cause });
  }
  if (res.status >= 300 && res.status < 400) {
    throw new BackupError({ code: 'ChatReplyRefused', category: 'validation', message: `${to.platform} answered the result message with a redirect (HTTP ${res.status}); redirects are not followed.` });
  }
  if (!res.ok) {
    throw new BackupError({
      code: 'ChatReplyFailed',
      category: res.status >= 500 || res.status === 429 ? 'transient' : 'validation',
      message: `${to.platform} refused the result message (HTTP ${res.status}); a Slack response_url expires after 30 minutes.`,
    });
  }
}
