// The holder's lease against the real file store: renewals on the store's clock, fencing by a margin, and a lease
// lost for good when a renewal is taken over or fails.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileStore } from '../../../shared/idempotency/file-store';
import { claim, complete, markAmbiguous, type GuardOptions } from '../../../shared/idempotency/guard';
import { Lease } from '../../../shared/idempotency/lease';
import { RedisStore } from '../../../shared/idempotency/redis-store';

const dir = mkdtempSync(join(tmpdir(), 'fcdb-lease-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let clock = Date.UTC(2026, 10, 23);
let mono = 1_000;
const store = new FileStore({ dir, now: () => clock });
const o: GuardOptions = { store, leaseMs: 30_000, ttlMs: 600_000, now: () => clock };
let n = 0;
const key = () => `fcdb_lease${++n}`;

async function held(opts: Partial<GuardOptions> = {}) {
  const sentAt = mono;
  const c = await claim(key(), 'h', { ...o, ...opts });
  if (c.kind !== 'claimed') throw new Error('expected a claim');
  const lost: string[] = [];
  const lease = new Lease(c.record, { ...o, ...opts, monotonic: () => mono, onLost: (e) => lost.push(e.code) }, sentAt);
  return { lease, lost, record: c.record };
}

describe('lease', () => {
  it('is held from the moment its claim was sent; assertHeld refuses once less than the margin is left', async () => {
    const { lease, lost } = await held();
    expect(() => lease.assertHeld(15_000, 'a CreateBackup')).not.toThrow();
    mono += 16_000;
    expect(() => lease.assertHeld(15_000, 'a CreateBackup')).toThrow(/less than the 15000 ms a CreateBackup needs/);
    expect(lost).toEqual(['IdempotencyLeaseLost']);
    // Lost for good: a later renewal does not give it back.
    expect(await lease.renew()).toBe(false);
  });

  it('a renewal writes on the store clock and extends the hold; it can carry more of the record', async () => {
    const { lease } = await held();
    mono += 20_000;
    clock += 20_000;
    expect(await lease.renew({ firstAttemptAt: '2026-11-23T00:00:20.000Z' })).toBe(true);
    expect(lease.remainingMs()).toBe(30_000);
    const saved = await store.get(lease.record.key);
    expect(saved).toMatchObject({ firstAttemptAt: '2026-11-23T00:00:20.000Z', leaseExpiresAt: clock + 30_000 });
    expect(await complete(lease.record, { jobId: '1' }, o)).toBe(true);
  });

  it('a renewal that finds the claim taken over loses the lease: the holder stops and cannot save', async () => {
    const { lease, lost, record } = await held();
    // Another invocation takes it over (the record was left ambiguous by a stalled holder).
    await markAmbiguous(record, o);
    expect(await claim(record.key, 'h', o)).toMatchObject({ kind: 'claimed', takeover: true });
    expect(await lease.renew()).toBe(false);
    expect(lost).toEqual(['IdempotencyLeaseLost']);
    expect(() => lease.assertHeld(0, 'a CreateBackup')).toThrow(/taken over/);
    expect(lease.lost).toMatchObject({ ambiguous: true, retryable: true });
    expect(await complete(lease.record, { jobId: 'stale' }, o)).toBe(false);
  });

  it('a renewal that fails (store unreachable) loses the lease too, with the store error as its cause', async () => {
    const { record } = await held();
    // The same claim renewed through a store that cannot be reached (nothing listens on port 1).
    const unreachable = new RedisStore({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 300 });
    const lost: string[] = [];
    const lease = new Lease(record, { ...o, store: unreachable, monotonic: () => mono, onLost: (e) => lost.push(e.code) }, mono);
    expect(await lease.renew()).toBe(false);
    expect(lost).toEqual(['IdempotencyLeaseLost']);
    expect(lease.lost).toMatchObject({ details: { storeCode: 'IdempotencyStoreUnavailable' } });
    expect(() => lease.assertHeld(0, 'a CreateBackup')).toThrow(/could not be renewed/);
    await unreachable.close();
  });
});
