import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signDeployRequest, verifyDeployRequest } from '../../../../shared/http/signatures/deploy-request';

const secret = "It's a Secret to Everybody";
const now = Date.UTC(2026, 10, 23, 8, 0, 0);
const body = '{"targets":[{"product":"rds","DBInstanceId":"rm-1"}],"deployId":"d-1","wait":0}';
const req = (headers: Record<string, string>, { path = '/backups', method = 'POST', raw = body } = {}) => ({ method, path, headers, rawBody: Buffer.from(raw) });
const post = (nowMs = now) => signDeployRequest({ method: 'POST', path: '/backups', body }, secret, nowMs);

describe("the deploy gate's signature", () => {
  it('is the documented HMAC: hex HMAC-SHA256(secret, "<METHOD>\\n<path>\\n<timestamp>\\n<nonce>\\n" + body), as the README curl computes it', () => {
    const h = post();
    const ts = String(now / 1000);
    expect(h['x-fcdb-timestamp']).toBe(ts);
    expect(h['x-fcdb-nonce']).toMatch(/^[0-9a-f]{32}$/);
    expect(h['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', secret).update(`POST\n/backups\n${ts}\n${h['x-fcdb-nonce']}\n${body}`).digest('hex')}`);
    expect(post()['x-hub-signature-256']).not.toBe(h['x-hub-signature-256']);
    expect(verifyDeployRequest(req(h), secret, now)).toEqual({ ok: true });
  });

  it('covers the body, the method, the path and the timestamp', () => {
    const h = post();
    expect(verifyDeployRequest(req(h, { raw: body.replace('"wait":0', '"wait":8') }), secret, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDeployRequest(req(h, { method: 'GET' }), secret, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDeployRequest(req(h, { path: '/backups/x' }), secret, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDeployRequest(req({ ...h, 'x-fcdb-timestamp': String(now / 1000 + 1) }), secret, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDeployRequest(req({ ...h, 'x-fcdb-nonce': 'another-nonce' }), secret, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDeployRequest(req(h), 'another-secret-of-16', now)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('signs a GET (a status read) over an empty body', () => {
    const h = signDeployRequest({ method: 'GET', path: '/backups/fcdb_abc' }, secret, now);
    expect(verifyDeployRequest(req(h, { method: 'GET', path: '/backups/fcdb_abc', raw: '' }), secret, now)).toEqual({ ok: true });
    expect(verifyDeployRequest(req(h, { method: 'GET', path: '/backups/fcdb_other', raw: '' }), secret, now)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('refuses a capture replayed after 5 minutes, and a timestamp more than 5 minutes ahead', () => {
    expect(verifyDeployRequest(req(post()), secret, now + 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyDeployRequest(req(post()), secret, now - 301_000)).toEqual({ ok: false, reason: 'future' });
    expect(verifyDeployRequest(req(post()), secret, now + 299_000)).toEqual({ ok: true });
  });

  it('fails closed without a secret, and refuses missing or malformed headers', () => {
    const h = post();
    expect(verifyDeployRequest(req(h), undefined, now)).toEqual({ ok: false, reason: 'unconfigured' });
    expect(verifyDeployRequest(req(h), '', now)).toEqual({ ok: false, reason: 'unconfigured' });
    expect(verifyDeployRequest(req({}), secret, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyDeployRequest(req({ 'x-hub-signature-256': h['x-hub-signature-256'] as string }), secret, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyDeployRequest(req({ ...h, 'x-fcdb-timestamp': 'yesterday' }), secret, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyDeployRequest(req({ ...h, 'x-fcdb-nonce': 'short' }), secret, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyDeployRequest(req({ ...h, 'x-fcdb-nonce': '' }), secret, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyDeployRequest(req({ ...h, 'x-hub-signature-256': 'sha1=abc' }), secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('a signature over one (method, path, body) never verifies another (fast-check, 500 runs)', () => {
    const part = fc.record({ method: fc.constantFrom('GET', 'POST'), path: fc.string({ maxLength: 20 }), body: fc.string({ maxLength: 60 }) });
    fc.assert(
      fc.property(part, part, (a, b) => {
        fc.pre(a.method !== b.method || a.path !== b.path || a.body !== b.body);
        const h = signDeployRequest(a, secret, now);
        return verifyDeployRequest({ method: b.method, path: b.path, headers: h, rawBody: Buffer.from(b.body) }, secret, now).ok === false;
      }),
      { numRuns: 500 },
    );
  });
});
