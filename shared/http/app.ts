// One middy stack for every HTTP-triggered function: normalise the FC event, log, map errors, route, then the
// route's own middlewares (signature first, then body parsing, then validation) before its handler.
import middy from '@middy/core';
import type { FcContext } from '../fc/events';
import { BackupError } from '../errors';
import { createLogger, type Logger } from '../logger';
import { bodyParser, type BodyParserOptions } from './middleware/body-parser';
import { errorMapper } from './middleware/error-mapper';
import { fcHttpEvent } from './middleware/fc-http-event';
import type { HttpRequest } from './request';
import { httpLogger } from './middleware/http-logger';
import { jsonResponse, respondEarly, errorResponse, requestIdOf, type HttpMiddleware, type HttpMiddyRequest, type HttpResponse } from './middleware/response';

export interface RouteContext {
  context: FcContext;
  /** Path parameters, from `{name}` segments of the route's path. */
  params: Record<string, string>;
  logger: Logger;
}

export interface Route {
  method: 'GET' | 'POST';
  /** e.g. `/backups/{id}` */
  path: string;
  /** The signature check (then, e.g., the replay guard), in order, before anything reads the body. 'none' must be said explicitly (e.g. a health check). */
  auth: HttpMiddleware | HttpMiddleware[] | 'none';
  /** Parse the body (JSON or form); omitted → the body is left raw. */
  body?: BodyParserOptions;
  /** Run in order after the body is parsed (validation). */
  use?: HttpMiddleware[];
  handler: (req: HttpRequest, rc: RouteContext) => Promise<HttpResponse | Record<string, unknown>>;
}

export interface HttpAppOptions {
  routes: Route[];
  maxBodyBytes?: number;
  logger?: Logger;
}

const ROUTE = 'fcdbRoute';

interface Compiled extends Route {
  pattern: RegExp;
  names: string[];
  stack: HttpMiddleware[];
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { ...route, pattern: new RegExp(`^${source}/?$`), names, stack: [...(route.auth === 'none' ? [] : [route.auth].flat()), ...(route.body ? [bodyParser(route.body)] : []), ...(route.use ?? [])] };
}

const notFound = (path: string, method: string, allowed: string[]): BackupError =>
  allowed.length > 0
    ? new BackupError({ code: 'MethodNotAllowed', category: 'validation', httpStatus: 405, message: `${method} is not allowed on ${path}; use ${allowed.join(', ')}.` })
    : new BackupError({ code: 'NotFound', category: 'not-found', message: `No route ${method} ${path}.` });

export function httpApp(o: HttpAppOptions): (event: unknown, context: FcContext) => Promise<HttpResponse> {
  const logger = o.logger ?? createLogger();
  const routes = o.routes.map(compile);

  const routerBefore = async (request: HttpMiddyRequest) => {
    const { method, path } = request.event;
    const matches = routes.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m);
    const hit = matches.find((x) => x.r.method === method);
    if (!hit || !hit.m) {
      return respondEarly(request, errorResponse(notFound(path, method, matches.map((x) => x.r.method)), requestIdOf(request)));
    }
    // The path is already decoded (fcHttpEvent): decoding it again would turn "%25ff" into a URIError, unauthenticated.
    const params = Object.fromEntries(hit.r.names.map((n, i) => [n, hit.m?.[i + 1] ?? '']));
    // The handler only receives (event, context): the chosen route travels on the context.
    request.context[ROUTE] = { route: hit.r, params };
    for (const mw of hit.r.stack) {
      const early = await mw.before?.(request);
      if (early !== undefined || request.response !== undefined) return early ?? request.response;
    }
    return undefined;
  };

  const handler = middy<HttpRequest, unknown, Error, FcContext & Record<string, unknown>>()
    .use(httpLogger({ logger }))
    .use(fcHttpEvent({ maxBodyBytes: o.maxBodyBytes }))
    .use(errorMapper({ logger }))
    .use({ before: routerBefore })
    .handler(async (event, context) => {
      const pick = context[ROUTE] as { route: Compiled; params: Record<string, string> } | undefined;
      if (!pick) throw new BackupError({ code: 'InternalError', category: 'internal', message: 'No route was chosen.' });
      const out = await pick.route.handler(event, { context, params: pick.params, logger: logger.child({ requestId: event.requestId }) });
      return 'statusCode' in out ? out : jsonResponse(200, out);
    });

  return handler as unknown as (event: unknown, context: FcContext) => Promise<HttpResponse>;
}
