// The deploy gate's signature: GitHub's HMAC form, over a string that also carries the method, the path, a timestamp
// and a nonce, so a captured request can neither be replayed after 5 minutes nor be sent to another route. No query
// parameter is read by the gate, so nothing outside the signature changes what a request does.
//   X-Fcdb-Timestamp: <unix seconds>
//   X-Fcdb-Nonce: <8–64 of A-Z a-z 0-9 _ -, new for every request>
//   X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, "<METHOD>\n<path>\n<timestamp>\n<nonce>\n" + raw body)>
// <path> is the function's own path (/backups, /backups/<id>); a GET signs an empty body. Within the window the replay
// guard (shared/http/middleware/replay-guard.ts) accepts each signed POST once; the nonce lets a sender resend the
// same body within the same second (a quick retry) as a new request.
import { randomBytes } from 'node:crypto';
import { checkGithubSignature, githubSignatureHeader, signGithub } from './github';
import { epochMs, isMissing, refused, type Clock, type VerifyResult } from './result';

export const deployTimestampHeader = 'x-fcdb-timestamp';
export const deployNonceHeader = 'x-fcdb-nonce';
const nonceFormat = /^[A-Za-z0-9_-]{8,64}$/;
export const deployToleranceSec = 300;

export interface DeployRequestParts {
  method: string;
  path: string;
  /** The raw body; a GET has none. */
  body?: Buffer | string;
}

const signedContent = ({ method, path, body = '' }: DeployRequestParts, ts: string, nonce: string): Buffer =>
  Buffer.concat([Buffer.from(`${method.toUpperCase()}\n${path}\n${ts}\n${nonce}\n`, 'utf8'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]);

export function signDeployRequest(parts: DeployRequestParts, secret: string, nowMs: number = Date.now()): Record<string, string> {
  if (!secret) throw new TypeError('signDeployRequest: the secret must be a non-empty string');
  const ts = String(Math.floor(nowMs / 1000));
  const nonce = randomBytes(16).toString('hex');
  return { [deployTimestampHeader]: ts, [deployNonceHeader]: nonce, [githubSignatureHeader]: signGithub(signedContent(parts, ts, nonce), secret) };
}

export function verifyDeployRequest(
  req: { method: string; path: string; headers: Readonly<Record<string, string | undefined>>; rawBody: Buffer },
  secret: string | undefined,
  now: Clock,
): VerifyResult {
  if (!secret) return refused('unconfigured');
  const ts = req.headers[deployTimestampHeader]?.trim();
  const nonce = req.headers[deployNonceHeader]?.trim();
  const header = req.headers[githubSignatureHeader];
  if (isMissing(ts) || isMissing(nonce) || isMissing(header)) return refused('missing');
  if (!/^\d{1,12}$/.test(ts) || !nonceFormat.test(nonce)) return refused('malformed');
  const skew = Number(ts) - Math.floor(epochMs(now) / 1000);
  if (skew < -deployToleranceSec) return refused('stale');
  if (skew > deployToleranceSec) return refused('future');
  return checkGithubSignature(signedContent({ method: req.method, path: req.path, body: req.rawBody }, ts, nonce), header, secret);
}
