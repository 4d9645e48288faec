// What the restore-point watch last saw of one database: its good backups in the cloud (this tool's, automated and
// console-made alike), kept in the shared store so the next look (another instance, an hour later) can tell what
// disappeared, and the report can show each database's restore points without a cloud call.
import type { ProductName } from '../cloud/products/catalog';
import type { IdempotencyStore } from '../idempotency/store';

export interface RestorePoint {
  backupId: string;
  startedAt?: string;
  manual: boolean;
}

export interface RestorePointSnapshot {
  product: ProductName;
  instanceId: string;
  /** ISO time of the look. */
  at: string;
  /** Good backups, newest first. */
  points: RestorePoint[];
}

const OWNER = 'restore-point-watch';
const keyOf = (product: ProductName, instanceId: string) => `rpwatch_${product}_${instanceId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export async function readSnapshot(store: IdempotencyStore, product: ProductName, instanceId: string): Promise<RestorePointSnapshot | undefined> {
  const r = await store.get(keyOf(product, instanceId));
  return r?.result as unknown as RestorePointSnapshot | undefined;
}

/** Last writer wins: two looks at once saw the same cloud, and the alert they might both raise has one id. */
export async function saveSnapshot(store: IdempotencyStore, s: RestorePointSnapshot, ttlMs: number): Promise<void> {
  const record = { key: keyOf(s.product, s.instanceId), payloadHash: OWNER, status: 'completed' as const, owner: OWNER, claimedAt: s.at, leaseExpiresAt: 0, attempts: 1, result: s as unknown as Record<string, unknown> };
  const put = await store.putIfAbsent(record, ttlMs);
  if (!put.ok) await store.compareAndSet(OWNER, record, ttlMs);
}

/** For the report: each database's restore points as last counted, and the oldest. */
export interface RestorePointsView {
  count: number;
  oldest?: string;
  newest?: string;
  countedAt: string;
}

export function viewOf(s: RestorePointSnapshot): RestorePointsView {
  const times = s.points.map((p) => p.startedAt).filter((t): t is string => t !== undefined).sort();
  return { count: s.points.length, ...(times[0] ? { oldest: times[0] } : {}), ...(times.length ? { newest: times[times.length - 1] } : {}), countedAt: s.at };
}

export const restorePointsFrom = (store: IdempotencyStore) => async (product: ProductName, instanceId: string): Promise<RestorePointsView | undefined> => {
  const s = await readSnapshot(store, product, instanceId);
  return s ? viewOf(s) : undefined;
};
