// The persistence contract of the idempotency layer. The algorithm (shared/idempotency/guard.ts) only talks to
// this interface; each backend (file-store.ts, redis-store.ts) implements it with one atomic primitive per method.

export type RecordStatus = 'in_progress' | 'ambiguous' | 'completed';

export interface IdempotencyRecord {
  key: string;
  /** sha256 of the canonical payload: the same key with a different payload is refused. */
  payloadHash: string;
  status: RecordStatus;
  /** Random id of the invocation holding the record; every write after the claim is a compare-and-set on it. */
  owner: string;
  /** ISO time of the first claim: reconciliation adopts jobs started since then. */
  claimedAt: string;
  /** Epoch ms after which an in_progress claim is considered abandoned (its holder crashed) and may be taken over. */
  leaseExpiresAt: number;
  /** Saved outcome, set when status is completed. */
  result?: Record<string, unknown>;
  attempts: number;
}

export type PutResult = { ok: true } | { ok: false; existing: IdempotencyRecord };

export interface IdempotencyStore {
  /** Atomically create the record unless one exists (an existing record whose ttl ran out counts as absent). */
  putIfAbsent(record: IdempotencyRecord, ttlMs: number): Promise<PutResult>;
  /** Atomically replace the record only if its current owner is `expectedOwner`. */
  compareAndSet(expectedOwner: string, record: IdempotencyRecord, ttlMs: number): Promise<boolean>;
  /** Atomically delete the record only if its current owner is `expectedOwner`. */
  deleteIfOwner(key: string, expectedOwner: string): Promise<boolean>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  close(): Promise<void>;
}
