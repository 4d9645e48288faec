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
  let put;
  try {
    put = await o.store.putIfAbsent(fresh, o.ttlMs);
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
  if (existing.status === 'in_progress' && existing.leaseExpiresAt > now()) throw idempotencyInProgress(key, existing.claimedAt, existing.leaseExpiresAt);

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
  throw idempotencyInProgress(key, existing.claimedAt, now() + o.leaseMs);
}

/**
 * Renews our lease every third of it while we work, so only a dead holder's claim lapses. stop() must be awaited
 * before the record's final write: a renewal landing after it would put the record back in progress.
 */
export function keepAlive(record: IdempotencyRecord, o: GuardOptions, onError: (e: unknown) => void): { stop(): Promise<void> } {
  let stopped = false;
  let inFlight: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    inFlight = o.store
      .compareAndSet(record.owner, { ...record, leaseExpiresAt: (o.now ?? Date.now)() + o.leaseMs }, o.ttlMs)
      .catch(onError)
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, o.leaseMs / 3).unref();
      });
  };
  let timer = setTimeout(tick, o.leaseMs / 3).unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

/** Saves the outcome; false when another invocation took the claim over meanwhile. */
export const complete = (record: IdempotencyRecord, result: Record<string, unknown>, o: GuardOptions): Promise<boolean> =>
  o.store.compareAndSet(record.owner, { ...record, status: 'completed', result }, o.ttlMs);

/** The cloud may have acted and we could not find out: leave the record for the next delivery to reconcile at once. */
export const markAmbiguous = (record: IdempotencyRecord, o: GuardOptions): Promise<boolean> =>
  o.store.compareAndSet(record.owner, { ...record, status: 'ambiguous', leaseExpiresAt: 0 }, o.ttlMs);

/** Nothing happened in the cloud: free the key so a corrected or later request can proceed. Only our own claim. */
export const release = (record: IdempotencyRecord, o: GuardOptions): Promise<boolean> => o.store.deleteIfOwner(record.key, record.owner);
