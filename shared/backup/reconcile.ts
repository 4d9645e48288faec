// Reconciliation: before creating again (or at all), is there already a backup that is this request's own? Ours is a
// MANUAL job or set that matches the request wherever the list APIs report it (method, database names) and that
// started inside a window anchored to this request's own first attempt — never the latest thing since some old
// claim. Any other running job (an automated backup, someone's console backup) is someone else's: it blocks ours
// (one job per instance), so we wait for it to end. The list APIs show a new job late, so "nothing there" counts
// only once the lag has passed since the last attempt.
import type { Deadline } from '../deadline';
import type { BackupView, InstanceFacts, JobView, ProductCatalog, Query, RequestShape } from '../cloud/products/catalog';
import { sleep } from '../retry';
import type { Target } from './targets';

/** What reconciliation needs of the engine's bound caller: its product and retried reads. */
export interface Reader {
  catalog: ProductCatalog;
  read(action: string, query: Query): Promise<Record<string, unknown>>;
  /** What the product says of the instance where the request's shape depends on it (MongoDB: its method). */
  facts?(): Promise<InstanceFacts | undefined>;
}

export interface Window {
  /** Epoch ms: jobs started before this are not ours (anchor minus the clock skew tolerated). */
  since: number;
  /** Epoch ms: jobs started after this are not ours. */
  until: number;
  /**
   * Ids of the jobs running just before our first attempt. A task row without a start time (RDS reports none) is
   * ours only if it was not running then: the instance runs one job at a time, so a job that appeared after our
   * attempt is the one our attempt made. Unknown (undefined) → such a row cannot be placed and is waited out.
   */
  runningBefore?: readonly string[];
  /**
   * True for a job or set this tool already holds for another request (its history knows the id under another key):
   * never adopted, so one request cannot take another's backup as its own, nor retention count it twice.
   */
  theirs?: (found: Found) => Promise<boolean>;
}

export interface Found {
  jobId?: string;
  backupId?: string;
}

export type Reconciled =
  /** Our job or set. */
  | { kind: 'found'; found: Found }
  /** Nothing of ours, nothing running: creating is both allowed and needed. */
  | { kind: 'none' }
  /** Could not decide within the deadline: another job still running, or the lag not yet passed. */
  | { kind: 'undecided'; reason: string; blocking?: JobView };

export interface SettleOptions {
  window: Window;
  /** Epoch ms before which an empty answer does not count (last attempt + list lag); 0 = one look is enough. */
  settledAt: number;
  deadline: Deadline;
  /** Keep this much of the deadline for what follows (a CreateBackup and the save). */
  reserveMs: number;
  pollMs: number;
  now: () => number;
}

const inWindow = (t: string | undefined, w: Window): boolean => {
  if (t === undefined) return false;
  const at = Date.parse(t);
  return at >= w.since && at <= w.until;
};

/** `want` undefined: the request names no databases, nothing to compare. */
function sameNames(a: string[] | undefined, want: string[] | undefined): boolean {
  if (a === undefined || want === undefined) return true;
  const b = want;
  return [...a].sort().join(',') === [...b].sort().join(',');
}

/** Matches wherever the API reports the field; a field the API does not report cannot tell us apart. */
export function matchesShape(view: { method?: string; dbNames?: string[] }, shape: RequestShape): boolean {
  if (shape.method !== undefined && view.method !== undefined && view.method !== shape.method) return false;
  return sameNames(view.dbNames, shape.dbNames);
}

/** One look at the running jobs and the sets of the window: ours, earliest first, or what blocks us. */
export async function look(target: Target, caller: Reader, window: Window): Promise<{ ours?: Found; blocking?: JobView; running: JobView[] }> {
  const { catalog } = caller;
  const id = catalog.instanceId(target as never);
  // The method the instance actually uses (MongoDB on cloud disks: Snapshot), never a default (docs/mongodb-sharded.md).
  const shape = catalog.requestShape(target as never, await caller.facts?.());
  // An empty window (no anchor known) needs no set list: only what is running.
  const [tasksBody, setsBody] = await Promise.all([
    caller.read('DescribeBackupTasks', catalog.tasksQuery(id)),
    Number.isFinite(window.since) && window.since <= window.until
      ? caller.read('DescribeBackups', catalog.backupsQuery(id, { window: { since: new Date(window.since), until: new Date(window.until) } }))
      : Promise.resolve({}),
  ]);
  const running = catalog.parseTasks(tasksBody).filter((j) => j.state === 'queued' || j.state === 'running');
  const sets: BackupView[] = catalog.parseBackups(setsBody);
  // A job running before our first attempt is never ours, whatever its start time says within the skew tolerated.
  const placed = (j: JobView) =>
    !(window.runningBefore ?? []).includes(j.jobId) && (j.startedAt !== undefined ? inWindow(j.startedAt, window) : window.runningBefore !== undefined);
  const ourJobs = running.filter((j) => j.manual && matchesShape(j, shape) && placed(j));
  const ourSets = sets.filter((b) => b.manual && matchesShape(b, shape) && inWindow(b.startedAt, window));
  const mine = async <T extends { startedAt?: string; jobId?: string; backupId?: string }>(xs: T[]): Promise<T | undefined> => {
    for (const x of [...xs].sort((a, b) => Date.parse(a.startedAt ?? '') - Date.parse(b.startedAt ?? ''))) {
      if (!(await window.theirs?.({ jobId: x.jobId, backupId: x.backupId }))) return x;
    }
    return undefined;
  };
  const job = await mine(ourJobs);
  const set = await mine(ourSets);
  // A finished set that started before a running job of ours is the earlier of the two.
  if (set && (!job || Date.parse(set.startedAt ?? '') <= Date.parse(job.startedAt ?? ''))) return { ours: { jobId: set.jobId, backupId: set.backupId }, running };
  if (job) return { ours: { jobId: job.jobId }, running };
  // Someone else's job — or one we cannot place, which may still turn out ours once it has a set with a start time.
  return { blocking: running[0], running };
}

/** Looks until ours shows, or nothing runs and the lag has passed, or the deadline (less the reserve) comes. */
export async function settle(target: Target, caller: Reader, o: SettleOptions): Promise<Reconciled> {
  for (;;) {
    const seen = await look(target, caller, o.window);
    if (seen.ours) return { kind: 'found', found: seen.ours };
    const now = o.now();
    if (!seen.blocking && now >= o.settledAt) return { kind: 'none' };
    const reason = seen.blocking
      ? `another backup job (${seen.blocking.jobId}, ${seen.blocking.manual ? 'manual' : 'automated'}) is running on the instance`
      : `a job just created may take ${Math.max(1, Math.ceil((o.settledAt - now) / 1000))} s more to show in the list APIs`;
    const pause = seen.blocking ? o.pollMs : Math.min(o.pollMs, Math.max(50, o.settledAt - now));
    if (o.deadline.remainingMs() < pause + o.reserveMs) return { kind: 'undecided', reason, blocking: seen.blocking };
    await sleep(pause);
  }
}
