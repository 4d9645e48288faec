// The test setup's Redis: used when one answers, started from PATH when none does, one line when it cannot be.
import { describe, expect, it } from 'vitest';
import { ensureRedis, installHint, onPath, redisAnswers } from '../../helpers/redis-server';
import { REDIS_URL } from '../../helpers/redis';
import { freePort } from '../../helpers/wait';


describe('ensureRedis', () => {
  it("uses the Redis that answers and starts nothing (this run's, from the global setup)", async () => {
    const r = await ensureRedis({ url: REDIS_URL });
    expect(r.url).toBe(REDIS_URL);
    expect(r.child).toBeUndefined();
  });

  it('refuses a TEST_REDIS_URL that does not answer instead of replacing it', async () => {
    await expect(ensureRedis({ url: `redis://127.0.0.1:${await freePort()}` })).rejects.toThrow(/No Redis answers at TEST_REDIS_URL/);
  });

  it.runIf(onPath('redis-server') !== undefined)('with none answering, starts redis-server from PATH on a free port, and stop() ends it', async () => {
    const r = await ensureRedis({ probe: `redis://127.0.0.1:${await freePort()}` });
    try {
      expect(r.child?.pid).toBeGreaterThan(0);
      expect(r.url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(await redisAnswers(r.url)).toBe(true);
    } finally {
      await r.stop();
    }
    expect(r.child?.exitCode ?? r.child?.signalCode).not.toBeNull();
    expect(await redisAnswers(r.url, 300)).toBe(false);
  });

  it('with none answering and no redis-server on PATH, the error is one line saying how to install it', async () => {
    const err = await ensureRedis({ probe: `redis://127.0.0.1:${await freePort()}`, pathEnv: '/nonexistent' }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe(installHint);
    expect(installHint).not.toContain('\n');
    expect(installHint).toMatch(/apt-get install redis-server/);
  });
});
