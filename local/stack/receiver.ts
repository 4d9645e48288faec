// Stands in for Slack's response_url and DingTalk's sessionWebhook (records and prints what the worker and the
// tracker post), and for the alert webhooks: a DingTalk custom robot at /notify/dingtalk that checks the
// timestamp and sign query parameters as DingTalk does, and a Slack incoming webhook at /notify/slack that checks
// the message is Block Kit. Each answers as its platform does.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen } from '../listen';
import { createHmac, timingSafeEqual } from 'node:crypto';

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

/**
 * The robot's sign as DingTalk documents it, written here on purpose apart from shared/notifications/dingtalk-robot.ts
 * so that a formula changed on the sending side fails e2e instead of being checked against itself. DingTalk's
 * custom robot security settings ("自定义机器人安全设置", 加签, https://open.dingtalk.com/document/robots/customize-robot-security-settings):
 * stringToSign = timestamp + "\n" + secret; sign = urlEncode(base64(HmacSHA256(key = secret, stringToSign))), the
 * timestamp in ms. Returned URL-encoded, as it appears on the wire. Pinned by a published vector in
 * test/unit/local/receiver-sign.test.ts.
 */
export function documentedDingtalkSign(secret: string, timestamp: string): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'));
  mac.update(Buffer.from(timestamp + '\n' + secret, 'utf8'));
  return encodeURIComponent(mac.digest().toString('base64'));
}

export function checkDingtalk(url: URL, body: unknown, secret: string | undefined, now = Date.now()): string | undefined {
  const b = body as { msgtype?: string; markdown?: { title?: unknown; text?: unknown } } | undefined;
  if (b?.msgtype !== 'markdown' || typeof b.markdown?.title !== 'string' || typeof b.markdown.text !== 'string') return 'not a markdown message';
  if (!secret) return undefined;
  const tsText = url.searchParams.get('timestamp') ?? '';
  const ts = Number(tsText);
  // searchParams decodes the sign; encoded again, it compares with the documented (URL-encoded) value.
  const sign = encodeURIComponent(url.searchParams.get('sign') ?? '');
  if (!Number.isFinite(ts) || Math.abs(now - ts) > DINGTALK_WINDOW_MS) return 'timestamp missing or outside the hour';
  const want = Buffer.from(documentedDingtalkSign(secret, tsText));
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
