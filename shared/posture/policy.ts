// A database's own backup settings in one shape for every product, read from the product's DescribeBackupPolicy (and
// its companions): what the rules are checked against. An aspect left undefined is one this product, or this
// instance's engine, cannot express: its rule is "not applicable", never "ok" (docs/posture-apis.md).

export type KeepOnRelease = 'none' | 'latest' | 'all';

/** -1 as the APIs spell it: kept forever. */
export const FOREVER = -1;

export interface PolicyView {
  /** The longest a data backup is kept, in days (PolarDB: level-2 when on, else level-1); FOREVER. */
  retentionDays?: number;
  /** Automated data backups in a week, counted from the days and the frequency the policy names. */
  backupsPerWeek?: number;
  /** Log backup on: point-in-time recovery between data backups. */
  logBackup?: boolean;
  logRetentionDays?: number;
  /** Cross-region copies of the data backups: whether on, and where to. */
  crossRegion?: { enabled: boolean; region?: string; retentionDays?: number };
  /** What the product keeps once the instance is released or the cluster deleted. */
  keepOnRelease?: KeepOnRelease;
  /** The API fields each aspect was read from, as the APIs name them: `BackupRetentionPeriod 7`. */
  source: Partial<Record<Aspect, string>>;
  /** The answers as read: a fix restates what RDS's ModifyBackupPolicy requires but does not change. */
  raw: Record<string, unknown>;
  /** Set when none of the above can be read this way (PolarDB's advanced backup policy): every rule is not applicable. */
  unsupported?: string;
}

export type Aspect = 'retentionDays' | 'backupsPerWeek' | 'logBackup' | 'logRetentionDays' | 'crossRegion' | 'keepOnRelease';

export const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** "Monday,Wednesday" → the days named, in week order; unknown words are not days. */
export function daysOf(period: unknown): string[] {
  const named = typeof period === 'string' ? period.split(',').map((d) => d.trim()) : [];
  return weekdays.filter((d) => named.includes(d));
}

/** `days` as far as at least `count` days, adding the missing ones spread over the week; never removing one. */
export function widenDays(current: readonly string[], count: number): string[] {
  const out = new Set(current);
  // Every other day first (Monday, Wednesday, …), so three days are not three in a row.
  const order = [0, 2, 4, 6, 1, 3, 5].map((i) => weekdays[i] as string);
  for (const d of order) {
    if (out.size >= count) break;
    out.add(d);
  }
  return weekdays.filter((d) => out.has(d));
}

/** Retention `days` (FOREVER counts as longest) is at least `min`. */
export const keepsAtLeast = (days: number, min: number): boolean => days === FOREVER || days >= min;

export const showDays = (days: number): string => (days === FOREVER ? 'forever' : `${days} day${days === 1 ? '' : 's'}`);

const keepRank: Record<KeepOnRelease, number> = { none: 0, latest: 1, all: 2 };
export const keepsOnRelease = (have: KeepOnRelease, want: 'latest' | 'all'): boolean => keepRank[have] >= keepRank[want];

/** An API's number, however it is typed there ("7", 7). */
export function numberOf(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}
