// The idempotency algorithm against the real file store: claim, replay, in progress, mismatch, takeover.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupError } from '../../../shared/errors';
import { FileStore } from '../../../shared/idempotency/file-store';
import { claim, complete, markAmbiguous, release, type GuardOptions } from '../../../shared/idempotency/guard';
import { canonicalJson, clientToken, idempotencyKey, payloadHash } from '../../../shared/idempotency/key';

const dir = mkdtempSync(join(tmpdir(), 'fcdb-guard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let clock = Date.UTC(2026, 10, 23);
const o: GuardOptions = { store: new FileStore({ dir, now: () => clock }), leaseMs: 1_000, ttlMs: 60_000, now: () => clock };
let n = 0;
const key = () => `fcdb_guard${++n}`;

describe('keys', () => {
  it('are deterministic, order-insensitive, and safe for every place a key travels', () => {
    const a = idempotencyKey('timer', ['fn', 'nightly', '2026-11-23T02:00:00Z'], { product: 'rds', DBInstanceId: 'rm-1', BackupMethod: 'Physical' });
    const b = idempotencyKey('timer', ['fn', 'nightly', '2026-11-23T02:00:00Z'], { BackupMethod: 'Physical', DBInstanceId: 'rm-1', product: 'rds' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/);
    expect(idempotencyKey('timer', ['fn', 'nightly', '2026-11-23T02:00:01Z'], { product: 'rds', DBInstanceId: 'rm-1' })).not.toBe(a);
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}');
  });
  it('PolarDB ClientToken is ≤ 64 ASCII characters and stable per key', () => {
    const k = key();
    expect(clientToken(k)).toBe(clientToken(k));
    expect(clientToken(k)).toMatch(/^[\x21-\x7e]{1,64}$/);
    expect(clientToken(k)).not.toBe(clientToken(`${k}x`));
  });
});

describe('guard', () => {
  it('first claim wins; after completion the saved outcome is replayed', async () => {
    const k = key();
    const c = await claim(k, payloadHash({ a: 1 }), o);
    expect(c.kind).toBe('claimed');
    if (c.kind !== 'claimed') return;
    expect(c.takeover).toBe(false);
    await expect(claim(k, payloadHash({ a: 1 }), o)).rejects.toMatchObject({ code: 'IdempotencyInProgress', httpStatus: 409, retryable: true });
    expect(await complete(c.record, { jobId: '42' }, o)).toBe(true);
    const again = await claim(k, payloadHash({ a: 1 }), o);
    expect(again).toMatchObject({ kind: 'replay', record: { result: { jobId: '42' } } });
  });

  it('the same key with another payload is refused with 422', async () => {
    const k = key();
    await claim(k, payloadHash({ a: 1 }), o);
    const e = await claim(k, payloadHash({ a: 2 }), o).catch((x: BackupError) => x);
    expect(e).toBeInstanceOf(BackupError);
    expect(e).toMatchObject({ code: 'IdempotencyKeyMismatch', httpStatus: 422 });
  });

  it('an expired lease is taken over once, keeping the first claim time; the old holder can no longer complete', async () => {
    const k = key();
    const first = await claim(k, 'h', o);
    if (first.kind !== 'claimed') throw new Error('expected a claim');
    clock += 1_001;
    const results = await Promise.allSettled([claim(k, 'h', o), claim(k, 'h', o), claim(k, 'h', o)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const taken = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof claim>>>).value;
    expect(taken).toMatchObject({ kind: 'claimed', takeover: true, record: { claimedAt: first.record.claimedAt, attempts: 2 } });
    expect(await complete(first.record, { jobId: 'stale' }, o)).toBe(false);
  });

  it('an ambiguous record is taken over at once; a released one is free again', async () => {
    const k = key();
    const c = await claim(k, 'h', o);
    if (c.kind !== 'claimed') throw new Error('expected a claim');
    await markAmbiguous(c.record, o);
    expect(await claim(k, 'h', o)).toMatchObject({ kind: 'claimed', takeover: true });
    const k2 = key();
    const c2 = await claim(k2, 'h', o);
    if (c2.kind !== 'claimed') throw new Error('expected a claim');
    expect(await release(c2.record, o)).toBe(true);
    expect(await claim(k2, 'h', o)).toMatchObject({ kind: 'claimed', takeover: false });
  });

  it("leases are judged by the store's clock: a reader 20 s ahead takes over no healthy lease, and a lapsed one once", async () => {
    const k = key();
    const store = new FileStore({ dir, now: () => clock });
    const holder: GuardOptions = { store, leaseMs: 30_000, ttlMs: 60_000, now: () => clock };
    const ahead: GuardOptions = { ...holder, now: () => clock + 20_000 };
    expect(await claim(k, 'h', holder)).toMatchObject({ kind: 'claimed' });
    clock += 15_000;
    // Its own clock says the lease ended 5 s ago; the store's says 15 s are left.
    const e = await claim(k, 'h', ahead).catch((x: BackupError) => x);
    expect(e).toMatchObject({ code: 'IdempotencyInProgress', details: { retryAfterSec: 15 } });
    clock += 15_001;
    expect(await claim(k, 'h', ahead)).toMatchObject({ kind: 'claimed', takeover: true });
  });
});
