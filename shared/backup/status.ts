// One status model for every product. The job lists show only jobs in progress unless asked by job id, and a
// finished job may only be visible as a backup set, so we look in both places. Where a product's task list has no
// failure value (PolarDB, MongoDB: "Finished" whatever the outcome), only the backup set decides: until it is
// listed the job is still "running", never "succeeded" (docs/job-outcomes.md).
//
// PolarDB's set is looked up under the job id CreateBackup returned (its reference and the ROS resource both call
// BackupJobId the backup set's id, docs/cloud-truth.md). Should a finished job's set not be listed under that id, the
// set is matched by its start (the cluster runs one backup job at a time, so only our job's set starts this close to
// our job) and by the method asked for: one such set is ours, two are refused as ambiguous, none is `unlisted`.
import type { ProductCaller } from './engine';
import type { BackupView, JobState, JobView, RequestShape } from '../cloud/products/catalog';
import { matchesShape } from './reconcile';

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
  /** When failed without the cloud saying so (BackupSetAmbiguous): the code to record instead of BackupJobFailed. */
  failureCode?: string;
  /** The task list says the job finished, yet no set is listed under its id nor in its window: still `running`. */
  unlisted?: true;
  /** The set was found by its start time and method, not under the job id. */
  matchedByWindow?: true;
}

export interface StatusRef {
  jobId?: string;
  backupId?: string;
  /** What the request asked for, in the list APIs' terms: a set matched by window must match it. */
  shape?: RequestShape;
  /** True for a set this tool holds for another request: never matched by window. */
  theirs?: (found: { jobId?: string; backupId?: string }) => Promise<boolean>;
}

/** How far a set's start may be from its job's start to be matched by window (the APIs report whole seconds, minutes in filters). */
export const SET_START_TOLERANCE_MS = 5 * 60_000;

export async function getStatus(caller: ProductCaller, instanceId: string, ref: StatusRef): Promise<BackupStatus> {
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
  if (!catalog.taskListReportsFailure) {
    if (job.state === 'succeeded' && job.startedAt !== undefined) {
      const byWindow = await setInWindow(caller, instanceId, job, ref);
      if (byWindow) return byWindow;
    }
    return { state: 'running', progress: job.progress, jobId: ref.jobId, startedAt: job.startedAt, ...(job.state === 'succeeded' ? { unlisted: true as const } : {}) };
  }
  return { state: job.state, progress: job.progress, jobId: ref.jobId, startedAt: job.startedAt };
}

/** The one manual set of the request's method that started with the finished job, listed under another id. */
async function setInWindow(caller: ProductCaller, instanceId: string, job: JobView, ref: StatusRef): Promise<BackupStatus | undefined> {
  const { catalog } = caller;
  const at = Date.parse(job.startedAt ?? '');
  if (!Number.isFinite(at)) return undefined;
  const window = { since: new Date(at - SET_START_TOLERANCE_MS), until: new Date(at + SET_START_TOLERANCE_MS) };
  const near = catalog
    .parseBackups(await caller.read('DescribeBackups', catalog.backupsQuery(instanceId, { window })))
    .filter((b) => b.manual && matchesShape(b, ref.shape ?? {}) && Math.abs(Date.parse(b.startedAt ?? '') - at) <= SET_START_TOLERANCE_MS);
  const candidates: BackupView[] = [];
  for (const b of near) if (!(await ref.theirs?.({ jobId: b.jobId, backupId: b.backupId }))) candidates.push(b);
  const [only, ...more] = candidates;
  if (!only) return undefined;
  if (more.length > 0) {
    return {
      state: 'failed',
      progress: null,
      jobId: ref.jobId,
      startedAt: job.startedAt,
      failureCode: 'BackupSetAmbiguous',
      failure:
        `${catalog.title} reported job ${ref.jobId} finished, but lists no backup set under that id, and ${candidates.length} manual sets ` +
        `(${candidates.map((b) => b.backupId).join(', ')}) started within ${SET_START_TOLERANCE_MS / 60_000} min of it: which one is this request's cannot be told, so none is taken as ours`,
    };
  }
  return { ...fromSet(only, ref.jobId, catalog.title), matchedByWindow: true };
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
