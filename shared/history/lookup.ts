// `status <id>` for people, by any id the tool prints: an idempotency key, a job id, a backup set id or a deployId
// (answered from the history, with live progress for a job still running), else an instance id (answered from
// the cloud, with the instance's latest record). Shared by chat and the CLI.
import { callerFor, type EngineDeps } from '../backup/engine';
import { getStatus } from '../backup/status';
import { lookupStatus, productOfId } from '../backup/status-lookup';
import { instanceIdOf } from '../backup/targets';
import { toBackupError } from '../errors';
import type { History } from './history';
import type { HistoryRecord, HistoryState } from './record';

export interface StatusView {
  product: HistoryRecord['product'];
  instanceId: string;
  state: HistoryState | 'queued' | 'unknown';
  progress: number | null;
  jobId?: string;
  backupId?: string;
  key?: string;
  deployId?: string;
  requestedAt?: string;
  finishedAt?: string;
  sizeBytes?: number;
  error?: { code: string; message: string };
}

/** A database a ref names, as a guard is asked about it. */
export interface StatusDatabase {
  product: HistoryRecord['product'];
  instanceId: string;
  RegionId?: string;
}

/**
 * Told every database the ref names before anything about them is read from the cloud or answered; throws to refuse
 * (chat's ACL: a deployId answers only if all its databases are covered, and a refused ref costs no cloud call).
 */
export type StatusGuard = (databases: readonly StatusDatabase[]) => Promise<void>;

export async function findStatus(ref: string, history: History, deps: EngineDeps, region?: string, guard?: StatusGuard): Promise<StatusView[]> {
  const records = await history.find(ref);
  if (records.length > 0) {
    await guard?.(records.map((r) => ({ product: r.product, instanceId: r.instanceId, ...(r.target.RegionId ? { RegionId: r.target.RegionId } : {}) })));
    return Promise.all(records.map((r) => withProgress(r, deps)));
  }
  const product = productOfId(ref);
  if (product !== undefined) await guard?.([{ product, instanceId: ref, ...(region ? { RegionId: region } : {}) }]);
  const { target, status } = await lookupStatus(ref, deps, region);
  return [{ product: target.product, instanceId: instanceIdOf(target), state: status.state, progress: status.progress, jobId: status.jobId, backupId: status.backupId, finishedAt: status.finishedAt, sizeBytes: status.sizeBytes }];
}

export const viewOf = (r: HistoryRecord): StatusView => ({
  product: r.product,
  instanceId: r.instanceId,
  state: r.state,
  progress: r.state === 'succeeded' ? 100 : null,
  jobId: r.jobId,
  backupId: r.backupId,
  key: r.id,
  deployId: r.origin.deployId,
  requestedAt: r.requestedAt,
  finishedAt: r.finishedAt ?? r.endedAt,
  sizeBytes: r.sizeBytes,
  error: r.error,
});

/** A running job's progress comes from the cloud; its outcome only ever from the record the tracker wrote. */
async function withProgress(r: HistoryRecord, deps: EngineDeps): Promise<StatusView> {
  const view = viewOf(r);
  if (r.state !== 'running') return view;
  try {
    const live = await getStatus(callerFor(r.target, deps), instanceIdOf(r.target), { jobId: r.jobId, backupId: r.backupId });
    return { ...view, progress: live.state === 'succeeded' || live.state === 'failed' ? 100 : live.progress };
  } catch (e) {
    deps.logger.warn('could not read the progress of a running job', { key: r.id, code: toBackupError(e).code });
    return view;
  }
}

/** One line per view, for chat and the terminal. */
export function statusLine(v: StatusView): string {
  const pct = v.progress !== null ? ` ${v.progress}%` : '';
  const parts = [
    v.jobId ? `job ${v.jobId}` : '',
    v.backupId ? `backup ${v.backupId}` : '',
    v.finishedAt && v.state !== 'running' ? `finished ${v.finishedAt}` : '',
    v.deployId ? `deploy ${v.deployId}` : '',
    v.error ? `${v.error.code}: ${v.error.message}` : '',
  ].filter(Boolean);
  return `${v.product} ${v.instanceId}: ${v.state}${pct}${parts.length ? `, ${parts.join(', ')}` : ''}`;
}
