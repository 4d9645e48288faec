// The tracker's sweep of one shard: every outstanding record whose next look is due, in batches, with bounded
// concurrency, until none is due or the invocation's deadline comes. A job's end is recorded by compare-and-set,
// so two sweeps at once record it once; duties (result, alert) are claimed, so they are done once, and retention's deletions count a backup already gone as deleted.
import { mapLimit } from '../backup/batch';
import { callerFor, DEFAULT_LIST_LAG_MS, type EngineDeps } from '../backup/engine';
import { getStatus, SET_START_TOLERANCE_MS } from '../backup/status';
import { toBackupError } from '../errors';
import type { History } from '../history/history';
import { isFinalState, type HistoryRecord } from '../history/record';
import { performDuties, type DutyDeps } from './duties';
import { recoverDispatch, type RedispatchDeps } from './redispatch';
import { ownKeyOf, takeOwnBackup, wrongMethod } from './wrong-adoption';

export interface SweepDeps {
  history: History;
  engine: EngineDeps;
  /** What a final record owes (alerts, chat results, retention): the tracker's only. Absent, visit records the job's end and leaves the duties owed for the tracker's sweep. */
  duties?: DutyDeps;
  redispatch: RedispatchDeps;
  concurrency: number;
  /** Records read per batch. */
  batchSize?: number;
  /** A job still not final after this long is recorded as failed (the cloud lost it). */
  maxJobAgeMs?: number;
  now?: () => number;
}

export interface SweepStats {
  visited: number;
  succeeded: number;
  failed: number;
  lost: number;
  redispatched: number;
  stillRunning: number;
  errors: number;
}

const DAY = 86_400_000;
/** How long a finished job's set may stay unlisted before the record fails: well past any list lag (terraform waits a minute). */
export const UNLISTED_GRACE_MS = 15 * 60_000;

export const emptyStats = (): SweepStats => ({ visited: 0, succeeded: 0, failed: 0, lost: 0, redispatched: 0, stillRunning: 0, errors: 0 });

export async function sweepShard(shard: number, d: SweepDeps, stats: SweepStats = emptyStats()): Promise<SweepStats> {
  const seen = new Set<string>();
  const batch = d.batchSize ?? 500;
  while (d.engine.deadline.remainingMs() > 2_000) {
    const ids = (await d.history.due(shard, batch + seen.size)).filter((id) => !seen.has(id));
    if (ids.length === 0) break;
    ids.forEach((id) => seen.add(id));
    await mapLimit(ids, d.concurrency, async (id) => {
      stats.visited++;
      try {
        await visit(id, d, stats);
      } catch (raw) {
        const e = toBackupError(raw);
        stats.errors++;
        d.engine.logger.warn('could not look at an outstanding backup; the next sweep will', { key: id, code: e.code, message: e.message });
      }
    });
  }
  return stats;
}

/** One outstanding record: look at its job, record its end, do what it owes. */
export async function visit(id: string, d: SweepDeps, stats: SweepStats = emptyStats()): Promise<void> {
  const r = await d.history.get(id);
  if (!r) {
    await d.history.forget(id);
    return;
  }
  if (isFinalState(r.state)) {
    if (d.duties) await performDuties(r, d.duties);
    return;
  }
  if (r.state === 'dispatched') {
    const how = await recoverDispatch(r, d.redispatch);
    if (how === 'redispatched') stats.redispatched++;
    if (how === 'lost') {
      stats.lost++;
      await finalDuties(r.id, d);
    }
    return;
  }
  const ended = await lookAtJob(r, d);
  if (!ended) {
    stats.stillRunning++;
    return;
  }
  stats[ended.state === 'succeeded' ? 'succeeded' : 'failed']++;
  d.engine.logger.info('backup ended', {
    key: r.id,
    product: r.product,
    instanceId: r.instanceId,
    jobId: r.jobId,
    state: ended.state,
    backupId: ended.backupId,
    sizeBytes: ended.sizeBytes,
    durationMs: ended.durationMs,
    ...(ended.error ? { code: ended.error.code } : {}),
  });
  if (d.duties) await performDuties(ended, d.duties);
}

async function finalDuties(id: string, d: SweepDeps): Promise<void> {
  const r = await d.history.get(id);
  if (r && d.duties && isFinalState(r.state)) await performDuties(r, d.duties);
}

/** The record once final (by this sweep), or undefined while the job runs (or another sweep recorded it). */
async function lookAtJob(r: HistoryRecord, d: SweepDeps): Promise<HistoryRecord | undefined> {
  const now = (d.now ?? Date.now)();
  let status;
  try {
    const caller = callerFor(r.target, { ...d.engine, contextRegion: r.region ?? d.engine.contextRegion });
    const held = d.engine.heldForAnother;
    status = await getStatus(caller, r.instanceId, {
      jobId: r.jobId,
      backupId: r.backupId,
      shape: caller.catalog.requestShape(r.target as never),
      ...(held ? { theirs: (f: { jobId?: string; backupId?: string }) => held(f, r.id) } : {}),
    });
  } catch (raw) {
    const e = toBackupError(raw);
    if (e.retryable) throw e;
    // The instance is gone or we may not look at it: the job's end can never be seen.
    return d.history.finish(r, { state: 'failed', error: { code: e.code, message: `Could not read the job's state: ${e.message}` } });
  }
  if (status.state === 'succeeded') {
    const wrong = wrongMethod(r, status.method);
    if (wrong) {
      const sent = await takeOwnBackup(r, d.redispatch, d.engine.logger);
      return d.history.finish(r, {
        state: 'failed',
        backupId: status.backupId ?? r.backupId,
        startedAt: status.startedAt,
        finishedAt: status.finishedAt,
        method: status.method,
        originUncertain: true,
        error: {
          code: 'AdoptedWrongBackup',
          message:
            `The job this request adopted (${r.jobId ?? r.backupId}) made a ${wrong.listed} backup, not the ${wrong.asked} one asked for: it was someone else's. ` +
            (sent ? `This tool's own backup was requested as ${ownKeyOf(r)}.` : `Take one now: fc-db-backup backup ${r.product} ${r.instanceId} ${wrong.asked}.`),
        },
      });
    }
    if (status.matchedByWindow) {
      d.engine.logger.warn('backup set not listed under its job id; matched by start time and method', { key: r.id, jobId: r.jobId, backupId: status.backupId });
    }
    const durationMs = status.startedAt && status.finishedAt ? Date.parse(status.finishedAt) - Date.parse(status.startedAt) : undefined;
    return d.history.finish(r, {
      state: 'succeeded',
      backupId: status.backupId ?? r.backupId,
      startedAt: status.startedAt,
      finishedAt: status.finishedAt,
      durationMs,
      sizeBytes: status.sizeBytes,
      method: status.method,
    });
  }
  if (status.state === 'failed') {
    return d.history.finish(r, { state: 'failed', backupId: status.backupId, startedAt: status.startedAt, finishedAt: status.finishedAt, error: { code: status.failureCode ?? 'BackupJobFailed', message: status.failure ?? 'The cloud reported the backup as failed.' } });
  }
  if (status.unlisted) {
    // Finished, yet no set under its id nor in its window: past the lag, the job's set will not come (docs/cloud-truth.md).
    const since = Date.parse(r.unlistedSince ?? '') || now;
    const grace = Math.max(UNLISTED_GRACE_MS, d.engine.listLagMs ?? DEFAULT_LIST_LAG_MS);
    if (now - since >= grace) {
      return d.history.finish(r, {
        state: 'failed',
        startedAt: status.startedAt,
        error: {
          code: 'BackupSetNotListed',
          message: `Job ${r.jobId} finished (DescribeBackupTasks), but ${Math.round((now - since) / 60_000)} min later DescribeBackups lists no backup set under its id nor any manual set started within ${SET_START_TOLERANCE_MS / 60_000} min of it.`,
        },
      });
    }
    await d.history.unlisted(r, new Date(since).toISOString(), now + Math.min(grace - (now - since), Math.max(5_000, grace / 4)));
    return undefined;
  }
  const age = now - Date.parse(r.requestedAt);
  if (age > (d.maxJobAgeMs ?? DAY)) {
    return d.history.finish(r, { state: 'failed', error: { code: 'JobNeverFinished', message: `Job ${r.jobId ?? r.backupId} was still ${status.state} ${Math.round(age / 3_600_000)} h after it was requested.` } });
  }
  // Long jobs are looked at less often: the cost of tracking stays flat however long a job runs.
  await d.history.reschedule(r, now + Math.min(300_000, Math.max(0, age / 4)));
  return undefined;
}
