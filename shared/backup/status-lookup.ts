// `status <instance-id>` from the cloud: an instance's job in progress, else its latest manual backup. Ids in the
// history (job, backup set, deployId, key) are answered from the records first (shared/history/lookup.ts).
import { callerFor, type EngineDeps } from './engine';
import { BackupError } from '../errors';
import { catalogOf, productNames } from '../cloud/products/registry';
import type { BackupStatus } from './status';
import { parseTarget, type Target } from './targets';

export interface StatusAnswer {
  target: Target;
  status: BackupStatus;
}

export function productOfId(id: string): Target['product'] | undefined {
  return productNames.find((p) => catalogOf(p).idPrefixes.some((prefix) => id.startsWith(prefix)));
}

export async function lookupStatus(ref: string, deps: EngineDeps, region?: string): Promise<StatusAnswer> {
  const product = productOfId(ref);
  if (!product) {
    throw new BackupError({
      code: 'NotFound',
      category: 'not-found',
      message: `"${ref}" is not a job id, backup set id, deployId or key in the history, nor an instance id this tool recognises (rm-…, pc-…, dds-…).`,
    });
  }
  const catalog = catalogOf(product);
  const target = parseTarget({ product, [catalog.idField]: ref, ...(region ? { RegionId: region } : {}) });
  const caller = callerFor(target, deps);
  const running = catalog.parseTasks(await caller.read('DescribeBackupTasks', catalog.tasksQuery(ref))).find((j) => j.state === 'queued' || j.state === 'running');
  if (running) return { target, status: { state: running.state, progress: running.progress, jobId: running.jobId, startedAt: running.startedAt } };
  const window = { since: new Date(Date.now() - 7 * 86_400_000), until: new Date(Date.now() + 60_000) };
  const latest = catalog
    .parseBackups(await caller.read('DescribeBackups', catalog.backupsQuery(ref, { window })))
    .filter((b) => b.manual)
    .sort((a, b) => Date.parse(b.startedAt ?? '') - Date.parse(a.startedAt ?? ''))[0];
  return {
    target,
    status: latest
      ? { state: latest.state, progress: latest.state === 'succeeded' ? 100 : null, jobId: latest.jobId, backupId: latest.backupId, startedAt: latest.startedAt, finishedAt: latest.finishedAt, sizeBytes: latest.sizeBytes }
      : { state: 'unknown', progress: null },
  };
}
