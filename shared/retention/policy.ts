// How many of this tool's backups of a database to keep, and for how long, from the target and its product.
import { catalogOf } from '../cloud/products/registry';
import { instanceIdOf, type Target } from '../backup/targets';
import type { HistoryRecord } from '../history/record';

export interface RetentionPolicy {
  keep?: number;
  keepDays?: number;
}

/**
 * A target's own `keep`, else its product's default (PolarDB: 2). `keepDays` only where this tool deletes by age;
 * MongoDB sends it with CreateBackup instead, and the cloud expires the backup itself.
 */
export function policyOf(target: Target): RetentionPolicy {
  const rules = catalogOf(target.product).retention;
  const t = target as { keep?: number; keepDays?: number };
  const keep = t.keep ?? rules.defaultKeep;
  return {
    ...(keep !== undefined ? { keep } : {}),
    ...(t.keepDays !== undefined && !rules.keepDaysByCloud ? { keepDays: t.keepDays } : {}),
  };
}

const explicit = (t: Target) => (t as { keep?: number }).keep !== undefined || (t as { keepDays?: number }).keepDays !== undefined;

/**
 * The policy in force for a database: the target's own when it sets keep or keepDays, else the one last set on any
 * of the database's requests (`records`, newest first), else the product's default. So a chat or deploy-gate
 * backup, which sets none, never overrides the timer's `keep: 3` with PolarDB's default of 2.
 */
export function policyInForce(target: Target, records: readonly HistoryRecord[]): RetentionPolicy {
  if (explicit(target)) return policyOf(target);
  const last = records.find((r) => explicit(r.target));
  return policyOf(last?.target ?? target);
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
