// Property tests against the built HTTP bundles, called as FC calls them: whatever arrives — garbage events,
// random bodies, odd header casing, duplicate headers, base64 flags, unicode — the answer is a 2xx or a 4xx with a
// message, never a 5xx or a crash; and a valid signature over one body never verifies another.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployHeaders, dingtalkHeaders, slackHeaders } from '../../shared/http/signatures/http-adapters';
import { fcContext, loadBundle } from '../helpers/fc';

const deployHook = loadBundle('deploy-hook');
const chatops = loadBundle('chatops');
const secret = 'fuzz-secret-7d2e9b41';
const saved = { ...process.env };
const runs = 400;

beforeAll(() => {
  Object.assign(process.env, {
    DEPLOY_HOOK_SECRET: secret,
    SLACK_SIGNING_SECRET: secret,
    DINGTALK_APP_SECRET: secret,
    // Nothing listens here: a body that got through validation would surface as a 503, and fail the property.
    RDS_ENDPOINT: 'http://127.0.0.1:1',
    POLARDB_ENDPOINT: 'http://127.0.0.1:1',
    MONGODB_ENDPOINT: 'http://127.0.0.1:1',
    FC_ENDPOINT: 'http://127.0.0.1:1',
    LOG_LEVEL: 'error',
  });
});
afterAll(() => {
  process.env = saved;
});

const casing = (name: string) => fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));

function event(method: string, path: string, headers: Record<string, string>, body: Buffer, base64: boolean) {
  return Buffer.from(
    JSON.stringify({
      version: 'v1',
      rawPath: path,
      headers,
      queryParameters: {},
      body: base64 ? body.toString('base64') : body.toString('utf8'),
      isBase64Encoded: base64,
      requestContext: { http: { method, path, sourceIp: '127.0.0.1' }, requestId: 'fuzz' },
    }),
  );
}

type Res = { statusCode: number; body: string; headers?: Record<string, string> };

function expectClean(r: Res) {
  expect(r.statusCode).toBeGreaterThanOrEqual(200);
  expect(r.statusCode).toBeLessThan(500);
  if (r.statusCode >= 400) expect((JSON.parse(r.body) as { error: { message: string } }).error.message.length).toBeGreaterThan(5);
  expect(r.body).not.toContain(secret);
}

describe(`HTTP bundles under fuzzing (${runs} runs per property)`, () => {
  it('garbage events of any shape → 4xx, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.string(), fc.uint8Array({ maxLength: 200 })), async (v) => {
        const buf = typeof v === 'string' ? Buffer.from(v) : v instanceof Uint8Array ? Buffer.from(v) : Buffer.from(JSON.stringify(v) ?? 'null');
        for (const h of [deployHook, chatops]) {
          const r = (await h(buf, fcContext())) as Res;
          expect(r.statusCode).toBeGreaterThanOrEqual(400);
          expect(r.statusCode).toBeLessThan(500);
        }
      }),
      { numRuns: runs },
    );
  });

  it('deploy gate: validly signed random bodies, any content type casing, base64 or not → 2xx/4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string({ unit: 'grapheme' }), fc.record({ targets: fc.array(fc.jsonValue(), { maxLength: 3 }), deployId: fc.string() }).map((v) => JSON.stringify(v))),
        casing('content-type'),
        casing('x-hub-signature-256'),
        fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded'),
        fc.boolean(),
        async (text, ct, sigName, type, base64) => {
          const body = Buffer.from(text);
          const signed = deployHeaders('POST', '/backups', body, secret);
          const headers = { [ct]: type, [sigName]: signed['x-hub-signature-256'] as string, 'X-Fcdb-Timestamp': signed['x-fcdb-timestamp'] as string, 'X-Fcdb-Nonce': signed['x-fcdb-nonce'] as string };
          expectClean((await deployHook(event('POST', '/backups', headers, body, base64), fcContext({ name: 'deploy-hook' }))) as Res);
        },
      ),
      { numRuns: runs },
    );
  });

  it('chatops: validly signed random form bodies and DingTalk messages → 200 or 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('text', 'user_id', 'trigger_id', 'response_url', 'channel_id', 'x'), fc.string({ unit: 'grapheme' })), fc.jsonValue(), async (form, ding) => {
        const slackBody = Buffer.from(new URLSearchParams(form).toString());
        expectClean(
          (await chatops(event('POST', '/slack', { 'Content-Type': 'application/x-www-form-urlencoded', ...slackHeaders(slackBody, secret) }, slackBody, false), fcContext({ name: 'chatops' }))) as Res,
        );
        const dingBody = Buffer.from(JSON.stringify(ding) ?? 'null');
        expectClean((await chatops(event('POST', '/dingtalk', { 'content-type': 'application/json', ...dingtalkHeaders(secret) }, dingBody, false), fcContext({ name: 'chatops' }))) as Res);
      }),
      { numRuns: runs },
    );
  });

  it('duplicate headers joined with "," (as FC does) and a signature over another body → 401', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), async (a, b) => {
        fc.pre(a !== b);
        const signed = deployHeaders('POST', '/backups', Buffer.from(a), secret);
        const sig = signed['x-hub-signature-256'] as string;
        const wrongBody = event('POST', '/backups', { 'content-type': 'application/json', ...signed }, Buffer.from(b), false);
        expect(((await deployHook(wrongBody, fcContext())) as Res).statusCode).toBe(401);
        const doubled = event('POST', '/backups', { 'content-type': 'application/json', ...signed, 'x-hub-signature-256': `${sig},${sig}` }, Buffer.from(a), false);
        expect(((await deployHook(doubled, fcContext())) as Res).statusCode).toBe(401);
      }),
      { numRuns: runs },
    );
  });
});
