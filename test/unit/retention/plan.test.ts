// The retention planner against the products' real rules: what it deletes, what it never deletes, when it refuses.
import { describe, expect, it } from 'vitest';
import { products } from '../../../shared/cloud/products/registry';
import { describeHolders, plan, type Held, type PlanOptions } from '../../../shared/retention/plan';
import { floorBreaches } from '../../../shared/retention/floors';
import { outlastsHistory, policyInForce, policyOf, type RetentionPolicy } from '../../../shared/retention/policy';
import type { HistoryRecord } from '../../../shared/history/record';

const DAY = 86_400_000;
const now = Date.parse('2026-06-30T18:00:00Z');
const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
const ours = (id: string, daysAgo: number, state: Held['state'] = 'succeeded'): Held => ({ backupId: id, jobId: id, state, startedAt: at(daysAgo), ours: true, recordId: `rec-${id}` });
const adhoc = (id: string, daysAgo: number): Held => ({ ...ours(id, daysAgo), adhoc: true });
const theirs = (id: string, daysAgo: number, state: Held['state'] = 'succeeded'): Held => ({ backupId: id, state, startedAt: at(daysAgo), ours: false });
const polar = products.polardb.retention;
const rds = products.rds.retention;
const ids = (p: { deletions: { backupId: string }[] }) => p.deletions.map((d) => d.backupId);

const opts = (mode: PlanOptions['mode'], replacing?: string): PlanOptions => ({ minAgeMs: DAY, adhocReplaceMinAgeMs: DAY, timeZone: 'UTC', mode, ...(replacing ? { replacing } : {}) });
const room = opts('room');
const after = (replacing = 'new') => opts('policy', replacing);
const fresh = ours('new', 0.01);

describe('policy', () => {
  it('PolarDB without keep gets keep 2; RDS and MongoDB delete nothing unless told; MongoDB keepDays is the cloud’s', () => {
    expect(policyOf({ product: 'polardb', DBClusterId: 'pc-1' })).toEqual({ keep: 2 });
    expect(policyOf({ product: 'polardb', DBClusterId: 'pc-1', keep: 1, keepDays: 3 })).toEqual({ keep: 1, keepDays: 3 });
    expect(policyOf({ product: 'rds', DBInstanceId: 'rm-1' })).toEqual({});
    expect(policyOf({ product: 'mongodb', DBInstanceId: 'dds-1' })).toEqual({});
    expect(policyOf({ product: 'mongodb', DBInstanceId: 'dds-1', keep: 4, keepDays: 30 })).toEqual({ keep: 4 });
  });

  it('in force: the newest scheduled (timer) record’s target only; a chat or deploy record never sets it; no timer, no deletions', () => {
    const rec = (trigger: 'timer' | 'chat' | 'deploy', keep?: number) => ({ origin: { trigger }, target: { product: 'rds', DBInstanceId: 'rm-1', ...(keep ? { keep } : {}) } }) as unknown as HistoryRecord;
    expect(policyInForce([rec('deploy', 1), rec('timer', 5), rec('timer', 7)])).toEqual({ keep: 5 });
    expect(policyInForce([rec('chat', 1), rec('deploy', 1)])).toEqual({});
    expect(policyInForce([rec('timer')])).toEqual({});
    expect(policyInForce([])).toEqual({});
  });
});

describe('keepDays longer than the history', () => {
  it('is named, per database, with the setting to raise (its backups would leave the history and never be deleted)', () => {
    expect(
      outlastsHistory(
        [
          { product: 'rds', DBInstanceId: 'rm-1', keepDays: 60 },
          { product: 'rds', DBInstanceId: 'rm-2', keepDays: 40 },
          { product: 'mongodb', DBInstanceId: 'dds-1', keepDays: 90 },
          { product: 'polardb', DBClusterId: 'pc-1' },
        ],
        40 * DAY,
      ),
    ).toEqual([
      'rds rm-1: keepDays 60 is longer than HISTORY_RETENTION_DAYS 40; its backups leave the history after 40 days and are then never deleted. Raise HISTORY_RETENTION_DAYS to at least 60.',
    ]);
  });
});

describe('PolarDB slots (before a CreateBackup)', () => {
  it('full with 2 scheduled of ours and a console backup: refused, naming each holder — a scheduled backup is never freed first', () => {
    const p = plan([theirs('c1', 5), ours('a', 2), ours('b', 1)], { keep: 2 }, polar, now, room);
    expect(p.deletions).toEqual([]);
    expect(describeHolders(p.blocked as NonNullable<typeof p.blocked>)).toBe(
      `3 of 3 held: c1 (not in this tool's history, started ${at(5)}), a (this tool's scheduled, started ${at(2)}), b (this tool's scheduled, started ${at(1)})`,
    );
  });

  it('an ad-hoc backup of ours older than ADHOC_REPLACE_MIN_AGE gives up its slot, the oldest such; a younger one does not', () => {
    const p = plan([adhoc('x', 3), adhoc('y', 2), ours('b', 1)], {}, polar, now, room);
    expect(ids(p)).toEqual(['x']);
    expect(p.deletions[0]?.kind).toBe('room');
    const young = plan([ours('a', 3), adhoc('y', 0.5), ours('b', 0.2)], {}, polar, now, room);
    expect(young.deletions).toEqual([]);
    expect(young.blocked?.holders.map((h) => h.backupId)).toEqual(['a', 'y', 'b']);
  });

  it('never the newest good backup, nor one adopted with origin uncertain', () => {
    expect(plan([ours('a', 3), ours('b', 2), adhoc('x', 1.5)], {}, polar, now, room).blocked).toBeDefined();
    expect(plan([{ ...adhoc('x', 5), uncertain: true }, ours('a', 3), ours('b', 2)], {}, polar, now, room).blocked).toBeDefined();
  });

  it('room to spare: deletes nothing; a running job holds a slot; failed sets do not', () => {
    expect(plan([theirs('c1', 5), ours('a', 1)], { keep: 2 }, polar, now, room).deletions).toEqual([]);
    const p = plan([theirs('c1', 3), ours('a', 2), ours('f', 1, 'failed'), { backupId: 'j9', jobId: 'j9', state: 'running', ours: false }], { keep: 2 }, polar, now, room);
    expect(p.blocked?.holders.map((h) => h.backupId)).toEqual(['c1', 'a', 'j9']);
  });
});

describe('the scheduled policy (after a scheduled backup is recorded good)', () => {
  it('at most one deletion per new good backup, the oldest; the rest deferred; ad-hoc and foreign backups neither counted nor deleted', () => {
    const held = [ours('a', 4), theirs('c1', 3), adhoc('x', 3.5), ours('b', 3), ours('c', 2), fresh];
    const p = plan(held, { keep: 2 }, polar, now, after());
    expect(ids(p)).toEqual(['a']);
    expect(p.deferred.map((h) => h.backupId)).toEqual(['b']);
    expect(p.deletions[0]?.reason).toBe('not kept by the scheduled policy (keep 2)');
    expect(p.kept.map((h) => h.backupId)).toEqual(['new', 'c', 'b']);
    expect(p.nextDeletion).toBe('after the next good scheduled backup (one deletion per new good backup)');
  });

  it('keep and keepDays together: deleted only when beyond keep AND older than keepDays', () => {
    const p = plan([ours('a', 20), ours('b', 10), ours('c', 5), fresh], { keep: 2, keepDays: 14 }, polar, now, after());
    expect(ids(p)).toEqual(['a']);
    expect(p.nextDeletion).toBe(new Date(Date.parse(at(10)) + 14 * DAY).toISOString());
  });

  it('nothing younger than RETENTION_MIN_AGE (or RDS’s own 7 days); the plan says when it falls due', () => {
    expect(plan([ours('a', 0.5), fresh], { keep: 1 }, polar, now, after()).deletions).toEqual([]);
    const p = plan([ours('a', 8), ours('b', 3), fresh], { keep: 1 }, rds, now, after());
    expect(ids(p)).toEqual(['a']);
    expect(plan([ours('b', 3), fresh], { keep: 1 }, rds, now, after()).nextDeletion).toBe(new Date(Date.parse(at(3)) + 7 * DAY).toISOString());
  });

  it('a set the cloud will not delete now (RDS StoreStatus not Enabled) is never sent for deletion', () => {
    expect(ids(plan([{ ...ours('a', 20), undeletable: true }, ours('b', 10), fresh], { keep: 1 }, rds, now, after()))).toEqual(['b']);
  });

  it('no policy, no deletions; a policy never deletes the newest good backup', () => {
    expect(plan([ours('a', 40), fresh], {}, rds, now, after()).deletions).toEqual([]);
    expect(plan([ours('a', 40)], { keepDays: 7 }, rds, now, after('a')).deletions).toEqual([]);
  });
});

describe('floors, checked apart from the planner (a plan that breaks one is refused whole)', () => {
  const held = [ours('a', 10), adhoc('x', 9), { ...ours('u', 8), uncertain: true }, theirs('c', 7), ours('b', 5), ours('y', 0.1), fresh];
  const del = (backupId: string, kind: 'policy' | 'room' = 'policy') => ({ kind, backupId, reason: 'test' });
  it('a sound plan passes', () => {
    expect(floorBreaches([del('a')], held, { keep: 2 }, rds, now, after())).toEqual([]);
  });
  it('names each floor broken', () => {
    const b = (d: ReturnType<typeof del>[], policy: RetentionPolicy = { keep: 2 }, o = after()) => floorBreaches(d, held, policy, polar, now, o).join(' | ');
    expect(b([del('a'), del('b')])).toMatch(/2 deletions planned at once/);
    expect(b([del('c')])).toMatch(/c is not this tool's/);
    expect(b([del('u')])).toMatch(/origin uncertain/);
    expect(b([del('x')])).toMatch(/ad-hoc backup; the scheduled policy never deletes one/);
    expect(b([del('new')])).toMatch(/newest good backup/);
    expect(b([del('y')])).toMatch(/younger than the minimum age \(24 h\)/);
    expect(b([del('a')], { keep: 2 }, after('missing'))).toMatch(/the backup replacing it \(missing\) is not listed as a good backup/);
    expect(b([del('a')], { keep: 4 })).toMatch(/3 good scheduled backups of this tool would remain, below keep 4/);
    expect(b([del('b', 'room')], {}, room)).toMatch(/only an ad-hoc backup older than ADHOC_REPLACE_MIN_AGE may/);
  });
});
