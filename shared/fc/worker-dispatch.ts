// Hands work to the backup-worker function asynchronously. The async task id is derived from the idempotency key,
// so FC itself drops a duplicate invocation; the engine's own record catches anything FC lets through.
import type { ReplyTo } from '../chat/reply';
import type { Credentials } from '../cloud/credentials';
import type { Deadline } from '../deadline';
import { asAmbiguous, BackupError, toBackupError } from '../errors';
import type { FcContext } from './events';
import { withRetry } from '../retry';
import type { Target } from '../backup/targets';
import type { Origin } from '../history/record';

export interface WorkerEvent {
  /** Idempotency key of the backup: the worker's requestBackup uses it, so a redelivery takes no second backup. */
  key: string;
  target: Target;
  /** Where to post the final result (chatops). */
  replyTo?: ReplyTo;
  /** Who asked, for the result message. */
  requestedBy?: string;
  /** What asked for the backup (timer, deploy, chat), for the history record. */
  trigger?: Origin['trigger'];
  deployId?: string;
  /** How many times the tracker has dispatched this task again after it was lost (a new FC task id each time). */
  redispatch?: number;
  /**
   * ISO time of the request itself (the timer's trigger time, the chat command's arrival): a fresh claim looks for a
   * job of this request started since then before creating one (a record lost from the store).
   */
  requestedAt?: string;
}

export interface DispatchContext {
  context: FcContext;
  /** WORKER_FUNCTION, from the invocation's configuration. */
  functionName: string | undefined;
  env: Record<string, string | undefined>;
  credentials: () => Credentials;
  /** Connect/read timeout of one invoke call; chat keeps it short to answer within Slack's 3 seconds. */
  timeoutMs?: number;
  /** Retries of a failed invoke stop here (the caller's own deadline, or its answer budget). */
  deadline: Deadline;
}

export const workerTaskId = (event: WorkerEvent): string => (event.redispatch ? `${event.key}_r${event.redispatch}` : event.key);

export function dispatchToWorker(d: DispatchContext, event: WorkerEvent): Promise<{ taskId: string; duplicate: boolean }> {
  return invokeAsync(d, event, workerTaskId(event));
}

/** One async invocation of `d.functionName` (the worker, or the tracker fanning out its shards). */
export async function invokeAsync(d: DispatchContext, payload: unknown, taskId: string): Promise<{ taskId: string; duplicate: boolean }> {
  const { functionName } = d;
  const accountId = d.context.accountId ?? d.env.FC_ACCOUNT_ID;
  const region = d.context.region ?? d.env.ALIBABA_CLOUD_REGION;
  if (!functionName || !accountId || !region) {
    throw new BackupError({
      code: 'WorkerNotConfigured',
      category: 'internal',
      message: 'Cannot reach the backup worker: set WORKER_FUNCTION (and, outside FC, FC_ACCOUNT_ID and ALIBABA_CLOUD_REGION).',
    });
  }
  // Loaded on this path only: the timer's small-fleet path and the deploy gate never pay for it.
  const { createInvoker } = await import('./invoker');
  const invoker = createInvoker({ accountId, region, credentials: d.credentials(), endpoint: d.env.FC_ENDPOINT || undefined, timeoutMs: d.timeoutMs });
  // Resending is safe even after an ambiguous failure (a reset, a timeout): FC answers a task id it already has
  // with 409, which the invoker reports as a duplicate. So throttling, 5xx and network errors are retried here.
  let reached = false;
  try {
    const r = await withRetry(() => invoker.invokeAsync({ functionName, payload, asyncTaskId: taskId }), d.deadline, { baseMs: 100, capMs: 1_000, maxAttempts: 5 }, (e) => {
      reached ||= e.ambiguous;
    });
    return { taskId, duplicate: r.duplicate };
  } catch (e) {
    // An earlier attempt may have handed the task over, whatever the last one was told: FC may have it.
    throw reached ? asAmbiguous(toBackupError(e)) : e;
  }
}
