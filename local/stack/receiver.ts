// Stands in for Slack's response_url and DingTalk's sessionWebhook (records and prints what the worker and the
// tracker post), and for the alert webhooks: a DingTalk custom robot at /notify/dingtalk that checks the
// timestamp and sign query parameters as DingTalk does, and a Slack incoming webhook at /notify/slack that checks
// the message is Block Kit. Each answers as its platform does.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../listen';
import { timingSafeEqual } from 'node:crypto';
import { dingtalkSign } from '../../shared/notifications/dingtalk-robot';

export interface Posted {
  path: string;
  body: unknown;
  at: string;
}

export interface Notified {
  channel: 'dingtalk' | 'slack';
  body: Record<string, unknown>;
  at: string;
}

export interface ReceiverOptions {
  port?: number;
  print?: (p: Posted) => void;
  /** The robot's signing secret: with it, an unsigned or wrongly signed alert is refused (errcode 310000). */
  dingtalkSecret?: string;
  printAlert?: (n: Notified) => void;
  /** Answer the next alerts with this HTTP status (the platform down), to test retries. */
  failNext?: number;
}

// DingTalk refuses a timestamp more than an hour from its clock.
const DINGTALK_WINDOW_MS = 3_600_000;

export function checkDingtalk(url: URL, body: unknown, secret: string | undefined, now = Date.now()): string | undefined {
  const b = body as { msgtype?: string; markdown?: { title?: unknown; text?: unknown } } | undefined;
  if (b?.msgtype !== 'markdown' || typeof b.markdown?.title !== 'string' || typeof b.markdown.text !== 'string') return 'not a markdown message';
  if (!secret) return undefined;
  const ts = Number(url.searchParams.get('timestamp'));
  const sign = url.searchParams.get('sign') ?? '';
  if (!Number.isFinite(ts) || Math.abs(now - ts) > DINGTALK_WINDOW_MS) return 'timestamp missing or outside the hour';
  const want = Buffer.from(dingtalkSign(secret, ts));
  const got = Buffer.from(sign);
  return want.length === got.length && timingSafeEqual(want, got) ? undefined : 'sign not match';
}

export function checkSlack(body: unknown): string | undefined {
  const b = body as { text?: unknown; blocks?: unknown } | undefined;
  if (typeof b?.text !== 'string' || b.text === '') return 'no_text';
  if (!Array.isArray(b.blocks) || b.blocks.length === 0 || b.blocks.some((x) => typeof (x as { type?: unknown }).type !== 'string')) return 'invalid_blocks';
  return undefined;
}

export async function startReceiver(o: ReceiverOptions = {}) {
  const posted: Posted[] = [];
  const notified: Notified[] = [];
  const refused: { channel: string; reason: string }[] = [];
  const state = { failNext: o.failNext ?? 0 };
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
      const url = new URL(req.url ?? '/', 'http://receiver');
      const channel = url.pathname === '/notify/dingtalk' ? 'dingtalk' : url.pathname === '/notify/slack' ? 'slack' : undefined;
      if (channel) {
        if (state.failNext > 0) {
          state.failNext--;
          res.writeHead(503).end('unavailable');
          return;
        }
        const problem = channel === 'dingtalk' ? checkDingtalk(url, body, o.dingtalkSecret) : checkSlack(body);
        if (problem) {
          refused.push({ channel, reason: problem });
          // DingTalk answers 200 with an errcode; Slack answers 400 with the error.
          if (channel === 'dingtalk') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode: 310000, errmsg: problem }));
          else res.writeHead(400).end(problem);
          return;
        }
        const n = { channel, body: body as Record<string, unknown>, at: new Date().toISOString() } as Notified;
        notified.push(n);
        o.printAlert?.(n);
        if (channel === 'dingtalk') res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
        else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
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
    notified,
    refused,
    failAlerts: (n: number) => {
      state.failNext = n;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
