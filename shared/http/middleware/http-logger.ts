// One line per request — method, path, status, duration, request id — however it ended: handler, error, or a
// `before` hook that responded early. Register it first so it sees all three.
import { createLogger, type Logger } from '../../logger';
import { isHttpRequest } from './fc-http-event';
import { onEarlyResponse, requestIdOf, type EarlyResponseInfo, type HttpMiddleware, type HttpMiddyRequest } from './response';

export interface HttpLoggerOptions {
  logger?: Logger;
  /** Epoch milliseconds; default Date.now. */
  now?: () => number;
}

// Read the clock at call time, so a clock faked after this module loaded is still seen.
const defaults = { now: (): number => Date.now() };

export function httpLogger(opts: HttpLoggerOptions = {}): HttpMiddleware {
  const now = opts.now ?? defaults.now;
  const logger = opts.logger ?? createLogger();
  const started = new WeakMap<object, number>();
  const logged = new WeakSet<object>();

  const logLine = (request: HttpMiddyRequest, status: number, extra: Record<string, unknown> = {}, known: EarlyResponseInfo = {}) => {
    if (logged.has(request)) return;
    logged.add(request);
    const event = isHttpRequest(request.event) ? request.event : undefined;
    const start = started.get(request);
    const fields = {
      method: event?.method ?? known.method ?? '-',
      path: event?.path ?? known.path ?? '-',
      status,
      durationMs: start === undefined ? undefined : Math.max(0, now() - start),
      requestId: event ? requestIdOf(request) : (known.requestId ?? requestIdOf(request)),
      ...extra,
    };
    const msg = `${fields.method} ${fields.path} ${status}`;
    if (status >= 500) logger.error(msg, fields);
    else if (status >= 400) logger.warn(msg, fields);
    else logger.info(msg, fields);
  };

  const statusOf = (response: unknown): number => {
    const s = (response as { statusCode?: unknown } | null | undefined)?.statusCode;
    return typeof s === 'number' ? s : 200;
  };

  const httpLoggerBefore = (request: HttpMiddyRequest) => {
    started.set(request, now());
    onEarlyResponse(request, (response, known) => logLine(request, response.statusCode, {}, known));
  };

  const httpLoggerAfter = (request: HttpMiddyRequest) => {
    logLine(request, statusOf(request.response));
  };

  // An error nobody turned into a response still gets its line; FC will report the invocation as failed.
  const httpLoggerOnError = (request: HttpMiddyRequest) => {
    if (request.response === undefined) logLine(request, 500, { unhandled: true });
    else logLine(request, statusOf(request.response));
  };

  return { before: httpLoggerBefore, after: httpLoggerAfter, onError: httpLoggerOnError };
}
