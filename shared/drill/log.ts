// The drill history in the shared store: each DrillRecord under its own key, and two indexes beside it (every
// drill by request time, and each source database's drills) for the report and the dashboard. Placeholder for the
// drill branch's log of the same name and signature: when that lands, it replaces this file.
import type { ProductName } from '../cloud/products/catalog';
import { indexFor } from '../history/for-store';
import type { IdempotencyStore } from '../idempotency/store';
import type { DrillLog, DrillRecord } from './record';

const OWNER = 'drill-log';
const TTL_MS = 400 * 86_400_000;
const recordKey = (drillId: string) => `fcdb_drill_${drillId}`;
const dbIndex = (product: ProductName, sourceId: string) => `drill:db:${product}:${sourceId}`;
const ended = (r: DrillRecord) => r.phase === 'released' || r.phase === 'release-failed';

export function drillLogFor(store: IdempotencyStore): DrillLog {
  const index = indexFor(store);
  const read = async (ids: readonly string[]) => (await Promise.all(ids.map((id) => get(id)))).filter((r): r is DrillRecord => r !== undefined);
  async function get(drillId: string): Promise<DrillRecord | undefined> {
    return (await store.get(recordKey(drillId)))?.result as unknown as DrillRecord | undefined;
  }
  return {
    async put(r) {
      const record = { key: recordKey(r.drillId), payloadHash: OWNER, status: 'completed' as const, owner: OWNER, claimedAt: r.requestedAt, leaseExpiresAt: 0, attempts: 1, result: r as unknown as Record<string, unknown> };
      if (!(await store.putIfAbsent(record, TTL_MS)).ok) await store.compareAndSet(OWNER, record, TTL_MS);
      const score = Date.parse(r.requestedAt);
      await index.apply(
        [
          { op: 'add', index: 'drill:all', member: r.drillId, score },
          { op: 'add', index: dbIndex(r.product, r.sourceId), member: r.drillId, score },
          ended(r) ? { op: 'remove', index: 'drill:open', member: r.drillId } : { op: 'add', index: 'drill:open', member: r.drillId, score },
        ],
        TTL_MS,
      );
    },
    get,
    async open() {
      return read((await index.range('drill:open')).map((e) => e.member));
    },
    async latestFor(product, sourceId) {
      const [newest] = await index.range(dbIndex(product, sourceId), { reverse: true, limit: 1 });
      return newest ? get(newest.member) : undefined;
    },
    async recent(sinceMs) {
      return read((await index.range('drill:all', { min: Date.now() - sinceMs, reverse: true })).map((e) => e.member));
    },
  };
}
