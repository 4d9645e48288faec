// Which of this tool's scheduled backups the operator's policy keeps. A backup is kept when any rule keeps it:
// `keep` (the newest n), `keepDays` (younger than n days), and restic's keepLast/keepDaily/keepWeekly/keepMonthly.
import type { Held } from './plan';
import type { RetentionPolicy } from './policy';
import { hasRotation, rotate } from './rotation';

const DAY_MS = 86_400_000;

export interface PolicyVerdict {
  kept: Set<string>;
  /** When a backup kept only by age stops being kept (epoch ms). */
  dueTimes: number[];
  /** Why the others are not kept, in words. */
  reason: string;
}

/** `scheduled`: this tool's good scheduled backups, newest first. */
export function keptByPolicy(scheduled: readonly Held[], policy: RetentionPolicy, timeZone: string, now: number): PolicyVerdict {
  const kept = new Set<string>();
  const dueTimes: number[] = [];
  const keepN = policy.keep;
  if (keepN !== undefined) scheduled.slice(0, keepN).forEach((h) => kept.add(h.backupId));
  if (policy.keepDays !== undefined) {
    const byCount = new Set(kept);
    for (const h of scheduled) {
      const due = Date.parse(h.startedAt ?? '') + policy.keepDays * DAY_MS;
      // A backup of unknown age is kept: its age cannot be proven.
      if (!Number.isNaN(due) && due <= now) continue;
      kept.add(h.backupId);
      if (!Number.isNaN(due) && !byCount.has(h.backupId)) dueTimes.push(due);
    }
  }
  if (hasRotation(policy)) {
    // A backup without a start time cannot be placed in a day, week or month: kept.
    for (const h of scheduled) if (h.startedAt === undefined) kept.add(h.backupId);
    const placed = scheduled.filter((h) => h.startedAt !== undefined).map((h) => ({ id: h.backupId, startedAt: h.startedAt as string }));
    for (const k of rotate(placed, policy, timeZone).kept) kept.add(k.id);
  }
  return { kept, dueTimes, reason: reasonFor(policy) };
}

function reasonFor(p: RetentionPolicy): string {
  const rules = (['keep', 'keepDays', 'keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const).filter((k) => p[k] !== undefined).map((k) => `${k} ${p[k]}`);
  return `not kept by the scheduled policy (${rules.join(', ')})`;
}
