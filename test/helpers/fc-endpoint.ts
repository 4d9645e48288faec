// A stand-in for FC 3.0's invoke endpoint (InvokeFunction, API 2023-03-30) on 127.0.0.1: it verifies the ACS3-HMAC-SHA256
// signature the way the gateway does (alibaba-api-facts.md §1.5), checks the request shape, deduplicates async task
// ids, and answers like FC: 202 + x-fc-request-id, or a JSON error {Code, Message, RequestId}. See docs/fc-invoke.md.
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
    const auth = verifyAcs3(req, body, o.credentials);
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
    const qualifier = parseQuery(rawQuery).qualifier;
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

// ---- ACS3-HMAC-SHA256 verification ----

export type Acs3Result = { ok: true; accessKeyId: string } | { ok: false; status: number; code: string; message: string };

const encode = (s: string): string =>
  encodeURIComponent(s).replace(/!/g, '%21').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\*/g, '%2A');

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseQuery(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const i = part.indexOf('=');
    const k = decodeURIComponent(i < 0 ? part : part.slice(0, i));
    out[k] = i < 0 ? '' : decodeURIComponent(part.slice(i + 1));
  }
  return out;
}

const deny = (status: number, code: string, message: string): Acs3Result => ({ ok: false, status, code, message });

/** Verifies Authorization: ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=… with FC's error codes. */
export function verifyAcs3(req: IncomingMessage, body: Buffer, credentials: Record<string, FcCredential>): Acs3Result {
  const authz = header(req, 'authorization') ?? '';
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(authz);
  if (!m) return deny(400, 'MissingRequiredHeader', 'an ACS3-HMAC-SHA256 Authorization header is required');
  const [, accessKeyId = '', signedList = '', signature = ''] = m;
  const cred = credentials[accessKeyId];
  if (!cred) return deny(403, 'InvalidAccessKeyID', `invalid access key ID '${accessKeyId}'`);

  const signed = signedList.split(';');
  // Every header that must be signed is signed: host, content-type, all x-acs-*.
  const mustSign = Object.keys(req.headers).filter((h) => h === 'host' || h === 'content-type' || h.startsWith('x-acs-'));
  for (const h of ['host', 'x-acs-date', 'x-acs-content-sha256', 'x-acs-signature-nonce', ...mustSign]) {
    if (!signed.includes(h)) return deny(403, 'SignatureNotMatch', `header '${h}' must be signed`);
  }
  const payloadHash = createHash('sha256').update(body).digest('hex');
  if (header(req, 'x-acs-content-sha256') !== payloadHash) return deny(403, 'SignatureNotMatch', 'x-acs-content-sha256 does not match the body');

  const [rawPath = '', rawQuery = ''] = (req.url ?? '').split('?');
  const canonicalUri = rawPath.replace('+', '%20').replace('*', '%2A').replace('%7E', '~');
  const query = parseQuery(rawQuery);
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((k) => `${k}=${encode(query[k] ?? '')}`)
    .join('&');
  const canonicalHeaders = [...signed]
    .sort()
    .map((h) => `${h}:${(header(req, h) ?? '').trim()}\n`)
    .join('');
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signed.slice().sort().join(';'), payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const expected = createHmac('sha256', cred.secret).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return deny(403, 'SignatureNotMatch', 'The request signature we calculated does not match the signature you provided. Check your access key and signing method');
  }
  if (cred.securityToken !== undefined) {
    if (header(req, 'x-acs-security-token') !== cred.securityToken || header(req, 'x-acs-accesskey-id') !== accessKeyId) {
      return deny(403, 'InvalidSecurityToken.Mismatch', 'the STS security token is missing or does not belong to this AccessKey');
    }
  }
  return { ok: true, accessKeyId };
}
