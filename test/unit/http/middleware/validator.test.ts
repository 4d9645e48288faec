// validate() and zodIssuesToFieldIssues(): every problem as `field: value — rule`, the value read from the input.
import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { formatIssue } from '../../../../shared/errors';
import { createLogger } from '../../../../shared/logger';
import { bodyParser } from '../../../../shared/http/middleware/body-parser';
import { errorMapper } from '../../../../shared/http/middleware/error-mapper';
import { fcHttpEvent } from '../../../../shared/http/middleware/fc-http-event';
import type { HttpRequest } from '../../../../shared/http/request';
import type { HttpResponse } from '../../../../shared/http/middleware/response';
import { validate, type ValidateOptions } from '../../../../shared/http/middleware/validator';
import { fieldPath, valueAt, zodIssuesToFieldIssues } from '../../../../shared/validation';

const context = { requestId: 'ctx-1' };

const deploySchema = z.strictObject({
  deployId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, { error: 'must be 1–128 letters, digits, ".", "_" or "-"' }),
  targets: z
    .array(
      z.strictObject({
        product: z.enum(['rds', 'polardb', 'mongodb']),
        instanceId: z.string().min(3),
      }),
    )
    .min(1),
  waitSeconds: z.number().int().max(600).default(300),
  dryRun: z.boolean().optional(),
});

const event = (body: unknown, query: Record<string, string> = {}) =>
  Buffer.from(
    JSON.stringify({
      headers: { 'content-type': 'application/json' },
      queryParameters: query,
      body: JSON.stringify(body),
      requestContext: { requestId: 'req-1', http: { method: 'POST', path: '/deploy' } },
    }),
  );

function stack(opts: ValidateOptions) {
  const seen: HttpRequest[] = [];
  const handler = middy()
    .use(fcHttpEvent())
    .use(errorMapper({ logger: createLogger({ sink: () => {} }) }))
    .use(bodyParser())
    .use(validate(opts))
    .handler(async (req: HttpRequest) => {
      seen.push(req);
      return { ok: true };
    });
  const call = async (e: Buffer) => (await handler(e as never, context as never)) as HttpResponse;
  return { call, seen };
}

type ErrorBody = { error: { code: string; message: string; details: { issues: { field: string; value: unknown; rule: string }[] } } };
const errorOf = (res: HttpResponse) => (JSON.parse(res.body) as ErrorBody).error;

describe('validate()', () => {
  it('hands the schema output (with defaults) to the handler', async () => {
    const { call, seen } = stack({ schema: deploySchema });
    const res = await call(event({ deployId: 'd-1', targets: [{ product: 'rds', instanceId: 'rm-1' }] }));
    expect(res.statusCode).toBe(200);
    expect(seen[0]!.body).toEqual({ deployId: 'd-1', targets: [{ product: 'rds', instanceId: 'rm-1' }], waitSeconds: 300 });
  });

  it('reports every issue at once as `field: value — rule`, with the offending value from the input', async () => {
    const { call, seen } = stack({ schema: deploySchema, what: 'deploy request' });
    const res = await call(
      event({
        deployId: 'bad id!',
        targets: [{ product: 'oracle', instanceId: 'rm' }, { product: 'rds' }],
        waitSeconds: 900,
        extra: 'x',
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(seen).toHaveLength(0);
    const err = errorOf(res);
    expect(err.code).toBe('ValidationError');
    expect(err.details.issues).toEqual([
      { field: 'deployId', value: 'bad id!', rule: 'must be 1–128 letters, digits, ".", "_" or "-"' },
      { field: 'targets[0].product', value: 'oracle', rule: 'must be one of "rds", "polardb", "mongodb"' },
      { field: 'targets[0].instanceId', value: 'rm', rule: 'must have at least 3 characters' },
      { field: 'targets[1].instanceId', rule: 'is required (a string)' },
      { field: 'waitSeconds', value: 900, rule: 'must be at most 600' },
      { field: 'extra', value: 'x', rule: 'is not an allowed field' },
    ]);
    expect(err.message).toBe(
      'Invalid deploy request: ' +
        [
          'deployId: "bad id!" — must be 1–128 letters, digits, ".", "_" or "-"',
          'targets[0].product: "oracle" — must be one of "rds", "polardb", "mongodb"',
          'targets[0].instanceId: "rm" — must have at least 3 characters',
          'targets[1].instanceId: (missing) — is required (a string)',
          'waitSeconds: 900 — must be at most 600',
          'extra: "x" — is not an allowed field',
        ].join('; '),
    );
  });

  it('validates the query too, reporting its fields as query.<name>, and passes its output on', async () => {
    const querySchema = z.object({ wait: z.enum(['true', 'false']).transform((v) => v === 'true') });
    const { call, seen } = stack({ schema: z.object({}).loose(), querySchema });
    const bad = errorOf(await call(event({}, { wait: 'maybe' })));
    expect(bad.details.issues).toEqual([{ field: 'query.wait', value: 'maybe', rule: 'must be one of "true", "false"' }]);
    expect((await call(event({}, { wait: 'true' }))).statusCode).toBe(200);
    expect(seen[0]!.query).toEqual({ wait: true });
  });

  it('a body of the wrong type is one issue at the root', async () => {
    const { call } = stack({ schema: deploySchema });
    const err = errorOf(await call(event([1, 2])));
    expect(err.details.issues).toEqual([{ field: '', value: [1, 2], rule: 'must be an object' }]);
    expect(err.message).toBe('Invalid request: (root): [1,2] — must be an object');
  });

  it('runs async refinements', async () => {
    const schema = z.object({ id: z.string().refine(async (v) => v !== 'taken', { error: 'is already in use' }) });
    const { call } = stack({ schema });
    expect(errorOf(await call(event({ id: 'taken' }))).details.issues).toEqual([{ field: 'id', value: 'taken', rule: 'is already in use' }]);
    expect((await call(event({ id: 'free' }))).statusCode).toBe(200);
  });

  it('validates its options when built', () => {
    expect(() => validate({})).toThrow(TypeError);
  });
});

describe('zodIssuesToFieldIssues (without the error map, as shared/backup/targets.ts uses it)', () => {
  it('takes the value from the input at the path, including arrays, and keeps schema messages', () => {
    const schema = z.object({ a: z.array(z.object({ b: z.number({ error: 'must be a number of seconds' }) })) });
    const input = { a: [{ b: 1 }, { b: 'two' }] };
    const r = schema.safeParse(input);
    expect(r.success).toBe(false);
    if (r.success) return;
    expect(zodIssuesToFieldIssues(r.error, input)).toEqual([{ field: 'a[1].b', value: 'two', rule: 'must be a number of seconds' }]);
  });

  it('splits unknown keys into one issue per key', () => {
    const input = { x: { ok: 1, p: 2, q: 3 } };
    const r = z.object({ x: z.strictObject({ ok: z.number() }) }).safeParse(input);
    if (r.success) throw new Error('expected failure');
    const issues = zodIssuesToFieldIssues(r.error, input);
    expect(issues.map(formatIssue)).toEqual(['x.p: 2 — is not an allowed field', 'x.q: 3 — is not an allowed field']);
  });

  it('paths and values', () => {
    expect(fieldPath([])).toBe('');
    expect(fieldPath(['targets', 3, 'product'])).toBe('targets[3].product');
    expect(fieldPath([0, 'a'])).toBe('[0].a');
    expect(valueAt({ a: [{ b: 'v' }] }, ['a', 0, 'b'])).toBe('v');
    expect(valueAt({ a: 1 }, ['a', 'b'])).toBeUndefined();
    expect(valueAt({}, ['toString'])).toBeUndefined();
    expect(valueAt(new Map([['k', 5]]), ['k'])).toBe(5);
  });
});
