import { describe, expect, it } from 'vitest';
import { signStatusRequest, verifyStatusRequest } from '../../../../shared/http/signatures/status-request';

const secret = 'deploy-secret';
const now = Date.UTC(2026, 10, 23, 8, 0, 0);
const req = (headers: Record<string, string>, path = '/backups/fcdb_abc', method = 'GET') => ({ method, path, headers });

describe('signed status reads of the deploy gate', () => {
  it('verifies what signStatusRequest produced', () => {
    expect(verifyStatusRequest(req(signStatusRequest('GET', '/backups/fcdb_abc', secret, now)), secret, now)).toEqual({ ok: true });
  });
  it('refuses another path, another method, another secret', () => {
    const h = signStatusRequest('GET', '/backups/fcdb_abc', secret, now);
    expect(verifyStatusRequest(req(h, '/backups/fcdb_other'), secret, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyStatusRequest(req(h, '/backups/fcdb_abc', 'POST'), secret, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyStatusRequest(req(h), 'other-secret', now)).toEqual({ ok: false, reason: 'mismatch' });
  });
  it('refuses a replay after 5 minutes and a timestamp from the future', () => {
    const h = signStatusRequest('GET', '/backups/fcdb_abc', secret, now);
    expect(verifyStatusRequest(req(h), secret, now + 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyStatusRequest(req(h), secret, now - 301_000)).toEqual({ ok: false, reason: 'future' });
    expect(verifyStatusRequest(req(h), secret, now + 299_000)).toEqual({ ok: true });
  });
  it('fails closed without a secret, and refuses missing or malformed headers', () => {
    const h = signStatusRequest('GET', '/backups/fcdb_abc', secret, now);
    expect(verifyStatusRequest(req(h), undefined, now)).toEqual({ ok: false, reason: 'unconfigured' });
    expect(verifyStatusRequest(req(h), '', now)).toEqual({ ok: false, reason: 'unconfigured' });
    expect(verifyStatusRequest(req({}), secret, now)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyStatusRequest(req({ ...h, 'x-fcdb-timestamp': 'yesterday' }), secret, now)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyStatusRequest(req({ ...h, 'x-hub-signature-256': 'sha1=abc' }), secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });
});
