// `status <instance-id | job-id>` for people: a job id we handed out, or an instance's job in progress, else its
// latest manual backup. Shared by chat and the CLI.
import { callerFor, type EngineDeps } from './engine';
import { BackupError } from '../errors';
import { findJob } from './job-index';
import { catalogOf, productNames } from '../cloud/products/registry';
import { getStatus, type BackupStatus } from './status';
import { parseTarget, type Target } from './targets';

export interface StatusAnswer {
  target: Target;
  status: BackupStatus;
}

export function productOfId(id: string): Target['product'] | undefined {
  return productNames.find((p) => catalogOf(p).idPrefixes.some((prefix) => id.startsWith(prefix)));
}

export async function lookupStatus(ref: string, deps: EngineDeps, region?: string): Promise<StatusAnswer> {
  const known = await findJob(deps.store, ref);
  if (known) return { target: known, status: await getStatus(callerFor(known, deps), catalogOf(known.product).instanceId(known as never), { jobId: ref }) };

  const product = productOfId(ref);
  if (!product) {
    throw new BackupError({
      code: 'NotFound',
      category: 'not-found',
      message: `"${ref}" is neither a job id this tool started nor an instance id it recognises (rm-…, pc-…, dds-…).`,
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
