// Polls a job until it succeeds or fails, or until a deadline: the CLI's --wait. nextPollMs is the one poll schedule,
// also used where the deploy gate follows the tracker's records (shared/tracking/follow.ts). Time is the caller's:
// we never sleep past the deadline.
import type { Deadline } from '../deadline';
import type { ProductCaller } from './engine';
import { toBackupError } from '../errors';
import { getStatus, type BackupStatus } from './status';

export interface WaitOptions {
  deadline: Deadline;
  /** Shortest poll period (STATUS_POLL_MS); see nextPollMs for how it grows. */
  pollMs?: number;
  maxPollMs?: number;
  onProgress?: (s: BackupStatus) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Epoch milliseconds; default Date.now. */
  now?: () => number;
}

export const isFinal = (s: BackupStatus): boolean => s.state === 'succeeded' || s.state === 'failed';

/** The poll period may be at most this share of the time the job has run so far. */
export const POLL_FRACTION = 0.1;

/**
 * How long to wait before the next status read of a job that has been running for `elapsedMs`. A job that has run
 * for t is, as far as we can know, about as likely to end in the next moment as later, so the wait is a fixed share
 * of t (a 20 s job's end is seen within 2 s), never below `minMs` (calls stay cheap for short jobs) and never above
 * `maxMs` (an hour-long job is still polled every 15 s, not every 6 minutes).
 */
export function nextPollMs(elapsedMs: number, minMs = 2_000, maxMs = 15_000): number {
  return Math.round(Math.min(maxMs, Math.max(minMs, elapsedMs * POLL_FRACTION)));
}

export async function waitForJob(caller: ProductCaller, instanceId: string, ref: { jobId?: string; backupId?: string }, o: WaitOptions): Promise<BackupStatus> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = o.now ?? Date.now;
  const waitStarted = now();
  let last: BackupStatus = { state: 'unknown', progress: null, ...ref };
  for (;;) {
    try {
      last = await getStatus(caller, instanceId, ref);
      o.onProgress?.(last);
      if (isFinal(last)) return last;
    } catch (e) {
      // A failed status read is not a failed backup: keep the last known state and try again while time remains.
      if (!toBackupError(e).retryable) throw e;
    }
    const remaining = o.deadline.remainingMs();
    if (remaining <= 0) return last;
    // The job's own start when the cloud reports it (a wait resumed later), else this wait's.
    const started = Math.min(waitStarted, Date.parse(last.startedAt ?? '') || waitStarted);
    await sleep(Math.min(nextPollMs(now() - started, o.pollMs, o.maxPollMs), remaining));
  }
}
