// Issue 10, points 5 and 7 (secrets): the attacks, performed against the built bundles as FC calls them. Bad input is
// a 4xx before anything that can throw; a secret that is no key refuses every request and the log names the variable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployHeaders, dingtalkHeaders, slackHeaders } from '../../shared/http/signatures/http-adapters';
import { asEvent, captureStdout, fcContext, loadBundle } from '../helpers/fc';

const deployHook = loadBundle('deploy-hook');
const chatops = loadBundle('chatops');
const timer = loadBundle('scheduled-backup');
const secret = 'security-input-secret-91c4';
const saved = { ...process.env };

beforeAll(() => {
  Object.assign(process.env, {
    DEPLOY_HOOK_SECRET: secret,
    SLACK_SIGNING_SECRET: secret,
    DINGTALK_APP_SECRET: secret,
    // Nothing listens here: a request that got past validation would surface as a 503, not a 400.
    RDS_ENDPOINT: 'http://127.0.0.1:1',
    POLARDB_ENDPOINT: 'http://127.0.0.1:1',
    MONGODB_ENDPOINT: 'http://127.0.0.1:1',
    LOG_LEVEL: 'error',
  });
});
afterAll(() => {
  process.env = saved;
});

type Res = { statusCode: number; body: string };
const errorOf = (r: Res) => (JSON.parse(r.body) as { error: { code: string; message: string } }).error;

function httpEvent(method: string, rawPath: string, body = '', headers: Record<string, string> = {}, decodedPath?: string) {
  return asEvent({
    version: 'v1',
    rawPath,
    headers,
    queryParameters: {},
    body,
    isBase64Encoded: false,
    requestContext: { requestId: 'sec-1', http: { method, path: decodedPath, sourceIp: '203.0.113.9' } },
  });
}

const signedPost = (path: string, body: string) => httpEvent('POST', path, body, { 'content-type': 'application/json', ...deployHeaders('POST', path, body, secret) });

describe('point 5: bad input is a 4xx, always', () => {
  it('GET /backups/%ff, unauthenticated → 400 (an undecodable path), not a 500', async () => {
    const r = (await deployHook(httpEvent('GET', '/backups/%ff'), fcContext({ name: 'deploy-hook' }))) as Res;
    expect(r.statusCode).toBe(400);
    expect(errorOf(r).message).toMatch(/rawPath: "\/backups\/%ff" — must be a valid URL-encoded path/);
  });

  it('GET /backups/%25ff (FC hands the decoded path "/backups/%ff"), unauthenticated → 401: nothing decodes it again before the signature check', async () => {
    const r = (await deployHook(httpEvent('GET', '/backups/%25ff', '', {}, '/backups/%ff'), fcContext({ name: 'deploy-hook' }))) as Res;
    expect(r.statusCode).toBe(401);
  });

  it('a signed 30,000-deep array → 400 naming the nesting limit, checked before JSON.parse', async () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000);
    const r = (await deployHook(signedPost('/backups', deep), fcContext({ name: 'deploy-hook' }))) as Res;
    expect(r.statusCode).toBe(400);
    expect(errorOf(r).message).toMatch(/nests arrays or objects more than 32 levels deep; refused before parsing/);
  });

  it('a signed 10,000-deep object in tags → 400, and the handler never rejects', async () => {
    let tags = '{}';
    for (let i = 0; i < 10_000; i++) tags = `{"a":${tags}}`;
    const body = `{"targets":[{"product":"rds","tags":${tags}}],"deployId":"deep-1"}`;
    const r = (await deployHook(signedPost('/backups', body), fcContext({ name: 'deploy-hook' }))) as Res;
    expect(r.statusCode).toBe(400);
    const dingBody = `{"msgId":"m1","text":{"content":"help"},"sessionWebhook":"https://oapi.dingtalk.com/robot/sendBySession?session=x","x":${tags}}`;
    const d = (await chatops(httpEvent('POST', '/dingtalk', dingBody, { 'content-type': 'application/json', ...dingtalkHeaders(secret) }), fcContext({ name: 'chatops' }))) as Res;
    expect(d.statusCode).toBe(400);
  });

  it('a deep or huge value that passes the limit is echoed bounded: the message and the details stay small', async () => {
    let tags: unknown = { k: 'v' };
    for (let i = 0; i < 25; i++) tags = { a: tags };
    const body = JSON.stringify({ targets: [{ product: 'rds', tags, DBInstanceId: 'x'.repeat(50_000) }], deployId: 'echo-1' });
    const r = (await deployHook(signedPost('/backups', body), fcContext({ name: 'deploy-hook' }))) as Res;
    expect(r.statusCode).toBe(400);
    expect(r.body.length).toBeLessThan(4_000);
    expect(errorOf(r).message).toMatch(/targets\[0\]/);
  });

  it('the timer handed a 10,000-deep object (already parsed, as a local caller may) answers a refusal, never a stack overflow', async () => {
    let tags: unknown = {};
    for (let i = 0; i < 10_000; i++) tags = { a: tags };
    const event = { triggerTime: '2026-01-01T02:00:00Z', triggerName: 'nightly', payload: { targets: [{ product: 'rds', tags }] } };
    const r = (await timer(event as never, fcContext())) as { ok: boolean; error: { code: string; message: string } };
    expect(r).toMatchObject({ ok: false, error: { code: 'ValidationError' } });
    expect(r.error.message.length).toBeLessThan(1_000);
    const text = JSON.stringify({ ...event, payload: JSON.stringify({ targets: [{ product: 'rds', tags: JSON.parse('['.repeat(100) + ']'.repeat(100)) }] }) });
    const s = (await timer(Buffer.from(text), fcContext())) as { ok: boolean; error: { message: string } };
    expect(s).toMatchObject({ ok: false, error: { message: expect.stringMatching(/payload: .* — must not nest more than 32 levels deep/) } });
  });
});

describe('point 7: a secret that is no key', () => {
  it.each([' ', '\n', 'too-short'])('%j as every secret: all three endpoints refuse even a request signed with it, and the log names the variable', async (bad) => {
    Object.assign(process.env, { DEPLOY_HOOK_SECRET: bad, SLACK_SIGNING_SECRET: bad, DINGTALK_APP_SECRET: bad, LOG_LEVEL: 'info' });
    try {
      const body = '{"targets":[{"product":"rds","DBInstanceId":"rm-sample1"}],"deployId":"ws-1"}';
      const form = 'text=help&user_id=U1&trigger_id=t1&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2Fx';
      const { result, lines } = await captureStdout(async () => [
        (await deployHook(httpEvent('POST', '/backups', body, { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', body, bad) }), fcContext({ name: 'deploy-hook' }))) as Res,
        (await chatops(httpEvent('POST', '/slack', form, { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(form, bad) }), fcContext({ name: 'chatops' }))) as Res,
        (await chatops(httpEvent('POST', '/dingtalk', '{}', { 'content-type': 'application/json', ...dingtalkHeaders(bad) }), fcContext({ name: 'chatops' }))) as Res,
      ]);
      expect(result?.map((r) => r.statusCode)).toEqual([401, 401, 401]);
      for (const env of ['DEPLOY_HOOK_SECRET', 'SLACK_SIGNING_SECRET', 'DINGTALK_APP_SECRET']) {
        expect(lines.some((l) => l.includes(`env ${env} `) && l.includes('fail closed'))).toBe(true);
      }
      if (bad.trim() !== '') for (const l of lines) expect(l).not.toContain(bad);
    } finally {
      Object.assign(process.env, { DEPLOY_HOOK_SECRET: secret, SLACK_SIGNING_SECRET: secret, DINGTALK_APP_SECRET: secret, LOG_LEVEL: 'error' });
    }
  });
});
