// The rotation counts in the target schema: bounds per product, PolarDB held to 2 of its 3 manual slots, MongoDB's
// cloud expiry checked against the rotation, and every refusal as `field: value — rule`.
import { describe, expect, it } from 'vitest';
import { parseTargetsOrSelectors } from '../../../shared/backup/discovery';
import { parseTarget, targetIssues } from '../../../shared/backup/targets';

const rule = (t: Record<string, unknown>) => targetIssues(t, 'targets[0]').map((i) => `${i.field}: ${JSON.stringify(i.value)} — ${i.rule}`);
const rds = (o: Record<string, unknown>) => ({ product: 'rds', DBInstanceId: 'rm-a1b2', ...o });
const mongo = (o: Record<string, unknown>) => ({ product: 'mongodb', DBInstanceId: 'dds-a1b2', ...o });
const polar = (o: Record<string, unknown>) => ({ product: 'polardb', DBClusterId: 'pc-a1b2', ...o });
const slots = 'a PolarDB cluster holds 3 manual backups and one slot stays free for the next backup, so at most 2 are kept';

describe('RDS and MongoDB: 7 dailies, 4 weeklies, 12 monthlies', () => {
  it('are accepted unchanged, beside keep and keepDays', () => {
    const gfs = { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 };
    expect(parseTarget(rds({ ...gfs, keepLast: 3, keep: 2, keepDays: 30 }))).toEqual(rds({ ...gfs, keepLast: 3, keep: 2, keepDays: 30 }));
    expect(parseTarget(mongo(gfs))).toEqual(mongo(gfs));
    expect(parseTarget(mongo({ ...gfs, BackupRetentionPeriod: -1 }))).toEqual(mongo({ ...gfs, BackupRetentionPeriod: -1 }));
    expect(parseTarget(mongo({ ...gfs, BackupRetentionPeriod: 372 }))).toEqual(mongo({ ...gfs, BackupRetentionPeriod: 372 }));
  });

  it('each count is a whole number within its bound, the message naming field, value and rule', () => {
    expect(rule(rds({ keepDaily: 0 }))).toEqual([
      "targets[0].keepDaily: 0 — must be 1 to 3650, for how many of the last days with a backup to keep that day's newest (restic forget's meaning, in the timer's time zone)",
    ]);
    expect(rule(rds({ keepWeekly: 521 }))[0]).toMatch(/^targets\[0\]\.keepWeekly: 521 — must be 1 to 520, for how many of the last ISO weeks/);
    expect(rule(mongo({ keepMonthly: 121 }))[0]).toMatch(/^targets\[0\]\.keepMonthly: 121 — must be 1 to 120, for how many of the last months/);
    expect(rule(mongo({ keepLast: 2.5 }))[0]).toMatch(/^targets\[0\]\.keepLast: 2\.5 — must be a whole number, how many of the newest/);
    expect(rule(rds({ keepDaily: '7' }))[0]).toMatch(/^targets\[0\]\.keepDaily: "7" — must be a whole number/);
  });

  it('MongoDB: a cloud expiry shorter than the rotation is refused, naming the setting and what would do', () => {
    expect(rule(mongo({ keepMonthly: 12, BackupRetentionPeriod: 30 }))).toEqual([
      'targets[0].BackupRetentionPeriod: 30 — makes the cloud expire each backup after 30 days, but keepMonthly 12 keeps backups for up to about 372 days: set it to at least 372, or BackupRetentionPeriod -1 to keep forever',
    ]);
    expect(rule(mongo({ keepDaily: 7, keepWeekly: 4, keepDays: 14 }))).toEqual([
      'targets[0].keepDays: 14 — makes the cloud expire each backup after 14 days, but keepDaily 7, keepWeekly 4 keeps backups for up to about 28 days: set it to at least 28, or BackupRetentionPeriod -1 to keep forever',
    ]);
    expect(rule(mongo({ keepMonthly: 24, BackupRetentionPeriod: 730 }))[0]).toMatch(/about 744 days: set BackupRetentionPeriod -1 to keep forever/);
    expect(rule(mongo({ keepDaily: 7, BackupRetentionPeriod: 7 }))).toEqual([]);
  });
});

describe('PolarDB: at most 2 of its 3 manual slots', () => {
  it('keep 2, or rotation counts summing to 2, are accepted', () => {
    for (const t of [polar({ keep: 2 }), polar({ keepDaily: 2 }), polar({ keepDaily: 1, keepMonthly: 1 }), polar({ keep: 1, keepDaily: 1, keepWeekly: 1 }), polar({ keep: 2, keepLast: 1 })]) {
      expect(rule(t)).toEqual([]);
    }
  });

  it('keep 3 is refused: the third slot is the next backup’s', () => {
    expect(rule(polar({ keep: 3 }))).toEqual([`targets[0].keep: 3 — must be 1 to 2, how many of this tool's good backups to keep (${slots}; default 2)`]);
  });

  it('one count above 2 is refused with the slots as the reason', () => {
    expect(rule(polar({ keepMonthly: 3 }))).toEqual([
      `targets[0].keepMonthly: 3 — must be 1 to 2, for how many of the last months with a backup to keep that month's newest (${slots})`,
    ]);
  });

  it('counts that together could keep 3 are refused, the message adding them up', () => {
    expect(rule(polar({ keepDaily: 1, keepWeekly: 1, keepMonthly: 1 }))).toEqual([
      `targets[0].keepMonthly: 1 — keepDaily 1 + keepWeekly 1 + keepMonthly 1 = 3 could keep 3 of this tool's backups; ${slots}: the rotation counts together must be at most 2`,
    ]);
    expect(rule(polar({ keepLast: 2, keepDaily: 2 }))[0]).toMatch(/^targets\[0\]\.keepDaily: 2 — keepLast 2 \+ keepDaily 2 = 4 could keep 4/);
  });

  it('keep beside the rotation: the newest counts for both, so keep 2 + keepDaily 2 could keep 3', () => {
    expect(rule(polar({ keep: 2, keepDaily: 2 }))).toEqual([
      `targets[0].keep: 2 — beside keepDaily 2 could keep 3 of this tool's backups (the newest counts for both); ${slots}: lower keep or the rotation counts`,
    ]);
  });

  it('a tag selector is held to the same rules', () => {
    expect(() => parseTargetsOrSelectors([{ product: 'polardb', tags: { backup: 'nightly' }, keepDaily: 2, keepMonthly: 1 }])).toThrow(
      /targets\[0\]\.keepMonthly: 1 — keepDaily 2 \+ keepMonthly 1 = 3 could keep 3/,
    );
    expect(parseTargetsOrSelectors([{ product: 'polardb', tags: { backup: 'nightly' }, keepDaily: 1, keepMonthly: 1 }])).toHaveLength(1);
  });
});

describe('a wrongly typed neighbour adds no second, confused refusal', () => {
  it('names only the field that is wrong', () => {
    expect(rule(polar({ keep: '2', keepDaily: 2 })).map((r) => r.split(' — ')[0])).toEqual(['targets[0].keep: "2"']);
    expect(rule(mongo({ keepMonthly: 12, BackupRetentionPeriod: '30' })).map((r) => r.split(' — ')[0])).toEqual(['targets[0].BackupRetentionPeriod: "30"']);
  });
});
