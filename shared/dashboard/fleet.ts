// The dashboard's model of the fleet: the morning report (shared/report/report.ts) for every database with a
// history, plus what a picture needs of the same records — one outcome per day for the last 35 days, the size and
// duration of each day's good backup, and the tags the timer found it by. Built from the history store alone.
import type { History } from '../history/history';
import { databaseId, type HistoryRecord } from '../history/record';
import type { DrillLog, DrillRecord } from '../drill/record';
import { buildReport, type DatabaseReport, type ReportInput } from '../report/report';
import { drillSummary, type DrillSummary } from './drills';

export const stripDays = 35;

/** One state per database, so the fleet's counts add up: the worst that is true of it. */
export type DatabaseState = 'failed' | 'stale' | 'running' | 'ok';
export const databaseStates: readonly DatabaseState[] = ['failed', 'stale', 'running', 'ok'];

/**
 * A day's outcome, one letter each in `strip` (oldest day first): `s` a scheduled backup succeeded, `f` a backup
 * failed (or could not be requested, or was lost), `a` only an ad-hoc one (chat, deploy gate, CLI) succeeded, `r`
 * one is still running, `m` nothing was backed up, `-` before the database's history begins.
 */
export type DayOutcome = 's' | 'f' | 'a' | 'r' | 'm' | '-';

export interface FleetRow extends DatabaseReport {
  state: DatabaseState;
  tags: Record<string, string>;
  strip: string;
  /** Per day, oldest first: the size (bytes) and duration (ms) of that day's last good backup, or null. */
  sizes: (number | null)[];
  durations: (number | null)[];
  /** Every id the tool prints for this database's records (job, backup set, key, deploy), for search. */
  refs: string[];
  /** Its restore drills (absent: drills not read): the newest in any phase, and the last 90 days' recovery times. */
  drill?: DrillSummary;
}

export interface Fleet {
  generatedAt: string;
  maxAgeMs: number;
  timeZone: string;
  /** The strip's days, oldest first, as YYYY-MM-DD in `timeZone`. */
  days: string[];
  rows: FleetRow[];
  warnings: string[];
  /** Records per database, newest first (the detail view's). */
  records: Map<string, readonly HistoryRecord[]>;
  /** Drills per database, any order (the detail view's), as the report read them. */
  drills: Map<string, readonly DrillRecord[]>;
}

const failedStates = new Set(['failed', 'not-requested', 'lost']);

export function stateOf(d: DatabaseReport): DatabaseState {
  if (d.consecutiveSuccesses === 0 && d.lastFailure !== null) return 'failed';
  if (!d.ok) return 'stale';
  return d.running ? 'running' : 'ok';
}

/** YYYY-MM-DD of an instant in a time zone. */
export function dayFormatter(timeZone: string): (ms: number) => string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (ms) => f.format(ms);
}

/** The `count` days ending with today (in the formatter's zone), oldest first. */
export function lastDays(now: number, count: number, day: (ms: number) => string): string[] {
  const today = day(now);
  const noon = Date.parse(`${today}T12:00:00Z`);
  return Array.from({ length: count }, (_, i) => new Date(noon - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/** The strip and the sparklines of one database, from its records (newest first). */
export function daysOf(records: readonly HistoryRecord[], days: readonly string[], day: (ms: number) => string): Pick<FleetRow, 'strip' | 'sizes' | 'durations'> {
  const at = new Map(days.map((d, i) => [d, i]));
  const seen = days.map(() => ({ failed: false, scheduled: false, adhoc: false, running: false }));
  const sizes: (number | null)[] = days.map(() => null);
  const durations: (number | null)[] = days.map(() => null);
  let first = Number.POSITIVE_INFINITY;
  // Oldest first, so the day's last good backup is the one its sparkline points show.
  for (const r of [...records].reverse()) {
    const requested = Date.parse(r.requestedAt);
    const i = at.get(day(requested));
    first = Math.min(first, requested);
    if (i === undefined) continue;
    const s = seen[i] as (typeof seen)[number];
    if (failedStates.has(r.state)) s.failed = true;
    else if (r.state === 'succeeded') {
      if (r.origin.trigger === 'timer') s.scheduled = true;
      else s.adhoc = true;
      sizes[i] = r.sizeBytes ?? sizes[i] ?? null;
      durations[i] = r.durationMs ?? durations[i] ?? null;
    } else s.running = true;
  }
  const firstDay = Number.isFinite(first) ? day(first) : undefined;
  const strip = seen
    .map((s, i): DayOutcome => {
      if (s.failed) return 'f';
      if (s.scheduled) return 's';
      if (s.adhoc) return 'a';
      if (s.running) return 'r';
      return firstDay !== undefined && (days[i] as string) >= firstDay ? 'm' : '-';
    })
    .join('');
  return { strip, sizes, durations };
}

export interface FleetInput {
  history: History;
  /** The restore-point watch's counts (shared/restore-points/snapshot.ts), when the store holds them. */
  restorePoints?: ReportInput['restorePoints'];
  /** The restore drills' log (shared/drill/log.ts), read by the report for LAST RESTORE TESTED. */
  drills?: DrillLog;
  maxAgeMs: number;
  timeZone: string;
  now?: number;
}

export async function buildFleet(i: FleetInput): Promise<Fleet> {
  const now = i.now ?? Date.now();
  const records = new Map<string, readonly HistoryRecord[]>();
  const drills = new Map<string, readonly DrillRecord[]>();
  const [report, tags] = await Promise.all([
    buildReport({
      history: i.history,
      covered: [],
      warnings: [],
      maxAgeMs: i.maxAgeMs,
      now,
      ...(i.restorePoints ? { restorePoints: i.restorePoints } : {}),
      onRecords: (p, id, rs) => records.set(databaseId(p, id), rs),
      ...(i.drills ? { drills: i.drills, onDrills: (p: DatabaseReport['product'], id: string, ds: readonly DrillRecord[]) => drills.set(databaseId(p, id), ds) } : {}),
    }),
    i.history.tags(),
  ]);
  const day = dayFormatter(i.timeZone);
  const days = lastDays(now, stripDays, day);
  const severity = (r: FleetRow) => databaseStates.indexOf(r.state);
  const rows = report.databases.map((d): FleetRow => {
    const id = databaseId(d.product, d.instanceId);
    const rs = records.get(id) ?? [];
    const refs = new Set(rs.flatMap((r) => [r.id, r.jobId, r.backupId, r.origin.deployId].filter((x): x is string => x !== undefined && x !== '')));
    const drill = i.drills ? { drill: drillSummary(drills.get(id) ?? [], now) } : {};
    return { ...d, state: stateOf(d), tags: tags.get(id) ?? {}, ...daysOf(rs, days, day), refs: [...refs], ...drill };
  });
  // Worst state first (failed, stale, running, ok), then the report's order: the first rows are the ones to act on.
  rows.sort((a, b) => severity(a) - severity(b));
  return { generatedAt: report.generatedAt, maxAgeMs: report.maxAgeMs, timeZone: i.timeZone, days, rows, warnings: report.warnings, records, drills };
}

/**
 * One fleet per instance for a few seconds: a page's requests (its summary, the next page, a filter) read the
 * store once between them, and concurrent requests share one build. Nothing of it reaches the browser's cache.
 */
export class FleetCache {
  private current?: { at: number; fleet: Promise<Fleet> };

  constructor(
    private readonly ttlMs: number,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  get(build: () => Promise<Fleet>): Promise<Fleet> {
    const now = this.clock();
    if (this.current && now - this.current.at < this.ttlMs) return this.current.fleet;
    const fleet = build();
    this.current = { at: now, fleet };
    // A failed build is not kept: the next request tries again.
    fleet.catch(() => {
      if (this.current?.fleet === fleet) this.current = undefined;
    });
    return fleet;
  }
}
