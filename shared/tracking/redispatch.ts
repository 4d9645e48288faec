// A worker task that never produced a job: FC gave up on it (its retries ran out while the store was down, it
// crashed every time) or it never arrived. Found by the sweep after TRACKER_LOST_AFTER_SEC, by the worker's async
// failure destination at once, or by the timer's redelivery meeting a 409: dispatched again under a new FC task id
// derived from the key (`<key>_r<n>`: FC keeps a used task id, so the first one would only answer 409 again).
import type { BackupOutcome } from '../backup/engine';
import type { IdempotencyStore } from '../idempotency/store';
import { subjectOf, type History } from '../history/history';
import type { HistoryRecord } from '../history/record';
import type { WorkerEvent } from '../fc/worker-dispatch';

/** After this many new dispatches a task is given up as lost, and alerted. */
export const MAX_REDISPATCHES = 2;

export interface RedispatchDeps {
  history: History;
  store: IdempotencyStore;
  dispatch: (event: WorkerEvent) => Promise<unknown>;
  now?: () => number;
}

export type Recovery = 'recorded' | 'busy' | 'waiting' | 'redispatched' | 'lost';

export const workerEventOf = (r: HistoryRecord, redispatch: number): WorkerEvent => ({
  key: r.id,
  target: r.target,
  trigger: r.origin.trigger,
  ...(r.origin.deployId ? { deployId: r.origin.deployId } : {}),
  ...(r.origin.replyTo ? { replyTo: r.origin.replyTo } : {}),
  ...(r.origin.requestedBy ? { requestedBy: r.origin.requestedBy } : {}),
  ...(redispatch ? { redispatch } : {}),
  requestedAt: r.requestedAt,
});

/** `now`: FC said the task failed for good (its destination), so do not wait for lostAfter. */
export async function recoverDispatch(r: HistoryRecord, d: RedispatchDeps, o: { now?: boolean } = {}): Promise<Recovery> {
  const now = (d.now ?? Date.now)();
  const idem = await d.store.get(r.id);
  if (idem?.status === 'completed') {
    // The worker requested the backup but died before recording it (or recorded it elsewhere): record it now.
    const outcome = idem.result as unknown as BackupOutcome;
    await d.history.requested(subjectOf(r.id, r.target, r.origin), { jobId: outcome.jobId, backupId: outcome.backupId, region: outcome.region, requestedAt: outcome.requestedAt });
    return 'recorded';
  }
  if (idem?.status === 'in_progress' && idem.leaseExpiresAt > now) {
    await d.history.reschedule(r, now + d.history.lostAfterMs);
    return 'busy';
  }
  if (!o.now && now < r.nextCheckAt) return 'waiting';
  if (r.redispatches >= MAX_REDISPATCHES) {
    await d.history.finish(r, {
      state: 'lost',
      error: {
        code: 'DispatchLost',
        // An attempt on record may have reached the cloud: say so, rather than that nothing was asked for.
        message:
          idem?.status === 'ambiguous' || idem?.lastAttemptAt !== undefined
            ? `The backup-worker task was dispatched ${r.redispatches + 1} times; its CreateBackup may have reached the cloud, but no job was confirmed: check the instance's backups, then back it up again if none is there.`
            : `The backup-worker task was dispatched ${r.redispatches + 1} times and never requested the backup.`,
      },
    });
    return 'lost';
  }
  const n = r.redispatches + 1;
  await d.dispatch(workerEventOf(r, n));
  await d.history.reschedule(r, now + d.history.lostAfterMs, n);
  return 'redispatched';
}

/**
 * The timer's redelivery met a 409 for this task id: FC has (or had) the task. Done if its worker recorded a job
 * or is working; if FC gave up on it (no record, no live claim, past its first attempt), it is sent again now.
 */
export async function recoverOnRedelivery(r: HistoryRecord, d: RedispatchDeps): Promise<Recovery | 'done'> {
  if (r.state !== 'dispatched' && r.state !== 'lost') return 'done';
  if (r.state === 'lost') {
    await d.dispatch(workerEventOf(r, r.redispatches + 1));
    return 'redispatched';
  }
  return recoverDispatch(r, d);
}
