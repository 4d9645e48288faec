// Signature checks compare in constant time: whatever byte differs, the comparison is one timingSafeEqual over the
// whole digest (node's primitive, observed here — nothing of ours is replaced), never an early-exit string compare.
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, default: real, timingSafeEqual: vi.fn((a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => real.timingSafeEqual(a, b)) };
});

const crypto = await import('node:crypto');
const { checkGithubSignature, signGithub } = await import('../../../../shared/http/signatures/github');
const { verifySlackSignature, signSlack } = await import('../../../../shared/http/signatures/slack');
const { verifyDingtalkSignature, signDingtalk } = await import('../../../../shared/http/signatures/dingtalk');
const { verifyDeployRequest, signDeployRequest } = await import('../../../../shared/http/signatures/deploy-request');

const spy = crypto.timingSafeEqual as unknown as ReturnType<typeof vi.fn>;
const secret = 'constant-time-secret';
const now = Date.now();

/** Flip one hex digit of the signature at position i (from the end of the prefix). */
const flip = (sig: string, prefix: string, i: number) => {
  const hex = sig.slice(prefix.length);
  const c = hex[i] === '0' ? '1' : '0';
  return prefix + hex.slice(0, i) + c + hex.slice(i + 1);
};

let seen = 0;
/** Calls made since the last look. */
const newCalls = () => {
  const calls = spy.mock.calls.slice(seen) as Buffer[][];
  seen = spy.mock.calls.length;
  return calls;
};
beforeEach(() => void newCalls());

describe('constant-time signature comparison', () => {
  it.each([0, 31, 63])('GitHub: a difference at hex digit %i is found by one full-length timingSafeEqual', (i) => {
    const body = 'Hello, World!';
    const r = checkGithubSignature(body, flip(signGithub(body, secret), 'sha256=', i), secret);
    expect(r).toEqual({ ok: false, reason: 'mismatch' });
    const calls = newCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.map((x) => x.length)).toEqual([32, 32]);
  });

  it.each([0, 63])('Slack: a difference at hex digit %i → one 32-byte timingSafeEqual', (i) => {
    const ts = Math.floor(now / 1000);
    const r = verifySlackSignature({ rawBody: 'a=b', timestamp: String(ts), signature: flip(signSlack('a=b', ts, secret), 'v0=', i), secret, now });
    expect(r).toEqual({ ok: false, reason: 'mismatch' });
    const calls = newCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.map((x) => x.length)).toEqual([32, 32]);
  });

  it("DingTalk and the deploy gate's requests also go through timingSafeEqual", () => {
    const sign = signDingtalk(now, secret);
    const wrong = `${sign[0] === 'A' ? 'B' : 'A'}${sign.slice(1)}`;
    expect(verifyDingtalkSignature({ timestamp: String(now), sign: wrong, secret, now }).ok).toBe(false);
    const h = signDeployRequest({ method: 'GET', path: '/backups/x' }, secret, now);
    expect(verifyDeployRequest({ method: 'GET', path: '/backups/y', headers: h, rawBody: Buffer.alloc(0) }, secret, now).ok).toBe(false);
    expect(newCalls()).toHaveLength(2);
  });
});
