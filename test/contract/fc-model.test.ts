// Contract: FC 3.0 InvokeFunction (API 2023-03-30) as shared/fc/invoker.ts sends it, against the official SDK,
// @alicloud/fc20230330 (a devDependency, never bundled): the headers it sends are InvokeFunctionHeaders fields, its
// query InvokeFunctionRequest fields, and the request on the wire (method, path, action, version, FC headers, query)
// is the one the SDK's own invokeFunctionWithOptions sends for the same call. Both go to the signature-checking FC
// stand-in the invoker's tests use, and both are accepted. What the invoker reads of the answer (x-fc-request-id,
// x-fc-async-task-id) is in InvokeFunctionResponse's headers, a map the model leaves open: docs/cloud-contract.md.
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import FcClient, * as fcModels from '@alicloud/fc20230330';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvoker } from '../../shared/fc/invoker';
import { startFcEndpoint, type FcEndpoint } from '../helpers/fc-endpoint';

const req = createRequire(require.resolve('@alicloud/fc20230330'));
const openapi = req('@alicloud/openapi-core') as { $OpenApiUtil: { Config: new (m: Record<string, unknown>) => unknown } };
const dara = req('@darabonba/typescript') as { RuntimeOptions: new (m: Record<string, unknown>) => unknown };

const ak = { accessKeyId: 'LTAI-contract', accessKeySecret: 'contract-secret' };
let fc: FcEndpoint;
beforeAll(async () => {
  fc = await startFcEndpoint({ credentials: { [ak.accessKeyId]: { secret: ak.accessKeySecret } }, functions: ['backup-worker'] });
});
afterAll(() => fc.close());

type Hit = FcEndpoint['hits'][number];
const shape = (h: Hit) => {
  const url = new URL(h.url, 'http://x');
  return {
    method: h.method,
    path: url.pathname,
    query: [...url.searchParams.keys()].sort(),
    action: h.headers['x-acs-action'],
    version: h.headers['x-acs-version'],
    fcHeaders: Object.fromEntries(Object.entries(h.headers).filter(([k]) => k.startsWith('x-fc-')).sort()),
  };
};

async function viaInvoker(taskId: string): Promise<Hit> {
  fc.hits.length = 0;
  await createInvoker({ accountId: '1', region: 'cn-hangzhou', credentials: ak, endpoint: fc.url, timeoutMs: 5000 }).invokeAsync({ functionName: 'backup-worker', payload: { a: 1 }, asyncTaskId: taskId, qualifier: 'LATEST' });
  return fc.hits[0] as Hit;
}

async function viaSdk(taskId: string): Promise<{ hit: Hit; status: number }> {
  fc.hits.length = 0;
  const Client = ((FcClient as unknown as { default?: unknown }).default ?? FcClient) as new (c: unknown) => {
    invokeFunctionWithOptions(fn: string, r: unknown, h: unknown, rt: unknown): Promise<{ statusCode?: number }>;
  };
  const client = new Client(new openapi.$OpenApiUtil.Config({ ...ak, endpoint: new URL(fc.url).host, protocol: 'http', regionId: 'cn-hangzhou' }));
  const res = await client.invokeFunctionWithOptions(
    'backup-worker',
    new fcModels.InvokeFunctionRequest({ qualifier: 'LATEST', body: Readable.from(Buffer.from(JSON.stringify({ a: 1 }))) }),
    new fcModels.InvokeFunctionHeaders({ xFcInvocationType: 'Async', xFcAsyncTaskId: taskId }),
    new dara.RuntimeOptions({}),
  );
  return { hit: fc.hits[0] as Hit, status: res.statusCode ?? 0 };
}

describe('FC InvokeFunction: the invoker against @alicloud/fc20230330', () => {
  it('every x-fc- header the invoker sends is an InvokeFunctionHeaders field, every query parameter an InvokeFunctionRequest field', async () => {
    const s = shape(await viaInvoker('contract_task_1'));
    const headerNames = Object.values(fcModels.InvokeFunctionHeaders.names());
    const queryNames = Object.values(fcModels.InvokeFunctionRequest.names());
    expect(Object.keys(s.fcHeaders).filter((h) => !headerNames.includes(h))).toEqual([]);
    expect(s.query.filter((q) => !queryNames.includes(q))).toEqual([]);
    expect(Object.keys(s.fcHeaders).sort()).toEqual(['x-fc-async-task-id', 'x-fc-invocation-type']);
  });

  it('sends the request the SDK sends for the same call, and both are accepted', async () => {
    const ours = shape(await viaInvoker('contract_task_2'));
    const sdk = await viaSdk('contract_task_3');
    expect(sdk.status).toBe(202);
    expect({ ...ours, fcHeaders: { ...ours.fcHeaders, 'x-fc-async-task-id': '(id)' } }).toEqual({ ...shape(sdk.hit), fcHeaders: { ...shape(sdk.hit).fcHeaders, 'x-fc-async-task-id': '(id)' } });
    expect(ours.path).toBe('/2023-03-30/functions/backup-worker/invocations');
  });

  it('the response model leaves headers open: the invoker reads them by their wire names', () => {
    expect(fcModels.InvokeFunctionResponse.names()).toEqual(expect.objectContaining({ headers: 'headers', statusCode: 'statusCode' }));
    expect(fcModels.InvokeFunctionResponse.types().headers).toEqual({ type: 'map', keyType: 'string', valueType: 'string' });
  });
});
