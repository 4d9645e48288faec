// FC has no "remaining time" call: the deadline is the invocation's start plus the function timeout,
// minus a safety margin so we can still save state and answer before FC kills the instance.

export interface Deadline {
  /** Epoch ms by which our work must be done. */
  readonly at: number;
  remainingMs(): number;
  expired(): boolean;
}

export interface DeadlineOptions {
  startedAt: number;
  timeoutSec: number;
  /** Default: 10% of the timeout, between 1 s and 10 s. */
  safetyMarginMs?: number;
  now?: () => number;
}

export function createDeadline({ startedAt, timeoutSec, safetyMarginMs, now = Date.now }: DeadlineOptions): Deadline {
  const timeoutMs = timeoutSec * 1000;
  const margin = safetyMarginMs ?? Math.min(10_000, Math.max(1_000, timeoutMs * 0.1));
  const at = startedAt + Math.max(0, timeoutMs - margin);
  return {
    at,
    remainingMs: () => Math.max(0, at - now()),
    expired: () => now() >= at,
  };
}

/** The earlier of two deadlines (e.g. a caller's `wait` and the function's own). */
export function earlier(a: Deadline, atMs: number, now: () => number = Date.now): Deadline {
  const at = Math.min(a.at, atMs);
  return { at, remainingMs: () => Math.max(0, at - now()), expired: () => now() >= at };
}
