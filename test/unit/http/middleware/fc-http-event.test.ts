// fcHttpEvent(): the FC 3.0 HTTP trigger event (a Buffer of JSON) → HttpRequest, 400/413 instead of crashes, and the
// FC response shape for whatever the handler returns.
import middy from '@middy/core';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { BackupError } from '../../../../shared/errors';
import { bodyParser } from '../../../../shared/http/middleware/body-parser';
import { errorMapper } from '../../../../shared/http/middleware/error-mapper';
import { fcHttpEvent, normaliseFcHttpEvent, toHttpResponse } from '../../../../shared/http/middleware/fc-http-event';
import type { HttpRequest } from '../../../../shared/http/request';
import type { HttpResponse } from '../../../../shared/http/middleware/response';
import { createLogger } from '../../../../shared/logger';

// The documented example (alibaba-api-facts.md §4), with client-cased headers as FC passes them.
const documented = {
  version: 'v1',
  rawPath: '/hooks/deploy%20now',
  body: '{"deployId":"d-1"}',
  isBase64Encoded: false,
  headers: { 'Content-Type': 'application/json', 'X-Acs-Action': 'Backup', header2: 'value1,value2' },
  queryParameters: { parameter1: 'value1', parameter2: 'value1,value2' },
  requestContext: {
    accountId: '123456***',
    domainName: 'tid.cn-hangzhou.fcapp.run',
    domainPrefix: 'tid',
    http: { method: 'post', path: '/hooks/deploy now', protocol: 'HTTP/1.1', sourceIp: '11.11.11.1', userAgent: 'curl/8' },
    requestId: '1-64f6cd87-abc',
    time: '2023-09-05T06:41:11Z',
    timeEpoch: '1693896071895',
  },
};

const context = { requestId: 'ctx-req-1' };
const asBuffer = (v: unknown) => Buffer.from(JSON.stringify(v));

/** A stack with a real handler that records what it received. */
function stack(opts: Parameters<typeof fcHttpEvent>[0] = {}, result: (req: HttpRequest) => unknown = () => ({ ok: true })) {
  const seen: HttpRequest[] = [];
  const handler = middy()
    .use(fcHttpEvent(opts))
    .use(errorMapper({ logger: createLogger({ sink: () => {} }) }))
    .handler(async (event: HttpRequest) => {
      seen.push(event);
      return result(event);
    });
  const call = (event: unknown) => handler(event as never, context as never) as Promise<HttpResponse>;
  return { call, seen };
}

const errorOf = (res: HttpResponse) => JSON.parse(res.body) as { error: { code: string; message: string; details?: { issues?: { field: string }[] } }; requestId: string };

describe('normalisation', () => {
  it('turns the documented Buffer event into one typed request', async () => {
    const { call, seen } = stack();
    const res = await call(asBuffer(documented));
    expect(res.statusCode).toBe(200);
    expect(seen).toHaveLength(1);
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hooks/deploy now');
    expect({ ...req.headers }).toEqual({ 'content-type': 'application/json', 'x-acs-action': 'Backup', header2: 'value1,value2' });
    expect({ ...req.query }).toEqual({ parameter1: 'value1', parameter2: 'value1,value2' });
    expect(req.rawBody.equals(Buffer.from('{"deployId":"d-1"}'))).toBe(true);
    expect(req.requestId).toBe('1-64f6cd87-abc');
    expect(req.sourceIp).toBe('11.11.11.1');
  });

  it('accepts the same event as a Buffer, a string or an object', async () => {
    const { call, seen } = stack();
    await call(asBuffer(documented));
    await call(JSON.stringify(documented));
    await call(structuredClone(documented));
    expect(seen).toHaveLength(3);
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });

  it('decodes a base64 body to the exact bytes, including bytes that are not UTF-8', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x80, 0x41]);
    const { call, seen } = stack();
    await call(asBuffer({ ...documented, body: bytes.toString('base64'), isBase64Encoded: true }));
    expect(seen[0]!.rawBody.equals(bytes)).toBe(true);
  });

  it('falls back to the decoded rawPath, the context request id and defaults', async () => {
    const { call, seen } = stack();
    await call(asBuffer({ rawPath: '/a%2Fb/%E4%B8%AD', requestContext: { http: { method: 'GET' } } }));
    expect(seen[0]).toMatchObject({ method: 'GET', path: '/a/b/中', requestId: 'ctx-req-1', sourceIp: '' });
    expect(seen[0]!.rawBody.length).toBe(0);
    expect({ ...seen[0]!.headers }).toEqual({});
    await call(asBuffer({ requestContext: { http: { method: 'GET' } } }));
    expect(seen[1]!.path).toBe('/');
  });

  it('joins repeated header names that differ only in case, and array values', async () => {
    const { call, seen } = stack();
    await call(asBuffer({ ...documented, headers: { 'X-Tag': 'a', 'x-tag': 'b', Accept: ['x', 'y'], 'X-Num': 3 } }));
    expect(seen[0]!.headers['x-tag']).toBe('a,b');
    expect(seen[0]!.headers.accept).toBe('x,y');
    expect(seen[0]!.headers['x-num']).toBe('3');
  });

  it('headers are a null-prototype map: "constructor" is not a header', async () => {
    const { call, seen } = stack();
    await call(asBuffer(documented));
    expect(seen[0]!.headers.constructor).toBeUndefined();
  });
});

describe('malformed events are a 400, never a crash, and never reach the handler', () => {
  const method = { requestContext: { http: { method: 'POST' } } };
  it.each([
    ['not JSON', Buffer.from('{"version":'), 'event'],
    ['JSON but an array', asBuffer([1, 2]), 'event'],
    ['JSON null', Buffer.from('null'), 'event'],
    ['a timer event', asBuffer({ triggerTime: '2026-01-01T00:00:00Z', triggerName: 't', payload: '' }), 'requestContext.http.method'],
    ['a method that is not a token', asBuffer({ requestContext: { http: { method: 'GET /x' } } }), 'requestContext.http.method'],
    ['headers not an object', asBuffer({ ...method, headers: 'x' }), 'headers'],
    ['a header value that is an object', asBuffer({ ...method, headers: { a: { b: 1 } } }), 'headers.a'],
    ['query not an object', asBuffer({ ...method, queryParameters: [1] }), 'queryParameters'],
    ['body not a string', asBuffer({ ...method, body: { a: 1 } }), 'body'],
    ['isBase64Encoded not a boolean', asBuffer({ ...method, isBase64Encoded: 'true' }), 'isBase64Encoded'],
    ['base64 flag on a non-base64 body', asBuffer({ ...method, body: 'not base64!', isBase64Encoded: true }), 'body'],
    ['a rawPath with a broken escape', asBuffer({ ...method, rawPath: '/a%E4%B8' }), 'rawPath'],
    // middy hands the handler `{}` for an undefined event.
    ['undefined', undefined, 'requestContext.http.method'],
    ['a number', 42, 'event'],
  ])('%s', async (_name, event, field) => {
    const { call, seen } = stack();
    const res = await call(event);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('application/json');
    const body = errorOf(res);
    expect(body.error.code).toBe('ValidationError');
    expect(body.error.details?.issues?.map((i) => i.field)).toContain(field);
    expect(body.requestId).toBe('ctx-req-1');
    expect(seen).toHaveLength(0);
  });

  it('reports every problem at once', () => {
    const r = normaliseFcHttpEvent({ headers: 1, body: 2, isBase64Encoded: 3 }, context);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect((r.error.details.issues as { field: string }[]).map((i) => i.field)).toEqual([
      'requestContext.http.method',
      'headers',
      'body',
      'isBase64Encoded',
    ]);
  });
});

describe('maxBodyBytes → 413 before anything parses the body', () => {
  const event = (body: string, isBase64Encoded = false) =>
    asBuffer({ requestContext: { http: { method: 'POST' } }, headers: { 'content-type': 'application/json' }, body, isBase64Encoded });

  it('accepts exactly 64 KiB by default and refuses one byte more', async () => {
    const { call, seen } = stack();
    expect((await call(event('a'.repeat(64 * 1024)))).statusCode).toBe(200);
    const res = await call(event('a'.repeat(64 * 1024 + 1)));
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).error).toMatchObject({ code: 'PayloadTooLarge', message: 'Request body is 65537 bytes; the limit is 65536 bytes.' });
    expect(seen).toHaveLength(1);
  });

  it('counts UTF-8 bytes, not characters', async () => {
    const { call } = stack({ maxBodyBytes: 10 });
    expect((await call(event('中中中'))).statusCode).toBe(200); // 9 bytes
    expect((await call(event('中中中中'))).statusCode).toBe(413); // 12 bytes
  });

  it('counts decoded bytes of a base64 body without decoding it first', async () => {
    const { call } = stack({ maxBodyBytes: 10 });
    expect((await call(event(Buffer.alloc(10, 1).toString('base64'), true))).statusCode).toBe(200);
    expect((await call(event(Buffer.alloc(11, 1).toString('base64'), true))).statusCode).toBe(413);
  });

  it('answers 413, not 400, for an oversized body that is also invalid JSON (the body parser never runs)', async () => {
    const parse = vi.fn();
    const handler = middy()
      .use(fcHttpEvent({ maxBodyBytes: 16 }))
      .use(errorMapper({ logger: createLogger({ sink: () => {} }) }))
      .use({ before: parse })
      .use(bodyParser())
      .handler(async () => ({ ok: true }));
    const res = (await handler(event('{not json at all, and long') as never, context as never)) as HttpResponse;
    expect(res.statusCode).toBe(413);
    expect(parse).not.toHaveBeenCalled();
    const small = (await handler(event('{bad') as never, context as never)) as HttpResponse;
    expect(small.statusCode).toBe(400);
  });

  it('refuses a huge event before JSON-parsing it (maxEventBytes)', async () => {
    const spy = vi.spyOn(JSON, 'parse');
    try {
      const { call } = stack({ maxBodyBytes: 10, maxEventBytes: 100 });
      const res = await call(Buffer.from(`{"x":"${'a'.repeat(200)}"}`));
      expect(res.statusCode).toBe(413);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses invalid options when the middleware is built', () => {
    expect(() => fcHttpEvent({ maxBodyBytes: 0 })).toThrow(TypeError);
    expect(() => fcHttpEvent({ maxBodyBytes: 1.5 })).toThrow(TypeError);
    expect(() => fcHttpEvent({ maxEventBytes: -1 })).toThrow(TypeError);
  });
});

describe('response shape', () => {
  const run = (result: unknown) => stack({}, () => result).call(asBuffer(documented));

  it('serialises a plain object as a 200 JSON body', async () => {
    expect(await run({ ok: true, n: 1 })).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true,"n":1}' });
  });

  it('serialises an object body of a response and keeps its status and headers (lower-cased)', async () => {
    expect(await run({ statusCode: 202, headers: { 'X-Job': 'j1' }, body: { accepted: true } })).toEqual({
      statusCode: 202,
      headers: { 'x-job': 'j1', 'content-type': 'application/json' },
      body: '{"accepted":true}',
    });
  });

  it('keeps a string body and its content type, and base64-encodes bytes', async () => {
    expect(await run({ statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: '<b>hi</b>' })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/html' },
      body: '<b>hi</b>',
    });
    expect(await run({ statusCode: 200, body: Buffer.from([0xff, 0x01]) })).toEqual({
      statusCode: 200,
      headers: {},
      body: '/wE=',
      isBase64Encoded: true,
    });
  });

  it('a bare string is text, nothing is a 204', async () => {
    expect(await run('pong')).toEqual({ statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'pong' });
    expect(await run(undefined)).toEqual({ statusCode: 204, headers: {}, body: '' });
  });

  it('an impossible status is a generic 500, not a malformed FC response', async () => {
    const res = await run({ statusCode: 'ok', body: 'x' });
    expect(res.statusCode).toBe(500);
    expect(errorOf(res).error.code).toBe('InternalError');
    expect(() => toHttpResponse({ statusCode: 99 })).toThrow(TypeError);
    expect(() => toHttpResponse({ statusCode: 600 })).toThrow(TypeError);
  });

  it('shapes a response set by an onError hook', async () => {
    const handler = middy()
      .use(fcHttpEvent())
      .use({
        onError: (request) => {
          request.response = { statusCode: 409, body: { error: 'busy' } };
        },
      })
      .handler(async () => {
        throw new BackupError({ code: 'X', category: 'conflict', message: 'busy' });
      });
    expect(await handler(asBuffer(documented), context as never)).toEqual({
      statusCode: 409,
      headers: { 'content-type': 'application/json' },
      body: '{"error":"busy"}',
    });
  });
});

describe('properties', () => {
  const headerName = fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz-0123456789') });
  const randomCase = (s: string, flips: boolean[]) => [...s].map((ch, i) => (flips[i % Math.max(1, flips.length)] ? ch.toUpperCase() : ch)).join('');

  it('header names come out lower-cased with values untouched, whatever the casing (300 runs)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(headerName, fc.string({ maxLength: 30 })), { selector: ([k]) => k, maxLength: 8 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        (pairs, flips) => {
          const headers = Object.fromEntries(pairs.map(([k, v]) => [randomCase(k, flips), v]));
          const r = normaliseFcHttpEvent(asBuffer({ requestContext: { http: { method: 'GET' } }, headers }), context);
          if (!r.ok) return false;
          return pairs.every(([k, v]) => r.request.headers[k] === v) && Object.keys(r.request.headers).length === pairs.length;
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the raw body is the bytes sent, base64 or not, for any unicode text (300 runs)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.boolean(), (text, b64) => {
        const bytes = Buffer.from(text, 'utf8');
        const body = b64 ? bytes.toString('base64') : text;
        const r = normaliseFcHttpEvent(asBuffer({ requestContext: { http: { method: 'POST' } }, body, isBase64Encoded: b64 }), context);
        return r.ok && r.request.rawBody.equals(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('any bytes in the base64 flag round-trip exactly (300 runs)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (arr) => {
        const bytes = Buffer.from(arr);
        const r = normaliseFcHttpEvent({ requestContext: { http: { method: 'PUT' } }, body: bytes.toString('base64'), isBase64Encoded: true }, context);
        return r.ok && r.request.rawBody.equals(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('garbage events always give a 4xx or a normalised request to the handler, never a throw (1000 runs)', async () => {
    const { call, seen } = stack({ maxBodyBytes: 32 });
    const fieldValue = fc.oneof(fc.anything(), fc.string(), fc.constant(undefined));
    const nearlyEvents = fc.record(
      {
        rawPath: fieldValue,
        body: fieldValue,
        isBase64Encoded: fc.oneof(fc.boolean(), fieldValue),
        headers: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.anything())), fieldValue),
        queryParameters: fc.oneof(fc.dictionary(fc.string(), fc.string()), fieldValue),
        requestContext: fc.oneof(
          fc.record({ http: fc.record({ method: fc.oneof(fc.constantFrom('GET', 'post'), fc.string()), path: fieldValue }, { requiredKeys: [] }) }, { requiredKeys: [] }),
          fieldValue,
        ),
      },
      { requiredKeys: [] },
    );
    const garbage = fc.oneof(
      fc.anything(),
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.string(),
      nearlyEvents,
      nearlyEvents.map((e) => asBuffer(e)),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      // Well-formed events with random parts, so that many runs reach the handler (or the size limit).
      fc
        .record({ method: fc.constantFrom('GET', 'POST', 'delete'), headers: fc.dictionary(fc.string(), fc.string()), body: fc.string({ unit: 'grapheme', maxLength: 300 }), b64: fc.boolean() })
        .map(({ method, headers, body, b64 }) =>
          asBuffer({ requestContext: { http: { method } }, headers, body: b64 ? Buffer.from(body).toString('base64') : body, isBase64Encoded: b64 }),
        ),
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(garbage, async (event) => {
        const before = seen.length;
        const res = await call(event);
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        if (res.statusCode === 200) {
          const req = seen[seen.length - 1]!;
          return seen.length === before + 1 && typeof req.method === 'string' && Buffer.isBuffer(req.rawBody) && req.rawBody.length <= 32;
        }
        return res.statusCode >= 400 && res.statusCode < 500 && seen.length === before && typeof JSON.parse(res.body).error.code === 'string';
      }),
      { numRuns: 1000 },
    );
    // The generators reach all three outcomes, so the property is not vacuous.
    expect(statuses.get(200)).toBeGreaterThan(20);
    expect(statuses.get(400)).toBeGreaterThan(20);
    expect(statuses.get(413)).toBeGreaterThan(0);
  });
});
