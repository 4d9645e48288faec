// MongoDB restore drill: CreateDBInstance cloning a replica set from a source instance's backup set (SrcDBInstanceId,
// BackupId, RestoreType 0), pay-as-you-go, tagged at creation (docs/restore-apis.md §MongoDB). It takes a ClientToken.
import { asArray, defined, num, path, str, tagParams } from '../../cloud/products/catalog';
import { drillTagKey, type DrillInstanceState, type RestoreCatalog, type SourceSpec } from '../restore-catalog';

// DBInstanceStatus of DescribeDBInstanceAttribute; anything else (DBInstanceClassChanging, …) is still on its way.
const states: Record<string, DrillInstanceState> = {
  Creating: 'creating',
  Running: 'running',
  Deleting: 'releasing',
  // Not a documented value: the local cloud's word for a clone that could not be made (docs/restore-apis.md).
  CreateFailed: 'failed',
};

// The smallest replica set class (docs/restore-apis.md: unconfirmed, configurable).
const smallestClass = 'dds.mongo.standard';

const instanceOf = (body: Record<string, unknown>) => asArray(path(body, 'DBInstances', 'DBInstance'))[0];

export const mongodbRestore: RestoreCatalog = {
  product: 'mongodb',
  clientToken: true,
  source: {
    action: 'DescribeDBInstanceAttribute',
    query: ({ sourceId }) => ({ DBInstanceId: sourceId }),
    parse: (body): SourceSpec => {
      const i = instanceOf(body) ?? {};
      return {
        regionId: str(i.RegionId) ?? '',
        engine: str(i.Engine) ?? '',
        engineVersion: str(i.EngineVersion) ?? '',
        instanceClass: str(i.DBInstanceClass),
        storageGb: num(i.DBInstanceStorage),
        storageType: str(i.StorageType),
        zoneId: str(i.ZoneId),
        vpcId: str(i.VPCId),
        vSwitchId: str(i.VSwitchId),
      };
    },
  },
  // The clone must hold the source's data: its storage stays the source's.
  smallest: (spec) => ({ instanceClass: smallestClass, storageGb: spec.storageGb }),
  create: {
    action: 'CreateDBInstance',
    query: (r) =>
      defined({
        SrcDBInstanceId: r.sourceId,
        BackupId: r.backupId,
        // 0: restore to the given backup set (CreateDBInstance's RestoreType).
        RestoreType: '0',
        ChargeType: 'PostPaid',
        Engine: 'MongoDB',
        EngineVersion: r.spec.engineVersion,
        DBInstanceClass: r.instanceClass,
        DBInstanceStorage: r.storageGb === undefined ? undefined : String(r.storageGb),
        StorageType: r.spec.storageType,
        DBInstanceDescription: r.name,
        ClientToken: r.clientToken,
        NetworkType: r.vpcId === undefined ? undefined : 'VPC',
        VpcId: r.vpcId,
        VSwitchId: r.vSwitchId,
        ZoneId: r.zoneId,
        ...tagParams({ [drillTagKey]: r.drillId }),
      }),
    parse: (body) => ({ instanceId: str(body.DBInstanceId) ?? '' }),
  },
  describe: {
    action: 'DescribeDBInstanceAttribute',
    query: ({ instanceId }) => ({ DBInstanceId: instanceId }),
    goneCodes: ['InvalidDBInstanceId.NotFound'],
    parse: (body) => {
      const i = instanceOf(body);
      const instanceId = str(i?.DBInstanceId);
      if (!i || !instanceId) return undefined;
      const status = str(i.DBInstanceStatus) ?? '';
      // The primary's address in the VPC (ReplicaSets.ReplicaSet of a replica set instance).
      const sets = asArray(path(i, 'ReplicaSets', 'ReplicaSet'));
      const primary = sets.find((r) => str(r.ReplicaSetRole) === 'Primary') ?? sets[0];
      const host = str(primary?.ConnectionDomain);
      const port = num(primary?.ConnectionPort);
      return {
        instanceId,
        state: states[status] ?? 'creating',
        status,
        name: str(i.DBInstanceDescription),
        tags: Object.fromEntries(asArray(path(i, 'Tags', 'Tag')).map((t) => [str(t.Key) ?? '', str(t.Value) ?? ''])),
        createdAt: str(i.CreationTime),
        engine: str(i.Engine),
        engineVersion: str(i.EngineVersion),
        storageGb: num(i.DBInstanceStorage),
        ...(host !== undefined && port !== undefined ? { endpoint: { host, port } } : {}),
      };
    },
  },
  listByTag: {
    action: 'DescribeDBInstances',
    query: ({ drillId }) => ({ ...tagParams({ [drillTagKey]: drillId }), PageSize: '100' }),
    parse: (body) =>
      asArray(path(body, 'DBInstances', 'DBInstance')).map((i) => ({
        instanceId: str(i.DBInstanceId) ?? '',
        name: str(i.DBInstanceDescription),
        createdAt: str(i.CreationTime),
      })),
  },
  release: {
    action: 'DeleteDBInstance',
    query: ({ instanceId }) => ({ DBInstanceId: instanceId }),
    goneCodes: ['InvalidDBInstanceId.NotFound'],
    parse: () => undefined,
  },
  ramActions: ['dds:DescribeDBInstanceAttribute', 'dds:CreateDBInstance', 'dds:DescribeDBInstances', 'dds:DeleteDBInstance'],
};
