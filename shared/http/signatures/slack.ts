// Slack request signing: `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:" + ts + ":" + raw body)>`,
// `X-Slack-Request-Timestamp: <epoch seconds>`, refused when more than 5 minutes from now in either direction.
// https://api.slack.com/authentication/verifying-requests-from-slack
import {
  digestsEqual,
  epochMs,
  hexDigestAfter,
  hmacSha256,
  isMissing,
  refused,
  verified,
  type Clock,
  type VerifyResult,
} from './result';

export const slackTimestampHeader = 'x-slack-request-timestamp';
export const slackSignatureHeader = 'x-slack-signature';
const prefix = 'v0=';

export interface SlackVerifyInput {
  rawBody: Buffer | string;
  /** X-Slack-Request-Timestamp, epoch seconds. */
  timestamp: string | undefined;
  /** X-Slack-Signature. */
  signature: string | undefined;
  secret: string | undefined;
  /** A Date or epoch milliseconds; default the current time. */
  now?: Clock;
  toleranceSec?: number;
}

export function verifySlackSignature({ rawBody, timestamp, signature, secret, now, toleranceSec = 300 }: SlackVerifyInput): VerifyResult {
  if (!secret) return refused('unconfigured');
  if (isMissing(timestamp) || isMissing(signature)) return refused('missing');
  const ts = timestamp.trim();
  const given = hexDigestAfter(prefix, signature.trim());
  if (!/^\d{1,12}$/.test(ts) || !given) return refused('malformed');
  const ageSec = Math.floor(epochMs(now) / 1000) - Number(ts);
  if (ageSec > toleranceSec) return refused('stale');
  if (ageSec < -toleranceSec) return refused('future');
  return digestsEqual(hmacSha256(secret, `v0:${ts}:`, rawBody), given) ? verified : refused('mismatch');
}

/** The `X-Slack-Signature` value for a body sent at `timestamp` (epoch seconds). */
export function signSlack(rawBody: Buffer | string, timestamp: number | string, secret: string): string {
  if (!secret) throw new TypeError('signSlack: the signing secret must be a non-empty string');
  return prefix + hmacSha256(secret, `v0:${timestamp}:`, rawBody).toString('hex');
}
