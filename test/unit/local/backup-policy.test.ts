// The local cloud's backup-policy APIs (local/cloud/backup-policy.ts) against the official SDK models, and the
// refusals the documents state. Every field an answer carries is one the SDK's response model names, with the
// model's type: the local cloud cannot invent a field that posture would then rely on.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { callCloud } from '../../../shared/cloud/client';
import type { ProductCatalog } from '../../../shared/cloud/products/catalog';
import { products } from '../../../shared/cloud/products/registry';
import { rejection } from '../../helpers/errors';

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud();
});
afterAll(() => cloud.close());
beforeEach(() => cloud.reset());

const call = (product: keyof typeof products, action: string, query: Record<string, string>) =>
  callCloud({
    catalog: products[product] as unknown as ProductCatalog,
    endpoint: { protocol: 'http', host: new URL(cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action,
    query: { RegionId: 'cn-hangzhou', ...query },
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });

// Wire names and types from the `static names()` / `static types()` of the response models in
// github.com/aliyun/alibabacloud-typescript-sdk: rds-20140815/src/models/DescribeBackupPolicyResponseBody.ts and
// DescribeInstanceCrossBackupPolicyResponseBody.ts (commit 1c4d60b1), polardb-20170801/src/models/
// DescribeBackupPolicyResponseBody.ts and DescribeLogBackupPolicyResponseBody.ts (commit 2dac554a),
// dds-20151201/src/models/DescribeBackupPolicyResponseBody.ts (commit 797c98b5). The `object` fields are left out.
const models: Record<string, Record<string, 'string' | 'number' | 'boolean'>> = {
  'rds DescribeBackupPolicy': {
    ArchiveBackupKeepCount: 'string', ArchiveBackupKeepPolicy: 'string', ArchiveBackupRetentionPeriod: 'string', BackupInterval: 'string',
    BackupLog: 'string', BackupMethod: 'string', BackupPriority: 'number', BackupRetentionPeriod: 'number', Category: 'string',
    CompressType: 'string', EnableBackupLog: 'string', EnableIncrementDataBackup: 'boolean', EnablePitrProtection: 'boolean',
    HighSpaceUsageProtection: 'string', LocalLogRetentionHours: 'number', LocalLogRetentionSpace: 'string', LogBackupFrequency: 'string',
    LogBackupLocalRetentionNumber: 'number', LogBackupRetentionPeriod: 'number', PitrRetentionPeriod: 'number', PreferredBackupPeriod: 'string',
    PreferredBackupTime: 'string', PreferredNextBackupTime: 'string', ReleasedKeepPolicy: 'string', RequestId: 'string',
    SupportModifyBackupPriority: 'boolean', SupportReleasedKeep: 'number', SupportVolumeShadowCopy: 'number', SupportsHighFrequencyBackup: 'number',
  },
  'rds DescribeInstanceCrossBackupPolicy': {
    BackupEnabled: 'string', BackupEnabledTime: 'string', CrossBackupRegion: 'string', CrossBackupType: 'string', DBInstanceDescription: 'string',
    DBInstanceId: 'string', DBInstanceStatus: 'string', Engine: 'string', EngineVersion: 'string', LockMode: 'string', LogBackupEnabled: 'string',
    LogBackupEnabledTime: 'string', RegionId: 'string', RequestId: 'string', RetentType: 'number', Retention: 'number',
  },
  'polardb DescribeBackupPolicy': {
    AdvancedPolicyOption: 'string', BackupFrequency: 'string', BackupPolicyLevel: 'string', BackupRetentionPolicyOnClusterDeletion: 'string',
    DataLevel1BackupFrequency: 'string', DataLevel1BackupPeriod: 'string', DataLevel1BackupRetentionPeriod: 'string', DataLevel1BackupTime: 'string',
    DataLevel2BackupAnotherRegionRegion: 'string', DataLevel2BackupAnotherRegionRetentionPeriod: 'string', DataLevel2BackupPeriod: 'string',
    DataLevel2BackupRetentionPeriod: 'string', PreferredBackupPeriod: 'string', PreferredBackupTime: 'string', PreferredNextBackupTime: 'string', RequestId: 'string',
  },
  'polardb DescribeLogBackupPolicy': {
    EnableBackupLog: 'number', LogBackupAnotherRegionRegion: 'string', LogBackupAnotherRegionRetentionPeriod: 'string', LogBackupRetentionPeriod: 'number', RequestId: 'string',
  },
  'mongodb DescribeBackupPolicy': {
    BackupInterval: 'number', BackupRetentionPeriod: 'string', BackupRetentionPolicyOnClusterDeletion: 'number', CrossBackupPeriod: 'string',
    CrossLogRetentionType: 'string', CrossLogRetentionValue: 'number', CrossRetentionType: 'string', CrossRetentionValue: 'number', DestRegion: 'string',
    EnableBackupLog: 'number', EnableCrossLogBackup: 'number', HighFrequencyBackupRetention: 'string', LogBackupRetentionPeriod: 'number',
    PreferredBackupPeriod: 'string', PreferredBackupTime: 'string', PreferredNextBackupTime: 'string', PreserveOneEachHour: 'boolean', RequestId: 'string',
    SnapshotBackupType: 'string', SrcRegion: 'string',
  },
};

const idOf = { rds: { DBInstanceId: 'rm-sample1' }, polardb: { DBClusterId: 'pc-sample1' }, mongodb: { DBInstanceId: 'dds-sample1' } } as const;

describe('answers match the SDK models', () => {
  it.each(Object.keys(models))('%s: every field is a field of the model, of its type', async (key) => {
    const [product, action] = key.split(' ') as [keyof typeof idOf, string];
    // One sample with cross-region on, so the optional fields are answered too.
    if (product === 'mongodb') {
      await call('mongodb', 'ModifyBackupPolicy', { ...idOf.mongodb, CrossBackupType: 'update', DestRegion: 'cn-shenzhen', SrcRegion: 'cn-hangzhou', CrossRetentionType: 'delay', CrossRetentionValue: '7', CrossBackupPeriod: 'Monday' });
    }
    const body = await call(product, action, idOf[product]);
    const model = models[key] as Record<string, string>;
    for (const [field, value] of Object.entries(body)) {
      expect(model[field], `${key}.${field} is not in the SDK model`).toBeDefined();
      expect(typeof value, `${key}.${field}`).toBe(model[field]);
    }
    expect(Object.keys(body).length).toBeGreaterThan(4);
  });
});

describe('Modify calls change what they name and refuse what the documents refuse', () => {
  it('RDS: DataBackupPolicy needs its four fields; retention 7 to 730; log retention not longer than data', async () => {
    const base = { ...idOf.rds, PreferredBackupTime: '18:00Z-19:00Z', PreferredBackupPeriod: 'Monday,Friday', BackupRetentionPeriod: '30', BackupLog: 'Enable' };
    expect((await rejection(call('rds', 'ModifyBackupPolicy', { ...idOf.rds, BackupRetentionPeriod: '30' }))).code).toBe('MissingParameter');
    expect((await rejection(call('rds', 'ModifyBackupPolicy', { ...base, BackupRetentionPeriod: '6' }))).code).toBe('InvalidBackupRetentionPeriod.Malformed');
    expect((await rejection(call('rds', 'ModifyBackupPolicy', { ...base, PreferredBackupPeriod: 'Monday' }))).code).toBe('InvalidPreferredBackupPeriod.Malformed');
    expect((await rejection(call('rds', 'ModifyBackupPolicy', { ...base, BackupRetentionPeriod: '10', LogBackupRetentionPeriod: '20' }))).code).toBe('InvalidLogBackupRetentionPeriod.Malformed');
    await call('rds', 'ModifyBackupPolicy', { ...base, LogBackupRetentionPeriod: '20' });
    expect(await call('rds', 'DescribeBackupPolicy', idOf.rds)).toMatchObject({ BackupRetentionPeriod: 30, PreferredBackupPeriod: 'Monday,Friday', LogBackupRetentionPeriod: 20, ReleasedKeepPolicy: 'All' });
  });

  it('RDS cross-region: enabling needs a destination, another region than the instance’s', async () => {
    expect((await rejection(call('rds', 'ModifyInstanceCrossBackupPolicy', { DBInstanceId: 'rm-sample2', BackupEnabled: '1' }))).code).toBe('MissingParameter');
    expect((await rejection(call('rds', 'ModifyInstanceCrossBackupPolicy', { DBInstanceId: 'rm-sample2', BackupEnabled: '1', CrossBackupRegion: 'cn-hangzhou' }))).code).toBe('InvalidCrossBackupRegion.Malformed');
    await call('rds', 'ModifyInstanceCrossBackupPolicy', { DBInstanceId: 'rm-sample2', BackupEnabled: '1', CrossBackupRegion: 'cn-beijing', Retention: '15' });
    expect(await call('rds', 'DescribeInstanceCrossBackupPolicy', { DBInstanceId: 'rm-sample2' })).toMatchObject({ BackupEnabled: 'Enable', CrossBackupRegion: 'cn-beijing', Retention: 15 });
  });

  it('PolarDB: level-1 3 to 14 days, level-2 0, 30 to 7300 or -1; high-frequency backup sets every day; log retention', async () => {
    expect((await rejection(call('polardb', 'ModifyBackupPolicy', { ...idOf.polardb, DataLevel1BackupRetentionPeriod: '15' }))).code).toBe('InvalidDataLevel1BackupRetentionPeriod.Malformed');
    expect((await rejection(call('polardb', 'ModifyBackupPolicy', { ...idOf.polardb, DataLevel2BackupRetentionPeriod: '20' }))).code).toBe('InvalidDataLevel2BackupRetentionPeriod.Malformed');
    expect((await rejection(call('polardb', 'ModifyBackupPolicy', { ...idOf.polardb, DataLevel2BackupAnotherRegionRetentionPeriod: '30' }))).code).toBe('MissingParameter');
    await call('polardb', 'ModifyBackupPolicy', { ...idOf.polardb, BackupFrequency: '2/24H', DataLevel2BackupRetentionPeriod: '-1' });
    expect(await call('polardb', 'DescribeBackupPolicy', idOf.polardb)).toMatchObject({ BackupFrequency: '2/24H', PreferredBackupPeriod: 'Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday', DataLevel2BackupRetentionPeriod: '-1' });
    await call('polardb', 'ModifyLogBackupPolicy', { ...idOf.polardb, LogBackupRetentionPeriod: '30' });
    expect(await call('polardb', 'DescribeLogBackupPolicy', idOf.polardb)).toMatchObject({ EnableBackupLog: 1, LogBackupRetentionPeriod: 30 });
  });

  it('MongoDB: cross-region "update" needs its fields; "delete" removes it; log backup on', async () => {
    expect((await rejection(call('mongodb', 'ModifyBackupPolicy', { ...idOf.mongodb, CrossBackupType: 'update', DestRegion: 'cn-shenzhen' }))).code).toBe('MissingParameter');
    await call('mongodb', 'ModifyBackupPolicy', { ...idOf.mongodb, EnableBackupLog: '1', LogBackupRetentionPeriod: '14' });
    expect(await call('mongodb', 'DescribeBackupPolicy', idOf.mongodb)).toMatchObject({ EnableBackupLog: 1, LogBackupRetentionPeriod: 14, BackupRetentionPeriod: '30' });
    await call('mongodb', 'ModifyBackupPolicy', { ...idOf.mongodb, CrossBackupType: 'update', DestRegion: 'cn-shenzhen', SrcRegion: 'cn-hangzhou', CrossRetentionType: 'never', CrossBackupPeriod: 'Monday' });
    expect(await call('mongodb', 'DescribeBackupPolicy', idOf.mongodb)).toMatchObject({ DestRegion: 'cn-shenzhen', CrossRetentionType: 'never' });
    await call('mongodb', 'ModifyBackupPolicy', { ...idOf.mongodb, CrossBackupType: 'delete' });
    expect(await call('mongodb', 'DescribeBackupPolicy', idOf.mongodb)).not.toHaveProperty('DestRegion');
  });

  it('an instance that is not Running is not changed', async () => {
    cloud.setInstanceStatus('mongodb', 'dds-sample1', 'Restarting');
    expect((await rejection(call('mongodb', 'ModifyBackupPolicy', { ...idOf.mongodb, EnableBackupLog: '1' }))).code).toBe('IncorrectDBInstanceState');
    expect(await call('mongodb', 'DescribeBackupPolicy', idOf.mongodb)).toMatchObject({ EnableBackupLog: 0 });
  });
});
