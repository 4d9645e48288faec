// The drills' log on the shared store: each DrillRecord beside the idempotency records (one key per drill, so the
// drill id is also its claim), and sorted indexes beside the history's (shared/history/for-store.ts) for the open
// drills, each database's drills and the recent ones.
import { randomUUID } from 'node:crypto';
import { BackupError } from '../errors';
import { indexFor } from '../history/for-store';
import type { IndexOp, SortedIndex } from '../history/sorted-index';
import type { IdempotencyRecord, IdempotencyStore } from '../idempotency/store';
import type { ProductName } from '../cloud/products/catalog';
import type { DrillLog, DrillRecord } from './record';

const recordKey = (drillId: string) => `fcdb_drill_${drillId}`;
const OPEN = 'drill:open';
const ALL = 'drill:all';
const dbIndex = (product: ProductName, sourceId: string) => `drill:db:${product}:${sourceId}`;
const MAX_CAS_ATTEMPTS = 8;
const DEFAULT_RETENTION_MS = 400 * 86_400_000;

export const isOpen = (r: DrillRecord): boolean => r.phase !== 'released' && r.phase !== 'release-failed';

export class StoreDrillLog implements DrillLog {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly index: SortedIndex,
    private readonly retentionMs = DEFAULT_RETENTION_MS,
  ) {}

  /** The drill's claim: written only if no record holds its id; else the existing record (a redelivery, a second timer). */
  async claim(record: DrillRecord): Promise<{ claimed: boolean; record: DrillRecord }> {
    await this.index.apply(this.indexOps(record).before, this.retentionMs);
    const put = await this.store.putIfAbsent(this.wrap(record, randomUUID()), this.retentionMs);
    if (put.ok) return { claimed: true, record };
    return { claimed: false, record: put.existing.result as unknown as DrillRecord };
  }

  async put(record: DrillRecord): Promise<void> {
    await this.mutate(record.drillId, () => record);
  }

  /** Compare-and-set on the stored version: `change` sees the current record, undefined leaves it as it is. */
  async mutate(drillId: string, change: (cur: DrillRecord | undefined) => DrillRecord | undefined): Promise<DrillRecord | undefined> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const stored = await this.store.get(recordKey(drillId));
      const cur = stored?.result as DrillRecord | undefined;
      const next = change(cur);
      if (!next) return cur;
      const { before, after } = this.indexOps(next);
      await this.index.apply(before, this.retentionMs);
      const wrapped = this.wrap(next, randomUUID());
      const ok = stored ? await this.store.compareAndSet(stored.owner, wrapped, this.retentionMs) : (await this.store.putIfAbsent(wrapped, this.retentionMs)).ok;
      if (ok) {
        await this.index.apply(after, this.retentionMs);
        return next;
      }
    }
    throw new BackupError({ code: 'DrillContended', category: 'transient', message: `Drill record ${drillId} kept changing under ${MAX_CAS_ATTEMPTS} writers; try again.` });
  }

  async get(drillId: string): Promise<DrillRecord | undefined> {
    return (await this.store.get(recordKey(drillId)))?.result as DrillRecord | undefined;
  }

  async open(): Promise<DrillRecord[]> {
    return this.read(await this.index.range(OPEN));
  }

  /** The open index's members, whether or not their record is still there (a lost record is an alarm, not a skip). */
  async openIds(): Promise<string[]> {
    return (await this.index.range(OPEN)).map((e) => e.member);
  }

  /** Drops a drill whose record is gone from the open index. */
  async forget(drillId: string): Promise<void> {
    await this.index.apply([{ op: 'remove', index: OPEN, member: drillId }], this.retentionMs);
  }

  async latestFor(product: ProductName, sourceId: string): Promise<DrillRecord | undefined> {
    return (await this.read(await this.index.range(dbIndex(product, sourceId), { reverse: true, limit: 1 })))[0];
  }

  async recent(sinceMs: number): Promise<DrillRecord[]> {
    return this.read(await this.index.range(ALL, { min: Date.now() - sinceMs, reverse: true }));
  }

  private async read(entries: { member: string }[]): Promise<DrillRecord[]> {
    return (await Promise.all(entries.map((e) => this.get(e.member)))).filter((r): r is DrillRecord => r !== undefined);
  }

  private wrap(r: DrillRecord, owner: string): IdempotencyRecord {
    return { key: recordKey(r.drillId), payloadHash: '', status: 'completed', owner, claimedAt: r.requestedAt, leaseExpiresAt: 0, attempts: 0, result: r as unknown as Record<string, unknown> };
  }

  /** Entries that make a record findable go before it; the one that drops it from the open set after (as the history). */
  private indexOps(r: DrillRecord): { before: IndexOp[]; after: IndexOp[] } {
    const at = Date.parse(r.requestedAt);
    const before: IndexOp[] = [
      { op: 'add', index: ALL, member: r.drillId, score: at },
      { op: 'trim', index: ALL, below: Date.now() - this.retentionMs },
      { op: 'add', index: dbIndex(r.product, r.sourceId), member: r.drillId, score: at },
    ];
    if (isOpen(r)) return { before: [...before, { op: 'add', index: OPEN, member: r.drillId, score: at }], after: [] };
    return { before, after: [{ op: 'remove', index: OPEN, member: r.drillId }] };
  }
}

export const drillLogFor = (store: IdempotencyStore, retentionMs?: number): StoreDrillLog => new StoreDrillLog(store, indexFor(store), retentionMs);
