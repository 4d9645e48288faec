// Where a chat result may be posted. The reply address comes from the request body (Slack's response_url, DingTalk's
// sessionWebhook), and DingTalk does not sign the body: without this, a forged body makes the worker POST to any URL
// (an SSRF into the VPC once the functions have one). Only each platform's own host, over https on the default port,
// with no credentials in the URL; IP literals and private names never match. One local-only exception: the local
// stack's receiver, which must be on a loopback address (CHAT_REPLY_LOCAL_RECEIVER), so it cannot reach a network.
/** Hosts and paths, with their sources: docs/chat-reply-hosts.md. */
const platformReplyUrls = {
  // A slash command's response_url: https://hooks.slack.com/commands/<team>/<id>/<token>.
  slack: { host: 'hooks.slack.com', pathPrefix: '/commands/' },
  dingtalk: { host: 'oapi.dingtalk.com', pathPrefix: '/robot/sendBySession' },
} as const;

export type ReplyUrlCheck = { ok: true; url: URL } | { ok: false; rule: string };

const isLoopback = (host: string) => host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);

/** `localReceiver` is the configured CHAT_REPLY_LOCAL_RECEIVER origin, if any (never set in a deployment). */
export function checkReplyUrl(platform: keyof typeof platformReplyUrls, raw: unknown, localReceiver?: string): ReplyUrlCheck {
  const allowed: { host: string; pathPrefix: string } = platformReplyUrls[platform];
  const rule = `must be an https://${allowed.host}${allowed.pathPrefix}… address`;
  if (typeof raw !== 'string' || raw.length > 2048) return { ok: false, rule };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, rule };
  }
  if (localReceiver !== undefined && isLocalReceiver(url, localReceiver)) return { ok: true, url };
  const ok = url.protocol === 'https:' && url.hostname === allowed.host && url.port === '' && url.username === '' && url.password === '' && url.pathname.startsWith(allowed.pathPrefix);
  return ok ? { ok: true, url } : { ok: false, rule };
}

function isLocalReceiver(url: URL, localReceiver: string): boolean {
  let base: URL;
  try {
    base = new URL(localReceiver);
  } catch {
    return false;
  }
  return isLoopback(base.hostname) && url.origin === base.origin && url.username === '' && url.password === '';
}
