// Which drills run when. Each period (DRILL_PERIOD, weekly by default) every database DRILL_TARGETS covers is drilled
// once, at most DRILL_CONCURRENCY at a time: the timer writes the period's plan (the sources it resolved) and starts
// the first drills; each follow (from the tracker) starts the next as earlier ones end. One drill per source per
// period holds because the drill's id — its claim — is the source and the period.
import { randomUUID } from 'node:crypto';
import { resolveTargets } from '../backup/discovery';
import { instanceIdOf, targetFromWords, type Target } from '../backup/targets';
import type { ProductName } from '../cloud/products/catalog';
import { toBackupError } from '../errors';
import type { IdempotencyStore } from '../idempotency/store';
import type { Logger } from '../logger';
import type { DrillRecord } from './record';
import { drillIdOf, startCovered, type DrillDeps, type DrillPlan } from './start';

export interface ScheduleDeps extends DrillDeps {
  store: IdempotencyStore;
  logger: Logger;
}

interface PlannedSource {
  product: ProductName;
  instanceId: string;
  regionId?: string;
}

const planKey = (period: number) => `fcdb_drillplan_${period}`;
const periodOf = (d: DrillDeps) => Math.floor((d.now ?? Date.now)() / d.config.periodMs);

/** The timer's run: resolve DRILL_TARGETS into this period's plan (the first timer's wins), then start what fits. */
export async function planPeriod(d: ScheduleDeps, o: { dryRun?: boolean } = {}): Promise<{ period: number; sources: number; started: DrillRecord[]; plans: DrillPlan[] }> {
  const period = periodOf(d);
  const targets = await resolveTargets(d.config.targets, d.engine, { maxTargets: 10_000, field: 'DRILL_TARGETS' });
  if (o.dryRun) {
    const plans: DrillPlan[] = [];
    for (const t of targets) {
      try {
        plans.push((await startCovered(t, { trigger: 'timer' }, d, { dryRun: true })) as DrillPlan);
      } catch (raw) {
        d.logger.warn('drill dry run: this source would not be drilled', { product: t.product, instanceId: instanceIdOf(t), code: toBackupError(raw).code, message: toBackupError(raw).message });
      }
    }
    return { period, sources: targets.length, started: [], plans };
  }
  const sources: PlannedSource[] = targets.map((t) => ({ product: t.product, instanceId: instanceIdOf(t), ...(t.RegionId ? { regionId: t.RegionId } : {}) }));
  // The latest firing's resolution is the plan (DRILL_TARGETS may have changed since the period began).
  const plan = { key: planKey(period), payloadHash: '', status: 'completed' as const, owner: randomUUID(), claimedAt: new Date().toISOString(), leaseExpiresAt: 0, attempts: 0, result: { sources } as unknown as Record<string, unknown> };
  const existing = await d.store.get(planKey(period));
  if (existing) await d.store.compareAndSet(existing.owner, plan, d.config.periodMs * 2);
  else await d.store.putIfAbsent(plan, d.config.periodMs * 2);
  return { period, sources: sources.length, started: await startNext(d), plans: [] };
}

/** Starts drills of this period's plan not yet drilled, while fewer than DRILL_CONCURRENCY are open. */
export async function startNext(d: ScheduleDeps): Promise<DrillRecord[]> {
  const period = periodOf(d);
  const plan = (await d.store.get(planKey(period)))?.result as { sources?: PlannedSource[] } | undefined;
  if (!plan?.sources?.length) return [];
  let open = (await d.log.open()).length;
  const started: DrillRecord[] = [];
  for (const s of plan.sources) {
    if (open >= d.config.concurrency) break;
    if (await d.log.get(drillIdOf(s.product, s.instanceId, period))) continue;
    const target: Target = targetFromWords(s.product, s.instanceId, undefined, s.regionId);
    try {
      const r = (await startCovered(target, { trigger: 'timer' }, d)) as DrillRecord;
      started.push(r);
      open++;
    } catch (raw) {
      const e = toBackupError(raw);
      if (e.retryable) throw e;
      // A source with no good backup of this tool yet (or gone) is skipped this period, and said so.
      d.logger.warn('restore drill not started for this source', { product: s.product, instanceId: s.instanceId, code: e.code, message: e.message });
      await d.log.claim({
        drillId: drillIdOf(s.product, s.instanceId, period),
        product: s.product,
        regionId: s.regionId ?? '',
        sourceId: s.instanceId,
        backupId: '',
        backupStartedAt: new Date().toISOString(),
        origin: { trigger: 'timer' },
        phase: 'released',
        requestedAt: new Date().toISOString(),
        releaseBy: new Date().toISOString(),
        error: { code: e.code, message: e.message },
        updatedAt: new Date().toISOString(),
      });
    }
  }
  return started;
}
