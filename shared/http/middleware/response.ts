// The FC 3.0 HTTP response shape, the one error body every refusal uses, and early responses that the request
// logger still sees (middy skips every later hook, `after` and `onError` included, once a `before` responds).
import type { MiddlewareObj, Request } from '@middy/core';
import type { BackupError } from '../../errors';
import type { FcContext } from '../../fc/events';
import type { HttpRequest } from '../request';

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

// middy's context type comes from aws-lambda typings this project does not install; FC's context is ours.
export type HttpMiddyRequest = Request<HttpRequest, unknown, Error, FcContext & Record<string, unknown>>;
export type HttpMiddleware = MiddlewareObj<HttpRequest, unknown, Error, FcContext & Record<string, unknown>>;

export const jsonContentType = 'application/json';

export const jsonResponse = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': jsonContentType, ...headers },
  body: JSON.stringify(body),
});

const retryAfterStatuses = new Set([409, 429, 503]);

/** `{error: err.toJSON(), requestId}` with the error's status; Retry-After when a retry can succeed. */
export function errorResponse(err: BackupError, requestId: string, retryAfterSec = 5): HttpResponse {
  const headers: Record<string, string> = {};
  if (err.retryable && retryAfterStatuses.has(err.httpStatus)) {
    const fromDetails = err.details.retryAfterSec;
    const sec = typeof fromDetails === 'number' && Number.isFinite(fromDetails) && fromDetails > 0 ? Math.ceil(fromDetails) : retryAfterSec;
    headers['retry-after'] = String(sec);
  }
  return jsonResponse(err.httpStatus, { error: err.toJSON(), requestId }, headers);
}

/** The request id of the normalised event, else FC's context, else ''. */
export function requestIdOf(request: { event?: unknown; context?: unknown }): string {
  const fromEvent = (request.event as { requestId?: unknown } | null | undefined)?.requestId;
  if (typeof fromEvent === 'string' && fromEvent !== '') return fromEvent;
  const fromContext = (request.context as { requestId?: unknown } | null | undefined)?.requestId;
  return typeof fromContext === 'string' ? fromContext : '';
}

/** What a refusing hook knows of a request it could not normalise (method, path, request id), for the log. */
export type EarlyResponseInfo = Partial<Record<'method' | 'path' | 'requestId', string>>;
type Listener = (response: HttpResponse, info: EarlyResponseInfo) => void;
const earlyListeners = new WeakMap<object, Listener[]>();

/** Calls `listener` if a `before` hook of this request responds early through `respondEarly`. */
export function onEarlyResponse(request: object, listener: Listener): void {
  const list = earlyListeners.get(request);
  if (list) list.push(listener);
  else earlyListeners.set(request, [listener]);
}

/** Stops the chain with `response` (middy 6: `request.earlyResponse`) and tells the listeners. Return its result. */
export function respondEarly(request: { earlyResponse?: unknown }, response: HttpResponse, info: EarlyResponseInfo = {}): HttpResponse {
  request.earlyResponse = response;
  for (const listener of earlyListeners.get(request) ?? []) {
    try {
      listener(response, info);
    } catch {
      // A listener (the request log) must not turn a refusal into a crash.
    }
  }
  return response;
}
