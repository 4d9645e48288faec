// One status model for every product. The job lists show only jobs in progress unless asked by job id, and a
// finished job may only be visible as a backup set, so we look in both places. Where a product's task list has no
// failure value (PolarDB, MongoDB: "Finished" whatever the outcome), only the backup set decides: until it is
// listed the job is still "running", never "succeeded" (docs/job-outcomes.md).
import type { ProductCaller } from './engine';
import type { BackupView, JobState, JobView } from '../cloud/products/catalog';

export interface BackupStatus {
  state: JobState;
  progress: number | null;
  jobId?: string;
  backupId?: string;
  startedAt?: string;
  finishedAt?: string;
  sizeBytes?: number;
  method?: string;
  /** When failed: what the cloud reported, in its own field names (no API gives a reason text). */
  failure?: string;
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
  if (set) return fromSet(set, ref.jobId, catalog.title);
  if (!job) return { state: 'unknown', progress: null, jobId: ref.jobId, backupId };
  if (job.state === 'failed') {
    return { state: 'failed', progress: job.progress, jobId: ref.jobId, startedAt: job.startedAt, failure: `${catalog.title} reported job ${ref.jobId} with BackupStatus Failed (DescribeBackupTasks)` };
  }
  // The task list says the job ended; whether it succeeded is the backup set's to say, and it is not listed yet.
  if (!catalog.taskListReportsFailure) return { state: 'running', progress: job.progress, jobId: ref.jobId, startedAt: job.startedAt };
  return { state: job.state, progress: job.progress, jobId: ref.jobId, startedAt: job.startedAt };
}

function fromSet(set: BackupView, jobId: string | undefined, title: string): BackupStatus {
  return {
    state: set.state,
    progress: set.state === 'succeeded' ? 100 : null,
    jobId: jobId ?? set.jobId,
    backupId: set.backupId,
    startedAt: set.startedAt,
    finishedAt: set.finishedAt,
    sizeBytes: set.sizeBytes,
    method: set.method,
    ...(set.state === 'failed' ? { failure: `${title} reported backup set ${set.backupId} with BackupStatus Failed (DescribeBackups)` } : {}),
  };
}
