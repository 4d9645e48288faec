// Accepts each signed delivery once. A signature check says who sent a request and that it is recent; within its
// window the same bytes could still be sent again by whoever captured them. This remembers each delivery's id (its
// signature, or DingTalk's (timestamp, sign)) in the idempotency store for the whole window, and answers a second
// arrival 401. Runs after the signature check, so only verified deliveries are remembered. A store that cannot be
// reached refuses the request (503, retryable): without the record a replay cannot be told apart.
import { createHash } from 'node:crypto';
import { storeUnavailable } from '../../errors';
import type { IdempotencyStore } from '../../idempotency/store';
import { createLogger, type Logger } from '../../logger';
import { isHttpRequest } from './fc-http-event';
import type { HttpRequest } from '../request';
import { errorResponse, requestIdOf, respondEarly, type HttpMiddleware, type HttpMiddyRequest } from './response';
import { unauthorized } from './signature-verifier';

export interface ReplayGuardOptions {
  /** The scheme, for logs, messages and the record's key: "deploy", "dingtalk". */
  name: string;
  /** What identifies one signed delivery; undefined → nothing to remember (the signature check refused it already). */
  idOf: (req: HttpRequest) => string | undefined;
  /** How long a delivery stays refusable: the signature's whole acceptance window, past and future skew together. */
  windowMs: number;
  /** The idempotency store of this invocation. */
  store: (request: HttpMiddyRequest) => IdempotencyStore;
  logger?: Logger;
}

export const replayKey = (name: string, id: string): string => `replay_${name}_${createHash('sha256').update(id).digest('hex').slice(0, 48)}`;

export function refuseReplays(opts: ReplayGuardOptions): HttpMiddleware {
  if (!opts || typeof opts.name !== 'string' || opts.name === '') throw new TypeError('refuseReplays: name is required');
  if (typeof opts.idOf !== 'function' || typeof opts.store !== 'function') throw new TypeError('refuseReplays: idOf and store must be functions');
  if (!Number.isSafeInteger(opts.windowMs) || opts.windowMs <= 0) throw new TypeError('refuseReplays: windowMs must be a positive integer');
  const { name, windowMs } = opts;
  const logger = opts.logger ?? createLogger();

  const refuseReplaysBefore = async (request: HttpMiddyRequest) => {
    if (!isHttpRequest(request.event)) throw new TypeError('refuseReplays needs fcHttpEvent() before it');
    const id = opts.idOf(request.event);
    if (id === undefined) return undefined;
    const key = replayKey(name, id);
    const now = Date.now();
    let put;
    try {
      put = await opts.store(request).putIfAbsent(
        { key, payloadHash: '', status: 'completed', owner: 'replay-guard', claimedAt: new Date(now).toISOString(), leaseExpiresAt: now, attempts: 1 },
        windowMs,
      );
    } catch (e) {
      throw storeUnavailable('replay check', e);
    }
    if (put.ok) return undefined;
    const requestId = requestIdOf(request);
    logger.warn(`${name} request refused: replayed`, { scheme: name, reason: 'replayed', firstSeen: put.existing.claimedAt, requestId, sourceIp: request.event.sourceIp });
    return respondEarly(request, errorResponse(unauthorized(name, 'replayed'), requestId));
  };

  return { before: refuseReplaysBefore };
}
