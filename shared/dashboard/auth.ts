// The JSON API's door: `Authorization: Bearer <token>` (token.ts), checked before anything reads the store. Every
// refusal is the same 401 shape, saying how to get a new link; a missing or short DASHBOARD_SECRET refuses every
// request (fail closed) and the log names the variable, never a value. The token itself is never logged.
import { BackupError } from '../errors';
import { createLogger, type Logger } from '../logger';
import { isHttpRequest } from '../http/middleware/fc-http-event';
import { errorResponse, requestIdOf, respondEarly, type HttpMiddleware, type HttpMiddyRequest } from '../http/middleware/response';
import { checkSecret } from '../http/signatures/secret';
import { dashboardSecretEnv, verifyToken, type TokenRefusal } from './token';
import { noStore } from './headers';

export const newLinkHint = 'Get a new link: run `fc-db-backup dashboard-link`, or type `report` in chat if your CHATOPS_ACL rule allows `dashboard`.';

const reasons: Record<TokenRefusal, string> = {
  missing: 'This request carries no dashboard link token.',
  malformed: 'This dashboard link is not a valid link.',
  mismatch: 'This dashboard link is not valid (it was not signed by this deployment, or the secret has changed since).',
  'too-long': 'This dashboard link is not valid.',
  future: 'This dashboard link is not valid yet; check the clock of the machine that made it.',
  expired: 'This dashboard link has expired.',
  unconfigured: 'The dashboard cannot check links right now.',
};

export const linkRefused = (reason: TokenRefusal): BackupError =>
  new BackupError({ code: 'Unauthorized', category: 'auth', message: `${reasons[reason]} ${newLinkHint}`, ...(reason === 'unconfigured' ? {} : { details: { reason } }) });

export interface DashboardAuthOptions {
  secret: () => string | undefined;
  logger?: Logger;
  now?: () => number;
}

const bearer = /^Bearer\s+(\S+)$/i;

export function dashboardAuth(o: DashboardAuthOptions): HttpMiddleware {
  const logger = o.logger ?? createLogger();
  const now = o.now ?? (() => Date.now());
  const refuse = (request: HttpMiddyRequest, reason: TokenRefusal) => {
    const res = errorResponse(linkRefused(reason), requestIdOf(request));
    return respondEarly(request, { ...res, headers: { ...res.headers, ...noStore, 'www-authenticate': 'Bearer realm="fc-db-backup dashboard"' } });
  };

  const dashboardAuthBefore = (request: HttpMiddyRequest) => {
    if (!isHttpRequest(request.event)) throw new TypeError('dashboardAuth needs fcHttpEvent() before it');
    const requestId = requestIdOf(request);
    const secret = checkSecret(o.secret());
    if (!secret.ok) {
      logger.error(`dashboard secret is not usable: env ${dashboardSecretEnv} ${secret.problem}, so every dashboard request is refused (fail closed)`, { envVar: dashboardSecretEnv, problem: secret.problem, requestId });
      return refuse(request, 'unconfigured');
    }
    const header = request.event.headers.authorization;
    const token = header === undefined ? undefined : bearer.exec(header.trim())?.[1];
    const check = verifyToken(header === undefined ? undefined : (token ?? '-'), secret.secret, now());
    if (check.ok) {
      logger.info('dashboard link used', { linkId: check.linkId, expiresAt: new Date(check.expiresAt).toISOString(), requestId });
      return undefined;
    }
    logger.warn(`dashboard link refused: ${check.reason}`, { reason: check.reason, requestId, sourceIp: request.event.sourceIp });
    return refuse(request, check.reason);
  };

  return { before: dashboardAuthBefore };
}
