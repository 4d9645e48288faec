// One requested backup, followed to its end: what the tracker, the chat result, the deploy gate, `status` and the
// morning report all read. Its id is the request's idempotency key, so one request is one record.
import type { ReplyTo } from '../chat/reply';
import type { ProductName } from '../cloud/products/catalog';
import type { Target } from '../backup/targets';

/**
 * - `dispatched`: handed to a worker, no job yet (a record stuck here is a lost dispatch);
 * - `running`: CreateBackup accepted, job id known, outcome not yet seen;
 * - `succeeded` / `failed`: the cloud's final word on the job;
 * - `not-requested`: the target was refused (quota, permission, not found, invalid) — no job exists;
 * - `lost`: dispatched, re-dispatched, and still no job.
 */
export type HistoryState = 'dispatched' | 'running' | 'succeeded' | 'failed' | 'not-requested' | 'lost';

export const finalStates: readonly HistoryState[] = ['succeeded', 'failed', 'not-requested', 'lost'];
export const isFinalState = (s: HistoryState): boolean => finalStates.includes(s);

export interface Origin {
  trigger: 'timer' | 'deploy' | 'chat' | 'cli';
  /** The deploy gate's deployId: `status <deployId>` finds every record of that deploy. */
  deployId?: string;
  /** Who asked (chat user), for the result message. */
  requestedBy?: string;
  /** Where the final result is posted (chat). */
  replyTo?: ReplyTo;
}

/** What the tracker still owes a record once it is final; `retention`: deleting what the policy no longer keeps, after a success. */
export type Duty = 'reply' | 'alert' | 'retention';

export interface HistoryRecord {
  id: string;
  product: ProductName;
  instanceId: string;
  target: Target;
  origin: Origin;
  state: HistoryState;
  /** ISO time the backup was asked for. */
  requestedAt: string;
  jobId?: string;
  backupId?: string;
  region?: string;
  /** Final, succeeded: what the backup set says. */
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  sizeBytes?: number;
  method?: string;
  /** Final, not succeeded: the reason, as a BackupError code and message. */
  error?: { code: string; message: string };
  /** ISO time the final state was recorded. */
  endedAt?: string;
  /**
   * Adopted, not created: a fresh claim's look found a job started since the request, with no attempt of ours on
   * record — it may be a console backup. Retention never deletes it, and the report says so.
   */
  originUncertain?: true;
  /** ISO time the tracker first saw the job finished with no backup set listed for it (shared/tracking/sweep.ts). */
  unlistedSince?: string;
  /** The job was adopted (found running or listed), not created by this record's CreateBackup. */
  adopted?: true;
  /** Retention deleted the backup set (or found it already gone): it is no longer kept. */
  retired?: { at: string; reason: string; for?: string };
  /**
   * Retention is about to delete the backup set (written before DeleteBackup): a tracker killed before it records the
   * deletion leaves this, so the watch knows the loss is ours and the next pass makes no second deletion for `for`
   * (the record of the new good backup that allowed it).
   */
  retiring?: { at: string; reason: string; for?: string };
  duties: Duty[];
  /** How often the worker task was dispatched again after it was lost. */
  redispatches: number;
  /** Epoch ms of the tracker's next look at this record (while it is outstanding). */
  nextCheckAt: number;
  /** Compare-and-set token: every write replaces it. */
  version: string;
}

export const databaseId = (product: ProductName, instanceId: string): string => `${product}:${instanceId}`;
