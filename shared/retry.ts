// Retries belong to the engine (the client library never retries): exponential backoff with full jitter,
// bounded by attempts and by the invocation's deadline.
import type { Deadline } from './deadline';
import { deadlineExceeded, toBackupError, type BackupError } from './errors';

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  maxAttempts: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const defaultBackoff: BackoffOptions = { baseMs: 200, capMs: 5_000, maxAttempts: 6 };

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Full jitter: uniform in [0, min(cap, base·2^attempt)]. */
export function backoffDelay(attempt: number, o: Pick<BackoffOptions, 'baseMs' | 'capMs' | 'random'>): number {
  return Math.floor((o.random ?? Math.random)() * Math.min(o.capMs, o.baseMs * 2 ** attempt));
}

/**
 * Waits before attempt `attempt + 1`, or returns false when the deadline would pass first (the caller then
 * gives up with the last error).
 */
export async function pause(attempt: number, deadline: Deadline, o: BackoffOptions): Promise<boolean> {
  if (attempt + 1 >= o.maxAttempts) return false;
  const delay = backoffDelay(attempt, o);
  if (deadline.remainingMs() <= delay) return false;
  await (o.sleep ?? sleep)(delay);
  return true;
}

/** Runs a call that is safe to repeat (reads), retrying errors marked retryable. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  deadline: Deadline,
  o: BackoffOptions = defaultBackoff,
  onRetry?: (e: BackupError, attempt: number) => void,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (deadline.expired()) throw deadlineExceeded('the call could be made');
    try {
      return await fn(attempt);
    } catch (raw) {
      const e = toBackupError(raw);
      if (!e.retryable || !(await pause(attempt, deadline, o))) throw e;
      onRetry?.(e, attempt);
    }
  }
}
