// One status model for every product. The job lists show only jobs in progress unless asked by job id, and a
// finished job may only be visible as a backup set, so we look in both places.
import type { ProductCaller } from './engine';
import type { JobState, JobView } from '../cloud/products/catalog';

export interface BackupStatus {
  state: JobState;
  progress: number | null;
  jobId?: string;
  backupId?: string;
  startedAt?: string;
  finishedAt?: string;
  sizeBytes?: number;
}

export async function getStatus(caller: ProductCaller, instanceId: string, ref: { jobId?: string; backupId?: string }): Promise<BackupStatus> {
  const { catalog } = caller;
  let backupId = ref.backupId;
  let job: JobView | undefined;
  if (ref.jobId) {
    job = catalog.parseTasks(await caller.read('DescribeBackupTasks', catalog.tasksQuery(instanceId, ref.jobId))).find((j) => j.jobId === ref.jobId);
    if (job && job.state !== 'succeeded' && job.state !== 'failed') {
      return { state: job.state, progress: job.progress, jobId: ref.jobId, startedAt: job.startedAt };
    }
    backupId ??= job?.backupId;
  }
  const backups = catalog.parseBackups(await caller.read('DescribeBackups', catalog.backupsQuery(instanceId, { jobId: ref.jobId, backupId })));
  const set = backups.find((b) => (backupId !== undefined && b.backupId === backupId) || (ref.jobId !== undefined && b.jobId === ref.jobId));
  if (!set) return job ? { state: job.state, progress: job.progress, jobId: ref.jobId, startedAt: job.startedAt } : { state: 'unknown', progress: null, jobId: ref.jobId, backupId };
  return {
    state: set.state,
    progress: set.state === 'succeeded' ? 100 : null,
    jobId: ref.jobId ?? set.jobId,
    backupId: set.backupId,
    startedAt: set.startedAt,
    finishedAt: set.finishedAt,
    sizeBytes: set.sizeBytes,
  };
}
