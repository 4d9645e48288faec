import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupError } from '../../../shared/errors';
import { FileStore } from '../../../shared/idempotency/file-store';
import { RedisStore } from '../../../shared/idempotency/redis-store';
import type { IdempotencyStore } from '../../../shared/idempotency/store';
import { adhocWindowMs, returnAdhocSlots, takeAdhocSlot } from '../../../shared/ratelimit/adhoc-limit';
import { cleanupPrefix, REDIS_URL, runPrefix } from '../../helpers/redis';

const dir = mkdtempSync(join(tmpdir(), 'fcdb-adhoc-'));
const prefix = runPrefix('adhoc-limit');
const opened: IdempotencyStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
  await cleanupPrefix(prefix);
});

// The injected clock: the limiter's `nowMs`, and for the file store also the store's own clock (its ttl).
let clock = 0;
let n = 0;
const stores: [string, () => IdempotencyStore][] = [
  ['file store', () => new FileStore({ dir: join(dir, String(n++)), now: () => clock })],
  ['redis store', () => new RedisStore({ url: REDIS_URL, keyPrefix: `${prefix}${n++}:` })],
];
const open = (make: () => IdempotencyStore): IdempotencyStore => {
  const s = make();
  opened.push(s);
  return s;
};
const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

const at2350 = Date.UTC(2026, 11, 1, 23, 50, 0);
const at0010 = Date.UTC(2026, 11, 2, 0, 10, 0);
const db = { product: 'polardb', instanceId: 'pc-1' };

describe.each(stores)('takeAdhocSlot, sliding 24 h window (%s)', (_name, make) => {
  it('3 at 23:50 and 3 more at 00:10 the next day: every one after the 3rd is refused across the clock boundary, naming when the oldest slot frees', async () => {
    const store = open(make);
    clock = at2350;
    for (const r of ['a', 'b', 'c']) await takeAdhocSlot(store, db, `req-${r}`, 3, clock);
    clock = at0010;
    for (const r of ['d', 'e', 'f']) {
      const e = await refusal(takeAdhocSlot(store, db, `req-${r}`, 3, clock));
      expect(e).toBeInstanceOf(BackupError);
      expect(e).toMatchObject({
        code: 'AdhocLimitExceeded',
        httpStatus: 429,
        retryable: true,
        message: expect.stringContaining('polardb pc-1 already had 3 ad-hoc backups in the last 24 hours (ADHOC_BACKUPS_PER_DAY); nothing was started. The oldest slot frees at 2026-12-02T23:50:00.000Z.'),
        details: { limit: 3, retryAfterSec: 23 * 3600 + 40 * 60, freesAt: '2026-12-02T23:50:00.000Z' },
      });
    }
    // Another database is not affected.
    await takeAdhocSlot(store, { product: 'polardb', instanceId: 'pc-2' }, 'req-d', 3, clock);
  });

  it('a slot frees exactly 24 h after it was taken, one slot per freed one; the same request finds its own slot', async () => {
    const store = open(make);
    const t0 = Date.UTC(2026, 11, 5, 9, 0, 0);
    clock = t0;
    const a = await takeAdhocSlot(store, db, 'req-a', 2, clock);
    clock = t0 + 3_600_000;
    await takeAdhocSlot(store, db, 'req-b', 2, clock);
    // A retry of req-a (a platform retry, a CI re-run) is the same request: its own slot, no new one.
    expect(await takeAdhocSlot(store, db, 'req-a', 2, clock)).toEqual(a);
    clock = t0 + adhocWindowMs - 1;
    await expect(takeAdhocSlot(store, db, 'req-c', 2, clock)).rejects.toMatchObject({ details: { retryAfterSec: 1, freesAt: new Date(t0 + adhocWindowMs).toISOString() } });
    clock = t0 + adhocWindowMs;
    const c = await takeAdhocSlot(store, db, 'req-c', 2, clock);
    expect(c.key).toBe(a.key);
    // Only req-a's slot freed: req-b's is still held until its own 24 h are up.
    await expect(takeAdhocSlot(store, db, 'req-d', 2, clock)).rejects.toMatchObject({ details: { freesAt: new Date(t0 + 3_600_000 + adhocWindowMs).toISOString() } });
    // req-a, coming back after its 24 h, is a new ad-hoc backup and is refused like any other.
    await expect(takeAdhocSlot(store, db, 'req-a', 2, clock)).rejects.toMatchObject({ code: 'AdhocLimitExceeded' });
  });

  it('two instances racing for the last slot: exactly one wins it', async () => {
    const store = open(make);
    const twin = open(make === stores[0]![1] ? () => new FileStore({ dir: (store as FileStore).dir, now: () => clock }) : () => new RedisStore({ url: REDIS_URL, keyPrefix: (store as RedisStore).keyPrefix }));
    clock = Date.UTC(2026, 11, 7, 12, 0, 0);
    const results = await Promise.allSettled([takeAdhocSlot(store, db, 'r1', 1, clock), takeAdhocSlot(twin, db, 'r2', 1, clock)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('slots are given back when a request is refused as a whole', async () => {
    const store = open(make);
    clock = Date.UTC(2026, 11, 8, 12, 0, 0);
    const k1 = await takeAdhocSlot(store, db, 'r1', 1, clock);
    await expect(takeAdhocSlot(store, db, 'r2', 1, clock)).rejects.toMatchObject({ code: 'AdhocLimitExceeded' });
    await returnAdhocSlots(store, [k1]);
    await takeAdhocSlot(store, db, 'r2', 1, clock);
  });
});

describe('the store itself frees a slot 24 h after it was taken (its ttl)', () => {
  it('file store: the record is gone at exactly 24 h on the store clock', async () => {
    const store = open(stores[0]![1]);
    clock = Date.UTC(2026, 11, 9, 8, 0, 0);
    const s = await takeAdhocSlot(store, db, 'r1', 1, clock);
    clock += adhocWindowMs - 1;
    expect(await store.get(s.key)).toBeDefined();
    clock += 1;
    expect(await store.get(s.key)).toBeUndefined();
  });

  it('redis store: the slot key carries a 24 h PX ttl', async () => {
    const keyPrefix = `${prefix}ttl:`;
    const store = open(() => new RedisStore({ url: REDIS_URL, keyPrefix }));
    const s = await takeAdhocSlot(store, db, 'r1', 1);
    const redis = new Redis(REDIS_URL);
    try {
      const pttl = await redis.pttl(`${keyPrefix}${s.key}`);
      expect(pttl).toBeGreaterThan(adhocWindowMs - 5_000);
      expect(pttl).toBeLessThanOrEqual(adhocWindowMs);
    } finally {
      redis.disconnect();
    }
  });
});
