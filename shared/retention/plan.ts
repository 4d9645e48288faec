// What retention would delete, decided from what the cloud holds and which of it this tool made. Pure: the same
// inventory and clock give the same plan, for the dry run, the log and the deletions alike.
import type { RetentionRules } from '../cloud/products/catalog';
import type { RetentionPolicy } from './policy';

/** A manual backup set, or a manual job still running, as the cloud lists it. */
export interface Held {
  backupId: string;
  jobId?: string;
  state: 'succeeded' | 'failed' | 'running';
  startedAt?: string;
  /** Its id is in this tool's history. Anything else (console, another tool, unknown) is never deleted. */
  ours: boolean;
  /** The history record naming it, to mark it retired. */
  recordId?: string;
  /** When this tool asked for it (ms precision): orders two of ours the cloud lists in the same second. */
  requestedAt?: string;
  /** The cloud will not delete it now (RDS StoreStatus other than Enabled, or refused earlier in this run). */
  undeletable?: boolean;
}

export interface Deletion {
  /** `policy`: beyond keep/keepDays; `room`: frees a slot for tonight's backup. */
  kind: 'policy' | 'room';
  backupId: string;
  startedAt?: string;
  recordId?: string;
  reason: string;
}

export interface Plan {
  deletions: Deletion[];
  /** This tool's good backups left after the deletions, newest first. */
  kept: Held[];
  /** When the next deletion falls due, if one is known: ISO time, or a condition in words. */
  nextDeletion?: string;
  /** No room for tonight's backup, and none may be made: the backups holding the slots. */
  blocked?: { slots: number; holders: Held[] };
}

const DAY_MS = 86_400_000;
const startOf = (h: Held) => (h.startedAt === undefined ? Number.NaN : Date.parse(h.startedAt));
const ms = (t?: string) => (t === undefined ? 0 : Date.parse(t) || 0);
// The cloud's start times are whole seconds: ties fall back to our request time, then to the id.
const newestFirst = (a: Held, b: Held) =>
  ms(b.startedAt) - ms(a.startedAt) || ms(b.requestedAt) - ms(a.requestedAt) || b.backupId.localeCompare(a.backupId, 'en', { numeric: true });

export function plan(held: readonly Held[], policy: RetentionPolicy, rules: RetentionRules, now: number, makeRoom: boolean): Plan {
  const good = held.filter((h) => h.state === 'succeeded').sort(newestFirst);
  const oursGood = good.filter((h) => h.ours);
  // Never the newest good backup of the database, nor this tool's newest: tonight's backup may yet fail.
  const protectedIds = new Set([good[0]?.backupId, oursGood[0]?.backupId]);
  const deletions: Deletion[] = [];
  const dueTimes: number[] = [];
  const deletable = (h: Held) => !protectedIds.has(h.backupId) && !h.undeletable && now - startOf(h) >= rules.minDeleteAgeMs;

  if (policy.keep !== undefined || policy.keepDays !== undefined) {
    oursGood.forEach((h, i) => {
      const beyondKeep = policy.keep === undefined || i >= policy.keep;
      if (!beyondKeep || protectedIds.has(h.backupId) || h.undeletable) return;
      const dueAt = Math.max(policy.keepDays === undefined ? 0 : startOf(h) + policy.keepDays * DAY_MS, startOf(h) + rules.minDeleteAgeMs);
      if (Number.isNaN(dueAt)) return;
      if (dueAt > now) dueTimes.push(dueAt);
      else deletions.push({ kind: 'policy', backupId: h.backupId, startedAt: h.startedAt, recordId: h.recordId, reason: reasonFor(policy, i) });
    });
  }

  let blocked: Plan['blocked'];
  if (makeRoom && rules.manualSlots !== undefined) {
    const gone = new Set(deletions.map((d) => d.backupId));
    const holding = held.filter((h) => h.state !== 'failed' && !gone.has(h.backupId));
    const slots = rules.manualSlots.count;
    let need = holding.length - slots + 1;
    const goodLeft = () => good.filter((h) => !gone.has(h.backupId)).length;
    for (const h of [...oursGood].reverse()) {
      if (need <= 0) break;
      // Only while at least one other good backup of the database remains after it.
      if (gone.has(h.backupId) || !deletable(h) || goodLeft() - 1 < 1) continue;
      gone.add(h.backupId);
      deletions.push({
        kind: 'room',
        backupId: h.backupId,
        startedAt: h.startedAt,
        recordId: h.recordId,
        reason: `makes room: the cloud holds at most ${slots} manual backups at a time`,
      });
      need--;
    }
    if (need > 0) blocked = { slots, holders: holding.filter((h) => !gone.has(h.backupId)) };
  }

  const deleted = new Set(deletions.map((d) => d.backupId));
  const kept = oursGood.filter((h) => !deleted.has(h.backupId));
  return { deletions, kept, nextDeletion: nextDeletion(policy, dueTimes), ...(blocked ? { blocked } : {}) };
}

function reasonFor(policy: RetentionPolicy, index: number): string {
  const parts = [];
  if (policy.keep !== undefined) parts.push(`beyond keep ${policy.keep} (number ${index + 1} of this tool's good backups, newest first)`);
  if (policy.keepDays !== undefined) parts.push(`older than keepDays ${policy.keepDays}`);
  return parts.join(' and ');
}

function nextDeletion(policy: RetentionPolicy, dueTimes: number[]): string | undefined {
  if (dueTimes.length > 0) return new Date(Math.min(...dueTimes)).toISOString();
  // Nothing is beyond the policy yet: the next good backup pushes the oldest kept one out (or out of protection).
  return policy.keep !== undefined || policy.keepDays !== undefined ? 'after the next good backup' : undefined;
}

/** "3 of 3 held: 11 (this tool's, started …), 12 (not in this tool's history, …), 13 (running job)" */
export function describeHolders(blocked: NonNullable<Plan['blocked']>): string {
  const one = (h: Held) =>
    `${h.backupId} (${h.state === 'running' ? 'running job' : h.ours ? `this tool's${h.undeletable ? ', not deletable now' : ''}` : "not in this tool's history"}${h.startedAt ? `, started ${h.startedAt}` : ''})`;
  return `${blocked.holders.length} of ${blocked.slots} held: ${blocked.holders.map(one).join(', ')}`;
}
