// The idempotency algorithm, independent of the backend: claim → (caller does the work) → complete,
// with takeover of abandoned claims and refusal of a reused key with another payload.
import { randomUUID } from 'node:crypto';
import { idempotencyInProgress, idempotencyMismatch } from '../errors';
import type { IdempotencyRecord, IdempotencyStore } from './store';

export interface GuardOptions {
  store: IdempotencyStore;
  /** How long an in_progress claim holds before it counts as abandoned: the invocation's remaining time. */
  leaseMs: number;
  /** How long any record is kept (covers FC's maximum async event age). */
  ttlMs: number;
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
    leaseExpiresAt: now() + o.leaseMs,
    attempts: 1,
  };
  const put = await o.store.putIfAbsent(fresh, o.ttlMs);
  if (put.ok) return { kind: 'claimed', record: fresh, takeover: false };

  const existing = put.existing;
  if (existing.payloadHash !== hash) throw idempotencyMismatch(key);
  if (existing.status === 'completed') return { kind: 'replay', record: existing };
  if (existing.status === 'in_progress' && existing.leaseExpiresAt > now()) throw idempotencyInProgress(key, existing.claimedAt);

  // Abandoned (lease ran out) or left ambiguous: take it over, keeping the first claim time so
  // reconciliation looks back far enough. Only one contender wins the compare-and-set.
  const next: IdempotencyRecord = {
    ...existing,
    status: 'in_progress',
    owner: fresh.owner,
    leaseExpiresAt: now() + o.leaseMs,
    attempts: existing.attempts + 1,
  };
  if (await o.store.compareAndSet(existing.owner, next, o.ttlMs)) return { kind: 'claimed', record: next, takeover: true };
  throw idempotencyInProgress(key, existing.claimedAt);
}

/** Saves the outcome; false when another invocation took the claim over meanwhile. */
export const complete = (record: IdempotencyRecord, result: Record<string, unknown>, o: GuardOptions): Promise<boolean> =>
  o.store.compareAndSet(record.owner, { ...record, status: 'completed', result }, o.ttlMs);

/** The cloud may have acted and we could not find out: leave the record for the next delivery to reconcile at once. */
export const markAmbiguous = (record: IdempotencyRecord, o: GuardOptions): Promise<boolean> =>
  o.store.compareAndSet(record.owner, { ...record, status: 'ambiguous', leaseExpiresAt: 0 }, o.ttlMs);

/** Nothing happened in the cloud: free the key so a corrected or later request can proceed. Only our own claim. */
export const release = (record: IdempotencyRecord, o: GuardOptions): Promise<boolean> => o.store.deleteIfOwner(record.key, record.owner);
