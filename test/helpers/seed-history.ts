// A month of nights written through the real History API at the times they would have happened (a clock the
// seeder moves), for the dashboard's tests and bench: each database's nightly backup, with the nights a test names
// failed, missing or ad-hoc. Duties are settled as the tracker would have, so no sweep acts on these records.
import { mapLimit } from '../../shared/backup/batch';
import { catalogOf } from '../../shared/cloud/products/registry';
import type { ProductName } from '../../shared/cloud/products/catalog';
import { historyFor } from '../../shared/history/for-store';
import type { History } from '../../shared/history/history';
import type { IdempotencyStore } from '../../shared/idempotency/store';

const DAY = 86_400_000;

export interface SeedDatabase {
  product: ProductName;
  instanceId: string;
  tags?: Record<string, string>;
  /** Bytes of the first night's backup; it grows by `growth` per night. */
  sizeBytes?: number;
  growth?: number;
  durationMs?: number;
  /** Nights (days ago, 0 = last night) that went otherwise: failed, no backup at all, an ad-hoc backup only. */
  nights?: Record<number, 'failed' | 'missing' | 'adhoc'>;
}

export interface SeedOptions {
  store: IdempotencyStore;
  databases: readonly SeedDatabase[];
  days?: number;
  /**
   * The nightly backup's hour, UTC. The default, 16:00 UTC, is midnight in Asia/Shanghai (the dashboard's default
   * zone): the last night seeded then always falls on the dashboard's "today", whatever time the test runs. (With
   * 18:00, a run between 16:00 and 18:00 UTC saw today's cell still empty and the oldest night gone off the strip.)
   */
  hourUtc?: number;
  now?: number;
  concurrency?: number;
}

/** Writes the nights; returns the last night's time (the seeded history's "now"). */
export async function seedHistory(o: SeedOptions): Promise<number> {
  const now = o.now ?? Date.now();
  const days = o.days ?? 35;
  const hour = o.hourUtc ?? 16;
  const lastNight = Math.floor((now - hour * 3_600_000) / DAY) * DAY + hour * 3_600_000;
  await mapLimit([...o.databases], o.concurrency ?? 20, async (d) => {
    let t = 0;
    const history: History = historyFor(o.store, { retentionMs: 40 * DAY, now: () => t });
    for (let ago = days - 1; ago >= 0; ago--) {
      const kind = d.nights?.[ago];
      if (kind === 'missing') continue;
      const at = lastNight - ago * DAY;
      t = at;
      const night = days - 1 - ago;
      const key = `fcdb_seed_${d.product}_${d.instanceId}_${at}`;
      const target = { product: d.product, [catalogOf(d.product).idField]: d.instanceId } as never;
      const origin = kind === 'adhoc' ? { trigger: 'chat' as const, requestedBy: 'seed' } : { trigger: 'timer' as const };
      const rec = await history.requested({ id: key, target, product: d.product, instanceId: d.instanceId, origin }, { jobId: `j${night}-${d.instanceId}`, requestedAt: new Date(at).toISOString() });
      const duration = (d.durationMs ?? 60_000) * (1 + (night % 5) / 10);
      t = at + duration;
      const size = (d.sizeBytes ?? 2 ** 30) + night * (d.growth ?? 0);
      const ended = await history.finish(
        rec,
        kind === 'failed'
          ? { state: 'failed', error: { code: 'BackupJobFailed', message: 'The backup set reports BackupStatus Failed.' } }
          : { state: 'succeeded', backupId: `b${night}-${d.instanceId}`, startedAt: new Date(at).toISOString(), finishedAt: new Date(at + duration).toISOString(), durationMs: duration, sizeBytes: size, method: 'Physical' },
      );
      for (const duty of ended?.duties ?? []) await history.settle(key, duty);
    }
    if (d.tags) {
      t = lastNight;
      await history.noteTags([{ product: d.product, instanceId: d.instanceId, tags: d.tags }]);
    }
  });
  return lastNight;
}
