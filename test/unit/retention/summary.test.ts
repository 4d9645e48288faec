// What the report shows of retention, from a database's history records alone.
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../../shared/history/record';
import { retentionSummary as summarise } from '../../../shared/retention/summary';
import type { Target } from '../../../shared/backup/targets';

const DAY = 86_400_000;
const now = Date.parse('2026-07-10T03:00:00Z');
const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();

function rec(id: string, daysAgo: number, target: Target, extra: Partial<HistoryRecord> = {}): HistoryRecord {
  return {
    id: `key-${id}`,
    product: target.product,
    instanceId: 'x',
    target,
    origin: { trigger: 'timer' },
    state: 'succeeded',
    requestedAt: at(daysAgo),
    startedAt: at(daysAgo),
    jobId: id,
    backupId: id,
    duties: [],
    redispatches: 0,
    nextCheckAt: 0,
    version: 'v',
    ...extra,
  };
}

describe('retention summary', () => {
  it('PolarDB (keep 2 by default): the two newest kept, the deleted ones with when and why, next deletion after the next good backup', () => {
    const t: Target = { product: 'polardb', DBClusterId: 'pc-1' };
    const records = [
      rec('5', 1, t),
      rec('4', 2, t, { state: 'failed' }),
      rec('3', 3, t),
      rec('2', 4, t, { retired: { at: at(1), reason: 'makes room: the cloud holds at most 3 manual backups at a time' } }),
    ];
    expect(summarise(records, now)).toEqual({
      policy: { keep: 2 },
      retained: [
        { backupId: '5', at: at(1), kind: 'scheduled' },
        { backupId: '3', at: at(3), kind: 'scheduled' },
      ],
      deleted: [{ backupId: '2', at: at(1), reason: 'makes room: the cloud holds at most 3 manual backups at a time' }],
      nextDeletion: 'after the next good scheduled backup',
    });
  });

  it('RDS keep 1: a backup beyond keep but younger than 7 days falls due at 7 days; one already due is deleted on the next run', () => {
    const t: Target = { product: 'rds', DBInstanceId: 'rm-1', keep: 1 };
    expect(summarise([rec('b', 1, t), rec('a', 3, t)], now)?.nextDeletion).toBe(new Date(Date.parse(at(3)) + 7 * DAY).toISOString());
    expect(summarise([rec('b', 1, t), rec('a', 8, t)], now)?.nextDeletion).toBe('after the next good scheduled backup');
  });

  it('ad-hoc and adopted-with-origin-uncertain backups are shown as such and never fall due; a database no timer backs up has no policy', () => {
    const t: Target = { product: 'rds', DBInstanceId: 'rm-1', keep: 1 };
    const s = summarise([rec('c', 1, t), rec('b', 20, t, { origin: { trigger: 'chat' } }), rec('a', 30, t, { originUncertain: true })], now);
    expect(s?.retained.map((r) => [r.backupId, r.kind])).toEqual([
      ['c', 'scheduled'],
      ['b', 'ad-hoc'],
      ['a', 'adopted, origin uncertain'],
    ]);
    expect(s?.nextDeletion).toBe('after the next good scheduled backup');
    const chatOnly = summarise([rec('z', 1, t, { origin: { trigger: 'chat' } })], now);
    expect(chatOnly?.policy).toEqual({});
    expect(chatOnly?.nextDeletion).toBeUndefined();
  });

  it('RDS without keep or keepDays: everything retained, never a deletion', () => {
    const s = summarise([rec('b', 1, { product: 'rds', DBInstanceId: 'rm-1' }), rec('a', 30, { product: 'rds', DBInstanceId: 'rm-1' })], now);
    expect(s?.retained.map((r) => r.backupId)).toEqual(['b', 'a']);
    expect(s?.nextDeletion).toBeUndefined();
  });
});
