// PolarDB restore drill: CreateDBCluster with CreationOption CloneFromPolarDB and CloneDataPoint set to the backup set
// id, pay-as-you-go, tagged at creation (docs/restore-apis.md §PolarDB). CreateDBCluster takes a ClientToken.
import { asArray, defined, num, path, str, tagParams } from '../../cloud/products/catalog';
import { drillTagKey, type DrillInstanceState, type RestoreCatalog, type SourceSpec } from '../restore-catalog';

// DBClusterStatus of DescribeDBClusterAttribute; anything else (ClassChanging, …) is still on its way.
const states: Record<string, DrillInstanceState> = {
  Creating: 'creating',
  Running: 'running',
  Deleting: 'releasing',
  Deleted: 'gone',
  // Not a documented value: the local cloud's word for a clone that could not be made (docs/restore-apis.md).
  CreateFailed: 'failed',
};

// The smallest Cluster Edition node classes per DBType (docs/restore-apis.md: unconfirmed, configurable).
const smallestClass: Record<string, string> = {
  MySQL: 'polar.mysql.x4.medium',
  PostgreSQL: 'polar.pg.x4.medium',
  Oracle: 'polar.o.x4.medium',
};

const tagsOf = (v: unknown): Record<string, string> =>
  Object.fromEntries(asArray(v).map((t) => [str(t.Key) ?? '', str(t.Value) ?? '']));

export const polardbRestore: RestoreCatalog = {
  product: 'polardb',
  clientToken: true,
  source: {
    action: 'DescribeDBClusterAttribute',
    query: ({ sourceId }) => ({ DBClusterId: sourceId }),
    parse: (body): SourceSpec => ({
      regionId: str(body.RegionId) ?? '',
      engine: str(body.DBType) ?? '',
      engineVersion: str(body.DBVersion) ?? '',
      instanceClass: str(asArray(body.DBNodes)[0]?.DBNodeClass),
      storageType: str(body.StorageType),
      // ZoneIds lists the primary zone first ("cn-hangzhou-i,cn-hangzhou-g").
      zoneId: str(body.ZoneIds)?.split(',')[0],
      vpcId: str(body.VPCId),
      vSwitchId: str(body.VSwitchId),
    }),
  },
  // Storage is billed by use (PolarDB Enterprise): no size to choose.
  smallest: (spec) => ({ instanceClass: smallestClass[spec.engine] ?? spec.instanceClass ?? '' }),
  create: {
    action: 'CreateDBCluster',
    query: (r) =>
      defined({
        DBType: r.spec.engine,
        DBVersion: r.spec.engineVersion,
        DBNodeClass: r.instanceClass,
        PayType: 'Postpaid',
        CreationOption: 'CloneFromPolarDB',
        SourceResourceId: r.sourceId,
        CloneDataPoint: r.backupId,
        DBClusterDescription: r.name,
        ClientToken: r.clientToken,
        ClusterNetworkType: r.vpcId === undefined ? undefined : 'VPC',
        VPCId: r.vpcId,
        VSwitchId: r.vSwitchId,
        ZoneId: r.zoneId,
        // The temporary cluster's own backups are not restore points: none kept at release (MySQL only, per the model).
        BackupRetentionPolicyOnClusterDeletion: r.spec.engine === 'MySQL' ? 'NONE' : undefined,
        ...tagParams({ [drillTagKey]: r.drillId }),
      }),
    parse: (body) => ({ instanceId: str(body.DBClusterId) ?? '' }),
  },
  describe: {
    action: 'DescribeDBClusterAttribute',
    query: ({ instanceId }) => ({ DBClusterId: instanceId }),
    goneCodes: ['InvalidDBClusterId.NotFound'],
    parse: (body) => {
      const instanceId = str(body.DBClusterId);
      if (!instanceId) return undefined;
      const status = str(body.DBClusterStatus) ?? '';
      return {
        instanceId,
        state: states[status] ?? 'creating',
        status,
        name: str(body.DBClusterDescription),
        tags: tagsOf(body.Tags),
        createdAt: str(body.CreationTime),
        engine: str(body.DBType),
        engineVersion: str(body.DBVersion),
      };
    },
  },
  endpoint: {
    action: 'DescribeDBClusterEndpoints',
    query: ({ instanceId }) => ({ DBClusterId: instanceId }),
    parse: (body) => {
      // The cluster (read/write split) endpoint's private address; the primary endpoint where there is none.
      const items = asArray(body.Items);
      const item = items.find((e) => str(e.EndpointType) === 'Cluster') ?? items.find((e) => str(e.EndpointType) === 'Primary');
      const addr = asArray(item?.AddressItems).find((a) => str(a.NetType) === 'Private');
      const host = str(addr?.ConnectionString);
      const port = num(addr?.Port);
      return host !== undefined && port !== undefined ? { host, port } : undefined;
    },
  },
  listByTag: {
    action: 'DescribeDBClusters',
    query: ({ drillId }) => ({ ...tagParams({ [drillTagKey]: drillId }), PageSize: '100' }),
    parse: (body) =>
      asArray(path(body, 'Items', 'DBCluster')).map((c) => ({
        instanceId: str(c.DBClusterId) ?? '',
        name: str(c.DBClusterDescription),
        createdAt: str(c.CreateTime),
      })),
  },
  release: {
    action: 'DeleteDBCluster',
    // BackupRetentionPolicyOnClusterDeletion left to its default, NONE: set at creation for MySQL, and not every DBType takes it.
    query: ({ instanceId }) => ({ DBClusterId: instanceId }),
    goneCodes: ['InvalidDBClusterId.NotFound'],
    parse: () => undefined,
  },
  ramActions: [
    'polardb:DescribeDBClusterAttribute',
    'polardb:CreateDBCluster',
    'polardb:DescribeDBClusterEndpoints',
    'polardb:DescribeDBClusters',
    'polardb:DeleteDBCluster',
  ],
};
