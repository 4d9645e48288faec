// Alerts that belong to no backup record (a selector that matched nothing, a run that failed): kept in the store
// until every channel has them, so the tracker retries what the raising invocation could not deliver.
import type { IdempotencyStore } from '../idempotency/store';
import type { SortedIndex } from '../history/sorted-index';
import type { Alert } from './alert';

const OUTBOX = 'outbox';
const keyOf = (id: string) => `fcdb_alert_${id}`;

export class Outbox {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly index: SortedIndex,
    private readonly ttlMs: number,
  ) {}

  /** Idempotent: the same alert id is kept once. */
  async put(alert: Alert): Promise<void> {
    await this.index.apply([{ op: 'add', index: OUTBOX, member: alert.id, score: Date.parse(alert.at) || Date.now() }], this.ttlMs);
    await this.store.putIfAbsent(
      { key: keyOf(alert.id), payloadHash: '', status: 'completed', owner: 'outbox', claimedAt: alert.at, leaseExpiresAt: 0, attempts: 0, result: alert as unknown as Record<string, unknown> },
      this.ttlMs,
    );
  }

  async pending(limit: number): Promise<Alert[]> {
    const ids = (await this.index.range(OUTBOX, { limit })).map((e) => e.member);
    const alerts = await Promise.all(ids.map(async (id) => (await this.store.get(keyOf(id)))?.result as Alert | undefined));
    return alerts.filter((a): a is Alert => a !== undefined);
  }

  async done(id: string): Promise<void> {
    await this.index.apply([{ op: 'remove', index: OUTBOX, member: id }], this.ttlMs);
  }
}
