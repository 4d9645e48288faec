// The chat result is posted at most once: a reply claim taken over (an earlier sweep may have posted and died, or
// failed to save that it did) is not posted again, nor is one whose post may have arrived. Real file store, real
// HTTP receiver on loopback.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../../shared/history/record';
import { FileStore } from '../../../shared/idempotency/file-store';
import { claim } from '../../../shared/idempotency/guard';
import { payloadHash } from '../../../shared/idempotency/key';
import { createLogger } from '../../../shared/logger';
import { replyOnce, type DutyDeps } from '../../../shared/tracking/duties';

const dir = mkdtempSync(join(tmpdir(), 'fcdb-duties-'));
let clock = Date.now();
const store = new FileStore({ dir, now: () => clock });
const posted: string[] = [];
let server: Server;
let base = '';
let mode: 'ok' | 'reset' = 'ok';
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posted.push(req.url ?? '');
      // The post arrived; its answer is lost.
      if (mode === 'reset') return void req.socket.destroy();
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function subject(): HistoryRecord {
  n += 1;
  return {
    id: `fcdb_duty${n}`,
    product: 'rds',
    instanceId: 'rm-1',
    target: { product: 'rds', DBInstanceId: 'rm-1' },
    origin: { trigger: 'chat', replyTo: { platform: 'slack', url: `${base}/slack/response/${n}` } },
    state: 'succeeded',
    requestedAt: new Date(clock).toISOString(),
    endedAt: new Date(clock).toISOString(),
    duties: ['reply'],
    redispatches: 0,
    nextCheckAt: 0,
    version: 'v1',
  } as unknown as HistoryRecord;
}

const deps = (): DutyDeps =>
  ({
    notifier: { store, ttlMs: 3_600_000 },
    logger: createLogger({ requestId: 'duties-test', level: 'debug', sink: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) }),
    chatReplyLocalReceiver: base,
  }) as unknown as DutyDeps;

describe('chat result, at most once', () => {
  it('is posted once; a second sweep replays the claim and posts nothing', async () => {
    mode = 'ok';
    const r = subject();
    expect(await replyOnce(r, deps())).toBe(true);
    expect(await replyOnce(r, deps())).toBe(true);
    expect(posted.filter((p) => p.endsWith(`/${n}`))).toHaveLength(1);
  });

  it('a reply claim taken over (the earlier sweep died after posting, before saving) is not posted again', async () => {
    mode = 'ok';
    const r = subject();
    const replyTo = (r.origin as { replyTo: unknown }).replyTo;
    // The earlier sweep's claim, never completed: it posted, then its instance died.
    await claim(`${r.id}_reply`, payloadHash(replyTo), { store, leaseMs: 60_000, ttlMs: 3_600_000 });
    clock += 61_000;
    expect(await replyOnce(r, deps())).toBe(true);
    expect(posted.filter((p) => p.endsWith(`/${n}`))).toHaveLength(0);
    expect(lines.some((l) => l.msg === 'chat result may have been posted by an earlier attempt; not posting it again')).toBe(true);
  });

  it('a post whose answer was lost keeps its claim: no retry posts it a second time', async () => {
    mode = 'reset';
    const r = subject();
    expect(await replyOnce(r, deps())).toBe(false);
    mode = 'ok';
    // The next sweep within the claim's lease: not now; after it: taken over, not posted.
    expect(await replyOnce(r, deps())).toBe(false);
    clock += 61_000;
    expect(await replyOnce(r, deps())).toBe(true);
    expect(posted.filter((p) => p.endsWith(`/${n}`))).toHaveLength(1);
  });
});
