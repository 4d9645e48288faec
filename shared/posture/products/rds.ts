// ApsaraDB RDS: DescribeBackupPolicy (data and log backup, what is kept after release) and
// DescribeInstanceCrossBackupPolicy (cross-region backup); fixed with ModifyBackupPolicy (DataBackupPolicy mode) and
// ModifyInstanceCrossBackupPolicy. Fields and ranges: docs/posture-apis.md.
import { daysOf, numberOf, widenDays, type KeepOnRelease, type PolicyView } from '../policy';
import { fixCall, text } from './changes';
import type { FixCall, ManualStep, PlanInput, PostureCatalog } from './posture-catalog';

const released: Record<string, KeepOnRelease> = { None: 'none', Lastest: 'latest', All: 'all' };
const releasedOrder = ['None', 'Lastest', 'All'];
// Engines with cross-region backup (ModifyInstanceCrossBackupPolicy document); the answer names the engine.
const crossRegionEngines = ['mysql', 'sqlserver', 'postgresql'];
const MAX_DAYS = 730;
const MIN_DAYS = 7;

export const rdsPosture: PostureCatalog = {
  describeActions: ['DescribeBackupPolicy', 'DescribeInstanceCrossBackupPolicy'],
  modifyActions: ['ModifyBackupPolicy', 'ModifyInstanceCrossBackupPolicy'],

  async read(caller, id) {
    const data = await caller.read('DescribeBackupPolicy', { DBInstanceId: id });
    const cross = await caller.read('DescribeInstanceCrossBackupPolicy', { DBInstanceId: id });
    const days = daysOf(data.PreferredBackupPeriod);
    const retention = numberOf(data.BackupRetentionPeriod);
    const logRetention = numberOf(data.LogBackupRetentionPeriod);
    const keep = released[text(data.ReleasedKeepPolicy)];
    const engine = text(cross.Engine).toLowerCase().replace(/\s+/g, '');
    const crossSupported = engine === '' || crossRegionEngines.includes(engine);
    const view: PolicyView = {
      retentionDays: retention,
      // One data backup on each day of the period. BackupInterval is not counted: for MySQL the answer gives the
      // snapshot start time there, not a frequency (DescribeBackupPolicy document), so counting it could only overstate.
      backupsPerWeek: days.length,
      logBackup: text(data.BackupLog) === '' ? undefined : text(data.BackupLog) === 'Enable',
      logRetentionDays: logRetention,
      crossRegion: crossSupported
        ? { enabled: text(cross.BackupEnabled) === 'Enable', region: text(cross.CrossBackupRegion) || undefined, retentionDays: numberOf(cross.Retention) }
        : undefined,
      keepOnRelease: keep,
      source: {
        retentionDays: `BackupRetentionPeriod ${text(data.BackupRetentionPeriod)}`,
        backupsPerWeek: `PreferredBackupPeriod ${text(data.PreferredBackupPeriod) || '(none)'}`,
        logBackup: `BackupLog ${text(data.BackupLog)}`,
        logRetentionDays: logRetention === undefined ? `LogBackupRetentionPeriod not reported (MySQL and PostgreSQL only)` : `LogBackupRetentionPeriod ${logRetention}`,
        crossRegion: crossSupported ? `BackupEnabled ${text(cross.BackupEnabled)}, CrossBackupRegion ${text(cross.CrossBackupRegion) || '(none)'}` : `no cross-region backup for ${text(cross.Engine)}`,
        keepOnRelease: keep === undefined ? 'ReleasedKeepPolicy not reported (MySQL only)' : `ReleasedKeepPolicy ${text(data.ReleasedKeepPolicy)}`,
      },
      raw: { ...data, cross },
    };
    return view;
  },

  plan({ view, rules, failing, instanceId, region }) {
    const fails = new Set(failing.map((r) => r.rule));
    const raw = view.raw;
    const manual: ManualStep[] = [];
    const calls: FixCall[] = [];
    const retention = numberOf(raw.BackupRetentionPeriod) ?? MIN_DAYS;
    const logRetention = numberOf(raw.LogBackupRetentionPeriod);
    let wantData = retention;
    let wantLog = logRetention;
    const minDays = rules.minRetentionDays;
    if (fails.has('minRetentionDays') && minDays !== undefined) {
      if (minDays > MAX_DAYS) manual.push({ rule: 'minRetentionDays', why: `RDS keeps data backups at most ${MAX_DAYS} days by BackupRetentionPeriod; keep them longer with archived backups (ArchiveBackupRetentionPeriod) in the console` });
      else wantData = Math.max(wantData, minDays, MIN_DAYS);
    }
    const log = rules.requireLogBackup;
    const minLog = typeof log === 'object' ? log.minRetentionDays : undefined;
    if (fails.has('minLogRetentionDays') && minLog !== undefined && logRetention !== undefined) {
      if (minLog > MAX_DAYS) manual.push({ rule: 'minLogRetentionDays', why: `RDS keeps log backups at most ${MAX_DAYS} days` });
      else wantLog = Math.max(logRetention, minLog, MIN_DAYS);
    }
    // "The log backup retention period cannot be longer than the data backup retention period."
    if (wantLog !== undefined && wantLog > wantData) wantData = wantLog;
    const days = daysOf(raw.PreferredBackupPeriod);
    let wantDays = days;
    const perWeek = rules.minBackupsPerWeek;
    if (fails.has('minBackupsPerWeek') && perWeek !== undefined) {
      if (perWeek > 7) manual.push({ rule: 'minBackupsPerWeek', why: 'RDS takes one automated data backup a day at most by PreferredBackupPeriod; more needs snapshot backups every BackupInterval minutes, a cost to decide in the console' });
      else wantDays = widenDays(days, perWeek);
    }
    const keep = rules.keepBackupsOnRelease;
    const wantKeep = fails.has('keepBackupsOnRelease') ? (keep === 'all' ? 'All' : 'Lastest') : text(raw.ReleasedKeepPolicy);
    const dataFix = fixCall(
      'ModifyBackupPolicy',
      // DataBackupPolicy mode requires these four; what is not raised is sent as it is.
      {
        DBInstanceId: instanceId,
        BackupPolicyMode: 'DataBackupPolicy',
        PreferredBackupTime: text(raw.PreferredBackupTime),
        PreferredBackupPeriod: days.join(','),
        BackupRetentionPeriod: String(retention),
        BackupLog: text(raw.BackupLog),
      },
      [
        { field: 'BackupRetentionPeriod', kind: 'days', from: retention, to: wantData },
        { field: 'PreferredBackupPeriod', kind: 'weekdays', from: days.join(','), to: wantDays.join(',') },
        fails.has('requireLogBackup') || (fails.has('minLogRetentionDays') && view.logBackup === false)
          ? { field: 'BackupLog', kind: 'level', from: text(raw.BackupLog), to: 'Enable', order: ['Disabled', 'Enable'] }
          : undefined,
        logRetention !== undefined && wantLog !== undefined ? { field: 'LogBackupRetentionPeriod', kind: 'days', from: logRetention, to: wantLog } : undefined,
        { field: 'ReleasedKeepPolicy', kind: 'level', from: text(raw.ReleasedKeepPolicy), to: wantKeep, order: releasedOrder },
      ],
      ['minRetentionDays', 'requireLogBackup', 'minLogRetentionDays', 'minBackupsPerWeek', 'keepBackupsOnRelease'].filter((r) => fails.has(r as never)) as FixCall['rules'],
    );
    if (dataFix) calls.push(dataFix);

    const crossRule = rules.requireCrossRegion;
    if (fails.has('requireCrossRegion') && crossRule !== undefined && crossRule !== false) {
      const cross = (raw.cross ?? {}) as Record<string, unknown>;
      const allowed = typeof crossRule === 'object' ? crossRule.regions : undefined;
      const configured = text(cross.CrossBackupRegion);
      if (view.crossRegion?.enabled) {
        manual.push({ rule: 'requireCrossRegion', why: `cross-region backups go to ${configured}, not ${allowed?.join(' or ')}; moving the destination is not done here (copies would stop where they are): change it in the console` });
      } else {
        const to = configured !== '' && (allowed === undefined || allowed.includes(configured)) ? configured : allowed?.find((r) => r !== region);
        if (to === undefined) {
          manual.push({ rule: 'requireCrossRegion', why: 'no destination region to choose: name one in requireCrossRegion.regions, or configure it in the console' });
        } else {
          const from = numberOf(cross.Retention) ?? MIN_DAYS;
          const call = fixCall(
            'ModifyInstanceCrossBackupPolicy',
            { DBInstanceId: instanceId, RegionId: region, CrossBackupType: '1', RetentType: '1', CrossBackupRegion: configured, Retention: String(from) },
            [
              { field: 'BackupEnabled', kind: 'level', from: '0', to: '1', order: ['0', '1'] },
              configured === '' ? { field: 'CrossBackupRegion', kind: 'set', from: '', to } : undefined,
              // Copies kept as long as the rule asks of backups, within the API's 7 to 1825 days.
              { field: 'Retention', kind: 'days', from, to: Math.min(1825, Math.max(from, minDays ?? from)) },
            ],
            ['requireCrossRegion'],
          );
          if (call) calls.push(call);
        }
      }
    }
    return { calls, manual };
  },
};
