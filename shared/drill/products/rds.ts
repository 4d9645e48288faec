// RDS restore drill: CloneDBInstance from a backup set to a pay-as-you-go instance (docs/restore-apis.md §RDS).
// CloneDBInstance takes a ClientToken but no tags, so the drill tag is set by TagResources right after it answers.
import { asArray, defined, num, path, str } from '../../cloud/products/catalog';
import { drillTagKey, type DrillInstanceState, type RestoreCatalog, type SourceSpec } from '../restore-catalog';

// DBInstanceStatus of DescribeDBInstanceAttribute; anything else (Restoring, TempDBInstanceCreating, …) is still on its way.
const states: Record<string, DrillInstanceState> = {
  Creating: 'creating',
  Running: 'running',
  Deleting: 'releasing',
  Released: 'gone',
  // Not a documented value: the local cloud's word for a clone that could not be made (docs/restore-apis.md).
  CreateFailed: 'failed',
};

// The smallest high-availability cloud-disk classes per engine (docs/restore-apis.md: unconfirmed, so the drill
// configuration can name another).
const smallestClass: Record<string, string> = {
  MySQL: 'mysql.n2.small.2c',
  PostgreSQL: 'pg.n2.small.2c',
  SQLServer: 'mssql.x4.medium.e2',
  MariaDB: 'mariadb.n2.small.2c',
};

const attribute = (body: Record<string, unknown>) => asArray(path(body, 'Items', 'DBInstanceAttribute'))[0];

export const rdsRestore: RestoreCatalog = {
  product: 'rds',
  clientToken: true,
  source: {
    action: 'DescribeDBInstanceAttribute',
    query: ({ sourceId }) => ({ DBInstanceId: sourceId }),
    parse: (body): SourceSpec => {
      const a = attribute(body) ?? {};
      return {
        regionId: str(a.RegionId) ?? '',
        engine: str(a.Engine) ?? '',
        engineVersion: str(a.EngineVersion) ?? '',
        instanceClass: str(a.DBInstanceClass),
        storageGb: num(a.DBInstanceStorage),
        storageType: str(a.DBInstanceStorageType),
        zoneId: str(a.ZoneId),
        vpcId: str(a.VpcId),
        vSwitchId: str(a.VSwitchId),
      };
    },
  },
  // The clone must hold the source's data: its storage stays the source's (CloneDBInstance's default too).
  smallest: (spec) => ({ instanceClass: smallestClass[spec.engine] ?? spec.instanceClass ?? '', storageGb: spec.storageGb }),
  create: {
    action: 'CloneDBInstance',
    query: (r) =>
      defined({
        DBInstanceId: r.sourceId,
        BackupId: r.backupId,
        PayType: 'Postpaid',
        DBInstanceClass: r.instanceClass,
        DBInstanceStorage: r.storageGb === undefined ? undefined : String(r.storageGb),
        DBInstanceStorageType: r.spec.storageType,
        DBInstanceDescription: r.name,
        ClientToken: r.clientToken,
        ZoneId: r.zoneId,
        InstanceNetworkType: r.vpcId === undefined ? undefined : 'VPC',
        VPCId: r.vpcId,
        VSwitchId: r.vSwitchId,
        // Release must never be refused by a protection the drill did not ask for.
        DeletionProtection: 'false',
      }),
    parse: (body) => ({ instanceId: str(body.DBInstanceId) ?? '' }),
  },
  tagAfterCreate: {
    action: 'TagResources',
    query: ({ instanceId, drillId }) => ({ ResourceType: 'INSTANCE', 'ResourceId.1': instanceId, 'Tag.1.Key': drillTagKey, 'Tag.1.Value': drillId }),
    parse: () => undefined,
  },
  readTags: {
    action: 'ListTagResources',
    query: ({ instanceId }) => ({ ResourceType: 'INSTANCE', 'ResourceId.1': instanceId }),
    parse: (body) =>
      Object.fromEntries(asArray(path(body, 'TagResources', 'TagResource')).map((t) => [str(t.TagKey) ?? '', str(t.TagValue) ?? ''])),
  },
  describe: {
    action: 'DescribeDBInstanceAttribute',
    query: ({ instanceId }) => ({ DBInstanceId: instanceId }),
    goneCodes: ['InvalidDBInstanceId.NotFound', 'InvalidDBInstanceName.NotFound'],
    parse: (body) => {
      const a = attribute(body);
      const instanceId = str(a?.DBInstanceId);
      if (!a || !instanceId) return undefined;
      const status = str(a.DBInstanceStatus) ?? '';
      const host = str(a.ConnectionString);
      const port = num(a.Port);
      return {
        instanceId,
        state: states[status] ?? 'creating',
        status,
        name: str(a.DBInstanceDescription),
        tags: {},
        createdAt: str(a.CreationTime),
        engine: str(a.Engine),
        engineVersion: str(a.EngineVersion),
        storageGb: num(a.DBInstanceStorage),
        ...(host !== undefined && port !== undefined ? { endpoint: { host, port } } : {}),
      };
    },
  },
  listByTag: {
    action: 'DescribeDBInstances',
    // RDS takes its tag filter as one JSON object parameter (as the backup catalog's listQuery).
    query: ({ drillId }) => ({ Tags: JSON.stringify({ [drillTagKey]: drillId }), PageSize: '100' }),
    parse: (body) =>
      asArray(path(body, 'Items', 'DBInstance')).map((i) => ({
        instanceId: str(i.DBInstanceId) ?? '',
        name: str(i.DBInstanceDescription),
        createdAt: str(i.CreateTime),
      })),
  },
  release: {
    action: 'DeleteDBInstance',
    query: ({ instanceId }) => ({ DBInstanceId: instanceId }),
    goneCodes: ['InvalidDBInstanceId.NotFound', 'InvalidDBInstanceName.NotFound'],
    parse: () => undefined,
  },
  ramActions: [
    'rds:DescribeDBInstanceAttribute',
    'rds:CloneDBInstance',
    'rds:TagResources',
    'rds:ListTagResources',
    'rds:DescribeDBInstances',
    'rds:DeleteDBInstance',
  ],
};
