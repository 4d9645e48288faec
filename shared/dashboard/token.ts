// The dashboard's signed, expiring link. A token is `fcdb1.<issued>.<expires>.<link id>.<mac>`: epoch seconds, a
// random id (logged when used, so a link can be traced without the log holding the link), and
// base64url(HMAC-SHA256(DASHBOARD_SECRET, "fcdb-dashboard-link\n<issued>.<expires>.<link id>")). It travels in the
// URL fragment (never sent to a server, never in a Referer) and the page sends it as `Authorization: Bearer`.
// Verification is constant-time and fails closed: no usable secret, a bad shape, a lifetime over the maximum, an
// issue time in the future or an expiry passed are all refusals; a captured link replayed after it expired is one.
import { randomBytes } from 'node:crypto';
import { digestsEqual, hmacSha256 } from '../http/signatures/result';

export const dashboardSecretEnv = 'DASHBOARD_SECRET';
/** The longest link anyone may mint: a leaked link is useful for at most this long. */
export const maxLinkTtlMs = 7 * 86_400_000;
export const defaultLinkTtlMs = 8 * 3_600_000;
/** An issue time this far ahead of our clock is accepted (the minting machine's clock may run ahead). */
const clockSkewMs = 60_000;
const format = /^fcdb1\.(\d{10})\.(\d{10})\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export type TokenRefusal = 'missing' | 'malformed' | 'expired' | 'future' | 'too-long' | 'mismatch' | 'unconfigured';
export type TokenCheck = { ok: true; linkId: string; expiresAt: number } | { ok: false; reason: TokenRefusal };

const mac = (secret: string, body: string): Buffer => hmacSha256(secret, `fcdb-dashboard-link\n${body}`);

export interface MintOptions {
  ttlMs?: number;
  now?: number;
}

export interface Minted {
  token: string;
  linkId: string;
  expiresAt: string;
}

export function mintToken(secret: string, o: MintOptions = {}): Minted {
  if (!secret) throw new TypeError('mintToken: the secret must be a non-empty string');
  const ttlMs = o.ttlMs ?? defaultLinkTtlMs;
  if (!Number.isFinite(ttlMs) || ttlMs < 1000 || ttlMs > maxLinkTtlMs) throw new RangeError(`mintToken: ttlMs must be from 1 s to ${maxLinkTtlMs / 86_400_000} days`);
  const now = o.now ?? Date.now();
  const issued = Math.floor(now / 1000);
  const expires = Math.floor((now + ttlMs) / 1000);
  const linkId = randomBytes(8).toString('hex');
  const body = `${issued}.${expires}.${linkId}`;
  return { token: `fcdb1.${body}.${mac(secret, body).toString('base64url')}`, linkId, expiresAt: new Date(expires * 1000).toISOString() };
}

export function verifyToken(token: string | undefined, secret: string | undefined, now: number = Date.now()): TokenCheck {
  if (!secret) return { ok: false, reason: 'unconfigured' };
  if (token === undefined || token.trim() === '') return { ok: false, reason: 'missing' };
  const m = format.exec(token.trim());
  if (!m) return { ok: false, reason: 'malformed' };
  const [, issuedText, expiresText, linkId, given] = m as unknown as [string, string, string, string, string];
  const issued = Number(issuedText) * 1000;
  const expires = Number(expiresText) * 1000;
  // The MAC first, whatever the times say: a forged token is told apart from an expired one only once it is genuine.
  const digest = Buffer.from(given, 'base64url');
  if (digest.toString('base64url') !== given || !digestsEqual(mac(secret, `${issuedText}.${expiresText}.${linkId}`), digest)) return { ok: false, reason: 'mismatch' };
  if (expires - issued > maxLinkTtlMs || expires <= issued) return { ok: false, reason: 'too-long' };
  if (issued > now + clockSkewMs) return { ok: false, reason: 'future' };
  if (now >= expires) return { ok: false, reason: 'expired' };
  return { ok: true, linkId, expiresAt: expires };
}

/** The link people open: the page's address with the token in the fragment. */
export function dashboardLink(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/#token=${token}`;
}
