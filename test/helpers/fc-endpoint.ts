// A stand-in for FC 3.0's invoke endpoint (InvokeFunction, API 2023-03-30) on 127.0.0.1: it verifies the ACS3-HMAC-SHA256
// signature the way the gateway does (alibaba-api-facts.md §1.5), checks the request shape, deduplicates async task
// ids, and answers like FC: 202 + x-fc-request-id, or a JSON error {Code, Message, RequestId}. See docs/fc-invoke.md.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseRawQuery, verifyAcs3, type Acs3Failure } from '../../local/cloud/acs3';

export interface FcCredential {
  secret: string;
  /** When set, the request must carry this STS token in x-acs-security-token (signed). */
  securityToken?: string;
}

export interface RecordedInvocation {
  functionName: string;
  qualifier?: string;
  taskId: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  requestId: string;
}

export interface FcEndpointOptions {
  credentials: Record<string, FcCredential>;
  functions: string[];
  /** Code answered with 409 for a task id already seen; FC 3.0's exact code is undocumented (see docs/fc-invoke.md). */
  duplicateCode?: string;
}

export interface FcEndpoint {
  url: string;
  port: number;
  invocations: RecordedInvocation[];
  /** Everything that reached the server, accepted or not. */
  hits: { method: string; url: string; headers: Record<string, string | string[] | undefined> }[];
  /** The next request, once its signature is verified, gets this answer instead. */
  failNext(status: number, code?: string, message?: string): void;
  close(): Promise<void>;
}

const VERSION = '2023-03-30';
const INVOKE_PATH = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/;
const TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

export async function startFcEndpoint(o: FcEndpointOptions): Promise<FcEndpoint> {
  const invocations: RecordedInvocation[] = [];
  const hits: FcEndpoint['hits'] = [];
  const seen = new Set<string>();
  let injected: { status: number; code?: string; message?: string } | undefined;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      handle(req, Buffer.concat(chunks), res);
    });
  });

  function handle(req: IncomingMessage, body: Buffer, res: ServerResponse): void {
    const requestId = `1-${randomUUID()}`;
    const fail = (status: number, code: string | undefined, message: string): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-fc-request-id': requestId });
      res.end(JSON.stringify(code === undefined ? { Message: message, RequestId: requestId } : { Code: code, Message: message, RequestId: requestId }));
    };
    const auth = verify(req, body, o.credentials);
    if (!auth.ok) return fail(auth.status, auth.code, auth.message);
    if (injected) {
      const i = injected;
      injected = undefined;
      return fail(i.status, i.code, i.message ?? 'injected failure');
    }
    const [rawPath = '', rawQuery = ''] = (req.url ?? '').split('?');
    const m = INVOKE_PATH.exec(rawPath);
    if (req.method !== 'POST' || !m) return fail(400, 'PathNotSupported', `'${req.method} ${rawPath}' is not supported`);
    if (req.headers['x-acs-action'] !== 'InvokeFunction' || req.headers['x-acs-version'] !== VERSION) {
      return fail(400, 'InvalidArgument', 'x-acs-action must be InvokeFunction and x-acs-version 2023-03-30');
    }
    const functionName = decodeURIComponent(m[1] ?? '');
    if (!o.functions.includes(functionName)) return fail(404, 'FunctionNotFound', `function '${functionName}' does not exist`);
    if (req.headers['x-fc-invocation-type'] !== 'Async') return fail(400, 'InvalidArgument', 'x-fc-invocation-type must be Async here');
    const taskId = header(req, 'x-fc-async-task-id');
    if (taskId === undefined || !TASK_ID.test(taskId)) return fail(400, 'InvalidArgument', `invalid x-fc-async-task-id '${taskId}'`);
    const qualifier = parseRawQuery(rawQuery).qualifier;
    const key = `${functionName}|${taskId}`;
    if (seen.has(key)) {
      return fail(409, o.duplicateCode, `async task '${taskId}' of function '${functionName}' already exists`);
    }
    seen.add(key);
    invocations.push({ functionName, qualifier, taskId, headers: req.headers, body, requestId });
    res.writeHead(202, { 'x-fc-request-id': requestId, 'x-fc-async-task-id': taskId, 'content-length': '0' });
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    invocations,
    hits,
    failNext(status, code, message) {
      injected = { status, code, message };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- the signature check is the local cloud's, with FC's spelling of the refusals ----

const fcRefusal: Record<Acs3Failure, [number, string]> = {
  incomplete: [400, 'MissingRequiredHeader'],
  'unknown-key': [403, 'InvalidAccessKeyID'],
  mismatch: [403, 'SignatureNotMatch'],
  token: [403, 'InvalidSecurityToken.Mismatch'],
  timestamp: [403, 'RequestTimeTooSkewed'],
};

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function verify(req: IncomingMessage, body: Buffer, credentials: Record<string, FcCredential>): { ok: true } | { ok: false; status: number; code: string; message: string } {
  const keys = Object.entries(credentials).map(([accessKeyId, c]) => ({ accessKeyId, accessKeySecret: c.secret, securityToken: c.securityToken }));
  const r = verifyAcs3({ method: req.method ?? 'POST', url: req.url ?? '', headers: req.headers, body }, keys, Date.now());
  if (r.ok) return { ok: true };
  const [status, code] = fcRefusal[r.reason];
  return { ok: false, status, code, message: r.message };
}
