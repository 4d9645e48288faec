// GitHub-style webhook signature: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, raw body)>`.
// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries — the deploy webhook uses the same scheme.
import { digestsEqual, hexDigestAfter, hmacSha256, isMissing, refused, verified, type VerifyResult } from './result';

export const githubSignatureHeader = 'x-hub-signature-256';
const prefix = 'sha256=';

/** Why a delivery is refused, for logs; `verifyGithubSignature` is the yes/no form. */
export function checkGithubSignature(rawBody: Buffer | string, header: string | undefined, secret: string | undefined): VerifyResult {
  if (!secret) return refused('unconfigured');
  if (isMissing(header)) return refused('missing');
  const given = hexDigestAfter(prefix, header.trim());
  if (!given) return refused('malformed');
  return digestsEqual(hmacSha256(secret, rawBody), given) ? verified : refused('mismatch');
}

export const verifyGithubSignature = (rawBody: Buffer | string, header: string | undefined, secret: string | undefined): boolean =>
  checkGithubSignature(rawBody, header, secret).ok;

/** The header value a sender puts in `X-Hub-Signature-256`. */
export function signGithub(body: Buffer | string, secret: string): string {
  if (!secret) throw new TypeError('signGithub: the secret must be a non-empty string');
  return prefix + hmacSha256(secret, body).toString('hex');
}
