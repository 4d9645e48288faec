// The invoker against a local FC invoke endpoint that verifies signatures, paths and headers like FC 3.0 does.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BackupError } from '../../../shared/errors';
import { createInvoker, MAX_ASYNC_PAYLOAD_BYTES, resolveInvokeEndpoint, type InvokerOptions } from '../../../shared/fc/invoker';
import { startFcEndpoint, type FcEndpoint } from '../../helpers/fc-endpoint';
import { rejection } from '../../helpers/errors';

const ak = { accessKeyId: 'LTAI-local', accessKeySecret: 'local-secret' };
const sts = { accessKeyId: 'STS.local', accessKeySecret: 'sts-secret', securityToken: 'sts-token-123' };

let fc: FcEndpoint;

beforeAll(async () => {
  fc = await startFcEndpoint({
    credentials: { [ak.accessKeyId]: { secret: ak.accessKeySecret }, [sts.accessKeyId]: { secret: sts.accessKeySecret, securityToken: sts.securityToken } },
    functions: ['backup-worker'],
    duplicateCode: 'AsyncTaskAlreadyExists',
  });
});
afterAll(() => fc.close());
afterEach(() => {
  fc.invocations.length = 0;
  fc.hits.length = 0;
});

let n = 0;
const taskId = (): string => `task_${Date.now()}_${n++}`;
const invoker = (over: Partial<InvokerOptions> = {}) =>
  createInvoker({ accountId: '1234567890', region: 'cn-hangzhou', credentials: ak, endpoint: fc.url, timeoutMs: 5000, ...over });

describe('invokeAsync', () => {
  it('sends a signed async InvokeFunction with the task id and the JSON payload, and returns FC request id', async () => {
    const id = taskId();
    const payload = { key: 'k1', target: { product: 'rds', id: 'rm-1' }, note: "ünïcode (x)*!'" };
    const r = await invoker().invokeAsync({ functionName: 'backup-worker', payload, asyncTaskId: id });

    expect(fc.invocations).toHaveLength(1);
    const got = fc.invocations[0]!;
    expect(r).toEqual({ requestId: got.requestId, taskId: id, duplicate: false });
    expect(got.functionName).toBe('backup-worker');
    expect(got.taskId).toBe(id);
    expect(got.qualifier).toBeUndefined();
    expect(JSON.parse(got.body.toString('utf8'))).toEqual(payload);
    expect(got.headers['x-fc-invocation-type']).toBe('Async');
    expect(got.headers['x-acs-action']).toBe('InvokeFunction');
    expect(got.headers['x-acs-version']).toBe('2023-03-30');
    expect(String(got.headers.authorization)).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAI-local,/);
    expect(fc.hits[0]!.url).toBe('/2023-03-30/functions/backup-worker/invocations');
  });

  it('passes the qualifier as a signed query parameter', async () => {
    await invoker().invokeAsync({ functionName: 'backup-worker', payload: {}, asyncTaskId: taskId(), qualifier: 'prod' });
    expect(fc.invocations[0]!.qualifier).toBe('prod');
    expect(fc.hits[0]!.url).toBe('/2023-03-30/functions/backup-worker/invocations?qualifier=prod');
  });

  it('sends the STS token of the function role (signed), which FC requires for STS keys', async () => {
    await invoker({ credentials: sts }).invokeAsync({ functionName: 'backup-worker', payload: { a: 1 }, asyncTaskId: taskId() });
    const h = fc.invocations[0]!.headers;
    expect(h['x-acs-security-token']).toBe(sts.securityToken);
    expect(h['x-acs-accesskey-id']).toBe(sts.accessKeyId);
    expect(String(h.authorization)).toContain('x-acs-security-token');
  });

  it('an STS key without its token is refused as an auth error', async () => {
    const e = await rejection(
      invoker({ credentials: { accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret } }).invokeAsync({
        functionName: 'backup-worker',
        payload: {},
        asyncTaskId: taskId(),
      }),
    );
    expect(e.category).toBe('auth');
    expect(fc.invocations).toHaveLength(0);
  });
});

describe('duplicate task id', () => {
  it('the same task id twice: the second resolves as duplicate, and FC queued one task', async () => {
    const id = taskId();
    const inv = invoker();
    const first = await inv.invokeAsync({ functionName: 'backup-worker', payload: { n: 1 }, asyncTaskId: id });
    const second = await inv.invokeAsync({ functionName: 'backup-worker', payload: { n: 1 }, asyncTaskId: id });
    expect(first.duplicate).toBe(false);
    expect(second).toMatchObject({ taskId: id, duplicate: true });
    expect(second.requestId).toMatch(/^1-/);
    expect(fc.invocations).toHaveLength(1);
  });

  it.each([['StatefulAsyncInvocationAlreadyExists'], ['AsyncTaskAlreadyExists'], [undefined]])('409 %s is a duplicate', async (code) => {
    fc.failNext(409, code, 'already exists');
    const r = await invoker().invokeAsync({ functionName: 'backup-worker', payload: {}, asyncTaskId: 'same_id' });
    expect(r).toMatchObject({ taskId: 'same_id', duplicate: true });
  });

  it('a 409 that is not about the task id (ConcurrentUpdateError) stays an error', async () => {
    fc.failNext(409, 'ConcurrentUpdateError', 'concurrent update');
    const e = await rejection(invoker().invokeAsync({ functionName: 'backup-worker', payload: {}, asyncTaskId: taskId() }));
    expect(e.category).toBe('conflict');
    expect(e.code).toBe('ConcurrentUpdateError');
  });
});

describe('failures', () => {
  it.each([
    [429, 'ResourceExhausted', 'throttled'],
    [503, 'ResourceThrottled', 'throttled'],
    [500, 'InternalServerError', 'transient'],
  ])('%i %s is a retryable %s BackupError', async (status, code, category) => {
    fc.failNext(status, code, 'busy');
    const e = await rejection(invoker().invokeAsync({ functionName: 'backup-worker', payload: {}, asyncTaskId: taskId() }));
    expect(e).toMatchObject({ code, category, retryable: true });
    expect(e.details).toMatchObject({ httpStatus: status, cloudCode: code });
    expect(e.details.requestId).toMatch(/^1-/);
  });

  it('a wrong secret fails the signature check: non-retryable auth error', async () => {
    const e = await rejection(
      invoker({ credentials: { accessKeyId: ak.accessKeyId, accessKeySecret: 'wrong' } }).invokeAsync({
        functionName: 'backup-worker',
        payload: {},
        asyncTaskId: taskId(),
      }),
    );
    expect(e).toMatchObject({ category: 'auth', retryable: false });
    expect(e.details.httpStatus).toBe(403);
    expect(fc.invocations).toHaveLength(0);
  });

  it('an unknown AccessKey id is an auth error', async () => {
    const e = await rejection(
      invoker({ credentials: { accessKeyId: 'LTAI-nobody', accessKeySecret: 'x' } }).invokeAsync({ functionName: 'backup-worker', payload: {}, asyncTaskId: taskId() }),
    );
    expect(e.category).toBe('auth');
  });

  it('a missing function is not-found, not retried', async () => {
    const e = await rejection(invoker().invokeAsync({ functionName: 'no-such-fn', payload: {}, asyncTaskId: taskId() }));
    expect(e).toMatchObject({ category: 'not-found', retryable: false });
  });

  it('an unreachable endpoint is transient and known not to have reached FC', async () => {
    const closed = await startFcEndpoint({ credentials: {}, functions: [] });
    await closed.close();
    const e = await rejection(invoker({ endpoint: closed.url }).invokeAsync({ functionName: 'backup-worker', payload: {}, asyncTaskId: taskId() }));
    expect(e).toMatchObject({ category: 'transient', retryable: true, ambiguous: false });
  });

  it.each([
    [{ asyncTaskId: '1starts-with-digit' }, 'asyncTaskId'],
    [{ asyncTaskId: 'has:colon' }, 'asyncTaskId'],
    [{ asyncTaskId: `a${'b'.repeat(128)}` }, 'asyncTaskId'],
    [{ functionName: 'bad/name' }, 'functionName'],
    [{ qualifier: 'a b' }, 'qualifier'],
    [{ payload: undefined }, 'payload'],
    [{ payload: 'x'.repeat(MAX_ASYNC_PAYLOAD_BYTES) }, 'payload'],
  ])('refuses %o before sending anything', async (over, field) => {
    const e = await rejection(invoker().invokeAsync({ functionName: 'backup-worker', payload: {}, asyncTaskId: taskId(), ...over }));
    expect(e.category).toBe('validation');
    expect(e.message).toContain(field);
    expect(fc.hits).toHaveLength(0);
  });

  it('accepts a 128-character task id', async () => {
    const id = `a${'b'.repeat(127)}`;
    await expect(invoker().invokeAsync({ functionName: 'backup-worker', payload: {}, asyncTaskId: id })).resolves.toMatchObject({ taskId: id });
  });
});

describe('endpoint', () => {
  it('an FC_ENDPOINT-style override is honoured: http, host and port are what is sent and signed', async () => {
    await invoker({ endpoint: `http://127.0.0.1:${fc.port}` }).invokeAsync({ functionName: 'backup-worker', payload: {}, asyncTaskId: taskId() });
    expect(fc.invocations[0]!.headers.host).toBe(`127.0.0.1:${fc.port}`);
    expect(String(fc.invocations[0]!.headers.authorization)).toContain('SignedHeaders=content-type;host;');
  });

  it('defaults to the account endpoint over https; an override without scheme is https', () => {
    expect(resolveInvokeEndpoint({ accountId: '1234567890', region: 'cn-shanghai' })).toEqual({
      protocol: 'https',
      host: '1234567890.cn-shanghai.fc.aliyuncs.com',
    });
    expect(resolveInvokeEndpoint({ accountId: '1', region: 'r', endpoint: 'http://localhost:9000/' })).toEqual({ protocol: 'http', host: 'localhost:9000' });
    expect(resolveInvokeEndpoint({ accountId: '1', region: 'r', endpoint: '1.cn-hangzhou-internal.fc.aliyuncs.com' })).toEqual({
      protocol: 'https',
      host: '1.cn-hangzhou-internal.fc.aliyuncs.com',
    });
  });

  it.each([['ftp://x'], ['http://']])('refuses the endpoint %s as a validation error', (endpoint) => {
    expect(() => invoker({ endpoint })).toThrow(BackupError);
    expect(() => invoker({ endpoint })).toThrow(/FC_ENDPOINT/);
  });
});
