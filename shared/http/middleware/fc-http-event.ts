// FC 3.0 HTTP trigger event (a Buffer of JSON, alibaba-api-facts.md §4) → one typed request; whatever the handler
// returns → FC's response shape. A malformed event is a 400 and an oversized body a 413, never a crash.
import { BackupError, toBackupError, validationError, type FieldIssue } from '../../errors';
import {
  errorResponse,
  jsonContentType,
  requestIdOf,
  respondEarly,
  type HttpMiddleware,
  type HttpMiddyRequest,
  type HttpResponse,
} from './response';

import type { HttpRequest } from '../request';

export interface FcHttpEventOptions {
  /** Largest body accepted, in bytes, checked before the body is decoded or parsed; default 64 KiB. */
  maxBodyBytes?: number;
  /** Largest whole event accepted before it is even JSON-parsed; default 6 × maxBodyBytes + 64 KiB (JSON escaping, headers). */
  maxEventBytes?: number;
}

const defaults = { maxBodyBytes: 64 * 1024 };

/** What could be read of a refused event, for the request log. */
export interface KnownRequestParts {
  method?: string;
  path?: string;
  requestId?: string;
}

export type NormaliseResult = { ok: true; request: HttpRequest } | { ok: false; error: BackupError; known: KnownRequestParts };

const methodToken = /^[A-Za-z]{1,20}$/;
const base64Text = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2,3})?$/;

export const payloadTooLarge = (bytes: number, limit: number, what = 'Request body'): BackupError =>
  new BackupError({
    code: 'PayloadTooLarge',
    category: 'validation',
    httpStatus: 413,
    message: `${what} is ${bytes} bytes; the limit is ${limit} bytes.`,
    details: { bytes, limit },
  });

/** Pure: the normalised request, or the 4xx error that explains why there is none. Never throws. */
export function normaliseFcHttpEvent(event: unknown, context: unknown, options: FcHttpEventOptions = {}): NormaliseResult {
  const maxBodyBytes = options.maxBodyBytes ?? defaults.maxBodyBytes;
  const maxEventBytes = options.maxEventBytes ?? maxBodyBytes * 6 + 64 * 1024;
  const known: KnownRequestParts = {};
  const fail = (error: BackupError): NormaliseResult => ({ ok: false, error, known });
  const invalid = (issues: FieldIssue[]): NormaliseResult => fail(validationError(issues, 'HTTP trigger event'));

  let parsed: unknown = event;
  if (Buffer.isBuffer(event) || typeof event === 'string') {
    const size = Buffer.isBuffer(event) ? event.length : Buffer.byteLength(event, 'utf8');
    if (size > maxEventBytes) return fail(payloadTooLarge(size, maxEventBytes, 'The HTTP trigger event'));
    try {
      parsed = JSON.parse(Buffer.isBuffer(event) ? event.toString('utf8') : event);
    } catch {
      return invalid([{ field: 'event', value: `(${size} bytes)`, rule: 'must be the JSON of an FC 3.0 HTTP trigger event' }]);
    }
  }
  if (!isRecord(parsed)) {
    return invalid([{ field: 'event', value: describe(parsed), rule: 'must be an FC 3.0 HTTP trigger event object' }]);
  }

  const issues: FieldIssue[] = [];
  const rc = parsed.requestContext;
  const http = isRecord(rc) ? rc.http : undefined;
  const method = isRecord(http) ? http.method : undefined;
  if (typeof method !== 'string' || !methodToken.test(method)) {
    issues.push({ field: 'requestContext.http.method', value: describe(method), rule: 'must be an HTTP method such as "POST"' });
  } else {
    known.method = method.toUpperCase();
  }
  if (isRecord(rc) && typeof rc.requestId === 'string' && rc.requestId !== '') known.requestId = rc.requestId;
  const headers = stringMap(parsed.headers, 'headers', issues, (k) => k.toLowerCase());
  const query = stringMap(parsed.queryParameters, 'queryParameters', issues, (k) => k);

  const body = parsed.body ?? '';
  if (typeof body !== 'string') issues.push({ field: 'body', value: describe(body), rule: 'must be a string' });
  const b64 = parsed.isBase64Encoded ?? false;
  if (typeof b64 !== 'boolean') issues.push({ field: 'isBase64Encoded', value: describe(b64), rule: 'must be true or false' });

  const issueCount = issues.length;
  const path = pathOf(parsed.rawPath, isRecord(http) ? http.path : undefined, issues);
  if (issues.length === issueCount) known.path = path;
  if (issues.length > 0) return invalid(issues);
  const text = body as string;

  // The size is known from the text alone: decide 413 before decoding or parsing a byte of it.
  if (b64 === true) {
    if (!base64Text.test(text)) return invalid([{ field: 'body', value: `(${text.length} characters)`, rule: 'must be base64 when isBase64Encoded is true' }]);
    const bytes = base64Bytes(text);
    if (bytes > maxBodyBytes) return fail(payloadTooLarge(bytes, maxBodyBytes));
  } else {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > maxBodyBytes) return fail(payloadTooLarge(bytes, maxBodyBytes));
  }

  const requestId = known.requestId ?? requestIdOf({ context });
  const sourceIp = isRecord(http) && typeof http.sourceIp === 'string' ? http.sourceIp : '';
  return {
    ok: true,
    request: {
      method: (method as string).toUpperCase(),
      path,
      headers,
      query,
      rawBody: Buffer.from(text, b64 === true ? 'base64' : 'utf8'),
      requestId,
      sourceIp,
    },
  };
}

/** True for a request this middleware produced (structurally). */
export function isHttpRequest(v: unknown): v is HttpRequest {
  return isRecord(v) && typeof v.method === 'string' && typeof v.path === 'string' && Buffer.isBuffer(v.rawBody);
}

/** Whatever a handler returned → `{statusCode, headers, body}`; objects become JSON. Throws on an impossible status. */
export function toHttpResponse(result: unknown): HttpResponse {
  if (result === undefined || result === null) return { statusCode: 204, headers: {}, body: '' };
  if (isRecord(result) && 'statusCode' in result) {
    const status = result.statusCode;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599) {
      throw new TypeError(`The handler returned an invalid HTTP status ${JSON.stringify(status) ?? String(status)}`);
    }
    const headers = responseHeaders(result.headers);
    const out: HttpResponse = { statusCode: status, headers, body: '' };
    const body = result.body;
    if (typeof body === 'string') {
      out.body = body;
      if (result.isBase64Encoded === true) out.isBase64Encoded = true;
    } else if (body instanceof Uint8Array) {
      out.body = Buffer.from(body).toString('base64');
      out.isBase64Encoded = true;
    } else if (body !== undefined && body !== null) {
      out.body = JSON.stringify(body) ?? '';
      headers['content-type'] ??= jsonContentType;
    }
    return out;
  }
  if (typeof result === 'string') return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: result };
  return { statusCode: 200, headers: { 'content-type': jsonContentType }, body: JSON.stringify(result) ?? '' };
}

export function fcHttpEvent(opts: FcHttpEventOptions = {}): HttpMiddleware {
  const options = { ...defaults, ...opts };
  for (const [name, v] of Object.entries(options)) {
    if (v !== undefined && (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)) {
      throw new TypeError(`fcHttpEvent: ${name} must be a positive integer, got ${String(v)}`);
    }
  }

  const fcHttpEventBefore = (request: HttpMiddyRequest) => {
    const result = normaliseFcHttpEvent(request.event as unknown, request.context, options);
    if (!result.ok) {
      return respondEarly(request, errorResponse(result.error, result.known.requestId ?? requestIdOf(request)), result.known);
    }
    request.event = result.request;
    return undefined;
  };

  const fcHttpEventAfter = (request: HttpMiddyRequest) => {
    request.response = toHttpResponse(request.response);
  };

  // Runs after errorMapper (onError hooks run last-registered first) to shape whatever it set; never replaces one.
  const fcHttpEventOnError = (request: HttpMiddyRequest) => {
    if (request.response === undefined) return;
    try {
      request.response = toHttpResponse(request.response);
    } catch (e) {
      request.response = errorResponse(toBackupError(e), requestIdOf(request));
    }
  };

  return { before: fcHttpEventBefore, after: fcHttpEventAfter, onError: fcHttpEventOnError };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function describe(v: unknown): unknown {
  if (v === null || v === undefined || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 40 ? `${v.slice(0, 37)}...` : v;
  return Array.isArray(v) ? '(an array)' : `(${typeof v})`;
}

/** Header or query map; multi-values joined by ",", repeated names (after `key`) joined too. */
function stringMap(v: unknown, field: string, issues: FieldIssue[], key: (k: string) => string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (v === undefined || v === null) return out;
  if (!isRecord(v)) {
    issues.push({ field, value: describe(v), rule: 'must be an object of names to values' });
    return out;
  }
  for (const [name, raw] of Object.entries(v)) {
    if (raw === undefined || raw === null) continue;
    let value: string;
    if (typeof raw === 'string') value = raw;
    else if (typeof raw === 'number' || typeof raw === 'boolean') value = String(raw);
    else if (Array.isArray(raw) && raw.every((x) => typeof x === 'string')) value = raw.join(',');
    else {
      issues.push({ field: `${field}.${name}`, value: describe(raw), rule: 'must be a string' });
      continue;
    }
    const k = key(name);
    out[k] = Object.hasOwn(out, k) ? `${out[k]},${value}` : value;
  }
  return out;
}

function pathOf(rawPath: unknown, decodedPath: unknown, issues: FieldIssue[]): string {
  if (typeof decodedPath === 'string' && decodedPath !== '') return decodedPath;
  if (rawPath === undefined || rawPath === null || rawPath === '') return '/';
  if (typeof rawPath !== 'string') {
    issues.push({ field: 'rawPath', value: describe(rawPath), rule: 'must be a string' });
    return '/';
  }
  try {
    return decodeURIComponent(rawPath);
  } catch {
    issues.push({ field: 'rawPath', value: describe(rawPath), rule: 'must be a valid URL-encoded path' });
    return '/';
  }
}

function base64Bytes(text: string): number {
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.floor(((text.length - pad) * 3) / 4);
}

function responseHeaders(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [name, raw] of Object.entries(v)) {
    if (raw === undefined || raw === null) continue;
    out[name.toLowerCase()] = Array.isArray(raw) ? raw.map(String).join(',') : String(raw);
  }
  return out;
}
