// The last word on a failed request: any error → BackupError → `{error, requestId}` with its status, Retry-After
// when a retry can succeed, never a stack. Unknown errors are a generic 500; the log keeps the cause.
import { toBackupError } from '../../errors';
import { createLogger, type Logger } from '../../logger';
import { errorResponse, requestIdOf, type HttpMiddleware, type HttpMiddyRequest } from './response';

export interface ErrorMapperOptions {
  logger?: Logger;
  /** Retry-After for retryable 409/429/503 without `details.retryAfterSec`; default 5. */
  retryAfterSec?: number;
}

const defaults = { retryAfterSec: 5 };

export function errorMapper(opts: ErrorMapperOptions = {}): HttpMiddleware {
  const { retryAfterSec } = { ...defaults, ...opts };
  if (!Number.isFinite(retryAfterSec) || retryAfterSec <= 0) throw new TypeError('errorMapper: retryAfterSec must be a positive number');
  const logger = opts.logger ?? createLogger();

  const errorMapperOnError = (request: HttpMiddyRequest) => {
    if (request.response !== undefined) return;
    const err = toBackupError(request.error);
    const requestId = requestIdOf(request);
    const fields = { requestId, code: err.code, status: err.httpStatus };
    // A 5xx is ours to debug: keep the error with its stack and cause. A 4xx is the caller's expected refusal:
    // what was refused and why is enough, a stack trace from the minified bundle would only be noise.
    if (err.httpStatus >= 500) logger.error(`request failed: ${err.code}`, { ...fields, err });
    else logger.warn(`request refused: ${err.code}`, { ...fields, error: err.toJSON() });
    request.response = errorResponse(err, requestId, retryAfterSec);
  };

  return { onError: errorMapperOnError };
}
