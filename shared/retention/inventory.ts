// What the cloud holds for one database (its manual backup sets and running manual jobs), each marked as this
// tool's or not by id through the history. Only ids the history recorded count as ours; the rest is never touched.
import type { ProductCaller } from '../backup/engine';
import type { HistoryRecord } from '../history/record';
import type { Held } from './plan';

const PAGE_SIZE = 100;
/** A bound on one database's listing: 20 pages of 100 sets. */
const MAX_PAGES = 20;
/** Listed from this far back: a slot held by an old console backup still counts, whatever the history keeps. */
const LIST_BACK_MS = 3650 * 86_400_000;

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
  const window = { since: new Date(now - LIST_BACK_MS), until: new Date(now + 60_000) };
  const listPages = async () => {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const body = await caller.read('DescribeBackups', { ...catalog.backupsQuery(instanceId, { window }), PageSize: String(PAGE_SIZE), PageNumber: String(page) });
      const sets = catalog.parseBackups(body);
      for (const b of sets) {
        if (!b.manual || !b.backupId) continue;
        const r = owner(b.backupId, b.jobId);
        held.push({
          backupId: b.backupId,
          jobId: b.jobId,
          state: b.state,
          startedAt: b.startedAt,
          ours: r !== undefined,
          recordId: r?.id,
          requestedAt: r?.requestedAt,
          ...(b.deletable === false ? { undeletable: true } : {}),
        });
      }
      if (sets.length < PAGE_SIZE) return;
    }
  };
  // The two lists at once: the sets and the running jobs do not depend on each other.
  const [, taskBody] = await Promise.all([listPages(), caller.read('DescribeBackupTasks', catalog.tasksQuery(instanceId))]);
  const tasks = catalog.parseTasks(taskBody);
  for (const j of tasks) {
    if (!j.manual || (j.state !== 'queued' && j.state !== 'running')) continue;
    if (held.some((h) => h.jobId === j.jobId)) continue;
    held.push({ backupId: j.backupId ?? j.jobId, jobId: j.jobId, state: 'running', startedAt: j.startedAt, ours: byJobId.has(j.jobId), recordId: byJobId.get(j.jobId)?.id });
  }
  return held;
}
