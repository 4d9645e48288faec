// What a dry run reports for one target: the CreateBackup call a real run would make — or, when the target's
// idempotency key already has a record, what the real run would do instead (replay job J, wait for the attempt in
// progress, reconcile first), so a dry run never promises a backup that would not be taken.
import type { IdempotencyRecord } from '../idempotency/store';
import { callerFor, type EngineDeps } from './engine';
import type { Target } from './targets';

export type PlannedAction = 'CreateBackup' | 'replay' | 'wait' | 'reconcile';

export interface PlannedCall {
  key: string;
  product: Target['product'];
  action: PlannedAction;
  endpoint: string;
  /** The CreateBackup query (also for `reconcile`: sent if reconciling finds no job). */
  query?: Record<string, unknown>;
  /** `replay`: the job (or finished backup set) the earlier request took. */
  jobId?: string;
  backupId?: string;
  /** One line for a person. */
  summary: string;
}

export async function planBackup(target: Target, key: string, deps: EngineDeps): Promise<PlannedCall> {
  const caller = callerFor(target, deps);
  const endpoint = `${caller.endpoint.protocol}://${caller.endpoint.host}`;
  const query = caller.catalog.createQuery(target as never);
  const base = { key, product: target.product, endpoint };
  const record = await deps.store.get(key);
  const kind = actionFor(record, (deps.now ?? Date.now)());
  if (kind === 'replay') {
    const { jobId, backupId } = (record?.result ?? {}) as { jobId?: string; backupId?: string };
    const what = jobId ? `job ${jobId}` : `backup ${backupId}`;
    return { ...base, action: 'replay', jobId, backupId, summary: `Would replay ${what}: key ${key} already took it; nothing would be called.` };
  }
  if (kind === 'wait') {
    return { ...base, action: 'wait', summary: `Would wait for the attempt in progress under key ${key} (claimed ${record?.claimedAt}); nothing would be called meanwhile.` };
  }
  const call = `${endpoint} CreateBackup ${JSON.stringify(query)}`;
  if (kind === 'reconcile') {
    return { ...base, action: 'reconcile', query, summary: `Would first look for the job an earlier attempt under key ${key} may have started, and only then call ${call}.` };
  }
  return { ...base, action: 'CreateBackup', query, summary: `Would call ${call}` };
}

function actionFor(record: IdempotencyRecord | undefined, now: number): PlannedAction {
  if (!record) return 'CreateBackup';
  if (record.status === 'completed') return 'replay';
  if (record.status === 'in_progress' && record.leaseExpiresAt > now) return 'wait';
  return 'reconcile';
}
