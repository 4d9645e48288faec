// ApsaraDB for MongoDB: DescribeBackupPolicy holds it all (retention, days, high-frequency backup, log backup,
// cross-region backup, retention on release); fixed with ModifyBackupPolicy. Fields and ranges: docs/posture-apis.md.
import { daysOf, numberOf, widenDays, type KeepOnRelease, type PolicyView } from '../policy';
import { fixCall, text } from './changes';
import type { FixCall, ManualStep, PostureCatalog } from './posture-catalog';

// BackupRetentionPolicyOnClusterDeletion: 0 all deleted, 1 the last backup kept, 2 every backup kept.
const onRelease: Record<number, KeepOnRelease> = { 0: 'none', 1: 'latest', 2: 'all' };
const releaseOrder = ['0', '1', '2'];
const MAX_DAYS = 730;
const MIN_DAYS = 7;

export const mongodbPosture: PostureCatalog = {
  describeActions: ['DescribeBackupPolicy'],
  modifyActions: ['ModifyBackupPolicy'],

  async read(caller, id) {
    const data = await caller.read('DescribeBackupPolicy', { DBInstanceId: id });
    const days = daysOf(data.PreferredBackupPeriod);
    const interval = numberOf(data.BackupInterval) ?? -1;
    // High-frequency backup (SnapshotBackupType Flash, BackupInterval minutes) adds backups on the backup days; it is
    // counted only on those days, which cannot overstate it.
    const highFrequency = text(data.SnapshotBackupType) === 'Flash' && interval > 0 ? Math.floor(1440 / interval) : 0;
    const log = numberOf(data.EnableBackupLog);
    const release = numberOf(data.BackupRetentionPolicyOnClusterDeletion);
    const dest = text(data.DestRegion);
    const view: PolicyView = {
      retentionDays: numberOf(data.BackupRetentionPeriod),
      backupsPerWeek: days.length * Math.max(1, highFrequency),
      logBackup: log === undefined ? undefined : log === 1,
      logRetentionDays: numberOf(data.LogBackupRetentionPeriod),
      crossRegion: { enabled: dest !== '', region: dest || undefined, retentionDays: text(data.CrossRetentionType) === 'never' ? -1 : numberOf(data.CrossRetentionValue) },
      keepOnRelease: release === undefined ? undefined : onRelease[release],
      source: {
        retentionDays: `BackupRetentionPeriod ${text(data.BackupRetentionPeriod)}`,
        backupsPerWeek: `PreferredBackupPeriod ${text(data.PreferredBackupPeriod) || '(none)'}${highFrequency ? `, BackupInterval ${interval}` : ''}`,
        logBackup: `EnableBackupLog ${text(data.EnableBackupLog)}`,
        logRetentionDays: `LogBackupRetentionPeriod ${text(data.LogBackupRetentionPeriod)}`,
        crossRegion: `DestRegion ${dest || '(none)'}`,
        keepOnRelease: `BackupRetentionPolicyOnClusterDeletion ${text(data.BackupRetentionPolicyOnClusterDeletion)}`,
      },
      raw: data,
    };
    return view;
  },

  plan({ view, rules, failing, instanceId }) {
    const fails = new Set(failing.map((r) => r.rule));
    const raw = view.raw;
    const manual: ManualStep[] = [];
    const retention = numberOf(raw.BackupRetentionPeriod) ?? MIN_DAYS;
    let wantRetention = retention;
    const minDays = rules.minRetentionDays;
    if (fails.has('minRetentionDays') && minDays !== undefined) {
      if (minDays > MAX_DAYS) manual.push({ rule: 'minRetentionDays', why: `MongoDB keeps backups at most ${MAX_DAYS} days by BackupRetentionPeriod, or forever (-1): choose forever in the console if that is meant` });
      else wantRetention = Math.max(retention, minDays);
    }
    const logRule = rules.requireLogBackup;
    const minLog = typeof logRule === 'object' ? logRule.minRetentionDays : undefined;
    const logRetention = numberOf(raw.LogBackupRetentionPeriod) ?? MIN_DAYS;
    let wantLog = logRetention;
    if (fails.has('minLogRetentionDays') && minLog !== undefined) {
      if (minLog > MAX_DAYS) manual.push({ rule: 'minLogRetentionDays', why: `MongoDB keeps log backups at most ${MAX_DAYS} days` });
      else wantLog = Math.max(logRetention, minLog, MIN_DAYS);
    }
    const logOn = fails.has('requireLogBackup') || (fails.has('minLogRetentionDays') && view.logBackup === false);
    const days = daysOf(raw.PreferredBackupPeriod);
    let wantDays = days;
    const perWeek = rules.minBackupsPerWeek;
    if (fails.has('minBackupsPerWeek') && perWeek !== undefined) {
      if (perWeek > 7) manual.push({ rule: 'minBackupsPerWeek', why: 'more than one backup a day needs high-frequency backup (SnapshotBackupType Flash, BackupInterval), a cost to decide in the console' });
      else wantDays = widenDays(days, perWeek);
    }
    const keep = rules.keepBackupsOnRelease;
    const release = text(raw.BackupRetentionPolicyOnClusterDeletion);
    const wantRelease = fails.has('keepBackupsOnRelease') ? (keep === 'all' ? '2' : '1') : release;
    if (fails.has('requireCrossRegion')) {
      // EnableCrossLogBackup must be 1 for a sharded cluster and 0 for a replica set (ModifyBackupPolicy document), and
      // the policy's answer does not say which this instance is.
      manual.push({ rule: 'requireCrossRegion', why: "MongoDB's cross-region backup (CrossBackupType update) depends on the instance's architecture and its log settings: enable it in the console" });
    }
    const calls: FixCall[] = [];
    const call = fixCall(
      'ModifyBackupPolicy',
      { DBInstanceId: instanceId, PreferredBackupTime: text(raw.PreferredBackupTime), PreferredBackupPeriod: days.join(',') },
      [
        { field: 'BackupRetentionPeriod', kind: 'days', from: retention, to: wantRetention },
        { field: 'PreferredBackupPeriod', kind: 'weekdays', from: days.join(','), to: wantDays.join(',') },
        logOn ? { field: 'EnableBackupLog', kind: 'level', from: text(raw.EnableBackupLog), to: '1', order: ['0', '1'] } : undefined,
        { field: 'LogBackupRetentionPeriod', kind: 'days', from: logRetention, to: wantLog },
        { field: 'BackupRetentionPolicyOnClusterDeletion', kind: 'level', from: release, to: wantRelease, order: releaseOrder },
      ],
      ['minRetentionDays', 'requireLogBackup', 'minLogRetentionDays', 'minBackupsPerWeek', 'keepBackupsOnRelease'].filter((r) => fails.has(r as never) && !manual.some((m) => m.rule === r)) as FixCall['rules'],
    );
    if (call) calls.push(call);
    return { calls, manual };
  },
};
