// Which of this tool's good backups of one database a keepLast/keepDaily/keepWeekly/keepMonthly rotation keeps, and
// why. The meaning is restic's `forget`, ported from its ApplyPolicy (restic/restic, internal/data/snapshot_policy.go
// at a80be1478a4c537f8396e0db2b05120aa78f11e0; internal/restic/snapshot_policy.go before September 2025), so an
// operator who knows `restic forget --keep-daily 7 --keep-weekly 4 --keep-monthly 12` knows what this keeps:
// - keepLast n: the n newest backups;
// - keepDaily n: for the last n days that have backups, the newest backup of each day; weekly is the ISO week
//   (restic's year*100+ISOWeek), monthly the calendar month;
// - one backup may satisfy several rules, and each rule counts it;
// - when a rule still has counts left at the oldest backup, that backup is kept too ("oldest daily …", restic's
//   "oldest daily snapshot"): the history reaches as far back as it can.
// Restic buckets a snapshot by its own recorded local time; here every bucket is counted in one IANA time zone (the
// timer's), so a backup at 23:30 UTC belongs to the next day in Asia/Shanghai. Pure: no clock, no I/O.
import { validationError } from '../errors';

export interface RotationRules {
  keepLast?: number;
  keepDaily?: number;
  keepWeekly?: number;
  keepMonthly?: number;
}

export interface RotationBackup {
  id: string;
  /** ISO 8601 start time, as the cloud reports it. */
  startedAt: string;
}

export interface KeptBackup extends RotationBackup {
  /** Every rule that keeps it, e.g. ["last 1", "daily 2026-11-30", "monthly 2026-11"]. */
  reasons: string[];
}

export interface Rotation {
  /** Newest first. */
  kept: KeptBackup[];
  /** Newest first. */
  dropped: RotationBackup[];
}

export const rotationRuleNames = ['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const;

export const hasRotation = (rules: RotationRules): boolean => rotationRuleNames.some((r) => rules[r] !== undefined && rules[r] > 0);

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO 8601 week of a calendar date (Go's time.ISOWeek): weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek({ year, month, day }: LocalDate): { year: number; week: number } {
  const d = new Date(Date.UTC(year, month - 1, day));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday); // the Thursday of the same week decides the year
  const isoYear = d.getUTCFullYear();
  const week = Math.floor((d.getTime() - Date.UTC(isoYear, 0, 1)) / 86_400_000 / 7) + 1;
  return { year: isoYear, week };
}

type Bucket = (local: LocalDate, position: number) => string;

// In restic's order (last, daily, weekly, monthly; hourly and yearly are not offered), so reasons read the same.
const buckets: readonly { rule: (typeof rotationRuleNames)[number]; name: string; of: Bucket }[] = [
  { rule: 'keepLast', name: 'last', of: (_, position) => String(position + 1) },
  { rule: 'keepDaily', name: 'daily', of: (d) => `${d.year}-${pad(d.month)}-${pad(d.day)}` },
  { rule: 'keepWeekly', name: 'weekly', of: (d) => { const w = isoWeek(d); return `${w.year}-W${pad(w.week)}`; } },
  { rule: 'keepMonthly', name: 'monthly', of: (d) => `${d.year}-${pad(d.month)}` },
];

function localDateIn(timeZone: string): (ms: number) => LocalDate {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
  } catch {
    throw validationError([{ field: 'timeZone', value: timeZone, rule: 'must be an IANA time zone such as Asia/Shanghai or UTC' }], 'rotation');
  }
  return (ms) => {
    const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
    return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) };
  };
}

/**
 * Applies the rules to one database's good backups of this tool. With no rule set, everything is kept: restic
 * would remove all (its `--unsafe-allow-remove-all`), which this tool never offers. A backup whose start time cannot
 * be read is kept and counts for no rule: it cannot be placed in a day, so it is not ours to judge.
 */
export function rotate(backups: readonly RotationBackup[], rules: RotationRules, timeZone: string): Rotation {
  const localDate = localDateIn(timeZone);
  const unreadable = backups.filter((b) => Number.isNaN(Date.parse(b.startedAt)));
  // Newest first; equal times keep their input order (restic's sort.Stable).
  const list = backups
    .filter((b) => !Number.isNaN(Date.parse(b.startedAt)))
    .map((b) => ({ b, ms: Date.parse(b.startedAt) }))
    .sort((x, y) => y.ms - x.ms);
  const copy = (b: RotationBackup): RotationBackup => ({ id: b.id, startedAt: b.startedAt });

  if (!hasRotation(rules)) {
    return { kept: [...list.map(({ b }) => ({ ...copy(b), reasons: ['no rotation rule'] })), ...unreadable.map((b) => ({ ...copy(b), reasons: ['start time unreadable'] }))], dropped: [] };
  }

  const state = buckets.map((k) => ({ ...k, left: rules[k.rule] ?? 0, last: undefined as string | undefined }));
  const kept: KeptBackup[] = [];
  const dropped: RotationBackup[] = [];
  list.forEach(({ b, ms }, position) => {
    const local = localDate(ms);
    const oldest = position === list.length - 1;
    const reasons: string[] = [];
    for (const s of state) {
      if (s.left <= 0) continue;
      const value = s.of(local, position);
      // A new bucket keeps its newest backup; restic also keeps the very oldest while counts are left.
      if (value !== s.last || oldest) {
        reasons.push(value === s.last ? `oldest ${s.name} ${value}` : `${s.name} ${value}`);
        s.last = value;
        s.left -= 1;
      }
    }
    if (reasons.length > 0) kept.push({ ...copy(b), reasons });
    else dropped.push(copy(b));
  });
  kept.push(...unreadable.map((b) => ({ ...copy(b), reasons: ['start time unreadable'] })));
  return { kept, dropped };
}
