// How many of this tool's scheduled backups of a database to keep, and for how long: the operator's alone. A
// database's policy is what its scheduled target (the timer's payload or BACKUP_TARGETS) says at its latest firing;
// a chat, deploy-gate or CLI request carries none (operator-owned.ts refuses one), and a database no scheduled
// target names has no deletions.
import { catalogOf } from '../cloud/products/registry';
import { instanceIdOf, type Target } from '../backup/targets';
import type { HistoryRecord } from '../history/record';

export interface RetentionPolicy {
  keep?: number;
  keepDays?: number;
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
}

const FIELDS = ['keep', 'keepDays', 'keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const;

/**
 * A scheduled target's own rules, else its product's default `keep` (PolarDB: 2). `keepDays` only where this tool
 * deletes by age; MongoDB sends it with CreateBackup instead, and the cloud expires the backup itself.
 */
export function policyOf(target: Target): RetentionPolicy {
  const rules = catalogOf(target.product).retention;
  const t = target as RetentionPolicy;
  const own: RetentionPolicy = {};
  for (const f of FIELDS) if (t[f] !== undefined && !(f === 'keepDays' && rules.keepDaysByCloud)) own[f] = t[f];
  const any = FIELDS.some((f) => t[f] !== undefined);
  return any ? own : rules.defaultKeep !== undefined ? { keep: rules.defaultKeep } : {};
}

/** The scheduled record a database's policy comes from: its newest timer request (`records` newest first). */
export const scheduledRecord = (records: readonly HistoryRecord[]): HistoryRecord | undefined => records.find((r) => r.origin.trigger === 'timer');

/** The policy in force: the latest scheduled target's; none (no deletions) for a database no timer backs up. */
export function policyInForce(records: readonly HistoryRecord[]): RetentionPolicy {
  const r = scheduledRecord(records);
  return r ? policyOf(r.target) : {};
}

const DAY_MS = 86_400_000;

/**
 * Targets whose keepDays outlasts the history: their backups leave the history first, are then of unknown origin,
 * and so are never deleted — they would pile up in silence. One line per database, saying what to change.
 */
export function outlastsHistory(targets: readonly Target[], historyRetentionMs: number): string[] {
  const days = Math.floor(historyRetentionMs / DAY_MS);
  return targets.flatMap((t) => {
    const keepDays = policyOf(t).keepDays;
    if (keepDays === undefined || keepDays <= days) return [];
    return [
      `${t.product} ${instanceIdOf(t)}: keepDays ${keepDays} is longer than HISTORY_RETENTION_DAYS ${days}; its backups leave the history after ${days} days and are then never deleted. Raise HISTORY_RETENTION_DAYS to at least ${keepDays}.`,
    ];
  });
}
