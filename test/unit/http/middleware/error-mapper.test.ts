// errorMapper(): any error → BackupError → `{error, requestId}` with its status and Retry-After where a retry helps;
// no stack or internals ever leave; the log keeps the cause; a response set by someone else is left alone.
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { BackupError, idempotencyInProgress, idempotencyMismatch, storeUnavailable, validationError } from '../../../../shared/errors';
import { createLogger } from '../../../../shared/logger';
import { errorMapper } from '../../../../shared/http/middleware/error-mapper';
import { fcHttpEvent } from '../../../../shared/http/middleware/fc-http-event';
import type { HttpResponse } from '../../../../shared/http/middleware/response';

const context = { requestId: 'ctx-1' };
const event = Buffer.from(JSON.stringify({ requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/x' } }, body: '' }));

function failingWith(thrown: unknown, opts: { retryAfterSec?: number } = {}) {
  const lines: string[] = [];
  const handler = middy()
    .use(fcHttpEvent())
    .use(errorMapper({ logger: createLogger({ sink: (l) => lines.push(l) }), ...opts }))
    .handler(async () => {
      throw thrown;
    });
  return {
    call: async () => (await handler(event as never, context as never)) as HttpResponse,
    logs: () => lines.map((l) => JSON.parse(l) as Record<string, any>),
    lines,
  };
}

const bodyOf = (res: HttpResponse) => JSON.parse(res.body) as { error: Record<string, unknown>; requestId: string };

describe('status, body and Retry-After', () => {
  it('a validation error is a 400 with its issues and no Retry-After', async () => {
    const err = validationError([{ field: 'deployId', value: '', rule: 'must not be empty' }], 'deploy request');
    const res = await failingWith(err).call();
    expect(res).toEqual({
      statusCode: 400,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: err.toJSON(), requestId: 'req-1' }),
    });
    expect(bodyOf(res).error).toMatchObject({ code: 'ValidationError', category: 'validation', retryable: false });
  });

  it.each([
    ['409 in progress', idempotencyInProgress('k1', '2026-01-01T00:00:00Z'), 409],
    ['429 throttled', new BackupError({ code: 'Throttling', category: 'throttled', message: 'slow down' }), 429],
    ['503 store down', storeUnavailable('get', new Error('ECONNREFUSED')), 503],
  ])('%s carries Retry-After', async (_n, err, status) => {
    const res = await failingWith(err).call();
    expect(res.statusCode).toBe(status);
    expect(res.headers['retry-after']).toBe('5');
    expect(bodyOf(res).error.retryable).toBe(true);
  });

  it('Retry-After follows details.retryAfterSec, then the option', async () => {
    const withDetail = new BackupError({ code: 'Busy', category: 'conflict', retryable: true, message: 'busy', details: { retryAfterSec: 12.2 } });
    expect((await failingWith(withDetail).call()).headers['retry-after']).toBe('13');
    expect((await failingWith(idempotencyInProgress('k', 't'), { retryAfterSec: 30 }).call()).headers['retry-after']).toBe('30');
  });

  it('no Retry-After when a retry cannot help: 422 mismatch, non-retryable 409, retryable 500', async () => {
    expect((await failingWith(idempotencyMismatch('k')).call()).headers['retry-after']).toBeUndefined();
    const conflict = new BackupError({ code: 'BackupJobExists', category: 'conflict', message: 'exists' });
    expect((await failingWith(conflict).call()).headers['retry-after']).toBeUndefined();
    const odd = new BackupError({ code: 'X', category: 'internal', retryable: true, message: 'x' });
    const res = await failingWith(odd).call();
    expect(res.statusCode).toBe(500);
    expect(res.headers['retry-after']).toBeUndefined();
  });
});

describe('nothing internal leaves the process', () => {
  it('an unknown error is a generic 500 without its message or stack, and the log keeps both and the cause', async () => {
    const root = new Error('ECONNRESET at db-7.internal:3306');
    const thrown = new TypeError("Cannot read properties of undefined (reading 'password=hunter2')", { cause: root });
    const t = failingWith(thrown);
    const res = await t.call();
    expect(res.statusCode).toBe(500);
    expect(bodyOf(res)).toEqual({
      error: { code: 'InternalError', category: 'internal', message: 'Unexpected internal error; see the function log for the request id.', retryable: false },
      requestId: 'req-1',
    });
    expect(res.body).not.toMatch(/hunter2|db-7|TypeError|at .*\.ts/);
    const [line] = t.logs();
    expect(line).toMatchObject({ level: 'error', code: 'InternalError', status: 500, requestId: 'req-1' });
    expect(line!.err.cause.name).toBe('TypeError');
    expect(line!.err.cause.cause.message).toBe('ECONNRESET at db-7.internal:3306');
    expect(line!.err.cause.stack).toMatch(/http\/middleware\/error-mapper\.test\.ts/);
  });

  it.each([
    ['a string', 'oops'],
    ['undefined', undefined],
    ['null', null],
    ['a plain object', { statusCode: 418 }],
  ])('throwing %s is a 500, not a crash', async (_n, thrown) => {
    const res = await failingWith(thrown).call();
    expect(res.statusCode).toBe(500);
    expect(bodyOf(res).error.code).toBe('InternalError');
  });

  it('a BackupError keeps its message, but not its cause', async () => {
    const res = await failingWith(storeUnavailable('claim', new Error('redis password=hunter2 refused'))).call();
    expect(bodyOf(res).error.message).toMatch(/idempotency store is unavailable/);
    expect(res.body).not.toContain('hunter2');
  });

  it('logs 4xx as warnings and 5xx as errors', async () => {
    const four = failingWith(validationError([{ field: 'a', value: 1, rule: 'r' }]));
    await four.call();
    expect(four.logs()[0]).toMatchObject({ level: 'warn', code: 'ValidationError', status: 400 });
    const five = failingWith(storeUnavailable('get', new Error('x')));
    await five.call();
    expect(five.logs()[0]).toMatchObject({ level: 'error', code: 'IdempotencyStoreUnavailable', status: 503 });
  });

  it('an expected 4xx logs what was refused and why, without a stack trace; a 5xx keeps the stack', async () => {
    const four = failingWith(idempotencyMismatch('k1'));
    await four.call();
    expect(four.logs()[0]).toMatchObject({ level: 'warn', status: 422, error: { code: 'IdempotencyKeyMismatch', message: expect.stringContaining('k1') } });
    expect(four.lines[0]).not.toMatch(/stack|\bat [\w.<>]+ \(/);
    const five = failingWith(storeUnavailable('get', new Error('x')));
    await five.call();
    expect(five.logs()[0]?.err.stack).toMatch(/error-mapper\.test\.ts|errors\.ts/);
  });

  it('uses the context request id when the event was never normalised', async () => {
    const handler = middy()
      .use(errorMapper({ logger: createLogger({ sink: () => {} }) }))
      .handler(async () => {
        throw new Error('x');
      });
    const res = (await handler({} as never, context as never)) as HttpResponse;
    expect(bodyOf(res).requestId).toBe('ctx-1');
  });
});

describe('a response already set is left alone', () => {
  it('when a later-registered onError hook (which runs first) answered', async () => {
    const lines: string[] = [];
    const own: HttpResponse = { statusCode: 409, headers: { 'content-type': 'application/json' }, body: '{"mine":true}' };
    const handler = middy()
      .use(fcHttpEvent())
      .use(errorMapper({ logger: createLogger({ sink: (l) => lines.push(l) }) }))
      .use({
        onError: (request) => {
          request.response = own;
        },
      })
      .handler(async () => {
        throw new Error('x');
      });
    expect(await handler(event as never, context as never)).toEqual(own);
    expect(lines).toHaveLength(0);
  });

  it('validates its options when built', () => {
    expect(() => errorMapper({ retryAfterSec: 0 })).toThrow(TypeError);
  });
});
