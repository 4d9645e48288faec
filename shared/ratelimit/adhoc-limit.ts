// At most N ad-hoc backups per database in any 24 hours (ADHOC_BACKUPS_PER_DAY), counted in the idempotency store
// across every instance: chat and the deploy gate take a slot per new request, so a leaked chat or webhook credential
// cannot spend a database's backup quota (PolarDB keeps 3 manual backups, RDS takes 20 sets a day). The timer is not
// counted: its targets are the operator's own.
//
// A sliding window, not clock hours or days: a clock window let 2 + 2 requests straddle the hour (issue 16). The
// window is N slot records per database, each created at most once (putIfAbsent) with a 24 h ttl, so a slot frees
// exactly 24 h after it was taken. The record's claimedAt (this caller's clock) also decides: a record the store has
// not yet expired but whose 24 h ran out is taken over by a compare-and-set on its owner, so only one request wins it.
// The same request taking its slot again (a platform retry, a CI re-run) finds its own record.
import { randomUUID } from 'node:crypto';
import { BackupError } from '../errors';
import type { IdempotencyRecord, IdempotencyStore } from '../idempotency/store';

export const adhocWindowMs = 86_400_000;

export interface AdhocDatabase {
  product: string;
  instanceId: string;
}

/** A slot taken: give it back with returnAdhocSlots. */
export interface AdhocSlot {
  key: string;
  owner: string;
}

const slotKey = (db: AdhocDatabase, slot: number) => `adhoc_${db.product}_${db.instanceId.replace(/[^A-Za-z0-9_-]/g, '_')}_${slot}`;

const takenAt = (r: IdempotencyRecord): number => Date.parse(r.claimedAt);
const live = (r: IdempotencyRecord, nowMs: number): boolean => takenAt(r) + adhocWindowMs > nowMs;

/** Takes one of `db`'s slots of the last 24 h for `requestKey`, or throws AdhocLimitExceeded (429, with Retry-After). */
export async function takeAdhocSlot(store: IdempotencyStore, db: AdhocDatabase, requestKey: string, perDay: number, nowMs: number = Date.now()): Promise<AdhocSlot> {
  const keys = Array.from({ length: perDay }, (_, slot) => slotKey(db, slot));
  // Own slot first, in any position: a retry must not take a second slot because an earlier one freed meanwhile.
  const current = await Promise.all(keys.map((k) => store.get(k)));
  const own = current.findIndex((r) => r !== undefined && live(r, nowMs) && r.payloadHash === requestKey);
  if (own >= 0) return { key: keys[own] as string, owner: (current[own] as IdempotencyRecord).owner };

  const holders: IdempotencyRecord[] = [];
  for (const key of keys) {
    const owner = `adhoc-limit:${randomUUID()}`;
    const record: IdempotencyRecord = { key, payloadHash: requestKey, status: 'completed', owner, claimedAt: new Date(nowMs).toISOString(), leaseExpiresAt: nowMs, attempts: 1 };
    const put = await store.putIfAbsent(record, adhocWindowMs);
    if (put.ok) return { key, owner };
    const existing = put.existing;
    if (live(existing, nowMs)) {
      if (existing.payloadHash === requestKey) return { key, owner: existing.owner };
      holders.push(existing);
      continue;
    }
    // Its 24 h ran out on our clock before the store's ttl did: one compare-and-set on its owner takes it over.
    if (await store.compareAndSet(existing.owner, record, adhocWindowMs)) return { key, owner };
    const now = await store.get(key);
    if (now && live(now, nowMs)) {
      if (now.payloadHash === requestKey) return { key, owner: now.owner };
      holders.push(now);
    }
  }
  const frees = holders.length > 0 ? Math.min(...holders.map((r) => takenAt(r) + adhocWindowMs)) : nowMs + 1000;
  const freesAt = new Date(frees).toISOString();
  throw new BackupError({
    code: 'AdhocLimitExceeded',
    category: 'quota',
    retryable: true,
    message: `${db.product} ${db.instanceId} already had ${perDay} ad-hoc backups in the last 24 hours (ADHOC_BACKUPS_PER_DAY); nothing was started. The oldest slot frees at ${freesAt}.`,
    details: { limit: perDay, retryAfterSec: Math.max(1, Math.ceil((frees - nowMs) / 1000)), freesAt },
  });
}

/** Gives back slots a request took when it is refused as a whole (e.g. a later target of the same request was over). */
export async function returnAdhocSlots(store: IdempotencyStore, slots: readonly AdhocSlot[]): Promise<void> {
  await Promise.all(slots.map((s) => store.deleteIfOwner(s.key, s.owner).catch(() => false)));
}
