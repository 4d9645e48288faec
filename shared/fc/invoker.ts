// Asynchronous invocation of another function, with an FC async task id so FC itself drops a duplicate.
//
// Why FC 3.0's InvokeFunction (API 2023-03-30) and not @alicloud/fc2 (API 2016-08-15): the 2016-08-15 invoke path is
// /2016-08-15/services/{service}/functions/{fn}/invocations and FC 3.0 functions — everything the fc3 component
// deploys — have no service. The fc3 component invokes them with @alicloud/fc20230330 `invokeFunctionWithOptions`
// (ROA, POST /2023-03-30/functions/{fn}/invocations, headers x-fc-invocation-type / x-fc-async-task-id) on
// <accountId>.<region>.fc.aliyuncs.com:
//   https://github.com/devsapp/fc3/blob/main/src/resources/fc/impl/client.ts (invokeFunction, "Invoke client")
//   https://github.com/aliyun/alibabacloud-typescript-sdk/blob/master/fc-20230330/src/client.ts (invokeFunctionWithOptions)
//   https://www.alibabacloud.com/help/en/functioncompute/developer-reference/api-fc-2023-03-30-invokefunction
// Full notes and the duplicate-task semantics: docs/fc-invoke.md. We send the same request through the generic
// @alicloud/openapi-client callApi the rest of the project uses (ACS3-HMAC-SHA256), via shared/cloud/client.ts.
import { Readable } from 'node:stream';
import { clientFor, loadSdk, parseEndpoint, type Endpoint } from '../cloud/client';
import { classifyCloudError } from '../cloud/error-codes';
import { validationError, type FieldIssue } from '../errors';

export interface InvokeRequest {
  functionName: string;
  /** JSON-serialised into the event the target function receives. */
  payload: unknown;
  /** FC async task id: ≤128 chars, [A-Za-z_][A-Za-z0-9_-]*. The same id twice is one task. */
  asyncTaskId: string;
  /** Version or alias; FC's default is LATEST. */
  qualifier?: string;
}

export interface InvokerOptions {
  accountId: string;
  region: string;
  credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  /** FC_ENDPOINT override, a full URL such as http://127.0.0.1:8787: protocol, host and port are honoured. */
  endpoint?: string;
  /** Connect and read timeout of the one HTTP request; default 10 s. */
  timeoutMs?: number;
}

export interface InvokeResult {
  requestId?: string;
  taskId: string;
  /** True when FC already had a task with this id: the work is queued or done, nothing new was queued. */
  duplicate: boolean;
}

export interface SyncInvokeRequest {
  functionName: string;
  payload: unknown;
  qualifier?: string;
  /** How long to wait for the function's answer. */
  timeoutMs: number;
}

export interface SyncInvokeResult {
  requestId?: string;
  /** FC's x-fc-error-type when the function threw (or timed out). */
  errorType?: string;
  /** What the function returned, as FC sent it. */
  body: string;
}

export interface Invoker {
  invokeAsync(r: InvokeRequest): Promise<InvokeResult>;
  /** Waits for the function's answer: only for a short call whose answer is needed (the drill validator). */
  invokeSync(r: SyncInvokeRequest): Promise<SyncInvokeResult>;
}

export const INVOKE_API_VERSION = '2023-03-30';
/** FC's limit on an asynchronous invocation's payload (alibaba-api-facts.md §4). */
export const MAX_ASYNC_PAYLOAD_BYTES = 128 * 1024;
const TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const QUALIFIER = /^[A-Za-z0-9_-]{1,128}$/;

/** Default: the account's public FC endpoint (the one fc3 invokes on); FC_ENDPOINT overrides it with a full URL. */
export function resolveInvokeEndpoint(o: Pick<InvokerOptions, 'accountId' | 'region' | 'endpoint'>): Endpoint {
  return o.endpoint ? parseEndpoint(o.endpoint, 'FC_ENDPOINT') : { protocol: 'https', host: `${o.accountId}.${o.region}.fc.aliyuncs.com` };
}

export function createInvoker(o: InvokerOptions): Invoker {
  const endpoint = resolveInvokeEndpoint(o);
  const timeoutMs = o.timeoutMs ?? 10_000;
  const send = async (r: InvokeRequest | SyncInvokeRequest, headers: Record<string, string>, body: Buffer, readMs: number) => {
    const sdk = await loadSdk();
    const params = new sdk.Params({
      action: 'InvokeFunction',
      version: INVOKE_API_VERSION,
      protocol: endpoint.protocol.toUpperCase(),
      pathname: `/${INVOKE_API_VERSION}/functions/${encodeURIComponent(r.functionName)}/invocations`,
      method: 'POST',
      authType: 'AK',
      style: 'ROA',
      // As fc-20230330 does; the body goes as `stream`, so it is sent as application/octet-stream either way.
      reqBodyType: 'json',
      // The SDK uses 'binary' and hands back the stream; we read the body as a string so the socket is freed.
      bodyType: 'string',
    });
    const request = new sdk.OpenApiRequest({ headers, query: r.qualifier ? { qualifier: r.qualifier } : {}, stream: Readable.from(body) });
    const runtime = new sdk.RuntimeOptions({ autoretry: false, connectTimeout: timeoutMs, readTimeout: readMs });
    return clientFor(sdk, endpoint, o.credentials).callApi(params, request, runtime);
  };
  return {
    async invokeAsync(r) {
      const body = checkRequest(r);
      try {
        const res = await send(r, { 'x-fc-invocation-type': 'Async', 'x-fc-async-task-id': r.asyncTaskId }, body, timeoutMs);
        const headers = res.headers ?? {};
        return { requestId: headers['x-fc-request-id'], taskId: headers['x-fc-async-task-id'] || r.asyncTaskId, duplicate: false };
      } catch (e) {
        if (isDuplicateTask(e)) return { requestId: requestIdOf(e), taskId: r.asyncTaskId, duplicate: true };
        throw classifyCloudError(e, { action: `fc:InvokeFunction(${r.functionName})` });
      }
    },
    async invokeSync(r) {
      const body = checkRequest({ ...r, asyncTaskId: 'sync' });
      try {
        const res = await send(r, { 'x-fc-invocation-type': 'Sync' }, body, r.timeoutMs);
        const headers = (res.headers ?? {}) as Record<string, string>;
        // A function that threw still answers 200, with its error type in a header (docs/fc-invoke.md).
        return { requestId: headers['x-fc-request-id'], errorType: headers['x-fc-error-type'] || undefined, body: typeof res.body === 'string' ? res.body : JSON.stringify(res.body ?? '') };
      } catch (e) {
        throw classifyCloudError(e, { action: `fc:InvokeFunction(${r.functionName})` });
      }
    },
  };
}

function checkRequest(r: InvokeRequest): Buffer {
  const issues: FieldIssue[] = [];
  if (typeof r.functionName !== 'string' || !FUNCTION_NAME.test(r.functionName)) {
    issues.push({ field: 'functionName', value: r.functionName, rule: 'must be an FC 3.0 function name ([A-Za-z_][A-Za-z0-9_-]*, ≤128)' });
  }
  if (typeof r.asyncTaskId !== 'string' || !TASK_ID.test(r.asyncTaskId)) {
    issues.push({ field: 'asyncTaskId', value: r.asyncTaskId, rule: 'must be [A-Za-z_][A-Za-z0-9_-]*, at most 128 characters' });
  }
  if (r.qualifier !== undefined && !QUALIFIER.test(r.qualifier)) {
    issues.push({ field: 'qualifier', value: r.qualifier, rule: 'must be a version number or an alias name' });
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(r.payload);
  } catch {
    json = undefined;
  }
  if (json === undefined) {
    issues.push({ field: 'payload', value: typeof r.payload, rule: 'must be JSON-serialisable' });
  } else if (Buffer.byteLength(json) > MAX_ASYNC_PAYLOAD_BYTES) {
    issues.push({ field: 'payload', value: `${Buffer.byteLength(json)} bytes`, rule: `must be at most ${MAX_ASYNC_PAYLOAD_BYTES} bytes of JSON` });
  }
  if (issues.length > 0) throw validationError(issues, 'invocation');
  return Buffer.from(json as string, 'utf8');
}

// FC answers a resubmitted task id with HTTP 409 (task deduplication docs). The code is documented for FC 2.0 only
// (StatefulAsyncInvocationAlreadyExists); accept any *AlreadyExist* code, or none, but not another 409 such as
// ConcurrentUpdateError, which is a real conflict.
function isDuplicateTask(e: unknown): boolean {
  const err = e as { statusCode?: unknown; code?: unknown } | null;
  if (err?.statusCode !== 409) return false;
  const code = typeof err.code === 'string' && err.code !== 'undefined' ? err.code : undefined;
  return code === undefined || /AlreadyExist/i.test(code);
}

function requestIdOf(e: unknown): string | undefined {
  const id = (e as { data?: { RequestId?: unknown } } | null)?.data?.RequestId;
  return typeof id === 'string' ? id : undefined;
}
