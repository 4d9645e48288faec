// verifySignature(): the three schemes through one middleware in a real middy stack — 401 for every failure,
// 401 for every request while the secret is unset, and the handler (and body parser) never run for a refused request.
import { createHmac } from 'node:crypto';
import middy from '@middy/core';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../../shared/logger';
import { bodyParser } from '../../../../shared/http/middleware/body-parser';
import { errorMapper } from '../../../../shared/http/middleware/error-mapper';
import { fcHttpEvent } from '../../../../shared/http/middleware/fc-http-event';
import type { HttpRequest } from '../../../../shared/http/request';
import type { HttpResponse } from '../../../../shared/http/middleware/response';
import { verifySignature, type VerifySignatureOptions } from '../../../../shared/http/middleware/signature-verifier';
import { deployHeaders, dingtalkHeaders, signatureSchemes, slackHeaders } from '../../../../shared/http/signatures/http-adapters';

const NOW = Date.UTC(2026, 10, 23, 2, 0, 0);
const SECRET = 'whsec-test-0123456789';
const deploySigned = (body: string, secret: string) => deployHeaders('POST', '/hook', body, secret, NOW);
const context = { requestId: 'ctx-1' };

const event = (body: string, headers: Record<string, string>, contentType = 'application/json') =>
  Buffer.from(
    JSON.stringify({
      rawPath: '/hook',
      headers: { 'Content-Type': contentType, ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v])) },
      body,
      isBase64Encoded: false,
      requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/hook', sourceIp: '10.0.0.1' } },
    }),
  );

function stack(scheme: keyof typeof signatureSchemes, over: Partial<VerifySignatureOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ sink: (l) => lines.push(l) });
  const seen: HttpRequest[] = [];
  const handler = middy()
    .use(fcHttpEvent())
    .use(errorMapper({ logger }))
    .use(verifySignature({ ...signatureSchemes[scheme], secret: () => SECRET, logger, now: () => NOW, ...over }))
    .use(bodyParser())
    .handler(async (req: HttpRequest) => {
      seen.push(req);
      return { ok: true };
    });
  const call = async (e: Buffer) => (await handler(e as never, context as never)) as HttpResponse;
  return { call, seen, lines, logs: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const body = '{"deployId":"d-42"}';

function expect401(res: HttpResponse, reason?: string) {
  expect(res.statusCode).toBe(401);
  expect(res.headers['content-type']).toBe('application/json');
  const parsed = JSON.parse(res.body) as { error: { code: string; message: string; details?: { reason: string } }; requestId: string };
  expect(parsed.error.code).toBe('Unauthorized');
  expect(parsed.error.message).toMatch(/signature|timestamp/);
  expect(parsed.requestId).toBe('req-1');
  if (reason) expect(parsed.error.details?.reason).toBe(reason);
  return parsed;
}

describe('deploy scheme (X-Hub-Signature-256 over method, path, timestamp and body)', () => {
  it('passes a correctly signed request to the handler, with its parsed body', async () => {
    const s = stack('deploy');
    const res = await s.call(event(body, deploySigned(body, SECRET)));
    expect(res.statusCode).toBe(200);
    expect(s.seen).toHaveLength(1);
    expect(s.seen[0]!.body).toEqual({ deployId: 'd-42' });
    expect(s.lines).toHaveLength(0);
  });

  it('refuses a missing, wrong or other-secret signature, and a tampered body, before the body parser runs', async () => {
    const s = stack('deploy');
    expect401(await s.call(event(body, {})), 'missing');
    expect401(await s.call(event(body, deploySigned(body, 'another-secret'))), 'mismatch');
    expect401(await s.call(event('{"deployId":"d-43"}', deploySigned(body, SECRET))), 'mismatch');
    expect401(await s.call(event(body, { ...deploySigned(body, SECRET), 'x-hub-signature-256': 'sha1=abc' })), 'malformed');
    // Not JSON at all and unsigned: 401, not the parser's 400, because the parser comes after.
    expect401(await s.call(event('{{{', {})), 'missing');
    expect(s.seen).toHaveLength(0);
  });

  it('logs each refusal as a warning with the reason and without the signature', async () => {
    const s = stack('deploy');
    const headers = deploySigned(body, 'another-secret');
    await s.call(event(body, headers));
    expect(s.logs()).toEqual([expect.objectContaining({ level: 'warn', scheme: 'deploy', reason: 'mismatch', requestId: 'req-1' })]);
    expect(s.lines.join('\n')).not.toContain(headers['x-hub-signature-256']!.slice(7));
  });
});

describe('slack scheme (v0, 5 minutes)', () => {
  const form = 'command=%2Fbackup&text=rds+rm-1&user_id=U1';

  it('passes a fresh signed form post and refuses stale and future ones', async () => {
    const s = stack('slack');
    expect((await s.call(event(form, slackHeaders(form, SECRET, NOW), 'application/x-www-form-urlencoded'))).statusCode).toBe(200);
    expect(s.seen[0]!.body).toEqual({ command: '/backup', text: 'rds rm-1', user_id: 'U1' });
    expect401(await s.call(event(form, slackHeaders(form, SECRET, NOW - 301_000), 'application/x-www-form-urlencoded')), 'stale');
    expect401(await s.call(event(form, slackHeaders(form, SECRET, NOW + 301_000), 'application/x-www-form-urlencoded')), 'future');
    expect(s.seen).toHaveLength(1);
  });

  it('refuses a signature replayed with a new timestamp', async () => {
    const s = stack('slack');
    const old = slackHeaders(form, SECRET, NOW - 1000);
    const replay = { ...old, 'x-slack-request-timestamp': String(Math.floor(NOW / 1000)) };
    expect401(await s.call(event(form, replay, 'application/x-www-form-urlencoded')), 'mismatch');
  });
});

describe('dingtalk scheme (timestamp + sign, 5 minutes)', () => {
  it('passes a fresh sign and refuses one older than 5 minutes or from another secret', async () => {
    const s = stack('dingtalk');
    expect((await s.call(event(body, dingtalkHeaders(SECRET, NOW)))).statusCode).toBe(200);
    expect((await s.call(event(body, dingtalkHeaders(SECRET, NOW - 299_000)))).statusCode).toBe(200);
    expect401(await s.call(event(body, dingtalkHeaders(SECRET, NOW - 300_001))), 'stale');
    expect401(await s.call(event(body, dingtalkHeaders('other', NOW))), 'mismatch');
    expect(s.seen).toHaveLength(2);
  });
});

describe('fail closed', () => {
  it.each([undefined, ''])('refuses EVERY request while the secret is %j, and logs that the env var is not set', async (secret) => {
    const s = stack('deploy', { secret: () => secret });
    // Even a request signed with the empty key, which an accept-when-unset verifier would let through.
    const signedWithEmpty = `sha256=${createHmac('sha256', '').update(body).digest('hex')}`;
    const r1 = expect401(await s.call(event(body, { 'x-hub-signature-256': signedWithEmpty })));
    expect401(await s.call(event(body, deploySigned(body, SECRET))));
    expect401(await s.call(event(body, {})));
    expect(s.seen).toHaveLength(0);
    // The caller is not told why; the operator is.
    expect(r1.error.details).toBeUndefined();
    const logs = s.logs();
    expect(logs).toHaveLength(3);
    for (const line of logs) {
      expect(line.level).toBe('error');
      expect(line.msg).toMatch(/DEPLOY_HOOK_SECRET is not set/);
      expect(line.msg).toMatch(/fail closed/);
    }
  });

  it.each([
    [' ', /DEPLOY_HOOK_SECRET is only whitespace/],
    ['\n', /DEPLOY_HOOK_SECRET is only whitespace/],
    ['short-secret ', /DEPLOY_HOOK_SECRET is 12 bytes after trimming; at least 16 are required/],
  ])('a secret of %j is no key: every request refused, even one signed with it, and the log names the variable, not the value', async (secret, why) => {
    const s = stack('deploy', { secret: () => secret });
    expect401(await s.call(event(body, deploySigned(body, secret))));
    expect401(await s.call(event(body, deploySigned(body, secret.trim() || 'x'))));
    expect(s.seen).toHaveLength(0);
    for (const line of s.logs()) {
      expect(line).toMatchObject({ level: 'error', envVar: 'DEPLOY_HOOK_SECRET' });
      expect(line.msg).toMatch(why);
      if (secret.trim() !== '') expect(JSON.stringify(line)).not.toContain(secret.trim());
    }
  });

  it("is trimmed: a secret read with a trailing newline verifies what was signed with the trimmed value; GitHub's 26-byte example secret is long enough", async () => {
    const s = stack('deploy', { secret: () => `${SECRET}\n` });
    expect((await s.call(event(body, deploySigned(body, SECRET)))).statusCode).toBe(200);
    const gh = stack('deploy', { secret: () => "It's a Secret to Everybody" });
    expect((await gh.call(event(body, deploySigned(body, "It's a Secret to Everybody")))).statusCode).toBe(200);
  });

  it('reads the secret per request: setting it later starts accepting, unsetting refuses again', async () => {
    let current: string | undefined;
    const s = stack('slack', { secret: () => current });
    const form = 'text=x';
    const send = () => s.call(event(form, slackHeaders(form, SECRET, NOW), 'application/x-www-form-urlencoded'));
    expect((await send()).statusCode).toBe(401);
    current = SECRET;
    expect((await send()).statusCode).toBe(200);
    current = undefined;
    expect((await send()).statusCode).toBe(401);
  });

  it('a verifier that throws refuses the request (401) and logs it', async () => {
    const s = stack('deploy', {
      verify: () => {
        throw new Error('boom');
      },
    });
    expect401(await s.call(event(body, deploySigned(body, SECRET))), 'malformed');
    expect(s.seen).toHaveLength(0);
    expect(s.logs()[0]).toMatchObject({ level: 'error', scheme: 'deploy' });
  });

  it('without fcHttpEvent before it, nothing reaches the handler', async () => {
    const handlerFn = vi.fn(async () => ({ ok: true }));
    const handler = middy()
      .use(verifySignature({ ...signatureSchemes.deploy, secret: () => SECRET, logger: createLogger({ sink: () => {} }) }))
      .handler(handlerFn);
    await expect(handler(event(body, deploySigned(body, SECRET)) as never, context as never)).rejects.toThrow(/fcHttpEvent/);
    expect(handlerFn).not.toHaveBeenCalled();
  });

  it('validates its options when built', () => {
    const base = { ...signatureSchemes.deploy, secret: () => SECRET };
    expect(() => verifySignature({ ...base, name: '' })).toThrow(TypeError);
    expect(() => verifySignature({ ...base, secret: 'literal' as never })).toThrow(/function/);
    expect(() => verifySignature({ ...base, verify: undefined as never })).toThrow(TypeError);
  });

  it('the default clock is the real one: a request signed now passes, one signed 10 minutes ago does not', async () => {
    const s = stack('slack', { now: undefined });
    const form = 'text=x';
    const ct = 'application/x-www-form-urlencoded';
    expect((await s.call(event(form, slackHeaders(form, SECRET), ct))).statusCode).toBe(200);
    expect401(await s.call(event(form, slackHeaders(form, SECRET, Date.now() - 600_000), ct)), 'stale');
  });
});

describe('default clock', () => {
  it('is read at call time: a clock faked after the module loaded decides freshness', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const past = Date.UTC(2020, 0, 1);
      vi.setSystemTime(past);
      const s = stack('slack', { now: undefined });
      const ok = await s.call(event('a=1', slackHeaders('a=1', SECRET, past), 'application/x-www-form-urlencoded'));
      expect(ok.statusCode).toBe(200);
      vi.setSystemTime(past + 10 * 60_000);
      expect401(await s.call(event('a=1', slackHeaders('a=1', SECRET, past), 'application/x-www-form-urlencoded')));
    } finally {
      vi.useRealTimers();
    }
  });
});
