// The three signature schemes against their published examples, every way a request can be wrong, and a property:
// a signature over one body never verifies another.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGithubSignature, signGithub, verifyGithubSignature } from '../../../../shared/http/signatures/github';
import { deployHeaders, deployRequestVerifier, dingtalkHeaders, dingtalkRequestVerifier, slackHeaders, slackRequestVerifier } from '../../../../shared/http/signatures/http-adapters';
import { signDingtalk, verifyDingtalkSignature } from '../../../../shared/http/signatures/dingtalk';
import { signSlack, verifySlackSignature } from '../../../../shared/http/signatures/slack';

// https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
const github = {
  secret: "It's a Secret to Everybody",
  payload: 'Hello, World!',
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};

// https://api.slack.com/authentication/verifying-requests-from-slack (the worked example)
const slack = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar' +
    '&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com' +
    '%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const slackTime = new Date(Number(slack.timestamp) * 1000);

// DingTalk publishes the algorithm but no worked example; this value was computed outside this code with
// `printf '1700000000000\nthis is secret' | openssl dgst -sha256 -hmac 'this is secret' -binary | base64`.
const dingtalk = { secret: 'this is secret', timestamp: '1700000000000', sign: 'sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0=' };
const dingtalkTime = Number(dingtalk.timestamp);

const flipLastHex = (sig: string) => sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');

describe('GitHub X-Hub-Signature-256', () => {
  it("verifies GitHub's documented example", () => {
    expect(signGithub(github.payload, github.secret)).toBe(github.signature);
    expect(verifyGithubSignature(github.payload, github.signature, github.secret)).toBe(true);
    expect(verifyGithubSignature(Buffer.from(github.payload), github.signature, github.secret)).toBe(true);
    expect(verifyGithubSignature(github.payload, github.signature.toUpperCase().replace('SHA256=', 'sha256='), github.secret)).toBe(true);
  });

  it('refuses a missing header', () => {
    expect(checkGithubSignature(github.payload, undefined, github.secret)).toEqual({ ok: false, reason: 'missing' });
    expect(checkGithubSignature(github.payload, '  ', github.secret)).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses a wrong signature, a wrong secret and a tampered body', () => {
    expect(checkGithubSignature(github.payload, flipLastHex(github.signature), github.secret)).toEqual({ ok: false, reason: 'mismatch' });
    expect(checkGithubSignature(github.payload, github.signature, "It's a Secret to Everybody!")).toEqual({ ok: false, reason: 'mismatch' });
    expect(checkGithubSignature('Hello, World?', github.signature, github.secret)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('fails closed when the secret is not configured, even for a correctly signed body', () => {
    const signedWithEmpty = `sha256=${createHmac('sha256', '').update(github.payload).digest('hex')}`;
    for (const secret of [undefined, '']) {
      expect(checkGithubSignature(github.payload, signedWithEmpty, secret)).toEqual({ ok: false, reason: 'unconfigured' });
      expect(verifyGithubSignature(github.payload, github.signature, secret)).toBe(false);
    }
    expect(() => signGithub('x', '')).toThrow(/secret/);
  });

  it.each([
    ['no prefix', github.signature.slice('sha256='.length)],
    ['another algorithm', github.signature.replace('sha256=', 'sha1=')],
    ['odd-length hex', github.signature.slice(0, -1)],
    ['non-hex', `${github.signature.slice(0, -1)}g`],
    ['too long', `${github.signature}00`],
    ['empty digest', 'sha256='],
  ])('refuses a malformed header: %s', (_name, header) => {
    expect(checkGithubSignature(github.payload, header, github.secret)).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('Slack v0 signature', () => {
  const input = { rawBody: slack.body, timestamp: slack.timestamp, signature: slack.signature, secret: slack.secret };

  it("verifies Slack's documented example with the clock at the example's time", () => {
    expect(signSlack(slack.body, slack.timestamp, slack.secret)).toBe(slack.signature);
    expect(verifySlackSignature({ ...input, now: slackTime })).toEqual({ ok: true });
    expect(verifySlackSignature({ ...input, now: slackTime.getTime() })).toEqual({ ok: true });
  });

  it("refuses the same example as stale with today's clock", () => {
    expect(verifySlackSignature(input)).toEqual({ ok: false, reason: 'stale' });
  });

  it('accepts up to 5 minutes of skew either way and refuses beyond', () => {
    const at = (deltaSec: number) => verifySlackSignature({ ...input, now: slackTime.getTime() + deltaSec * 1000 });
    expect(at(300)).toEqual({ ok: true });
    expect(at(-300)).toEqual({ ok: true });
    expect(at(301)).toEqual({ ok: false, reason: 'stale' });
    // The request's timestamp is 301 s ahead of our clock.
    expect(at(-301)).toEqual({ ok: false, reason: 'future' });
    expect(verifySlackSignature({ ...input, now: slackTime.getTime() + 61_000, toleranceSec: 60 })).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses missing headers', () => {
    expect(verifySlackSignature({ ...input, now: slackTime, signature: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(verifySlackSignature({ ...input, now: slackTime, timestamp: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(verifySlackSignature({ ...input, now: slackTime, timestamp: '' })).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses a wrong signature, a wrong secret, a tampered body and a replayed signature with a new timestamp', () => {
    const now = slackTime;
    expect(verifySlackSignature({ ...input, now, signature: flipLastHex(slack.signature) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature({ ...input, now, secret: `${slack.secret}x` })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature({ ...input, now, rawBody: slack.body.replace('text=', 'text=backup') })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySlackSignature({ ...input, now, timestamp: String(Number(slack.timestamp) + 1) })).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('fails closed without a secret', () => {
    expect(verifySlackSignature({ ...input, now: slackTime, secret: undefined })).toEqual({ ok: false, reason: 'unconfigured' });
    expect(verifySlackSignature({ ...input, now: slackTime, secret: '' })).toEqual({ ok: false, reason: 'unconfigured' });
    expect(() => signSlack('x', 1, '')).toThrow(/secret/);
  });

  it.each([
    ['no prefix', { signature: slack.signature.slice(3) }],
    ['wrong version', { signature: slack.signature.replace('v0=', 'v1=') }],
    ['odd-length hex', { signature: slack.signature.slice(0, -1) }],
    ['non-hex', { signature: `${slack.signature.slice(0, -1)}z` }],
    ['timestamp not a number', { timestamp: '1531420618.5' }],
    ['timestamp in milliseconds-like junk', { timestamp: '1531420618000000' }],
  ])('refuses malformed headers: %s', (_name, over) => {
    expect(verifySlackSignature({ ...input, now: slackTime, ...over })).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('DingTalk outgoing robot sign', () => {
  const input = { timestamp: dingtalk.timestamp, sign: dingtalk.sign, secret: dingtalk.secret };

  it('matches the value computed independently with openssl, and verifies at that time', () => {
    expect(signDingtalk(dingtalk.timestamp, dingtalk.secret)).toBe(dingtalk.sign);
    expect(verifyDingtalkSignature({ ...input, now: dingtalkTime })).toEqual({ ok: true });
  });

  it('accepts 5 minutes of skew either way and refuses beyond (DingTalk allows up to an hour; we take less)', () => {
    const at = (deltaMs: number) => verifyDingtalkSignature({ ...input, now: dingtalkTime + deltaMs });
    expect(at(300_000)).toEqual({ ok: true });
    expect(at(-300_000)).toEqual({ ok: true });
    expect(at(300_001)).toEqual({ ok: false, reason: 'stale' });
    expect(at(-300_001)).toEqual({ ok: false, reason: 'future' });
    expect(at(3_000_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifyDingtalkSignature(input)).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses missing, wrong and unconfigured', () => {
    const now = dingtalkTime;
    expect(verifyDingtalkSignature({ ...input, now, sign: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(verifyDingtalkSignature({ ...input, now, timestamp: undefined })).toEqual({ ok: false, reason: 'missing' });
    expect(verifyDingtalkSignature({ ...input, now, secret: 'this is secret!' })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDingtalkSignature({ ...input, now, timestamp: String(now + 1) })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDingtalkSignature({ ...input, now, sign: signDingtalk(now, 'other') })).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifyDingtalkSignature({ ...input, now, secret: undefined })).toEqual({ ok: false, reason: 'unconfigured' });
    expect(verifyDingtalkSignature({ ...input, now, secret: '' })).toEqual({ ok: false, reason: 'unconfigured' });
  });

  it.each([
    ['url-encoded sign', encodeURIComponent(dingtalk.sign)],
    ['hex instead of base64', createHmac('sha256', dingtalk.secret).update(`${dingtalk.timestamp}\n${dingtalk.secret}`).digest('hex')],
    ['truncated', dingtalk.sign.slice(0, -2)],
    ['not base64', `${dingtalk.sign.slice(0, -2)}!=`],
    // '1' differs from the canonical '0' only in the 2 bits decoding ignores: the same digest, spelled otherwise.
    ['a non-canonical spelling of the right digest', `${dingtalk.sign.slice(0, -2)}1=`],
  ])('refuses a malformed sign: %s', (_name, sign) => {
    expect(verifyDingtalkSignature({ ...input, now: dingtalkTime, sign })).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a malformed timestamp (seconds with a fraction)', () => {
    expect(verifyDingtalkSignature({ ...input, now: dingtalkTime, timestamp: '1700000000.5' })).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('HTTP adapters read lower-cased headers of a normalised request', () => {
  const body = Buffer.from('{"deployId":"d-1"}');
  const nowMs = Date.UTC(2026, 0, 2, 3, 4, 5);

  it('round-trip through the header builders, and refuse another secret', () => {
    const req = (headers: Record<string, string>) => ({ method: 'POST', path: '/backups', headers, rawBody: body });
    expect(deployRequestVerifier(req(deployHeaders('POST', '/backups', body, 's1', nowMs)), 's1', nowMs)).toEqual({ ok: true });
    expect(deployRequestVerifier(req(deployHeaders('POST', '/backups', body, 's1', nowMs)), 's2', nowMs)).toEqual({ ok: false, reason: 'mismatch' });
    expect(slackRequestVerifier(req(slackHeaders(body, 's1', nowMs)), 's1', nowMs)).toEqual({ ok: true });
    expect(slackRequestVerifier(req(slackHeaders(body, 's1', nowMs)), 's1', nowMs + 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(dingtalkRequestVerifier(req(dingtalkHeaders('s1', nowMs)), 's1', nowMs)).toEqual({ ok: true });
    expect(dingtalkRequestVerifier(req(dingtalkHeaders('s1', nowMs)), 's2', nowMs)).toEqual({ ok: false, reason: 'mismatch' });
    expect(deployRequestVerifier(req({}), 's1', nowMs)).toEqual({ ok: false, reason: 'missing' });
  });
});

describe('properties', () => {
  const bodies = fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a));
  const secrets = fc.string({ minLength: 1, maxLength: 64 });

  it('a GitHub signature over one body never verifies a different body (500 runs)', () => {
    fc.assert(
      fc.property(bodies, bodies, secrets, (a, b, secret) => {
        fc.pre(!a.equals(b));
        const sig = signGithub(a, secret);
        return verifyGithubSignature(a, sig, secret) && !verifyGithubSignature(b, sig, secret);
      }),
      { numRuns: 500 },
    );
  });

  it('a Slack signature over one body never verifies a different body (500 runs)', () => {
    fc.assert(
      fc.property(bodies, bodies, secrets, fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }), (a, b, secret, ts) => {
        fc.pre(!a.equals(b));
        const signature = signSlack(a, ts, secret);
        const now = ts * 1000;
        const good = verifySlackSignature({ rawBody: a, timestamp: String(ts), signature, secret, now });
        const bad = verifySlackSignature({ rawBody: b, timestamp: String(ts), signature, secret, now });
        return good.ok && !bad.ok && bad.reason === 'mismatch';
      }),
      { numRuns: 500 },
    );
  });

  it('no header string other than the right one verifies, and none throws (1000 runs)', () => {
    const right = signGithub(github.payload, github.secret);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }).map((h) => `sha256=${h}`)), (header) => {
        fc.pre(header.trim().toLowerCase() !== right);
        return !verifyGithubSignature(github.payload, header, github.secret);
      }),
      { numRuns: 1000 },
    );
  });
});
