// The idempotency algorithm, independent of the backend: claim → (caller does the work) → complete,
// with takeover of abandoned claims and refusal of a reused key with another payload.
import { randomUUID } from 'node:crypto';
import { idempotencyInProgress, idempotencyMismatch } from '../errors';
import type { IdempotencyRecord, IdempotencyStore } from './store';

export interface GuardOptions {
  store: IdempotencyStore;
  /** How long an in_progress claim holds without renewal before it counts as abandoned (the store's clock). */
  leaseMs: number;
  /** How long any record is kept (covers FC's maximum async event age). */
  ttlMs: number;
  /** This instance's clock: only for claimedAt / firstAttemptAt, which are compared with the cloud's job times. */
  now?: () => number;
}

export type Claim =
  | { kind: 'replay'; record: IdempotencyRecord }
  /** `takeover`: an earlier holder may already have called the cloud; reconcile before creating anything. */
  | { kind: 'claimed'; record: IdempotencyRecord; takeover: boolean };

export async function claim(key: string, hash: string, o: GuardOptions): Promise<Claim> {
  const now = o.now ?? Date.now;
  const fresh: IdempotencyRecord = {
    key,
    payloadHash: hash,
    status: 'in_progress',
    owner: randomUUID(),
    claimedAt: new Date(now()).toISOString(),
    // Placeholder: the store writes its own now + leaseMs.
    leaseExpiresAt: 0,
    attempts: 1,
  };
  let put;
  try {
    put = await o.store.putIfAbsent(fresh, o.ttlMs, { leaseMs: o.leaseMs });
  } catch (e) {
    // The write may have happened with its answer lost: remove our own claim, or it would block every redelivery
    // until its lease runs out. Only this invocation knows the random owner id, so this can delete nothing else.
    await o.store.deleteIfOwner(key, fresh.owner).catch(() => undefined);
    throw e;
  }
  if (put.ok) return { kind: 'claimed', record: fresh, takeover: false };

  const existing = put.existing;
  if (existing.payloadHash !== hash) throw idempotencyMismatch(key);
  if (existing.status === 'completed') return { kind: 'replay', record: existing };
  // Judged by the store's clock (put.now), never ours: a reader whose clock runs ahead takes over no healthy lease.
  if (existing.status === 'in_progress' && existing.leaseExpiresAt > put.now) throw idempotencyInProgress(key, existing.claimedAt, existing.leaseExpiresAt - put.now);

  // Abandoned (lease ran out) or left ambiguous: take it over, keeping the first claim and attempt times so
  // reconciliation looks back far enough. Only one contender wins the compare-and-set, and only while the record is
  // still lapsed: a holder that renewed meanwhile keeps it.
  const next: IdempotencyRecord = { ...existing, status: 'in_progress', owner: fresh.owner, leaseExpiresAt: 0, attempts: existing.attempts + 1 };
  if (await o.store.compareAndSet(existing.owner, next, o.ttlMs, { leaseMs: o.leaseMs, ifLapsed: true })) return { kind: 'claimed', record: next, takeover: true };
  throw idempotencyInProgress(key, existing.claimedAt, o.leaseMs);
}

/** Saves the outcome; false when another invocation took the claim over meanwhile (the owner check is the fence). */
export const complete = (record: IdempotencyRecord, result: Record<string, unknown>, o: GuardOptions): Promise<boolean> =>
  o.store.compareAndSet(record.owner, { ...record, status: 'completed', result }, o.ttlMs);

/** The cloud may have acted and we could not find out: leave the record for the next delivery to reconcile at once. */
export const markAmbiguous = (record: IdempotencyRecord, o: GuardOptions): Promise<boolean> =>
  o.store.compareAndSet(record.owner, { ...record, status: 'ambiguous', leaseExpiresAt: 0 }, o.ttlMs);

/** Nothing happened in the cloud: free the key so a corrected or later request can proceed. Only our own claim. */
export const release = (record: IdempotencyRecord, o: GuardOptions): Promise<boolean> => o.store.deleteIfOwner(record.key, record.owner);
