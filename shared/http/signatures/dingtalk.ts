// DingTalk outgoing robot: headers `timestamp` (epoch ms) and `sign` = base64(HMAC-SHA256(key = app secret,
// timestamp + "\n" + app secret)). DingTalk's receive-message protocol calls a timestamp more than 1 hour from now
// illegal (docs/dingtalk-robot.md); that is the outer limit, not a requirement: the timestamp is the moment DingTalk
// sends, so we accept 5 minutes either way, as Slack does.
// The sign does not cover the body (DingTalk's design): it proves the sender knows the secret and when it signed,
// not what it sent. The replay guard makes each (timestamp, sign) usable once.
import { digestsEqual, epochMs, hmacSha256, isMissing, refused, verified, type Clock, type VerifyResult } from './result';

export const dingtalkTimestampHeader = 'timestamp';
export const dingtalkSignHeader = 'sign';
export const dingtalkToleranceMs = 300_000;
// 32 bytes in standard base64 is exactly 43 characters and one "=".
const base64Digest = /^[A-Za-z0-9+/]{43}=$/;

export interface DingtalkVerifyInput {
  /** The `timestamp` header, epoch milliseconds. */
  timestamp: string | undefined;
  /** The `sign` header. */
  sign: string | undefined;
  secret: string | undefined;
  /** A Date or epoch milliseconds; default the current time. */
  now?: Clock;
  toleranceMs?: number;
}

export function verifyDingtalkSignature({ timestamp, sign, secret, now, toleranceMs = dingtalkToleranceMs }: DingtalkVerifyInput): VerifyResult {
  if (!secret) return refused('unconfigured');
  if (isMissing(timestamp) || isMissing(sign)) return refused('missing');
  const ts = timestamp.trim();
  const given = sign.trim();
  if (!/^\d{1,16}$/.test(ts) || !base64Digest.test(given)) return refused('malformed');
  const ageMs = epochMs(now) - Number(ts);
  if (ageMs > toleranceMs) return refused('stale');
  if (ageMs < -toleranceMs) return refused('future');
  const digest = Buffer.from(given, 'base64');
  // The last character's 2 spare bits are ignored by decoding: 4 spellings of one digest would each pass the replay
  // guard (keyed on the header) once. Only the canonical spelling, the one DingTalk sends, is accepted.
  if (digest.toString('base64') !== given) return refused('malformed');
  return digestsEqual(hmacSha256(secret, `${ts}\n${secret}`), digest) ? verified : refused('mismatch');
}

/** The `sign` header value for `timestamp` (epoch ms). */
export function signDingtalk(timestamp: number | string, secret: string): string {
  if (!secret) throw new TypeError('signDingtalk: the app secret must be a non-empty string');
  return hmacSha256(secret, `${timestamp}\n${secret}`).toString('base64');
}
