// httpLogger(): exactly one structured line per request however it ends — handler, mapped error, unhandled error,
// or an early 400/401/413 from a `before` hook — and never a secret. Also the full stack as a route will use it.
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BackupError } from '../../../../shared/errors';
import { createLogger } from '../../../../shared/logger';
import { bodyParser } from '../../../../shared/http/middleware/body-parser';
import { errorMapper } from '../../../../shared/http/middleware/error-mapper';
import { fcHttpEvent } from '../../../../shared/http/middleware/fc-http-event';
import type { HttpRequest } from '../../../../shared/http/request';
import { httpLogger } from '../../../../shared/http/middleware/http-logger';
import type { HttpResponse } from '../../../../shared/http/middleware/response';
import { verifySignature } from '../../../../shared/http/middleware/signature-verifier';
import { validate } from '../../../../shared/http/middleware/validator';
import { deployHeaders, signatureSchemes } from '../../../../shared/http/signatures/http-adapters';

const SECRET = 'deploy-hook-secret-value';
const deploySigned = (body: string, secret: string) => deployHeaders('POST', '/deploy', body, secret);
const context = { requestId: 'ctx-1' };

const event = (over: { body?: string; headers?: Record<string, string>; method?: string } = {}) =>
  Buffer.from(
    JSON.stringify({
      rawPath: '/deploy',
      headers: { 'Content-Type': 'application/json', ...over.headers },
      body: over.body ?? '{"deployId":"d-1"}',
      requestContext: { requestId: 'req-1', http: { method: over.method ?? 'POST', path: '/deploy', sourceIp: '10.0.0.1' } },
    }),
  );

/** The route stack in its intended order, with a fake clock that advances 7 ms per reading. */
function route(handlerImpl: (req: HttpRequest) => Promise<unknown>, opts: { withMapper?: boolean; secret?: string } = {}) {
  const lines: string[] = [];
  const logger = createLogger({ sink: (l) => lines.push(l), requestId: undefined });
  let t = 1_000;
  const now = () => (t += 7);
  let h = middy().use(httpLogger({ logger, now })).use(fcHttpEvent({ maxBodyBytes: 1024 }));
  if (opts.withMapper !== false) h = h.use(errorMapper({ logger }));
  const handler = h
    .use(verifySignature({ ...signatureSchemes.deploy, secret: () => ('secret' in opts ? opts.secret : SECRET), logger }))
    .use(bodyParser({ allowed: ['application/json'] }))
    .use(validate({ schema: z.strictObject({ deployId: z.string().min(1) }), what: 'deploy request' }))
    .handler(handlerImpl);
  const call = async (e: Buffer) => (await handler(e as never, context as never)) as HttpResponse;
  const accessLines = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => 'method' in l && 'status' in l);
  return { call, lines, accessLines };
}

const signed = (body = '{"deployId":"d-1"}') => event({ body, headers: deploySigned(body, SECRET) });

describe('one line per request', () => {
  it('a successful request: method, path, status, duration, request id', async () => {
    const r = route(async (req) => ({ statusCode: 202, body: { accepted: (req.body as { deployId: string }).deployId } }));
    const res = await r.call(signed());
    expect(res).toMatchObject({ statusCode: 202, body: '{"accepted":"d-1"}' });
    expect(r.lines).toHaveLength(1);
    expect(JSON.parse(r.lines[0]!)).toMatchObject({
      level: 'info',
      msg: 'POST /deploy 202',
      method: 'POST',
      path: '/deploy',
      status: 202,
      durationMs: 7,
      requestId: 'req-1',
    });
  });

  it('an early 401 from the signature check is logged once, as a warning, with no signature in any line', async () => {
    const r = route(async () => ({ ok: true }));
    const forged = deploySigned('{"deployId":"d-1"}', 'not-the-secret');
    const res = await r.call(event({ headers: forged }));
    expect(res.statusCode).toBe(401);
    const access = r.accessLines();
    expect(access).toEqual([expect.objectContaining({ level: 'warn', method: 'POST', path: '/deploy', status: 401, requestId: 'req-1' })]);
    const all = r.lines.join('\n');
    expect(all).not.toContain(forged['x-hub-signature-256']!.slice(7));
    expect(all).not.toContain(SECRET);
  });

  it('an early 400 for a malformed event is logged with what is known', async () => {
    const r = route(async () => ({ ok: true }));
    expect((await r.call(Buffer.from('not json'))).statusCode).toBe(400);
    expect(r.accessLines()).toEqual([expect.objectContaining({ level: 'warn', method: '-', path: '-', status: 400, requestId: 'ctx-1' })]);
    const bad = Buffer.from(JSON.stringify({ rawPath: '/deploy', body: 7, requestContext: { requestId: 'req-9', http: { method: 'put' } } }));
    expect((await r.call(bad)).statusCode).toBe(400);
    expect(r.accessLines()[1]).toMatchObject({ method: 'PUT', path: '/deploy', status: 400, requestId: 'req-9' });
  });

  it('an early 413 is logged', async () => {
    const r = route(async () => ({ ok: true }));
    const big = `{"deployId":"${'x'.repeat(2000)}"}`;
    expect((await r.call(signed(big))).statusCode).toBe(413);
    expect(r.accessLines()).toEqual([expect.objectContaining({ status: 413, method: 'POST', path: '/deploy', requestId: 'req-1' })]);
  });

  it('a validation failure (thrown, mapped) is logged once with its 400', async () => {
    const r = route(async () => ({ ok: true }));
    expect((await r.call(signed('{"deployId":""}'))).statusCode).toBe(400);
    expect(r.accessLines()).toEqual([expect.objectContaining({ level: 'warn', status: 400 })]);
  });

  it('a handler failure mapped to 503 is logged as an error line by the mapper and an access line', async () => {
    const r = route(async () => {
      throw new BackupError({ code: 'IdempotencyStoreUnavailable', category: 'transient', message: 'store down' });
    });
    const res = await r.call(signed());
    expect(res.statusCode).toBe(503);
    const parsed = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({ level: 'error', code: 'IdempotencyStoreUnavailable' });
    expect(parsed[1]).toMatchObject({ level: 'error', msg: 'POST /deploy 503', status: 503 });
  });

  it('an error nobody maps still gets a 500 line, and the invocation fails', async () => {
    const r = route(
      async () => {
        throw new Error('bug');
      },
      { withMapper: false },
    );
    await expect(r.call(signed())).rejects.toThrow('bug');
    expect(r.lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ level: 'error', status: 500, unhandled: true, requestId: 'req-1' })]);
  });

  it('fail closed is visible: an unset secret gives an error line naming the variable, then the 401 line', async () => {
    const r = route(async () => ({ ok: true }), { secret: undefined });
    expect((await r.call(signed())).statusCode).toBe(401);
    const parsed = r.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed[0]).toMatchObject({ level: 'error', envVar: 'DEPLOY_HOOK_SECRET' });
    expect(parsed[1]).toMatchObject({ status: 401 });
    expect(parsed).toHaveLength(2);
  });

  it('concurrent requests keep their own durations and ids', async () => {
    const lines: string[] = [];
    const handler = middy()
      .use(httpLogger({ logger: createLogger({ sink: (l) => lines.push(l) }) }))
      .use(fcHttpEvent())
      .handler(async (req: HttpRequest) => {
        await new Promise((r) => setTimeout(r, req.path === '/slow' ? 60 : 1));
        return { ok: true };
      });
    const ev = (path: string, id: string) => Buffer.from(JSON.stringify({ requestContext: { requestId: id, http: { method: 'GET', path } } }));
    await Promise.all([handler(ev('/slow', 'a') as never, context as never), handler(ev('/fast', 'b') as never, context as never)]);
    const byId = Object.fromEntries(lines.map((l) => JSON.parse(l) as { requestId: string; durationMs: number }).map((l) => [l.requestId, l]));
    expect(Object.keys(byId).sort()).toEqual(['a', 'b']);
    expect(byId.a!.durationMs).toBeGreaterThanOrEqual(50);
    expect(byId.b!.durationMs).toBeLessThan(50);
  });
});
