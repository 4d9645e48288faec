// One middleware for every signed endpoint: the scheme (shared/http/signatures/http-adapters.ts) says where the signature
// is; this decides what happens — 401 for any failure, and 401 for EVERY request while the secret is not set.
import { BackupError } from '../../errors';
import { createLogger, type Logger } from '../../logger';
import type { VerifyFailure, VerifyResult } from '../signatures/result';
import { checkSecret } from '../signatures/secret';
import { isHttpRequest } from './fc-http-event';
import type { HttpRequest } from '../request';
import { errorResponse, requestIdOf, respondEarly, type HttpMiddleware, type HttpMiddyRequest } from './response';

export interface VerifySignatureOptions {
  /** The scheme, for logs and messages: "github", "slack", "dingtalk". */
  name: string;
  /** Read per request, so a rotated secret needs no redeploy of code; trimmed, and unset or under 16 bytes → every request refused. */
  secret: () => string | undefined;
  verify: (req: HttpRequest, secret: string, nowMs: number) => VerifyResult;
  /** The environment variable that should hold the secret, named in the log line when it is missing. */
  secretEnv?: string;
  logger?: Logger;
  /** Epoch milliseconds; default Date.now. */
  now?: () => number;
}

// Read the clock at call time, so a clock faked after this module loaded is still seen.
const defaults = { now: (): number => Date.now() };

const publicReason: Record<VerifyFailure, (name: string) => string> = {
  unconfigured: (n) => `The ${n} request signature could not be verified.`,
  missing: (n) => `The ${n} request carries no signature (or no timestamp).`,
  malformed: (n) => `The ${n} request signature or timestamp is malformed.`,
  stale: (n) => `The ${n} request timestamp is too old; check the sender's clock or resend.`,
  future: (n) => `The ${n} request timestamp is in the future; check the sender's clock.`,
  mismatch: (n) => `The ${n} request signature does not match.`,
  replayed: (n) => `This ${n} request was already received once; a signed request is accepted only once. Sign it again to resend it.`,
};

/** The 401 of every refusal; a missing secret is the operator's problem and is not told apart to the caller. */
export const unauthorized = (name: string, reason: VerifyFailure): BackupError =>
  new BackupError({
    code: 'Unauthorized',
    category: 'auth',
    message: publicReason[reason](name),
    ...(reason === 'unconfigured' ? {} : { details: { reason } }),
  });

export function verifySignature(opts: VerifySignatureOptions): HttpMiddleware {
  if (!opts || typeof opts.name !== 'string' || opts.name === '') throw new TypeError('verifySignature: name is required');
  if (typeof opts.secret !== 'function') throw new TypeError('verifySignature: secret must be a function returning the secret');
  if (typeof opts.verify !== 'function') throw new TypeError('verifySignature: verify is required');
  const { name, secretEnv = 'the signing secret variable' } = opts;
  const now = opts.now ?? defaults.now;
  const logger = opts.logger ?? createLogger();

  const refuse = (request: HttpMiddyRequest, reason: VerifyFailure) =>
    respondEarly(request, errorResponse(unauthorized(name, reason), requestIdOf(request)));

  const verifySignatureBefore = (request: HttpMiddyRequest) => {
    if (!isHttpRequest(request.event)) {
      throw new TypeError('verifySignature needs fcHttpEvent() before it: the raw body is not available');
    }
    const requestId = requestIdOf(request);
    const secret = checkSecret(opts.secret());
    if (!secret.ok) {
      logger.error(`${name} signature secret is not usable: env ${secretEnv} ${secret.problem}, so every ${name} request is refused (fail closed)`, {
        scheme: name,
        envVar: secretEnv,
        problem: secret.problem,
        requestId,
      });
      return refuse(request, 'unconfigured');
    }
    let result: VerifyResult;
    try {
      result = opts.verify(request.event, secret.secret, now());
    } catch (e) {
      logger.error(`${name} signature check failed unexpectedly; request refused`, { scheme: name, requestId, err: e });
      result = { ok: false, reason: 'malformed' };
    }
    if (result.ok) return undefined;
    logger.warn(`${name} signature refused: ${result.reason}`, { scheme: name, reason: result.reason, requestId, sourceIp: request.event.sourceIp });
    return refuse(request, result.reason);
  };

  return { before: verifySignatureBefore };
}
