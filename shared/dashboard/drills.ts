// What the dashboard shows of a database's restore drills, from the drills the report already read for LAST RESTORE
// TESTED (shared/report/report.ts hands them over, so the store is read once): the newest drill whatever its phase
// (an open one is news too), the recovery times of the last 90 days for the sparkline, and each drill as the detail
// view lists it. The report's `restoreTested` stays beside it as the "last tested" the CLI prints.
import type { DrillPhase, DrillRecord, DrillVerdict } from '../drill/record';

export const drillWindowDays = 90;

/** The newest drill of a database, in any phase. */
export interface LastDrill {
  drillId: string;
  requestedAt: string;
  /** When its instance was ready (null: not, or not yet). */
  readyAt: string | null;
  /** Since it was ready (or, never ready, requested), ms at the fleet's build. */
  ageMs: number;
  phase: DrillPhase;
  verdict: DrillVerdict | null;
  recoveryMs: number | null;
  error: { code: string; message: string } | null;
}

export interface DrillSummary {
  last: LastDrill | null;
  /** Recovery times (request to ready) of the drills requested in the last 90 days, oldest first. */
  recovery: { at: string; ms: number }[];
}

const newestFirst = (a: DrillRecord, b: DrillRecord) => Date.parse(b.requestedAt) - Date.parse(a.requestedAt);

/** `drills`: one database's, any order. */
export function drillSummary(drills: readonly DrillRecord[], now: number): DrillSummary {
  const sorted = [...drills].sort(newestFirst);
  const newest = sorted[0];
  const since = now - drillWindowDays * 86_400_000;
  return {
    last: newest
      ? {
          drillId: newest.drillId,
          requestedAt: newest.requestedAt,
          readyAt: newest.readyAt ?? null,
          ageMs: Math.max(0, now - Date.parse(newest.readyAt ?? newest.requestedAt)),
          phase: newest.phase,
          verdict: newest.verdict ?? null,
          recoveryMs: newest.recoveryMs ?? null,
          error: newest.error ?? null,
        }
      : null,
    recovery: sorted
      .filter((r) => r.recoveryMs !== undefined && Date.parse(r.requestedAt) >= since)
      .map((r) => ({ at: r.readyAt ?? r.requestedAt, ms: r.recoveryMs as number }))
      .reverse(),
  };
}

/** A drill as the detail view lists it: what happened, never where a chat drill's outcome is posted. */
export function drillView(r: DrillRecord) {
  return {
    drillId: r.drillId,
    backupId: r.backupId,
    trigger: r.origin.trigger,
    ...(r.origin.requestedBy ? { requestedBy: r.origin.requestedBy } : {}),
    requestedAt: r.requestedAt,
    phase: r.phase,
    ...(r.readyAt ? { readyAt: r.readyAt } : {}),
    ...(r.recoveryMs !== undefined ? { recoveryMs: r.recoveryMs } : {}),
    ...(r.verdict ? { verdict: r.verdict } : {}),
    ...(r.verdictMessage ? { verdictMessage: r.verdictMessage } : {}),
    ...(r.releasedAt ? { releasedAt: r.releasedAt } : {}),
    ...(r.lifetimeMs !== undefined ? { lifetimeMs: r.lifetimeMs } : {}),
    ...(r.error ? { error: r.error } : {}),
  };
}

/** One database's drills for the detail view, newest first. */
export const drillViews = (drills: readonly DrillRecord[]) => [...drills].sort(newestFirst).map(drillView);
