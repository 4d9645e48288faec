// One database's backup sets over a long range, read as the DescribeBackups reference asks: "We recommend that you
// specify a time range that is as short as possible to avoid timeout" (RDS DescribeBackupsRequest.endTime,
// @alicloud/rds20140815; docs/cloud-truth.md). The range is cut into windows, newest first: a week, then each twice the
// one before up to a year (the recent past, where backups are dense, in short windows; ten years in 15 windows, read 8
// at a time, so a PolarDB slot check before CreateBackup costs two rounds, not forty), each window read page by page.
// A window too dense for its pages is read again in halves, down to a week.
import type { BackupView, TimeWindow } from '../cloud/products/catalog';
import type { Reader } from './reconcile';

export interface ListBackupSetsOptions {
  /** The first (newest) window, and the least a window is halved to. Default 7 days. */
  windowMs?: number;
  /** The widest window. Default 365 days. */
  maxWindowMs?: number;
  /** Stop walking back once what was collected (newest windows first) is enough, e.g. PolarDB's 3 slots all found. */
  enough?: (sets: readonly BackupView[]) => boolean;
  /** Pages a window wider than `windowMs` may take before it is read again in halves. Default 10 (1,000 sets). */
  maxPagesPerWindow?: number;
  /** Windows read at once (each a chain of pages). Default 8. */
  concurrency?: number;
  /** Automated backups too, where the list API filters on the mode (PolarDB): the restore-point watch counts every one. */
  allModes?: boolean;
}

const DAY_MS = 86_400_000;
export const PAGE_SIZE = 100;
export const DEFAULT_WINDOW_MS = 7 * DAY_MS;
export const MAX_WINDOW_MS = 365 * DAY_MS;

interface Span {
  from: number;
  to: number;
}

/** The range cut newest first: `first`, then doubling up to `max`. */
export function windowsOf(range: TimeWindow, first: number, max: number): Span[] {
  const since = range.since.getTime();
  const out: Span[] = [];
  let to = range.until.getTime();
  for (let width = first; to > since; width = Math.min(max, width * 2)) {
    const from = Math.max(since, to - width);
    out.push({ from, to });
    to = from;
  }
  return out;
}

/**
 * Every set DescribeBackups lists for the database between `range.since` and `range.until`, each once, newest window
 * first (within a window, in the API's order). Reads are the caller's (retried within its deadline); a failure is
 * thrown, never a partial list passed off as the whole.
 */
export async function listBackupSets(caller: Reader, instanceId: string, range: TimeWindow, o: ListBackupSetsOptions = {}): Promise<BackupView[]> {
  const minMs = Math.max(60_000, o.windowMs ?? DEFAULT_WINDOW_MS);
  const maxMs = Math.max(minMs, o.maxWindowMs ?? MAX_WINDOW_MS);
  const maxPages = o.maxPagesPerWindow ?? 10;
  const concurrency = Math.max(1, o.concurrency ?? 8);

  const readWindow = async (w: Span): Promise<BackupView[]> => {
    const window = { since: new Date(w.from), until: new Date(w.to) };
    const sets: BackupView[] = [];
    for (let page = 1; ; page++) {
      const body = await caller.read('DescribeBackups', { ...caller.catalog.backupsQuery(instanceId, { window, ...(o.allModes ? { allModes: true } : {}) }), PageSize: String(PAGE_SIZE), PageNumber: String(page) });
      const found = caller.catalog.parseBackups(body);
      sets.push(...found);
      if (found.length < PAGE_SIZE) return sets;
      // Too dense for one window this wide: the two halves instead. The shortest window is read to its end.
      if (w.to - w.from > minMs && page >= maxPages) {
        const mid = w.from + Math.floor((w.to - w.from) / 2);
        return [...(await readWindow({ from: mid, to: w.to })), ...(await readWindow({ from: w.from, to: mid }))];
      }
    }
  };

  const seen = new Set<string>();
  const out: BackupView[] = [];
  const windows = windowsOf(range, minMs, maxMs);
  for (let i = 0; i < windows.length; i += concurrency) {
    const batch = await Promise.all(windows.slice(i, i + concurrency).map(readWindow));
    // Windows are rounded outward to whole minutes, so neighbours share a minute: each set once.
    for (const b of batch.flat()) {
      const id = b.backupId || `${b.jobId ?? ''}@${b.startedAt ?? ''}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push(b);
    }
    if (o.enough?.(out)) break;
  }
  return out;
}
