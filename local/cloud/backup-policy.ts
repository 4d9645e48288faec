// Each product's own backup settings as the local cloud serves them: DescribeBackupPolicy and the Modify…BackupPolicy
// calls, with the field names, types, value ranges and refusals of docs/posture-apis.md. An instance's settings are
// one map of the APIs' own field names (`Instance.backupPolicy`), seeded per instance, changed only by the Modify calls.
import { ApiError, findInstance, mongoNotFound, polarNotFound, rdsNotFound, type CloudState, type Instance, type Params, type Product } from './products';

export type PolicyFields = Record<string, string | number>;

type Handler = (p: Params, s: CloudState) => Record<string, unknown>;

/**
 * What an instance holds when its seed names nothing: each product's documented default for a new instance where the
 * documents give one (RDS log backup on, PolarDB level-1 7 days and level-2 off, MongoDB 30 days and log backup off),
 * the local cloud's own choice elsewhere (the backup window and days).
 */
export const defaultPolicies: Record<Product, PolicyFields> = {
  rds: {
    BackupRetentionPeriod: 7,
    PreferredBackupTime: '18:00Z-19:00Z',
    PreferredBackupPeriod: 'Tuesday,Thursday,Saturday',
    BackupLog: 'Enable',
    LogBackupRetentionPeriod: 7,
    // Cloud-disk instances created since 2024-02-01 default to Lastest (ModifyBackupPolicy document).
    ReleasedKeepPolicy: 'Lastest',
    BackupEnabled: 'Disable',
    CrossBackupRegion: '',
    Retention: 7,
    LogBackupEnabled: 'Disable',
  },
  polardb: {
    PreferredBackupTime: '18:00Z-19:00Z',
    PreferredBackupPeriod: 'Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday',
    BackupFrequency: 'Normal',
    DataLevel1BackupRetentionPeriod: '7',
    DataLevel2BackupRetentionPeriod: '0',
    DataLevel2BackupAnotherRegionRegion: '',
    DataLevel2BackupAnotherRegionRetentionPeriod: '0',
    BackupRetentionPolicyOnClusterDeletion: 'NONE',
    BackupPolicyLevel: 'Normal',
    LogBackupRetentionPeriod: 7,
  },
  mongodb: {
    BackupRetentionPeriod: '30',
    PreferredBackupTime: '18:00Z-19:00Z',
    PreferredBackupPeriod: 'Monday,Wednesday,Friday,Sunday',
    EnableBackupLog: 0,
    LogBackupRetentionPeriod: 7,
    BackupRetentionPolicyOnClusterDeletion: 0,
    SnapshotBackupType: 'Standard',
    BackupInterval: -1,
    DestRegion: '',
    CrossRetentionType: '',
    CrossRetentionValue: 0,
    CrossBackupPeriod: '',
  },
};

/** The sample instances' settings (`npm start`, the README): one compliant database and three with gaps. */
export const samplePolicies = {
  /** Everything a strict rule set asks for. */
  rmSample1: {
    BackupRetentionPeriod: 30,
    PreferredBackupPeriod: 'Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday',
    LogBackupRetentionPeriod: 30,
    ReleasedKeepPolicy: 'All',
    BackupEnabled: 'Enable',
    CrossBackupRegion: 'cn-shanghai',
    Retention: 30,
  },
  /** Kept 7 days, log backup off, backed up twice a week, nothing kept after release. */
  rmSample2: { BackupRetentionPeriod: 7, PreferredBackupPeriod: 'Monday,Thursday', BackupLog: 'Disabled', ReleasedKeepPolicy: 'None' },
  /** The defaults: level-1 only, 7 days; nothing kept when the cluster is deleted. */
  pcSample1: {},
  /** 30 days, but no log backup and nothing kept after release. */
  ddsSample1: {},
} satisfies Record<string, PolicyFields>;

const weekdays = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const invalid = (name: string, value: string | undefined, rule: string) =>
  new ApiError(400, `Invalid${name}.Malformed`, `The specified parameter "${name}" is not valid: ${JSON.stringify(value)} (${rule}).`);

/** An integer parameter, if given, within one of the allowed ranges. */
function int(p: Params, name: string, ranges: [number, number][], rule: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || !ranges.some(([lo, hi]) => n >= lo && n <= hi)) throw invalid(name, v, rule);
  return n;
}

function oneOf(p: Params, name: string, values: readonly string[]): string | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (!values.includes(v)) throw invalid(name, v, `one of ${values.join(', ')}`);
  return v;
}

/** Days of the week, comma-separated: at least `min` of them (RDS and PolarDB require two), each once. */
function days(p: Params, name: string, min: number): string | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  const list = v.split(',').map((d) => d.trim());
  if (list.some((d) => !weekdays.includes(d)) || new Set(list).size !== list.length || list.length < min) {
    throw invalid(name, v, `${min > 1 ? `at least ${min} ` : ''}days of the week, comma-separated`);
  }
  return weekdays.filter((d) => list.includes(d)).join(',');
}

function window(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (!/^([01]\d|2[0-3]):[0-5]\dZ-([01]\d|2[0-3]):[0-5]\dZ$/.test(v)) throw invalid(name, v, 'HH:mmZ-HH:mmZ in UTC');
  return v;
}

function region(p: Params, name: string, inst: Instance): string | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (!/^[a-z]{2,}(-[a-z0-9]+){1,3}$/.test(v)) throw invalid(name, v, 'a region id');
  if (v === inst.regionId) throw invalid(name, v, "another region than the instance's own");
  return v;
}

const required = (p: Params, name: string): void => {
  if (p[name] === undefined || p[name] === '') {
    throw new ApiError(400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
  }
};

const policyOf = (inst: Instance): PolicyFields => (inst.backupPolicy ??= { ...defaultPolicies[inst.product] });

/** Writes the changed fields, dropping those not given. */
function apply(inst: Instance, changes: Record<string, string | number | undefined>): void {
  const policy = policyOf(inst);
  for (const [k, v] of Object.entries(changes)) if (v !== undefined) policy[k] = v;
}

const running = (inst: Instance, code: string) => {
  if (inst.status !== 'Running') throw new ApiError(403, code, 'Current DB instance state does not support this operation.');
};

const nextBackupTime = (policy: PolicyFields, s: CloudState) => {
  const start = String(policy.PreferredBackupTime ?? '18:00Z-19:00Z').slice(0, 5);
  const day = new Date(s.now()).toISOString().slice(0, 10);
  return `${day}T${start}Z`;
};

// ---------------------------------------------------------------------------------------------------------------
// RDS: DescribeBackupPolicy / ModifyBackupPolicy (data and log backup, release), and the cross-region pair.

// Engines whose data-backup answer carries ReleasedKeepPolicy (MySQL's archived backups of released instances), and
// whose log backups have their own retention (MySQL, PostgreSQL): other engines' answers leave them out.
const releasedKeepEngines = ['MySQL'];
const logRetentionEngines = ['MySQL', 'PostgreSQL'];

const rds: Record<string, Handler> = {
  DescribeBackupPolicy(p, s) {
    const inst = findInstance(p, s, 'rds', 'DBInstanceId', rdsNotFound);
    const policy = policyOf(inst);
    if (p.BackupPolicyMode === 'LogBackupPolicy') {
      return {
        EnableBackupLog: policy.BackupLog === 'Enable' ? '1' : '0',
        LocalLogRetentionHours: 18,
        LocalLogRetentionSpace: '30',
        HighSpaceUsageProtection: 'Enable',
        ...(logRetentionEngines.includes(inst.engine) ? { LogBackupRetentionPeriod: Number(policy.LogBackupRetentionPeriod) } : {}),
      };
    }
    return {
      BackupRetentionPeriod: Number(policy.BackupRetentionPeriod),
      PreferredBackupTime: policy.PreferredBackupTime,
      PreferredBackupPeriod: policy.PreferredBackupPeriod,
      PreferredNextBackupTime: nextBackupTime(policy, s),
      BackupLog: policy.BackupLog,
      EnableBackupLog: policy.BackupLog === 'Enable' ? '1' : '0',
      ...(logRetentionEngines.includes(inst.engine) ? { LogBackupRetentionPeriod: Number(policy.LogBackupRetentionPeriod) } : {}),
      LocalLogRetentionHours: 18,
      BackupInterval: '-1',
      Category: 'Standard',
      CompressType: '1',
      ...(releasedKeepEngines.includes(inst.engine) ? { ReleasedKeepPolicy: policy.ReleasedKeepPolicy, SupportReleasedKeep: 1 } : {}),
    };
  },
  ModifyBackupPolicy(p, s) {
    const inst = findInstance(p, s, 'rds', 'DBInstanceId', rdsNotFound);
    running(inst, 'IncorrectDBInstanceState');
    const mode = oneOf(p, 'BackupPolicyMode', ['DataBackupPolicy', 'LogBackupPolicy']) ?? 'DataBackupPolicy';
    const policy = policyOf(inst);
    if (mode === 'LogBackupPolicy') {
      for (const name of ['EnableBackupLog', 'LocalLogRetentionHours', 'LocalLogRetentionSpace', 'HighSpaceUsageProtection']) required(p, name);
      const on = oneOf(p, 'EnableBackupLog', ['True', '1', 'False', '0']) as string;
      int(p, 'LocalLogRetentionHours', [[0, 168]], '0 to 168 hours');
      const logDays = int(p, 'LogBackupRetentionPeriod', [[7, 730]], '7 to 730 days');
      if (logDays !== undefined && logDays > Number(policy.BackupRetentionPeriod)) throw logLongerThanData(logDays, Number(policy.BackupRetentionPeriod));
      apply(inst, { BackupLog: on === 'True' || on === '1' ? 'Enable' : 'Disabled', LogBackupRetentionPeriod: logDays });
      return {};
    }
    // DataBackupPolicy: these four are required (ModifyBackupPolicy document).
    for (const name of ['PreferredBackupTime', 'PreferredBackupPeriod', 'BackupRetentionPeriod', 'BackupLog']) required(p, name);
    const dataDays = int(p, 'BackupRetentionPeriod', [[7, 730]], '7 to 730 days') as number;
    const logDays = int(p, 'LogBackupRetentionPeriod', [[7, 730]], '7 to 730 days');
    if ((logDays ?? Number(policy.LogBackupRetentionPeriod)) > dataDays) throw logLongerThanData(logDays ?? Number(policy.LogBackupRetentionPeriod), dataDays);
    apply(inst, {
      PreferredBackupTime: window(p, 'PreferredBackupTime'),
      PreferredBackupPeriod: days(p, 'PreferredBackupPeriod', 2),
      BackupRetentionPeriod: dataDays,
      BackupLog: oneOf(p, 'BackupLog', ['Enable', 'Disabled']),
      LogBackupRetentionPeriod: logDays,
      ReleasedKeepPolicy: oneOf(p, 'ReleasedKeepPolicy', ['None', 'Lastest', 'All']),
    });
    return { DBInstanceID: inst.id, EnableBackupLog: policyOf(inst).BackupLog === 'Enable' ? '1' : '0' };
  },
  DescribeInstanceCrossBackupPolicy(p, s) {
    required(p, 'RegionId');
    const inst = findInstance(p, s, 'rds', 'DBInstanceId', rdsNotFound);
    const policy = policyOf(inst);
    return {
      DBInstanceId: inst.id,
      RegionId: inst.regionId,
      DBInstanceStatus: inst.status,
      Engine: inst.engine,
      LockMode: 'Unlock',
      BackupEnabled: policy.BackupEnabled,
      CrossBackupRegion: policy.CrossBackupRegion,
      CrossBackupType: '1',
      LogBackupEnabled: policy.LogBackupEnabled,
      RetentType: 1,
      Retention: Number(policy.Retention),
    };
  },
  ModifyInstanceCrossBackupPolicy(p, s) {
    required(p, 'RegionId');
    const inst = findInstance(p, s, 'rds', 'DBInstanceId', rdsNotFound);
    running(inst, 'IncorrectDBInstanceState');
    if (!crossRegionEngines.includes(inst.engine)) throw new ApiError(400, 'InvalidEngine.NotSupport', `Cross-region backup is not supported for ${inst.engine}.`);
    const policy = policyOf(inst);
    const enabled = oneOf(p, 'BackupEnabled', ['0', '1']);
    const target = region(p, 'CrossBackupRegion', inst) ?? (String(policy.CrossBackupRegion) || undefined);
    // "Before you enable the cross-region backup feature, you must configure the CrossBackupRegion parameter."
    if (enabled === '1' && target === undefined) required(p, 'CrossBackupRegion');
    const logEnabled = oneOf(p, 'LogBackupEnabled', ['0', '1']);
    const on = enabled === undefined ? policy.BackupEnabled === 'Enable' : enabled === '1';
    if (logEnabled === '1' && !on) throw invalid('LogBackupEnabled', logEnabled, 'cross-region log backup needs cross-region backup enabled');
    apply(inst, {
      BackupEnabled: enabled === undefined ? undefined : on ? 'Enable' : 'Disable',
      CrossBackupRegion: target,
      LogBackupEnabled: logEnabled === undefined ? (on ? undefined : 'Disable') : logEnabled === '1' ? 'Enable' : 'Disable',
      Retention: int(p, 'Retention', [[7, 1825]], '7 to 1825 days'),
    });
    return { DBInstanceId: inst.id, RegionId: inst.regionId, BackupEnabled: policyOf(inst).BackupEnabled, CrossBackupRegion: policyOf(inst).CrossBackupRegion };
  },
};

/** Engines that have cross-region backup (ModifyInstanceCrossBackupPolicy document). */
export const crossRegionEngines = ['MySQL', 'SQLServer', 'PostgreSQL'];

const logLongerThanData = (log: number, data: number) =>
  new ApiError(400, 'InvalidLogBackupRetentionPeriod.Malformed', `The log backup retention period (${log} days) cannot be longer than the data backup retention period (${data} days).`);

// ---------------------------------------------------------------------------------------------------------------
// PolarDB: DescribeBackupPolicy / ModifyBackupPolicy (level-1, level-2, cross-region level-2, deletion, frequency),
// DescribeLogBackupPolicy / ModifyLogBackupPolicy (log backup is always on; its retention).

const level2 = [[-1, -1], [0, 0], [30, 7300]] as [number, number][];

const polardb: Record<string, Handler> = {
  DescribeBackupPolicy(p, s) {
    const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
    const policy = policyOf(inst);
    const keys = [
      'PreferredBackupTime', 'PreferredBackupPeriod', 'BackupFrequency', 'DataLevel1BackupRetentionPeriod', 'DataLevel2BackupRetentionPeriod',
      'DataLevel2BackupAnotherRegionRegion', 'DataLevel2BackupAnotherRegionRetentionPeriod', 'BackupRetentionPolicyOnClusterDeletion', 'BackupPolicyLevel',
    ];
    return {
      ...Object.fromEntries(keys.map((k) => [k, String(policy[k])])),
      DataLevel1BackupFrequency: policy.BackupFrequency,
      DataLevel1BackupPeriod: policy.PreferredBackupPeriod,
      DataLevel1BackupTime: policy.PreferredBackupTime,
      DataLevel2BackupPeriod: policy.PreferredBackupPeriod,
      PreferredNextBackupTime: nextBackupTime(policy, s),
      AdvancedPolicyOption: 'notSupport',
    };
  },
  ModifyBackupPolicy(p, s) {
    const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
    running(inst, 'OperationDenied.DBClusterStatus');
    const frequency = oneOf(p, 'BackupFrequency', ['Normal', '2/24H', '3/24H', '4/24H']);
    const otherRegion = region(p, 'DataLevel2BackupAnotherRegionRegion', inst);
    const otherDays = int(p, 'DataLevel2BackupAnotherRegionRetentionPeriod', level2, '0 (off), 30 to 7300 days, or -1 (forever)');
    if (otherDays !== undefined && otherDays !== 0 && !(otherRegion ?? policyOf(inst).DataLevel2BackupAnotherRegionRegion)) required(p, 'DataLevel2BackupAnotherRegionRegion');
    apply(inst, {
      PreferredBackupTime: window(p, 'PreferredBackupTime'),
      // "If you enable high-frequency backup, PreferredBackupPeriod is automatically set to all days of the week."
      PreferredBackupPeriod: frequency !== undefined && frequency !== 'Normal' ? weekdays.join(',') : days(p, 'PreferredBackupPeriod', 2),
      BackupFrequency: frequency,
      DataLevel1BackupRetentionPeriod: int(p, 'DataLevel1BackupRetentionPeriod', [[3, 14]], '3 to 14 days')?.toString(),
      DataLevel2BackupRetentionPeriod: int(p, 'DataLevel2BackupRetentionPeriod', level2, '0 (off), 30 to 7300 days, or -1 (forever)')?.toString(),
      DataLevel2BackupAnotherRegionRegion: otherRegion,
      DataLevel2BackupAnotherRegionRetentionPeriod: otherDays?.toString(),
      BackupRetentionPolicyOnClusterDeletion: oneOf(p, 'BackupRetentionPolicyOnClusterDeletion', ['ALL', 'LATEST', 'NONE']),
    });
    // ModifyBackupPolicyResponseBody has RequestId only (polardb-20170801 model, test/contract/polardb-fields.ts).
    return {};
  },
  DescribeLogBackupPolicy(p, s) {
    const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
    const policy = policyOf(inst);
    return {
      // "By default, the log backup feature is enabled and cannot be disabled."
      EnableBackupLog: 1,
      LogBackupRetentionPeriod: Number(policy.LogBackupRetentionPeriod),
      LogBackupAnotherRegionRegion: '',
      LogBackupAnotherRegionRetentionPeriod: '0',
    };
  },
  ModifyLogBackupPolicy(p, s) {
    const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
    running(inst, 'OperationDenied.DBClusterStatus');
    apply(inst, { LogBackupRetentionPeriod: int(p, 'LogBackupRetentionPeriod', [[-1, -1], [3, 7300]], '3 to 7300 days, or -1 (forever)') });
    return {};
  },
};

// ---------------------------------------------------------------------------------------------------------------
// MongoDB: DescribeBackupPolicy / ModifyBackupPolicy (retention, days, log backup, release, cross-region).

const mongodb: Record<string, Handler> = {
  DescribeBackupPolicy(p, s) {
    const inst = findInstance(p, s, 'mongodb', 'DBInstanceId', mongoNotFound);
    const policy = policyOf(inst);
    return {
      BackupRetentionPeriod: String(policy.BackupRetentionPeriod),
      PreferredBackupTime: policy.PreferredBackupTime,
      PreferredBackupPeriod: policy.PreferredBackupPeriod,
      PreferredNextBackupTime: nextBackupTime(policy, s),
      EnableBackupLog: Number(policy.EnableBackupLog),
      LogBackupRetentionPeriod: Number(policy.LogBackupRetentionPeriod),
      BackupRetentionPolicyOnClusterDeletion: Number(policy.BackupRetentionPolicyOnClusterDeletion),
      SnapshotBackupType: policy.SnapshotBackupType,
      BackupInterval: Number(policy.BackupInterval),
      HighFrequencyBackupRetention: '1',
      SrcRegion: inst.regionId,
      ...(policy.DestRegion
        ? { DestRegion: policy.DestRegion, CrossRetentionType: policy.CrossRetentionType, CrossRetentionValue: Number(policy.CrossRetentionValue), CrossBackupPeriod: policy.CrossBackupPeriod }
        : {}),
    };
  },
  ModifyBackupPolicy(p, s) {
    const inst = findInstance(p, s, 'mongodb', 'DBInstanceId', mongoNotFound);
    running(inst, 'IncorrectDBInstanceState');
    const cross = oneOf(p, 'CrossBackupType', ['update', 'delete']);
    let crossFields: Record<string, string | number | undefined> = {};
    if (cross === 'update') {
      for (const name of ['DestRegion', 'SrcRegion', 'CrossRetentionType', 'CrossBackupPeriod']) required(p, name);
      const type = oneOf(p, 'CrossRetentionType', ['delay', 'never']);
      if (type === 'delay') required(p, 'CrossRetentionValue');
      crossFields = {
        DestRegion: region(p, 'DestRegion', inst),
        CrossRetentionType: type,
        CrossRetentionValue: type === 'delay' ? int(p, 'CrossRetentionValue', [[3, 1825]], '3 to 1825 days') : 0,
        CrossBackupPeriod: days(p, 'CrossBackupPeriod', 1),
      };
    } else if (cross === 'delete') {
      crossFields = { DestRegion: '', CrossRetentionType: '', CrossRetentionValue: 0, CrossBackupPeriod: '' };
    }
    const retention = int(p, 'BackupRetentionPeriod', [[-1, -1], [7, 730]], '7 to 730 days, or -1 (forever)');
    apply(inst, {
      BackupRetentionPeriod: retention === undefined ? undefined : String(retention),
      PreferredBackupTime: window(p, 'PreferredBackupTime'),
      PreferredBackupPeriod: days(p, 'PreferredBackupPeriod', 1),
      EnableBackupLog: int(p, 'EnableBackupLog', [[0, 1]], '0 or 1'),
      LogBackupRetentionPeriod: int(p, 'LogBackupRetentionPeriod', [[7, 730]], '7 to 730 days'),
      BackupRetentionPolicyOnClusterDeletion: int(p, 'BackupRetentionPolicyOnClusterDeletion', [[0, 2]], '0, 1 or 2'),
      ...crossFields,
    });
    return {};
  },
};

export const backupPolicyApis: Record<Product, Record<string, Handler>> = { rds, polardb, mongodb };
