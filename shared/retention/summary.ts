// Retention as the report shows it, from the history alone (the report makes no cloud calls): this tool's backups
// still kept, the ones it deleted, and when the next deletion falls due under the target's policy.
import { catalogOf } from '../cloud/products/registry';
import type { HistoryRecord } from '../history/record';
import { plan, type Held } from './plan';
import { policyInForce, type RetentionPolicy } from './policy';

export interface RetentionSummary {
  policy: RetentionPolicy;
  /** This tool's good backups still kept, newest first. */
  retained: { backupId: string; at: string }[];
  /** Deleted by retention (or found gone), newest first. */
  deleted: { backupId: string; at: string; reason: string }[];
  /** ISO time, or a condition in words; absent when nothing will ever be deleted. */
  nextDeletion?: string;
}

/** `records`: one database's history, newest first. */
export function retentionSummary(records: readonly HistoryRecord[], now: number): RetentionSummary | undefined {
  const newest = records[0];
  if (!newest) return undefined;
  const policy = policyInForce(newest.target, records);
  const good = records.filter((r) => r.state === 'succeeded' && (r.backupId ?? r.jobId) !== undefined);
  const held: Held[] = good
    .filter((r) => !r.retired)
    .map((r) => ({ backupId: (r.backupId ?? r.jobId) as string, jobId: r.jobId, state: 'succeeded', startedAt: r.startedAt ?? r.requestedAt, ours: true, recordId: r.id, requestedAt: r.requestedAt }));
  const p = plan(held, policy, catalogOf(newest.product).retention, now, false);
  return {
    policy,
    retained: p.kept.map((h) => ({ backupId: h.backupId, at: h.startedAt as string })),
    deleted: good.flatMap((r) => (r.retired ? [{ backupId: (r.backupId ?? r.jobId) as string, at: r.retired.at, reason: r.retired.reason }] : [])),
    // Deletions already due happen on the next run (or the tracker's pass after the next success).
    ...(p.deletions.length > 0 ? { nextDeletion: 'on the next run' } : p.nextDeletion ? { nextDeletion: p.nextDeletion } : {}),
  };
}
