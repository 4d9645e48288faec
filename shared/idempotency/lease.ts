// The holder's side of a claim: renewing it while the work runs, and fencing — the holder acts (CreateBackup, a
// save) only while it knows it still holds the claim by a margin. The store sets every expiry with its own clock;
// the holder never compares clocks with anyone: it counts its lease from the moment it SENT the write that renewed
// it (the store's expiry is at least that late), on its own monotonic clock.
import { performance } from 'node:perf_hooks';
import { BackupError, toBackupError } from '../errors';
import type { GuardOptions } from './guard';
import type { IdempotencyRecord } from './store';

export interface LeaseOptions extends GuardOptions {
  /** Called once when the lease is lost (a renewal taken over, or one that failed). */
  onLost?: (e: BackupError) => void;
  /** Monotonic clock, ms (default performance.now). */
  monotonic?: () => number;
}

export class Lease {
  private current: IdempotencyRecord;
  /** Monotonic ms until which the claim is certainly ours (if not lost). */
  private heldUntil: number;
  private lostError?: BackupError;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<unknown> = Promise.resolve();
  private readonly clock: () => number;

  /** `sentAt`: monotonic time at which the claim that gave us the record was sent. */
  constructor(
    record: IdempotencyRecord,
    private readonly o: LeaseOptions,
    sentAt: number,
  ) {
    this.current = record;
    this.clock = o.monotonic ?? (() => performance.now());
    this.heldUntil = sentAt + o.leaseMs;
  }

  static now(): number {
    return performance.now();
  }

  get record(): IdempotencyRecord {
    return this.current;
  }

  get lost(): BackupError | undefined {
    return this.lostError;
  }

  /** Renews every third of the lease until stop(). */
  start(): this {
    this.schedule();
    return this;
  }

  /**
   * One renewal, optionally writing more of the record (firstAttemptAt): a compare-and-set on our owner id that
   * sets a fresh expiry on the store's clock. False, or a failure, loses the lease for good — the holder stops
   * and the record is left for the next holder, which reconciles.
   */
  renew(patch: Partial<IdempotencyRecord> = {}): Promise<boolean> {
    const run = async () => {
      if (this.lostError) return false;
      const next = { ...this.current, ...patch };
      const sentAt = this.clock();
      let ok: boolean;
      try {
        ok = await this.o.store.compareAndSet(this.current.owner, next, this.o.ttlMs, { leaseMs: this.o.leaseMs });
      } catch (e) {
        this.lose(toBackupError(e), 'could not be renewed');
        return false;
      }
      if (!ok) {
        this.lose(undefined, 'was taken over by another invocation');
        return false;
      }
      this.current = next;
      this.heldUntil = sentAt + this.o.leaseMs;
      return true;
    };
    // One write at a time: a timer renewal and an explicit one never race each other.
    const p = this.inFlight.then(run, run);
    this.inFlight = p.catch(() => undefined);
    return p;
  }

  /** Throws unless the claim is still ours for at least `marginMs`: the fence in front of every CreateBackup. */
  assertHeld(marginMs: number, what: string): void {
    if (this.lostError) throw this.lostError;
    const left = this.heldUntil - this.clock();
    if (left < marginMs) {
      throw this.lose(undefined, `has ${Math.max(0, Math.round(left))} ms left, less than the ${Math.round(marginMs)} ms ${what} needs`);
    }
  }

  /** Ms the claim is certainly ours for. */
  remainingMs(): number {
    return this.lostError ? 0 : this.heldUntil - this.clock();
  }

  /** Must be awaited before the record's final write: a renewal landing after it would put it back in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(): void {
    if (this.stopped || this.lostError) return;
    this.timer = setTimeout(() => {
      void this.renew().finally(() => this.schedule());
    }, this.o.leaseMs / 3).unref();
  }

  private lose(cause: BackupError | undefined, why: string): BackupError {
    if (this.lostError) return this.lostError;
    this.lostError = new BackupError({
      code: 'IdempotencyLeaseLost',
      category: 'transient',
      ambiguous: true,
      message: `The claim on ${this.current.key} ${why}; this invocation stops without calling the cloud again, and the next holder reconciles first.`,
      details: { key: this.current.key, ...(cause ? { storeCode: cause.code } : {}) },
      cause,
    });
    this.o.onLost?.(this.lostError);
    return this.lostError;
  }
}
