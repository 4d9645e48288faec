// What retention would delete, decided from what the cloud holds and which of it this tool made. Pure: the same
// inventory and clock give the same plan, for the dry run, the log and the deletions alike.
//
// Two kinds of deletion, each bounded by the floors of issue 16 (checked again, independently, by floors.ts):
// - `policy`: after a *scheduled* backup is recorded good, at most one of this tool's older scheduled backups that
//   the operator's policy no longer keeps. Ad-hoc backups (chat, deploy gate, CLI) never trigger one and are never
//   counted or deleted by the policy: they are restore points someone asked for.
// - `room`: before a CreateBackup where the cloud holds only so many manual backups (PolarDB: 3), one of this tool's
//   *ad-hoc* backups older than ADHOC_REPLACE_MIN_AGE may give up its slot. Nothing else is ever deleted first: a
//   PolarDB policy keeps at most 2, so scheduled rotation leaves a slot free and creates before it deletes.
import type { RetentionRules } from '../cloud/products/catalog';
import type { RetentionPolicy } from './policy';
import { keptByPolicy } from './kept';

/** A manual backup set, or a manual job still running, as the cloud lists it. */
export interface Held {
  backupId: string;
  jobId?: string;
  state: 'succeeded' | 'failed' | 'running';
  startedAt?: string;
  /** Its id is in this tool's history. Anything else (console, another tool, unknown) is never deleted. */
  ours: boolean;
  /** Ours, asked for by chat, the deploy gate or the CLI (not the timer). */
  adhoc?: boolean;
  /** Ours only by adoption, with no attempt of ours on record (a fresh claim's look): never deleted. */
  uncertain?: boolean;
  /** The history record naming it, to mark it retired. */
  recordId?: string;
  /** When this tool asked for it (ms precision): orders two of ours the cloud lists in the same second. */
  requestedAt?: string;
  /** The cloud will not delete it now (RDS StoreStatus other than Enabled, or refused earlier in this run). */
  undeletable?: boolean;
}

export interface Deletion {
  /** `policy`: beyond the scheduled policy; `room`: an old ad-hoc backup frees a slot for a new backup. */
  kind: 'policy' | 'room';
  backupId: string;
  startedAt?: string;
  recordId?: string;
  reason: string;
}

export interface PlanOptions {
  /** RETENTION_MIN_AGE (and the product's own minimum): nothing younger is deleted. */
  minAgeMs: number;
  /** ADHOC_REPLACE_MIN_AGE: an ad-hoc backup of ours older than this may give its slot to a new backup. */
  adhocReplaceMinAgeMs: number;
  /** RETENTION_TIMEZONE: the days, weeks and months of keepDaily/keepWeekly/keepMonthly. */
  timeZone: string;
  /** `policy`: after the scheduled backup `replacing` was recorded good; `room`: before a CreateBackup. */
  mode: 'policy' | 'room';
  replacing?: string;
}

export interface Plan {
  deletions: Deletion[];
  /** This tool's good scheduled backups left after the deletions, newest first. */
  kept: Held[];
  /** Beyond the policy too, but each new good backup allows one deletion: they go with the next ones. */
  deferred: Held[];
  /** When the next deletion falls due, if one is known: ISO time, or a condition in words. */
  nextDeletion?: string;
  /** No room for the new backup, and none may be made: the backups holding the slots. */
  blocked?: { slots: number; holders: Held[] };
}

const startOf = (h: Held) => (h.startedAt === undefined ? Number.NaN : Date.parse(h.startedAt));
const ms = (t?: string) => (t === undefined ? 0 : Date.parse(t) || 0);
// The cloud's start times are whole seconds: ties fall back to our request time, then to the id.
export const newestFirst = (a: Held, b: Held): number =>
  ms(b.startedAt) - ms(a.startedAt) || ms(b.requestedAt) - ms(a.requestedAt) || b.backupId.localeCompare(a.backupId, 'en', { numeric: true });

/** Ours, certain, scheduled: the only backups a policy counts and may delete. */
export const scheduledOurs = (h: Held): boolean => h.ours && !h.uncertain && !h.adhoc;
export const deletesByPolicy = (p: RetentionPolicy): boolean =>
  [p.keep, p.keepDays, p.keepLast, p.keepDaily, p.keepWeekly, p.keepMonthly].some((v) => v !== undefined);

export function plan(held: readonly Held[], policy: RetentionPolicy, rules: RetentionRules, now: number, o: PlanOptions): Plan {
  const good = held.filter((h) => h.state === 'succeeded').sort(newestFirst);
  const scheduled = good.filter(scheduledOurs);
  // Never the newest good backup of the database, nor this tool's newest.
  const protectedIds = new Set([good[0]?.backupId, good.find((h) => h.ours)?.backupId]);
  const minAge = Math.max(o.minAgeMs, rules.minDeleteAgeMs);
  const oldEnough = (h: Held, age: number) => now - startOf(h) >= age;
  const deletions: Deletion[] = [];
  const deferred: Held[] = [];
  let dueTimes: number[] = [];
  let kept = scheduled;

  if (o.mode === 'policy' && deletesByPolicy(policy)) {
    const verdict = keptByPolicy(scheduled, policy, o.timeZone, now);
    kept = scheduled.filter((h) => verdict.kept.has(h.backupId));
    dueTimes = verdict.dueTimes;
    // Oldest first: the one deletion this new good backup allows goes to the oldest backup the policy lets go.
    const beyond = scheduled.filter((h) => !verdict.kept.has(h.backupId)).reverse();
    for (const h of beyond) {
      if (protectedIds.has(h.backupId) || h.undeletable) continue;
      if (!oldEnough(h, minAge)) {
        dueTimes.push(startOf(h) + minAge);
        continue;
      }
      if (deletions.length === 0) deletions.push({ kind: 'policy', backupId: h.backupId, startedAt: h.startedAt, recordId: h.recordId, reason: verdict.reason });
      else deferred.push(h);
    }
    kept = scheduled.filter((h) => !deletions.some((d) => d.backupId === h.backupId));
  }

  let blocked: Plan['blocked'];
  if (o.mode === 'room' && rules.manualSlots !== undefined) {
    const holding = held.filter((h) => h.state !== 'failed');
    const slots = rules.manualSlots.count;
    const need = holding.length - slots + 1;
    if (need > 0) {
      // One old ad-hoc backup of ours, the oldest, and only while another good backup of the database remains.
      const replaceable = good
        .filter((h) => h.ours && h.adhoc && !h.uncertain && !h.undeletable && !protectedIds.has(h.backupId) && oldEnough(h, Math.max(minAge, o.adhocReplaceMinAgeMs)))
        .reverse();
      const h = need === 1 && good.length >= 2 ? replaceable[0] : undefined;
      if (h) {
        deletions.push({
          kind: 'room',
          backupId: h.backupId,
          startedAt: h.startedAt,
          recordId: h.recordId,
          reason: `an ad-hoc backup older than ADHOC_REPLACE_MIN_AGE gives its slot to a new backup: the cloud holds at most ${slots} manual backups at a time`,
        });
      } else blocked = { slots, holders: holding };
    }
  }

  return { deletions, kept, deferred, nextDeletion: nextDeletion(policy, dueTimes, deferred.length > 0), ...(blocked ? { blocked } : {}) };
}

function nextDeletion(policy: RetentionPolicy, dueTimes: number[], deferred: boolean): string | undefined {
  if (deferred) return 'after the next good scheduled backup (one deletion per new good backup)';
  const due = dueTimes.filter((t) => !Number.isNaN(t));
  if (due.length > 0) return new Date(Math.min(...due)).toISOString();
  // Nothing is beyond the policy yet: the next good backup pushes the oldest kept one out (or out of protection).
  return deletesByPolicy(policy) ? 'after the next good scheduled backup' : undefined;
}

/** "3 of 3 held: 11 (this tool's scheduled, started …), 12 (not in this tool's history, …), 13 (running job)" */
export function describeHolders(blocked: NonNullable<Plan['blocked']>): string {
  const whose = (h: Held) =>
    h.state === 'running'
      ? 'running job'
      : !h.ours
        ? "not in this tool's history"
        : h.uncertain
          ? 'adopted, origin uncertain'
          : `this tool's ${h.adhoc ? 'ad-hoc' : 'scheduled'}${h.undeletable ? ', not deletable now' : ''}`;
  const one = (h: Held) => `${h.backupId} (${whose(h)}${h.startedAt ? `, started ${h.startedAt}` : ''})`;
  return `${blocked.holders.length} of ${blocked.slots} held: ${blocked.holders.map(one).join(', ')}`;
}
