// The persistence contract of the idempotency layer. The algorithm (shared/idempotency/guard.ts) only talks to
// this interface; each backend (file-store.ts, redis-store.ts) implements it with one atomic primitive per method.
// Lease times come from ONE clock, the store's (Redis TIME inside the scripts; the file store's machine clock):
// an instance's own clock never decides whether another instance's lease has run out.

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
  /**
   * Epoch ms, on the store's clock, after which an in_progress claim is considered abandoned (its holder crashed or
   * stalled) and may be taken over. Written by the store itself when a write carries `leaseMs`.
   */
  leaseExpiresAt: number;
  /**
   * ISO time (this instance's clock) written to the record before the first CreateBackup of a product without a
   * ClientToken: reconciliation adopts only jobs started from then on, and a takeover of a record without it knows
   * that no attempt was ever made.
   */
  firstAttemptAt?: string;
  /** ISO time written before the latest CreateBackup: jobs started much later are not this request's. */
  lastAttemptAt?: string;
  /** Ids of the backup jobs running on the instance just before the first attempt (none of them is ours). */
  runningBefore?: string[];
  /** Saved outcome, set when status is completed. */
  result?: Record<string, unknown>;
  attempts: number;
}

/** `now`: the store's clock when it answered, to judge the existing record's lease by. */
export type PutResult = { ok: true } | { ok: false; existing: IdempotencyRecord; now: number };

export interface WriteOptions {
  /** Set the record's leaseExpiresAt to the store's now + leaseMs. */
  leaseMs?: number;
  /** Only if the current record is ambiguous, or in progress with its lease run out (a takeover). */
  ifLapsed?: boolean;
}

export interface IdempotencyStore {
  /** Atomically create the record unless one exists (an existing record whose ttl ran out counts as absent). */
  putIfAbsent(record: IdempotencyRecord, ttlMs: number, o?: Pick<WriteOptions, 'leaseMs'>): Promise<PutResult>;
  /** Atomically replace the record only if its current owner is `expectedOwner` (and, with `ifLapsed`, its lease ran out). */
  compareAndSet(expectedOwner: string, record: IdempotencyRecord, ttlMs: number, o?: WriteOptions): Promise<boolean>;
  /** Atomically delete the record only if its current owner is `expectedOwner`. */
  deleteIfOwner(key: string, expectedOwner: string): Promise<boolean>;
  get(key: string): Promise<IdempotencyRecord | undefined>;
  close(): Promise<void>;
}
