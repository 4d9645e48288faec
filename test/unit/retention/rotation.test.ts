// Rotation (keepLast/keepDaily/keepWeekly/keepMonthly) against the nights an operator would check by hand: a month
// boundary, the timer's time zone, two backups on one day, restic's "oldest" rule. Expectations are worked out by
// hand from restic's documented meaning, not read back from the code.
import { describe, expect, it } from 'vitest';
import { isBackupError } from '../../../shared/errors';
import { isoWeek, rotate, type RotationBackup, type RotationRules } from '../../../shared/retention/rotation';

const SHANGHAI = 'Asia/Shanghai';
const keptIds = (r: ReturnType<typeof rotate>) => r.kept.map((k) => k.id);
const reasonsOf = (r: ReturnType<typeof rotate>) => Object.fromEntries(r.kept.map((k) => [k.id, k.reasons]));

/** 02:00 Asia/Shanghai (18:00 UTC the evening before) on each local date, ids named for the local date. */
const nightsAt2 = (dates: string[]): RotationBackup[] =>
  dates.map((d) => ({ id: `n-${d}`, startedAt: new Date(Date.parse(`${d}T02:00:00+08:00`)).toISOString() }));

describe('seven nights across a month boundary (2026-11-27 … 2026-12-03, 02:00 Asia/Shanghai)', () => {
  const nights = nightsAt2(['2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03']);
  const rules: RotationRules = { keepDaily: 3, keepWeekly: 2, keepMonthly: 2 };

  it('keepDaily 3 / keepWeekly 2 / keepMonthly 2 keeps 5 nights, each for its reasons; the two oldest go', () => {
    const r = rotate(nights, rules, SHANGHAI);
    expect(reasonsOf(r)).toEqual({
      'n-2026-12-03': ['daily 2026-12-03', 'weekly 2026-W49', 'monthly 2026-12'],
      'n-2026-12-02': ['daily 2026-12-02'],
      'n-2026-12-01': ['daily 2026-12-01'],
      // Newest of November (monthly) and newest of ISO week 48 (Mon 23 … Sun 29 November).
      'n-2026-11-30': ['monthly 2026-11'],
      'n-2026-11-29': ['weekly 2026-W48'],
    });
    expect(keptIds(r)).toEqual(['n-2026-12-03', 'n-2026-12-02', 'n-2026-12-01', 'n-2026-11-30', 'n-2026-11-29']);
    expect(r.dropped.map((b) => b.id)).toEqual(['n-2026-11-28', 'n-2026-11-27']);
  });

  it('the same nights counted in UTC (18:00 the evening before) keep a different set: the zone is not cosmetic', () => {
    const r = rotate(nights, rules, 'UTC');
    expect(reasonsOf(r)).toEqual({
      'n-2026-12-03': ['daily 2026-12-02', 'weekly 2026-W49', 'monthly 2026-12'],
      'n-2026-12-02': ['daily 2026-12-01'],
      // In UTC this night is 30 November 18:00: November's newest, and the newest of W49's Monday.
      'n-2026-12-01': ['daily 2026-11-30', 'monthly 2026-11'],
      'n-2026-11-30': ['weekly 2026-W48'],
    });
  });

  it('input order does not matter, and nothing is both kept and dropped', () => {
    const r = rotate([...nights].reverse(), rules, SHANGHAI);
    expect(keptIds(r)).toEqual(keptIds(rotate(nights, rules, SHANGHAI)));
    expect(r.kept.length + r.dropped.length).toBe(nights.length);
  });
});

describe('time zone', () => {
  // 23:30 UTC on 30 November is 07:30 on 1 December in Asia/Shanghai.
  const late = { id: 'late', startedAt: '2026-11-30T23:30:00Z' };
  const evening = { id: 'evening', startedAt: '2026-12-01T10:00:00Z' }; // 1 December 18:00 Shanghai
  const morning = { id: 'morning', startedAt: '2026-11-30T01:00:00Z' }; // 30 November in both zones

  it('a backup at 23:30 UTC is the next day in Asia/Shanghai', () => {
    const r = rotate([late, evening, morning], { keepDaily: 2 }, SHANGHAI);
    // Shanghai: late and evening share 1 December, so only the newer (evening) counts; morning is 30 November.
    expect(reasonsOf(r)).toEqual({ evening: ['daily 2026-12-01'], morning: ['daily 2026-11-30'] });
    expect(r.dropped.map((b) => b.id)).toEqual(['late']);
  });

  it('the same backups in UTC: late is 30 November’s newest, and morning goes', () => {
    const r = rotate([late, evening, morning], { keepDaily: 2 }, 'UTC');
    expect(reasonsOf(r)).toEqual({ evening: ['daily 2026-12-01'], late: ['daily 2026-11-30'] });
    expect(r.dropped.map((b) => b.id)).toEqual(['morning']);
  });

  it('a month counted in the zone: 23:30 UTC on 30 November is December in Shanghai', () => {
    expect(reasonsOf(rotate([late], { keepMonthly: 1 }, SHANGHAI))).toEqual({ late: ['monthly 2026-12'] });
    expect(reasonsOf(rotate([late], { keepMonthly: 1 }, 'UTC'))).toEqual({ late: ['monthly 2026-11'] });
  });

  it('an unknown zone is a validation error naming timeZone', () => {
    let err: unknown;
    try {
      rotate([late], { keepDaily: 1 }, 'Mars/Olympus');
    } catch (e) {
      err = e;
    }
    expect(isBackupError(err) && err.category).toBe('validation');
    expect((err as Error).message).toContain('timeZone: "Mars/Olympus"');
  });
});

describe('ties, several rules, the oldest', () => {
  const at = (id: string, iso: string) => ({ id, startedAt: iso });

  it('two backups on one day: the newest is that day’s daily, the earlier one goes', () => {
    const r = rotate(
      [at('dec1-early', '2026-12-01T01:00:00+08:00'), at('nov30', '2026-11-30T01:00:00+08:00'), at('dec1-late', '2026-12-01T03:00:00+08:00')],
      { keepDaily: 2 },
      SHANGHAI,
    );
    expect(reasonsOf(r)).toEqual({ 'dec1-late': ['daily 2026-12-01'], nov30: ['daily 2026-11-30'] });
    expect(r.dropped.map((b) => b.id)).toEqual(['dec1-early']);
  });

  it('counts left at the oldest backup keep it too, marked "oldest" (restic’s "oldest daily snapshot")', () => {
    const r = rotate([at('a', '2026-12-01T01:00:00+08:00'), at('b', '2026-12-01T03:00:00+08:00')], { keepDaily: 3 }, SHANGHAI);
    expect(reasonsOf(r)).toEqual({ b: ['daily 2026-12-01'], a: ['oldest daily 2026-12-01'] });
  });

  it('keepLast counts positions, and one backup may satisfy every rule', () => {
    const r = rotate(nightsAt2(['2026-12-02', '2026-12-03']), { keepLast: 1, keepDaily: 1, keepWeekly: 1, keepMonthly: 1 }, SHANGHAI);
    expect(reasonsOf(r)).toEqual({ 'n-2026-12-03': ['last 1', 'daily 2026-12-03', 'weekly 2026-W49', 'monthly 2026-12'] });
    expect(reasonsOf(rotate(nightsAt2(['2026-12-02', '2026-12-03']), { keepLast: 2 }, SHANGHAI))).toEqual({
      'n-2026-12-03': ['last 1'],
      'n-2026-12-02': ['last 2'],
    });
  });

  it('no rule set keeps everything (restic would remove all); an unreadable start time is kept, for no rule', () => {
    const list = [at('x', '2026-12-01T01:00:00Z'), at('y', 'yesterday')];
    expect(rotate(list, {}, SHANGHAI).dropped).toEqual([]);
    expect(reasonsOf(rotate(list, { keepLast: 1 }, SHANGHAI))).toEqual({ x: ['last 1'], y: ['start time unreadable'] });
  });
});

describe('ISO week (Go time.ISOWeek)', () => {
  it('puts the days around new year in the right year', () => {
    expect(isoWeek({ year: 2026, month: 1, day: 1 })).toEqual({ year: 2026, week: 1 }); // Thursday
    expect(isoWeek({ year: 2025, month: 12, day: 29 })).toEqual({ year: 2026, week: 1 }); // Monday of it
    expect(isoWeek({ year: 2027, month: 1, day: 3 })).toEqual({ year: 2026, week: 53 }); // Sunday
    expect(isoWeek({ year: 2027, month: 1, day: 4 })).toEqual({ year: 2027, week: 1 });
    expect(isoWeek({ year: 2026, month: 11, day: 29 })).toEqual({ year: 2026, week: 48 });
    expect(isoWeek({ year: 2026, month: 11, day: 30 })).toEqual({ year: 2026, week: 49 });
  });
});
