// The retention planner against the products' real rules: what it deletes, what it never deletes, when it refuses.
import { describe, expect, it } from 'vitest';
import { products } from '../../../shared/cloud/products/registry';
import { describeHolders, plan, type Held } from '../../../shared/retention/plan';
import { outlastsHistory, policyInForce, policyOf } from '../../../shared/retention/policy';
import type { HistoryRecord } from '../../../shared/history/record';

const DAY = 86_400_000;
const now = Date.parse('2026-06-30T18:00:00Z');
const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
const ours = (id: string, daysAgo: number, state: Held['state'] = 'succeeded'): Held => ({ backupId: id, jobId: id, state, startedAt: at(daysAgo), ours: true, recordId: `rec-${id}` });
const theirs = (id: string, daysAgo: number, state: Held['state'] = 'succeeded'): Held => ({ backupId: id, state, startedAt: at(daysAgo), ours: false });
const polar = products.polardb.retention;
const rds = products.rds.retention;
const ids = (p: { deletions: { backupId: string }[] }) => p.deletions.map((d) => d.backupId);

describe('policy', () => {
  it('PolarDB without keep gets keep 2; RDS and MongoDB delete nothing unless told; MongoDB keepDays is the cloud’s', () => {
    expect(policyOf({ product: 'polardb', DBClusterId: 'pc-1' })).toEqual({ keep: 2 });
    expect(policyOf({ product: 'polardb', DBClusterId: 'pc-1', keep: 1, keepDays: 3 })).toEqual({ keep: 1, keepDays: 3 });
    expect(policyOf({ product: 'rds', DBInstanceId: 'rm-1' })).toEqual({});
    expect(policyOf({ product: 'mongodb', DBInstanceId: 'dds-1' })).toEqual({});
    expect(policyOf({ product: 'mongodb', DBInstanceId: 'dds-1', keep: 4, keepDays: 30 })).toEqual({ keep: 4 });
  });

  it('in force: the target’s own, else the last one set on the database’s requests, else the product default', () => {
    const recs = (...keeps: (number | undefined)[]) => keeps.map((keep) => ({ target: { product: 'rds', DBInstanceId: 'rm-1', ...(keep ? { keep } : {}) } }) as unknown as HistoryRecord);
    expect(policyInForce({ product: 'rds', DBInstanceId: 'rm-1', keep: 9 }, recs(5))).toEqual({ keep: 9 });
    expect(policyInForce({ product: 'rds', DBInstanceId: 'rm-1' }, recs(undefined, 5, 7))).toEqual({ keep: 5 });
    expect(policyInForce({ product: 'rds', DBInstanceId: 'rm-1' }, recs(undefined))).toEqual({});
    expect(policyInForce({ product: 'polardb', DBClusterId: 'pc-1' }, [])).toEqual({ keep: 2 });
  });
});

describe('keepDays longer than the history', () => {
  it('is named, per database, with the setting to raise (its backups would leave the history and never be deleted)', () => {
    const history40 = 40 * DAY;
    expect(
      outlastsHistory(
        [
          { product: 'rds', DBInstanceId: 'rm-1', keepDays: 60 },
          { product: 'rds', DBInstanceId: 'rm-2', keepDays: 40 },
          { product: 'mongodb', DBInstanceId: 'dds-1', keepDays: 90 },
          { product: 'polardb', DBClusterId: 'pc-1' },
        ],
        history40,
      ),
    ).toEqual([
      'rds rm-1: keepDays 60 is longer than HISTORY_RETENTION_DAYS 40; its backups leave the history after 40 days and are then never deleted. Raise HISTORY_RETENTION_DAYS to at least 60.',
    ]);
  });
});

describe('PolarDB slots', () => {
  it('full (a console backup and 2 of ours): deletes our oldest good one to make room, never the console one', () => {
    const p = plan([theirs('c1', 5), ours('a', 2), ours('b', 1)], { keep: 2 }, polar, now, true);
    expect(p.deletions).toEqual([{ kind: 'room', backupId: 'a', startedAt: at(2), recordId: 'rec-a', reason: 'makes room: the cloud holds at most 3 manual backups at a time' }]);
    expect(p.kept.map((h) => h.backupId)).toEqual(['b']);
    expect(p.blocked).toBeUndefined();
  });

  it('room to spare: deletes nothing', () => {
    expect(plan([theirs('c1', 5), ours('a', 1)], { keep: 2 }, polar, now, true).deletions).toEqual([]);
  });

  it('refuses rather than delete the newest good backup, naming what holds the slots', () => {
    const p = plan([theirs('c1', 9), theirs('c2', 8), ours('a', 1)], { keep: 2 }, polar, now, true);
    expect(p.deletions).toEqual([]);
    expect(p.blocked?.holders.map((h) => h.backupId)).toEqual(['c1', 'c2', 'a']);
    expect(describeHolders(p.blocked as NonNullable<typeof p.blocked>)).toBe(
      `3 of 3 held: c1 (not in this tool's history, started ${at(9)}), c2 (not in this tool's history, started ${at(8)}), a (this tool's, started ${at(1)})`,
    );
  });

  it('a running job holds a slot; failed sets do not; unknown origin is never deleted', () => {
    const p = plan([theirs('c1', 3), ours('a', 2), ours('f', 1, 'failed'), { backupId: 'j9', jobId: 'j9', state: 'running', ours: false }], { keep: 2 }, polar, now, true);
    expect(p.blocked?.holders.map((h) => h.backupId)).toEqual(['c1', 'a', 'j9']);
    expect(p.deletions).toEqual([]);
  });

  it('deletes only while another good backup remains: our two, both good, one goes', () => {
    const p = plan([ours('a', 3), ours('b', 2), ours('c', 1, 'running')], { keep: 2 }, polar, now, true);
    expect(ids(p)).toEqual(['a']);
  });
});

describe('keep and keepDays', () => {
  it('beyond keep: this tool’s oldest good ones go, newest first kept; other origins untouched', () => {
    const held = [ours('a', 4), theirs('c1', 3), ours('b', 3), ours('c', 2), ours('d', 1)];
    const p = plan(held, { keep: 2 }, polar, now, false);
    expect(ids(p)).toEqual(['b', 'a']);
    expect(p.deletions[0]?.reason).toBe("beyond keep 2 (number 3 of this tool's good backups, newest first)");
    expect(p.kept.map((h) => h.backupId)).toEqual(['d', 'c']);
    expect(p.nextDeletion).toBe('after the next good backup');
  });

  it('keep and keepDays together: deleted only when beyond keep AND older than keepDays', () => {
    const held = [ours('a', 20), ours('b', 10), ours('c', 5), ours('d', 1)];
    const p = plan(held, { keep: 2, keepDays: 14 }, polar, now, false);
    expect(ids(p)).toEqual(['a']);
    expect(p.deletions[0]?.reason).toBe("beyond keep 2 (number 4 of this tool's good backups, newest first) and older than keepDays 14");
    expect(p.nextDeletion).toBe(new Date(Date.parse(at(10)) + 14 * DAY).toISOString());
  });

  it('keepDays alone never deletes the newest good backup, however old', () => {
    const p = plan([ours('a', 40), ours('b', 30)], { keepDays: 7 }, rds, now, false);
    expect(ids(p)).toEqual(['a']);
    expect(p.kept.map((h) => h.backupId)).toEqual(['b']);
  });

  it('RDS: a backup younger than 7 days is not sent for deletion; the plan says when it falls due', () => {
    const p = plan([ours('a', 8), ours('b', 3), ours('c', 2), ours('d', 1)], { keep: 1 }, rds, now, false);
    expect(ids(p)).toEqual(['a']);
    expect(p.nextDeletion).toBe(new Date(Date.parse(at(3)) + 7 * DAY).toISOString());
  });

  it('a set the cloud will not delete now (RDS StoreStatus not Enabled) is neither sent for deletion nor chosen to make room', () => {
    expect(ids(plan([{ ...ours('a', 20), undeletable: true }, ours('b', 10), ours('c', 1)], { keep: 1 }, rds, now, false))).toEqual(['b']);
    const p = plan([{ ...ours('a', 3), undeletable: true }, ours('b', 2), ours('c', 1)], {}, polar, now, true);
    expect(ids(p)).toEqual(['b']);
  });

  it('failed backups and backups of unknown origin are never counted as kept nor deleted', () => {
    const p = plan([ours('a', 3, 'failed'), theirs('x', 2), ours('b', 1)], { keep: 1 }, polar, now, false);
    expect(p.deletions).toEqual([]);
    expect(p.kept.map((h) => h.backupId)).toEqual(['b']);
  });
});
