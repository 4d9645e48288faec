// bodyParser(): JSON and form bodies by Content-Type; 415 for anything else; 400 for broken bodies; never a crash.
import middy from '@middy/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../../shared/logger';
import { bodyParser, mediaTypeOf, parseBody, type BodyParserOptions } from '../../../../shared/http/middleware/body-parser';
import { errorMapper } from '../../../../shared/http/middleware/error-mapper';
import { fcHttpEvent } from '../../../../shared/http/middleware/fc-http-event';
import type { HttpRequest } from '../../../../shared/http/request';
import type { HttpResponse } from '../../../../shared/http/middleware/response';

const context = { requestId: 'ctx-1' };

const event = (body: Buffer | string, contentType?: string) =>
  Buffer.from(
    JSON.stringify({
      headers: contentType === undefined ? {} : { 'Content-Type': contentType },
      body: Buffer.isBuffer(body) ? body.toString('base64') : body,
      isBase64Encoded: Buffer.isBuffer(body),
      requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/x' } },
    }),
  );

function stack(opts?: BodyParserOptions) {
  const seen: unknown[] = [];
  const handler = middy()
    .use(fcHttpEvent())
    .use(errorMapper({ logger: createLogger({ sink: () => {} }) }))
    .use(bodyParser(opts))
    .handler(async (req: HttpRequest) => {
      seen.push(req.body);
      return { ok: true };
    });
  const call = async (e: Buffer) => (await handler(e as never, context as never)) as HttpResponse;
  return { call, seen };
}

const errorOf = (res: HttpResponse) => (JSON.parse(res.body) as { error: { code: string; message: string } }).error;

describe('JSON', () => {
  it('parses application/json, with any casing and a UTF-8 charset', async () => {
    const { call, seen } = stack();
    for (const ct of ['application/json', 'Application/JSON; charset=UTF-8', 'application/json;charset="utf-8"']) {
      expect((await call(event('{"a":[1,"中"],"b":null}', ct))).statusCode).toBe(200);
    }
    expect(seen).toEqual(Array(3).fill({ a: [1, '中'], b: null }));
  });

  it('strips a UTF-8 byte order mark', async () => {
    const { call, seen } = stack();
    await call(event(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]), 'application/json'));
    expect(seen).toEqual([{ a: 1 }]);
  });

  it('invalid JSON is a 400 saying so, and the handler does not run', async () => {
    const { call, seen } = stack();
    const res = await call(event('{"a":', 'application/json'));
    expect(res.statusCode).toBe(400);
    expect(errorOf(res)).toMatchObject({ code: 'MalformedBody' });
    expect(errorOf(res).message).toMatch(/^The request body is not valid JSON: /);
    expect(seen).toHaveLength(0);
  });

  it('an empty JSON body is a 400, and so are bytes that are not UTF-8', async () => {
    const { call } = stack();
    const empty = await call(event('  ', 'application/json'));
    expect(empty.statusCode).toBe(400);
    expect(errorOf(empty).message).toMatch(/empty/);
    const latin1 = await call(event(Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]), 'application/json'));
    expect(latin1.statusCode).toBe(400);
    expect(errorOf(latin1).message).toMatch(/UTF-8/);
  });

  it('keeps "__proto__" an ordinary field', () => {
    const parsed = parseBody(Buffer.from('{"__proto__":{"polluted":true}}'), 'application/json') as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });
});

describe('form-encoded', () => {
  it("parses a Slack slash command, keeping empty fields and decoding + and %XX", async () => {
    const { call, seen } = stack();
    const slack = 'command=%2Fbackup&text=rds+rm-1%20now&user_name=roadrunner&channel_name=&response_url=https%3A%2F%2Fhooks.slack.com%2Fx';
    expect((await call(event(slack, 'application/x-www-form-urlencoded'))).statusCode).toBe(200);
    expect(seen[0]).toEqual({
      command: '/backup',
      text: 'rds rm-1 now',
      user_name: 'roadrunner',
      channel_name: '',
      response_url: 'https://hooks.slack.com/x',
    });
  });

  it('collects repeated names into an array and keeps "__proto__" an own field', () => {
    const parsed = parseBody(Buffer.from('a=1&a=2&b=3&__proto__=x'), 'application/x-www-form-urlencoded') as Record<string, unknown>;
    expect(parsed.a).toEqual(['1', '2']);
    expect(parsed.b).toBe('3');
    expect(Object.hasOwn(parsed, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it('an empty form is an empty object', () => {
    expect(parseBody(Buffer.alloc(0), 'application/x-www-form-urlencoded')).toEqual({});
  });
});

describe('415 for a missing or wrong Content-Type', () => {
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['text/plain', 'text/plain'],
    ['multipart', 'multipart/form-data; boundary=x'],
    ['JSON in latin1', 'application/json; charset=iso-8859-1'],
    ['a look-alike', 'application/jsonx'],
  ])('%s', async (_name, ct) => {
    const { call, seen } = stack();
    const res = await call(event('{"a":1}', ct));
    expect(res.statusCode).toBe(415);
    expect(errorOf(res).code).toBe('UnsupportedMediaType');
    expect(errorOf(res).message).toContain('application/json or application/x-www-form-urlencoded');
    expect(seen).toHaveLength(0);
  });

  it('honours `allowed`: a JSON-only endpoint refuses a form post', async () => {
    const { call, seen } = stack({ allowed: ['application/json'] });
    const res = await call(event('a=1', 'application/x-www-form-urlencoded'));
    expect(res.statusCode).toBe(415);
    expect(errorOf(res).message).toMatch(/send application\/json \(UTF-8\)/);
    expect((await call(event('{"a":1}', 'application/json'))).statusCode).toBe(200);
    expect(seen).toEqual([{ a: 1 }]);
  });

  it('validates its options when built', () => {
    expect(() => bodyParser({ allowed: [] })).toThrow(TypeError);
    expect(() => bodyParser({ allowed: ['text/plain' as never] })).toThrow(/allowed/);
  });

  it('reads media type and charset', () => {
    expect(mediaTypeOf(' Application/Json ; Charset="UTF-8" ')).toEqual({ type: 'application/json', charset: 'utf-8' });
    expect(mediaTypeOf(undefined)).toBeUndefined();
    expect(mediaTypeOf(' ; charset=utf-8')).toBeUndefined();
  });
});

describe('properties', () => {
  const contentTypes = fc.oneof(
    fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=latin1', undefined),
    fc.string({ maxLength: 40 }),
  );

  it('random bytes under any Content-Type give a 2xx or a 4xx, never a crash (1000 runs)', async () => {
    const { call } = stack();
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), contentTypes, async (bytes, ct) => {
        const res = await call(event(Buffer.from(bytes), ct));
        statuses.add(res.statusCode);
        return [200, 400, 415].includes(res.statusCode);
      }),
      { numRuns: 1000 },
    );
    expect([...statuses].sort()).toEqual([200, 400, 415]);
  });

  it('any JSON value round-trips through application/json (500 runs)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(parseBody(Buffer.from(text), 'application/json')).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });

  it('any form of unique names round-trips through URLSearchParams encoding (500 runs)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), (fields) => {
        const text = new URLSearchParams(fields).toString();
        expect(parseBody(Buffer.from(text), 'application/x-www-form-urlencoded')).toEqual(
          Object.fromEntries(new URLSearchParams(text)),
        );
      }),
      { numRuns: 500 },
    );
  });
});
