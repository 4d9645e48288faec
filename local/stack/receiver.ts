// Stands in for Slack's response_url and DingTalk's sessionWebhook: records and prints what the worker posts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../listen';

export interface Posted {
  path: string;
  body: unknown;
  at: string;
}

export async function startReceiver(o: { port?: number; print?: (p: Posted) => void } = {}) {
  const posted: Posted[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown = Buffer.concat(chunks).toString('utf8');
      try {
        body = JSON.parse(body as string);
      } catch {
        // keep the text
      }
      const p = { path: req.url ?? '/', body, at: new Date().toISOString() };
      posted.push(p);
      o.print?.(p);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await listen(server, o.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    posted,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
