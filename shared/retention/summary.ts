// Retention as the report shows it, from the history alone (the report makes no cloud calls): this tool's backups
// still kept (scheduled, ad-hoc, adopted with origin uncertain), the ones it deleted, and when the next deletion
// falls due under the scheduled policy.
import { catalogOf } from '../cloud/products/registry';
import type { HistoryRecord } from '../history/record';
import { plan, type Held } from './plan';
import { policyInForce, type RetentionPolicy } from './policy';

export interface RetentionSummary {
  /** The latest scheduled target's; empty when no timer backs the database up (then nothing is ever deleted). */
  policy: RetentionPolicy;
  /** This tool's good backups still kept, newest first. */
  retained: { backupId: string; at: string; kind: 'scheduled' | 'ad-hoc' | 'adopted, origin uncertain' }[];
  /** Deleted by retention (or found gone), newest first. */
  deleted: { backupId: string; at: string; reason: string }[];
  /** ISO time, or a condition in words; absent when nothing will ever be deleted. */
  nextDeletion?: string;
}

export interface SummaryOptions {
  minAgeMs: number;
  adhocReplaceMinAgeMs: number;
  timeZone: string;
}

/** The configuration's defaults (RETENTION_MIN_AGE, ADHOC_REPLACE_MIN_AGE): the report reads no function's settings. */
const DEFAULTS: SummaryOptions = { minAgeMs: 86_400_000, adhocReplaceMinAgeMs: 86_400_000, timeZone: 'Asia/Shanghai' };

/** `records`: one database's history, newest first. */
export function retentionSummary(records: readonly HistoryRecord[], now: number, o: SummaryOptions = DEFAULTS): RetentionSummary | undefined {
  const newest = records[0];
  if (!newest) return undefined;
  const policy = policyInForce(records);
  const good = records.filter((r) => r.state === 'succeeded' && (r.backupId ?? r.jobId) !== undefined);
  const held: Held[] = good
    .filter((r) => !r.retired)
    .map((r) => ({
      backupId: (r.backupId ?? r.jobId) as string,
      jobId: r.jobId,
      state: 'succeeded',
      startedAt: r.startedAt ?? r.requestedAt,
      ours: true,
      ...(r.origin.trigger !== 'timer' ? { adhoc: true } : {}),
      ...(r.originUncertain ? { uncertain: true } : {}),
      recordId: r.id,
      requestedAt: r.requestedAt,
    }));
  const p = plan(held, policy, catalogOf(newest.product).retention, now, { ...o, mode: 'policy' });
  const kindOf = (h: Held) => (h.uncertain ? 'adopted, origin uncertain' : h.adhoc ? 'ad-hoc' : 'scheduled') as RetentionSummary['retained'][number]['kind'];
  const gone = new Set(p.deletions.map((d) => d.backupId));
  return {
    policy,
    retained: held.filter((h) => !gone.has(h.backupId)).map((h) => ({ backupId: h.backupId, at: h.startedAt as string, kind: kindOf(h) })),
    deleted: good.flatMap((r) => (r.retired ? [{ backupId: (r.backupId ?? r.jobId) as string, at: r.retired.at, reason: r.retired.reason }] : [])),
    // Deletions already due happen after the next good scheduled backup (the tracker's pass).
    ...(p.deletions.length > 0 ? { nextDeletion: 'after the next good scheduled backup' } : p.nextDeletion ? { nextDeletion: p.nextDeletion } : {}),
  };
}
