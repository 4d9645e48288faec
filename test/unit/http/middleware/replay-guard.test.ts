import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import middy from '@middy/core';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../../../shared/idempotency/file-store';
import { RedisStore } from '../../../../shared/idempotency/redis-store';
import { cleanupPrefix, REDIS_URL, runPrefix } from '../../../helpers/redis';
import type { IdempotencyStore } from '../../../../shared/idempotency/store';
import { createLogger } from '../../../../shared/logger';
import { errorMapper } from '../../../../shared/http/middleware/error-mapper';
import { fcHttpEvent } from '../../../../shared/http/middleware/fc-http-event';
import { refuseReplays, replayKey, type ReplayGuardOptions } from '../../../../shared/http/middleware/replay-guard';
import type { HttpResponse } from '../../../../shared/http/middleware/response';

const dir = mkdtempSync(join(tmpdir(), 'fcdb-replay-'));
const prefix = runPrefix('replay-guard');
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await cleanupPrefix(prefix);
});

const event = (sig: string | undefined) =>
  Buffer.from(JSON.stringify({ rawPath: '/x', headers: sig ? { 'x-sig': sig } : {}, body: '', requestContext: { requestId: 'r1', http: { method: 'POST', path: '/x', sourceIp: '10.0.0.1' } } }));

function app(store: IdempotencyStore, over: Partial<ReplayGuardOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({ sink: (l) => lines.push(l) });
  let handled = 0;
  const h = middy()
    .use(fcHttpEvent())
    .use(errorMapper({ logger }))
    .use(refuseReplays({ name: 'test', idOf: (req) => req.headers['x-sig'], windowMs: 60_000, store: () => store, logger, ...over }))
    .handler(async () => {
      handled++;
      return { ok: true };
    });
  return { call: async (sig?: string) => (await h(event(sig) as never, { requestId: 'c' } as never)) as HttpResponse, handled: () => handled, lines };
}

describe('refuseReplays', () => {
  it('lets a delivery through once and answers the same one again 401 "replayed", logged', async () => {
    const a = app(new FileStore({ dir }));
    expect((await a.call('sig-1')).statusCode).toBe(200);
    const again = await a.call('sig-1');
    expect(again.statusCode).toBe(401);
    expect(JSON.parse(again.body).error.details.reason).toBe('replayed');
    expect((await a.call('sig-2')).statusCode).toBe(200);
    expect(a.handled()).toBe(2);
    expect(a.lines.some((l) => l.includes('test request refused: replayed'))).toBe(true);
  });

  it('is shared through the store: a second instance (another FileStore on the same directory) refuses it too', async () => {
    expect((await app(new FileStore({ dir })).call('sig-shared')).statusCode).toBe(200);
    expect((await app(new FileStore({ dir })).call('sig-shared')).statusCode).toBe(401);
  });

  it('in Redis, as deployed: two instances (two connections) accept a delivery once between them', async () => {
    const a = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
    const b = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
    try {
      const [x, y] = await Promise.all([app(a).call('sig-redis'), app(b).call('sig-redis')]);
      expect([x.statusCode, y.statusCode].sort()).toEqual([200, 401]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('forgets a delivery after its window (the store record expires)', async () => {
    const a = app(new FileStore({ dir }), { windowMs: 50 });
    expect((await a.call('sig-short')).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 80));
    expect((await a.call('sig-short')).statusCode).toBe(200);
  });

  it('a store that cannot be reached refuses (503, retryable) rather than letting a possible replay through', async () => {
    const broken = { putIfAbsent: () => Promise.reject(new Error('ECONNREFUSED')) } as unknown as IdempotencyStore;
    const r = await app(broken).call('sig-3');
    expect(r.statusCode).toBe(503);
    expect(JSON.parse(r.body).error.code).toBe('IdempotencyStoreUnavailable');
  });

  it('does nothing without an id, keys by a hash (never the signature itself), and checks its options', async () => {
    const a = app(new FileStore({ dir }));
    expect((await a.call()).statusCode).toBe(200);
    expect(replayKey('deploy', 'sha256=abc')).toMatch(/^replay_deploy_[0-9a-f]{48}$/);
    expect(() => refuseReplays({ name: '', idOf: () => 'x', windowMs: 1, store: () => new FileStore({ dir }) })).toThrow(/name/);
    expect(() => refuseReplays({ name: 'n', idOf: () => 'x', windowMs: 0, store: () => new FileStore({ dir }) })).toThrow(/windowMs/);
  });
});
