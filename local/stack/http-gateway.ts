// Stands in for FC 3.0 HTTP triggers: each request becomes the event FC would send (a Buffer of
// {version, rawPath, headers, queryParameters, body, isBase64Encoded, requestContext}) for the function mounted at
// the path's first segment, and the function's {statusCode, headers, body} becomes the response.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../listen';
import type { FcContext } from '../../shared/fc/events';

export type InvokeHttp = (event: Buffer, context: FcContext) => Promise<unknown>;

export interface GatewayOptions {
  port?: number;
  /** `/deploy-hook/backups` → function `deploy-hook`, path `/backups`. */
  functions: Record<string, { handler: InvokeHttp; context: () => FcContext }>;
  /** FC refuses request bodies over 32 MB before the function runs; locally the same. */
  maxBodyBytes?: number;
}

export function toFcHttpEvent(req: IncomingMessage, path: string, body: Buffer, requestId: string): Record<string, unknown> {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  // FC keeps the client's header casing and joins repeated headers with ','.
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const text = body.toString('utf8');
  const binary = !Buffer.from(text, 'utf8').equals(body);
  return {
    version: 'v1',
    rawPath: encodeURI(path),
    headers,
    queryParameters: query,
    body: binary ? body.toString('base64') : text,
    isBase64Encoded: binary,
    requestContext: {
      accountId: '1234567890',
      domainName: 'local.fcapp.run',
      domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: req.headers['user-agent'] ?? '' },
      requestId,
      time: new Date().toISOString(),
      timeEpoch: String(Date.now()),
    },
  };
}

export async function startGateway(o: GatewayOptions): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const max = o.maxBodyBytes ?? 32 * 1024 * 1024;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const [, name = '', ...rest] = decodeURIComponent(url.pathname).split('/');
      const fn = o.functions[name];
      if (!fn) {
        res.writeHead(404, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { code: 'NoSuchFunction', message: `No function mounted at /${name}; try ${Object.keys(o.functions).map((f) => `/${f}`).join(', ')}` } }));
      }
      if (size > max) {
        res.writeHead(413);
        return res.end();
      }
      const context = { ...fn.context(), requestId: `1-${randomUUID()}` };
      const event = toFcHttpEvent(req, `/${rest.join('/')}`, Buffer.concat(chunks), context.requestId);
      try {
        const out = (await fn.handler(Buffer.from(JSON.stringify(event)), context)) as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean };
        res.writeHead(out.statusCode ?? 200, { 'x-fc-request-id': context.requestId, ...(out.headers ?? {}) });
        res.end(out.isBase64Encoded ? Buffer.from(out.body ?? '', 'base64') : (out.body ?? ''));
      } catch (e) {
        // What FC does when the handler throws: 502 with the error, here without a stack.
        res.writeHead(502, { 'content-type': 'application/json', 'x-fc-request-id': context.requestId });
        res.end(JSON.stringify({ errorMessage: e instanceof Error ? e.message : String(e), errorType: 'HandledInvocationError' }));
      }
    });
  });
  await listen(server, o.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server, close: () => new Promise<void>((r) => server.close(() => r())) };
}
