// What the cloud holds for one database (its manual backup sets and running manual jobs), each marked as this
// tool's or not by id through the history. Only ids the history recorded count as ours; the rest is never touched.
import { listBackupSets } from '../backup/backup-sets';
import type { ProductCaller } from '../backup/engine';
import type { HistoryRecord } from '../history/record';
import type { Held } from './plan';

/** Listed from this far back: a slot held by an old console backup still counts, whatever the history keeps. */
const LIST_BACK_MS = 3650 * 86_400_000;

/** Ad-hoc (asked for by chat, the deploy gate or the CLI), and adopted with no attempt of ours on record. */
const whose = (r: HistoryRecord): Pick<Held, 'adhoc' | 'uncertain'> => ({
  ...(r.origin.trigger !== 'timer' ? { adhoc: true } : {}),
  ...(r.originUncertain ? { uncertain: true } : {}),
});

/** `records`: the database's history, whose ids say which backups are this tool's. */
export async function inventory(caller: ProductCaller, instanceId: string, records: readonly HistoryRecord[], now: number): Promise<Held[]> {
  const { catalog } = caller;
  // Like with like: a backup set id against recorded backup set ids, a job id against recorded job ids (RDS job
  // ids and backup set ids are separate number spaces, so a console backup's set id may equal one of our job ids).
  const byBackupId = new Map<string, HistoryRecord>();
  const byJobId = new Map<string, HistoryRecord>();
  for (const r of records) {
    if (r.retired) continue;
    if (r.backupId) byBackupId.set(r.backupId, r);
    if (r.jobId) byJobId.set(r.jobId, r);
  }
  const owner = (backupId: string, jobId?: string) => byBackupId.get(backupId) ?? (jobId !== undefined ? byJobId.get(jobId) : undefined);

  const held: Held[] = [];
  const slots = catalog.retention.manualSlots?.count;
  // In short windows, newest first (the reference warns that long ranges time out). Where the cloud holds only so many
  // manual backups (PolarDB), the walk back stops once that many good ones are found: there can be no other.
  const listSets = async () => {
    const sets = await listBackupSets(caller, instanceId, { since: new Date(now - LIST_BACK_MS), until: new Date(now + 60_000) }, {
      enough: slots === undefined ? undefined : (found) => found.filter((b) => b.manual && b.state === 'succeeded').length >= slots,
    });
    for (const b of sets) {
      if (!b.manual || !b.backupId) continue;
      const r = owner(b.backupId, b.jobId);
      held.push({
        backupId: b.backupId,
        jobId: b.jobId,
        state: b.state,
        startedAt: b.startedAt,
        ours: r !== undefined,
        ...(r ? whose(r) : {}),
        recordId: r?.id,
        requestedAt: r?.requestedAt,
        ...(b.deletable === false ? { undeletable: true } : {}),
      });
    }
  };
  // The two lists at once: the sets and the running jobs do not depend on each other.
  const [, taskBody] = await Promise.all([listSets(), caller.read('DescribeBackupTasks', catalog.tasksQuery(instanceId))]);
  const tasks = catalog.parseTasks(taskBody);
  for (const j of tasks) {
    if (!j.manual || (j.state !== 'queued' && j.state !== 'running')) continue;
    if (held.some((h) => h.jobId === j.jobId)) continue;
    const r = byJobId.get(j.jobId);
    held.push({ backupId: j.backupId ?? j.jobId, jobId: j.jobId, state: 'running', startedAt: j.startedAt, ours: r !== undefined, ...(r ? whose(r) : {}), recordId: r?.id });
  }
  return held;
}
