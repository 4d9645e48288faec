// The dashboard link's token: what verifies, and every way one is refused (forged, altered, expired, from the
// future, too long-lived, without a secret), each for its own reason.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dashboardLink, maxLinkTtlMs, mintToken, verifyToken } from '../../../shared/dashboard/token';

const secret = 'dashboard-test-secret-0123';
const now = Date.parse('2026-12-01T09:00:00Z');
const H = 3_600_000;

describe('dashboard link token', () => {
  it('a minted token verifies until it expires (8 h by default), then is refused as expired', () => {
    const { token, expiresAt, linkId } = mintToken(secret, { now });
    expect(expiresAt).toBe('2026-12-01T17:00:00.000Z');
    expect(verifyToken(token, secret, now)).toEqual({ ok: true, linkId, expiresAt: Date.parse(expiresAt) });
    expect(verifyToken(token, secret, now + 8 * H - 1000).ok).toBe(true);
    // The same captured token, replayed after its end.
    expect(verifyToken(token, secret, now + 8 * H)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyToken(token, secret, now + 30 * 86_400_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('the MAC is HMAC-SHA256 over the documented string, written here independently', () => {
    const { token } = mintToken(secret, { now, ttlMs: H });
    const [, issued, expires, id, mac] = token.split('.');
    const expected = createHmac('sha256', secret).update(`fcdb-dashboard-link\n${issued}.${expires}.${id}`).digest('base64url');
    expect(mac).toBe(expected);
    expect(Number(expires) - Number(issued)).toBe(3600);
  });

  it('forged, altered or re-signed with another secret: refused as a mismatch, whatever its times say', () => {
    const { token } = mintToken(secret, { now });
    const [v, issued, expires, id, mac] = token.split('.') as [string, string, string, string, string];
    expect(verifyToken(token, 'another-secret-of-16-bytes', now)).toEqual({ ok: false, reason: 'mismatch' });
    // A later expiry with the old MAC.
    expect(verifyToken([v, issued, String(Number(expires) + 3600), id, mac].join('.'), secret, now)).toEqual({ ok: false, reason: 'mismatch' });
    // Every single character of the MAC flipped in turn.
    for (let i = 0; i < mac.length; i++) {
      const c = mac[i] === 'A' ? 'B' : 'A';
      expect(verifyToken([v, issued, expires, id, mac.slice(0, i) + c + mac.slice(i + 1)].join('.'), secret, now).ok).toBe(false);
    }
  });

  it('a forged token with an expiry in the past is a mismatch, not "expired": only genuine links are told they expired', () => {
    const forged = `fcdb1.${Math.floor((now - 10 * H) / 1000)}.${Math.floor((now - 2 * H) / 1000)}.0123456789abcdef.${'A'.repeat(43)}`;
    expect(verifyToken(forged, secret, now)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('malformed, missing, or no secret configured: refused (fail closed)', () => {
    const { token } = mintToken(secret, { now });
    for (const bad of ['x', `${token}.x`, token.replace('fcdb1', 'fcdb2'), token.slice(0, -1), `${token}=`, ` ${token}x`]) expect(verifyToken(bad, secret, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyToken(undefined, secret, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyToken('  ', secret, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyToken(token, undefined, now)).toEqual({ ok: false, reason: 'unconfigured' });
    expect(verifyToken(token, '', now)).toEqual({ ok: false, reason: 'unconfigured' });
  });

  it('issued in the future (past a minute of skew) or living longer than the maximum: refused even when genuinely signed', () => {
    const ahead = mintToken(secret, { now: now + 5 * 60_000 });
    expect(verifyToken(ahead.token, secret, now)).toEqual({ ok: false, reason: 'future' });
    expect(verifyToken(mintToken(secret, { now: now + 30_000 }).token, secret, now).ok).toBe(true);
    // A token the minting code would refuse to make, signed by hand.
    const issued = Math.floor(now / 1000);
    const body = `${issued}.${issued + maxLinkTtlMs / 1000 + 1}.0123456789abcdef`;
    const long = `fcdb1.${body}.${createHmac('sha256', secret).update(`fcdb-dashboard-link\n${body}`).digest('base64url')}`;
    expect(verifyToken(long, secret, now)).toEqual({ ok: false, reason: 'too-long' });
    expect(() => mintToken(secret, { ttlMs: maxLinkTtlMs + 1000 })).toThrow(RangeError);
    expect(() => mintToken(secret, { ttlMs: 0 })).toThrow(RangeError);
  });

  it('the link carries the token in the fragment, so no server log or Referer ever holds it', () => {
    const link = dashboardLink('https://dash.example.com/', 'fcdb1.t');
    expect(link).toBe('https://dash.example.com/#token=fcdb1.t');
    expect(new URL(link).pathname + new URL(link).search).toBe('/');
  });
});
