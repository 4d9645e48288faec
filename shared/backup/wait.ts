// Polls a job until it succeeds or fails, or until a deadline: used by the deploy gate's `wait`, the worker that
// reports results, and the CLI. Time is the caller's: we never sleep past the deadline.
import type { Deadline } from '../deadline';
import type { ProductCaller } from './engine';
import { toBackupError } from '../errors';
import { getStatus, type BackupStatus } from './status';

export interface WaitOptions {
  deadline: Deadline;
  /** Poll period; grows ×1.5 up to maxPollMs so long jobs cost few calls. */
  pollMs?: number;
  maxPollMs?: number;
  onProgress?: (s: BackupStatus) => void;
  sleep?: (ms: number) => Promise<void>;
}

export const isFinal = (s: BackupStatus): boolean => s.state === 'succeeded' || s.state === 'failed';

export async function waitForJob(caller: ProductCaller, instanceId: string, ref: { jobId?: string; backupId?: string }, o: WaitOptions): Promise<BackupStatus> {
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let period = o.pollMs ?? 2_000;
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
    await sleep(Math.min(period, remaining));
    period = Math.min(o.maxPollMs ?? 15_000, Math.round(period * 1.5));
  }
}
