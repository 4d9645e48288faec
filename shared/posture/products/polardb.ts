// PolarDB: DescribeBackupPolicy (level-1 and level-2 retention, cross-region level-2, retention on cluster deletion,
// frequency) and DescribeLogBackupPolicy (log backup, always on; its retention); fixed with ModifyBackupPolicy and
// ModifyLogBackupPolicy. Fields and ranges: docs/posture-apis.md.
import { daysOf, numberOf, widenDays, type KeepOnRelease, type PolicyView } from '../policy';
import { fixCall, text } from './changes';
import type { FixCall, ManualStep, PostureCatalog } from './posture-catalog';

const onDeletion: Record<string, KeepOnRelease> = { NONE: 'none', LATEST: 'latest', ALL: 'all' };
const deletionOrder = ['NONE', 'LATEST', 'ALL'];
/** BackupFrequency: backups a day (Normal: one on each day of PreferredBackupPeriod; N/24H: every N hours, every day). */
const frequencies = ['Normal', '4/24H', '3/24H', '2/24H'];
const perDay = (f: string) => (f === 'Normal' ? 1 : 24 / Number(f.split('/')[0]));
const LEVEL1_MAX = 14;
const LEVEL2_MIN = 30;
const LEVEL2_MAX = 7300;

/** Level-2 (and cross-region level-2) retention: 0 off, 30 to 7300 days, -1 forever. */
const level2Days = (v: unknown) => numberOf(v) ?? 0;

export const polardbPosture: PostureCatalog = {
  describeActions: ['DescribeBackupPolicy', 'DescribeLogBackupPolicy'],
  modifyActions: ['ModifyBackupPolicy', 'ModifyLogBackupPolicy'],

  async read(caller, id) {
    const data = await caller.read('DescribeBackupPolicy', { DBClusterId: id });
    const log = await caller.read('DescribeLogBackupPolicy', { DBClusterId: id });
    const level1 = numberOf(data.DataLevel1BackupRetentionPeriod);
    const level2 = level2Days(data.DataLevel2BackupRetentionPeriod);
    const otherRegion = level2Days(data.DataLevel2BackupAnotherRegionRetentionPeriod);
    const frequency = text(data.BackupFrequency) || 'Normal';
    const days = daysOf(data.PreferredBackupPeriod);
    const keep = onDeletion[text(data.BackupRetentionPolicyOnClusterDeletion)];
    const view: PolicyView = {
      // The longest a backup is kept: level-2 when it is on (0 is off), else level-1.
      retentionDays: level2 !== 0 ? level2 : level1,
      backupsPerWeek: frequency === 'Normal' ? days.length : 7 * perDay(frequency),
      logBackup: numberOf(log.EnableBackupLog) === undefined ? undefined : numberOf(log.EnableBackupLog) === 1,
      logRetentionDays: numberOf(log.LogBackupRetentionPeriod),
      crossRegion: { enabled: otherRegion !== 0, region: text(data.DataLevel2BackupAnotherRegionRegion) || undefined, retentionDays: otherRegion },
      keepOnRelease: keep,
      source: {
        retentionDays: `DataLevel1BackupRetentionPeriod ${text(data.DataLevel1BackupRetentionPeriod)}, DataLevel2BackupRetentionPeriod ${text(data.DataLevel2BackupRetentionPeriod)}`,
        backupsPerWeek: `BackupFrequency ${frequency}, PreferredBackupPeriod ${text(data.PreferredBackupPeriod) || '(none)'}`,
        logBackup: `EnableBackupLog ${text(log.EnableBackupLog)}`,
        logRetentionDays: `LogBackupRetentionPeriod ${text(log.LogBackupRetentionPeriod)}`,
        crossRegion: `DataLevel2BackupAnotherRegionRetentionPeriod ${text(data.DataLevel2BackupAnotherRegionRetentionPeriod)}, DataLevel2BackupAnotherRegionRegion ${text(data.DataLevel2BackupAnotherRegionRegion) || '(none)'}`,
        keepOnRelease: `BackupRetentionPolicyOnClusterDeletion ${text(data.BackupRetentionPolicyOnClusterDeletion)}`,
      },
      raw: { ...data, log },
      // With the advanced policy the fields above are no longer in effect (AdvancedDataPolicies replaces them).
      ...(text(data.BackupPolicyLevel) === 'Advanced' ? { unsupported: 'advanced backup policy (AdvancedDataPolicies): not read by this tool' } : {}),
    };
    return view;
  },

  plan({ view, rules, failing, instanceId, region }) {
    const fails = new Set(failing.map((r) => r.rule));
    const raw = view.raw;
    const manual: ManualStep[] = [];
    const calls: FixCall[] = [];
    const level1 = numberOf(raw.DataLevel1BackupRetentionPeriod) ?? 0;
    const level2 = level2Days(raw.DataLevel2BackupRetentionPeriod);
    let wantLevel1 = level1;
    let wantLevel2 = level2;
    const minDays = rules.minRetentionDays;
    if (fails.has('minRetentionDays') && minDays !== undefined) {
      // Level-1 holds up to 14 days; beyond, level-2 backups (30 to 7300 days) keep them.
      if (minDays <= LEVEL1_MAX && level2 === 0) wantLevel1 = Math.max(level1, minDays);
      else wantLevel2 = Math.min(LEVEL2_MAX, Math.max(level2, minDays, LEVEL2_MIN));
    }
    const days = daysOf(raw.PreferredBackupPeriod);
    let wantDays = days;
    const frequency = text(raw.BackupFrequency) || 'Normal';
    let wantFrequency = frequency;
    const perWeek = rules.minBackupsPerWeek;
    if (fails.has('minBackupsPerWeek') && perWeek !== undefined) {
      if (frequency === 'Normal' && perWeek <= 7) wantDays = widenDays(days, perWeek);
      else {
        const enough = frequencies.slice(frequencies.indexOf(frequency) + 1).find((f) => 7 * perDay(f) >= perWeek);
        if (enough) wantFrequency = enough;
        else manual.push({ rule: 'minBackupsPerWeek', why: `PolarDB backs up at most every 2 hours (BackupFrequency 2/24H, ${7 * perDay('2/24H')} a week)` });
      }
    }
    const keep = rules.keepBackupsOnRelease;
    const wantKeep = fails.has('keepBackupsOnRelease') ? (keep === 'all' ? 'ALL' : 'LATEST') : text(raw.BackupRetentionPolicyOnClusterDeletion);
    const otherRegion = level2Days(raw.DataLevel2BackupAnotherRegionRetentionPeriod);
    const configured = text(raw.DataLevel2BackupAnotherRegionRegion);
    let crossRegion: string | undefined;
    const crossRule = rules.requireCrossRegion;
    if (fails.has('requireCrossRegion') && crossRule !== undefined && crossRule !== false) {
      const allowed = typeof crossRule === 'object' ? crossRule.regions : undefined;
      if (otherRegion !== 0) {
        manual.push({ rule: 'requireCrossRegion', why: `cross-region level-2 backups go to ${configured}, not ${allowed?.join(' or ')}; moving the destination is not done here: change it in the console` });
      } else {
        crossRegion = configured !== '' && (allowed === undefined || allowed.includes(configured)) ? configured : allowed?.find((r) => r !== region);
        if (crossRegion === undefined) manual.push({ rule: 'requireCrossRegion', why: 'no destination region to choose: name one in requireCrossRegion.regions, or configure it in the console' });
      }
    }
    const dataFix = fixCall(
      'ModifyBackupPolicy',
      { DBClusterId: instanceId, PreferredBackupTime: text(raw.PreferredBackupTime), PreferredBackupPeriod: days.join(',') },
      [
        { field: 'DataLevel1BackupRetentionPeriod', kind: 'days', from: level1, to: wantLevel1 },
        // 0 (off) to a number of days turns level-2 on: a raise, as "off" keeps nothing.
        { field: 'DataLevel2BackupRetentionPeriod', kind: 'days', from: level2, to: wantLevel2 },
        { field: 'PreferredBackupPeriod', kind: 'weekdays', from: days.join(','), to: wantDays.join(',') },
        { field: 'BackupFrequency', kind: 'level', from: frequency, to: wantFrequency, order: frequencies },
        { field: 'BackupRetentionPolicyOnClusterDeletion', kind: 'level', from: text(raw.BackupRetentionPolicyOnClusterDeletion), to: wantKeep, order: deletionOrder },
        ...(crossRegion === undefined
          ? []
          : [
              configured === '' ? ({ field: 'DataLevel2BackupAnotherRegionRegion', kind: 'set', from: '', to: crossRegion } as const) : undefined,
              { field: 'DataLevel2BackupAnotherRegionRetentionPeriod', kind: 'days', from: 0, to: Math.min(LEVEL2_MAX, Math.max(LEVEL2_MIN, minDays ?? LEVEL2_MIN)) } as const,
            ]),
      ],
      ['minRetentionDays', 'minBackupsPerWeek', 'keepBackupsOnRelease', 'requireCrossRegion'].filter((r) => fails.has(r as never) && !manual.some((m) => m.rule === r)) as FixCall['rules'],
    );
    if (dataFix) {
      // A region already configured is restated: the cross-region period needs it.
      if (crossRegion !== undefined && configured !== '') dataFix.query.DataLevel2BackupAnotherRegionRegion = configured;
      calls.push(dataFix);
    }
    const log = (raw.log ?? {}) as Record<string, unknown>;
    const logRule = rules.requireLogBackup;
    const minLog = typeof logRule === 'object' ? logRule.minRetentionDays : undefined;
    const logRetention = numberOf(log.LogBackupRetentionPeriod);
    if (fails.has('minLogRetentionDays') && minLog !== undefined && logRetention !== undefined) {
      const call = fixCall('ModifyLogBackupPolicy', { DBClusterId: instanceId }, [{ field: 'LogBackupRetentionPeriod', kind: 'days', from: logRetention, to: Math.min(LEVEL2_MAX, minLog) }], ['minLogRetentionDays']);
      if (call) calls.push(call);
    }
    // Log backup cannot be turned off on PolarDB, so requireLogBackup never fails here and has no fix.
    return { calls, manual };
  },
};
