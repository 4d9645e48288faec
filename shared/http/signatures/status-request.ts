// Reads of the deploy gate (`GET /backups/{id}`) have no body to sign, so the GitHub-style HMAC covers the method,
// the path and a timestamp instead, and the timestamp must be within 5 minutes: a captured URL+signature cannot be
// replayed later.
//   X-Fcdb-Timestamp: <unix seconds>
//   X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, "GET\n<path>\n<timestamp>")>
import { githubSignatureHeader } from './github';
import { digestsEqual, epochMs, hexDigestAfter, hmacSha256, isMissing, refused, verified, type Clock, type VerifyResult } from './result';

export const statusTimestampHeader = 'x-fcdb-timestamp';
const toleranceSec = 300;

const canonical = (method: string, path: string, ts: string) => `${method.toUpperCase()}\n${path}\n${ts}`;

export function signStatusRequest(method: string, path: string, secret: string, nowMs: number = Date.now()): Record<string, string> {
  if (!secret) throw new TypeError('signStatusRequest: the secret must be a non-empty string');
  const ts = String(Math.floor(nowMs / 1000));
  return { [statusTimestampHeader]: ts, [githubSignatureHeader]: `sha256=${hmacSha256(secret, canonical(method, path, ts)).toString('hex')}` };
}

export function verifyStatusRequest(
  req: { method: string; path: string; headers: Readonly<Record<string, string | undefined>> },
  secret: string | undefined,
  now: Clock,
): VerifyResult {
  if (!secret) return refused('unconfigured');
  const ts = req.headers[statusTimestampHeader];
  const header = req.headers[githubSignatureHeader];
  if (isMissing(ts) || isMissing(header)) return refused('missing');
  if (!/^\d{1,12}$/.test(ts)) return refused('malformed');
  const skew = Number(ts) - Math.floor(epochMs(now) / 1000);
  if (skew < -toleranceSec) return refused('stale');
  if (skew > toleranceSec) return refused('future');
  const given = hexDigestAfter('sha256=', header.trim());
  if (!given) return refused('malformed');
  return digestsEqual(hmacSha256(secret, canonical(req.method, req.path, ts)), given) ? verified : refused('mismatch');
}
