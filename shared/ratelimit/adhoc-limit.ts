// At most N ad-hoc backups per database per clock hour (ADHOC_BACKUPS_PER_HOUR), counted in the idempotency store
// across every instance: chat and the deploy gate take a slot per new request, so a leaked chat or webhook credential
// cannot spend a database's backup quota (PolarDB keeps 3 manual backups, RDS takes 20 sets a day). The timer is not
// counted: its targets are the operator's own. Slots are N records per (database, hour), each created at most once
// (putIfAbsent); the same request taking its slot again (a platform retry, a CI re-run) finds its own record.
import { BackupError } from '../errors';
import type { IdempotencyStore } from '../idempotency/store';

const hourMs = 3_600_000;

export interface AdhocDatabase {
  product: string;
  instanceId: string;
}

const slotKey = (db: AdhocDatabase, hour: number, slot: number) => `adhoc_${db.product}_${db.instanceId.replace(/[^A-Za-z0-9_-]/g, '_')}_${hour}_${slot}`;

/** Takes one of this hour's slots for `requestKey` on `db`, or throws AdhocLimitExceeded (429, with Retry-After). */
export async function takeAdhocSlot(store: IdempotencyStore, db: AdhocDatabase, requestKey: string, perHour: number, nowMs: number = Date.now()): Promise<string> {
  const hour = Math.floor(nowMs / hourMs);
  for (let slot = 0; slot < perHour; slot++) {
    const key = slotKey(db, hour, slot);
    const put = await store.putIfAbsent(
      { key, payloadHash: requestKey, status: 'completed', owner: 'adhoc-limit', claimedAt: new Date(nowMs).toISOString(), leaseExpiresAt: nowMs, attempts: 1 },
      2 * hourMs,
    );
    if (put.ok || put.existing.payloadHash === requestKey) return key;
  }
  const retryAfterSec = Math.ceil(((hour + 1) * hourMs - nowMs) / 1000);
  throw new BackupError({
    code: 'AdhocLimitExceeded',
    category: 'quota',
    retryable: true,
    message: `${db.product} ${db.instanceId} already had ${perHour} ad-hoc backups this hour (ADHOC_BACKUPS_PER_HOUR); nothing was started. Try again after ${new Date((hour + 1) * hourMs).toISOString()}.`,
    details: { limit: perHour, retryAfterSec },
  });
}

/** Gives back slots a request took when it is refused as a whole (e.g. a later target of the same request was over). */
export async function returnAdhocSlots(store: IdempotencyStore, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((k) => store.deleteIfOwner(k, 'adhoc-limit').catch(() => false)));
}
