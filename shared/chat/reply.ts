// Messages to Slack and DingTalk: the body of an immediate answer, and a follow-up posted later to Slack's
// response_url or DingTalk's sessionWebhook (both came in a signed request, so they are trusted destinations).
import { BackupError } from '../errors';

export type ChatPlatform = 'slack' | 'dingtalk';

export interface ReplyTo {
  platform: ChatPlatform;
  url: string;
}

export function chatMessage(platform: ChatPlatform, text: string, visibleToAll = false): Record<string, unknown> {
  return platform === 'slack'
    ? { response_type: visibleToAll ? 'in_channel' : 'ephemeral', text }
    : { msgtype: 'text', text: { content: text } };
}

export async function postChatReply(to: ReplyTo, text: string, timeoutMs = 5_000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(to.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chatMessage(to.platform, text, true)),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (cause) {
    throw new BackupError({ code: 'ChatReplyFailed', category: 'transient', message: `Could not reach ${to.platform} to post the result.`, cause });
  }
  if (!res.ok) {
    throw new BackupError({
      code: 'ChatReplyFailed',
      category: res.status >= 500 || res.status === 429 ? 'transient' : 'validation',
      message: `${to.platform} refused the result message (HTTP ${res.status}); a Slack response_url expires after 30 minutes.`,
    });
  }
}
