// `status <job-id>` in chat or on the CLI names no instance: remember, per job id, which target it belongs to.
// Written by the paths a person starts (chat, CLI), not by the timer's hot path.
import type { IdempotencyStore } from '../idempotency/store';
import type { Target } from './targets';

const keyOf = (jobId: string) => `fcdb_job_${jobId}`;

export async function rememberJob(store: IdempotencyStore, jobId: string, target: Target, ttlMs: number): Promise<void> {
  await store.putIfAbsent(
    { key: keyOf(jobId), payloadHash: '', status: 'completed', owner: 'job-index', claimedAt: new Date().toISOString(), leaseExpiresAt: 0, attempts: 0, result: { target } },
    ttlMs,
  );
}

export async function findJob(store: IdempotencyStore, jobId: string): Promise<Target | undefined> {
  const r = await store.get(keyOf(jobId));
  return (r?.result as { target?: Target } | undefined)?.target;
}
