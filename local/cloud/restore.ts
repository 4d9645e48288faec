// Restore to a new instance, as the local cloud serves it: RDS CloneDBInstance (+ TagResources, ListTagResources),
// PolarDB CreateDBCluster CloneFromPolarDB, MongoDB CreateDBInstance from a backup set; the describe calls, release
// (DeleteDBInstance / DeleteDBCluster) and the list APIs showing the new instances with their names and tags.
// Parameter names, answers and states per docs/restore-apis.md. A new instance is Creating for LOCAL_RESTORE_MS
// (default 1500 ms), then Running, or CreateFailed when its backup set was made bad by a 'restore-fails' fault; a
// released one is Deleting for LOCAL_RELEASE_MS (default 500 ms), then gone (the product's not-found code).
import { createHash } from 'node:crypto';
import {
  ApiError, findInstance, instanceKey, mongoAttributes, mongoNotFound, phase, polarNotFound, productApis, rdsNotFound,
  type CloudState, type Instance, type Params, type Product,
} from './products';

type Handler = (p: Params, s: CloudState) => Record<string, unknown>;

/** An instance made by a restore: what the describe and list calls report beyond the seeded instances' fields. */
interface RestoredInstance extends Instance {
  name?: string;
  createdAt: number;
  readyAt: number;
  /** Ends CreateFailed instead of Running. */
  fails: boolean;
  instanceClass: string;
  storageGb?: number;
  engineVersion: string;
  zoneId?: string;
  vpcId?: string;
  vSwitchId?: string;
  source: { id: string; backupId: string };
}

export interface RestoreOptions {
  restoreMs: number;
  releaseMs: number;
}

/** The create actions a 'restore-fails' fault applies to (a read never uses it up). */
export const restoreCreateActions: ReadonlySet<string> = new Set(['CloneDBInstance', 'CreateDBCluster', 'CreateDBInstance']);

const envMs = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n >= 0 && process.env[name] !== '' && process.env[name] !== undefined ? n : fallback;
};

export const restoreOptionsFromEnv = (): RestoreOptions => ({ restoreMs: envMs('LOCAL_RESTORE_MS', 1_500), releaseMs: envMs('LOCAL_RELEASE_MS', 500) });

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const missing = (name: string) => new ApiError(400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
const required = (p: Params, name: string) => {
  const v = p[name];
  if (v === undefined || v === '') throw missing(name);
  return v;
};
const isRestored = (i: Instance): i is RestoredInstance => 'readyAt' in i;

/** `Tag.1.Key=k&Tag.1.Value=v` (PolarDB, MongoDB and RDS TagResources). */
function tagPairs(p: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; p[`Tag.${i}.Key`] !== undefined; i++) out[p[`Tag.${i}.Key`] as string] = p[`Tag.${i}.Value`] ?? '';
  return out;
}

// A set that cannot be restored is refused by the create call (the code is ours: docs/restore-apis.md, unconfirmed).
const badBackup = new ApiError(400, 'InvalidBackupSetID.NotFound', 'The specified backup set does not exist or is not available for restoration.');
const tokenMismatch = new ApiError(400, 'IdempotentParameterMismatch', 'The request uses the same client token as a previous, but non-identical request.');

// Defaults for what a seeded instance does not say (the describe calls report them for a source).
const seedSpec: Record<Product, { version: string; instanceClass: string; storageGb?: number; storageType: string }> = {
  rds: { version: '8.0', instanceClass: 'mysql.n2.medium.2c', storageGb: 100, storageType: 'cloud_essd' },
  polardb: { version: '8.0', instanceClass: 'polar.mysql.x4.large', storageType: 'PSL5' },
  mongodb: { version: '5.0', instanceClass: 'dds.mongo.mid', storageGb: 20, storageType: 'cloud_essd1' },
};

export function restoreApis(opts: RestoreOptions) {
  /** `<product>|<ClientToken>` → the instance it created and a hash of the parameters it came with. */
  const tokens = new Map<string, { id: string; paramsHash: string }>();
  /** `<product>:<id>` → when its release was asked for. */
  const releasing = new Map<string, number>();
  /** Every instance a restore ever created, for tests that count them (exactly one per drill). */
  const created: { product: Product; id: string; sourceId: string; name?: string; tags: Record<string, string> }[] = [];

  /** Moves every restore and release along the clock; looked at before every API call. */
  function tick(s: CloudState): void {
    const now = s.now();
    for (const [key, at] of releasing) {
      const inst = s.instances.get(key);
      if (!inst) releasing.delete(key);
      else if (now >= at + opts.releaseMs) {
        s.instances.delete(key);
        releasing.delete(key);
      } else inst.status = 'Deleting';
    }
    for (const inst of s.instances.values()) {
      if (!isRestored(inst) || releasing.has(instanceKey(inst.product, inst.id))) continue;
      inst.status = now < inst.readyAt ? 'Creating' : inst.fails ? 'CreateFailed' : 'Running';
    }
  }

  /** The source's backup set, usable for a restore: finished, succeeded, not deleted. */
  function backupSet(s: CloudState, src: Instance, backupId: string): void {
    const job = s.jobs.find((j) => j.product === src.product && j.instanceId === src.id && j.backupId === backupId);
    if (!job || job.deleted || job.fails || phase(job, s).state !== 'finished') throw badBackup;
  }

  function restore(
    p: Params,
    s: CloudState,
    product: Product,
    src: Instance,
    fields: { backupId: string; name?: string; instanceClass: string; storageGb?: number; engineVersion: string; tags: Record<string, string> },
  ): string {
    const paramsHash = createHash('sha256').update(JSON.stringify(Object.entries(p).filter(([k]) => !['Signature', 'SignatureNonce', 'Timestamp'].includes(k)).sort())).digest('hex');
    const token = p.ClientToken;
    if (token !== undefined) {
      if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token)) throw new ApiError(400, 'InvalidParameter', 'The ClientToken must be at most 64 ASCII characters.');
      const seen = tokens.get(`${product}|${token}`);
      if (seen) {
        if (seen.paramsHash !== paramsHash) throw tokenMismatch;
        s.failNextJob = false;
        return seen.id;
      }
    }
    if (src.status !== 'Running') throw new ApiError(403, 'IncorrectDBInstanceState', 'Current DB instance state does not support this operation.');
    backupSet(s, src, fields.backupId);
    const prefix = product === 'rds' ? 'rm-' : product === 'polardb' ? 'pc-' : 'dds-';
    const id = `${prefix}lc${s.nextId().toString(36)}`;
    const now = s.now();
    const inst: RestoredInstance = {
      product,
      id,
      regionId: src.regionId,
      status: 'Creating',
      tags: fields.tags,
      engine: src.engine,
      failBackups: false,
      backupPolicy: { ...src.backupPolicy },
      name: fields.name,
      createdAt: now,
      readyAt: now + opts.restoreMs,
      fails: s.failNextJob,
      instanceClass: fields.instanceClass,
      storageGb: fields.storageGb,
      engineVersion: fields.engineVersion,
      zoneId: p.ZoneId,
      vpcId: p.VPCId ?? p.VpcId,
      vSwitchId: p.VSwitchId,
      source: { id: src.id, backupId: fields.backupId },
    };
    s.failNextJob = false;
    s.instances.set(instanceKey(product, id), inst);
    created.push({ product, id, sourceId: src.id, name: fields.name, tags: fields.tags });
    if (token !== undefined) tokens.set(`${product}|${token}`, { id, paramsHash });
    return id;
  }

  function release(p: Params, s: CloudState, product: Product, idParam: string, notFound: ApiError): Record<string, unknown> {
    const inst = findInstance(p, s, product, idParam, notFound);
    const key = instanceKey(product, inst.id);
    // A second release of an instance already on its way out changes nothing.
    if (!releasing.has(key)) releasing.set(key, s.now());
    inst.status = 'Deleting';
    return {};
  }

  const describeFields = (i: Instance) => {
    const seed = seedSpec[i.product];
    const r = isRestored(i) ? i : undefined;
    return {
      name: r?.name,
      createdAt: iso(r?.createdAt ?? Date.parse('2026-01-05T02:00:00Z')),
      version: r?.engineVersion ?? seed.version,
      instanceClass: r?.instanceClass ?? seed.instanceClass,
      storageGb: r?.storageGb ?? seed.storageGb,
      zoneId: r?.zoneId ?? `${i.regionId}-h`,
      vpcId: r?.vpcId ?? 'vpc-local',
      vSwitchId: r?.vSwitchId ?? 'vsw-local',
      // An address only once it runs.
      host: i.status === 'Running' ? `${i.id}.local-cloud.internal` : undefined,
    };
  };

  /** The base list answer, each restored instance's row completed with what the real list reports of it. */
  const withRows = (product: Product, action: string, rows: (b: Record<string, unknown>) => Record<string, unknown>[], extra: (i: RestoredInstance) => Record<string, unknown>): Handler =>
    (p, s) => {
      const base = productApis[product].actions[action] as Handler;
      const body = base(p, s);
      for (const row of rows(body)) {
        const inst = s.instances.get(instanceKey(product, String(row.DBInstanceId ?? row.DBClusterId)));
        if (inst && isRestored(inst)) Object.assign(row, extra(inst));
      }
      return body;
    };
  const tagList = (tags: Record<string, string>) => ({ Tag: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });

  const rds: Record<string, Handler> = {
    CloneDBInstance(p, s) {
      const src = findInstance(p, s, 'rds', 'DBInstanceId', rdsNotFound);
      required(p, 'PayType');
      if (!['Postpaid', 'Prepaid', 'Serverless'].includes(p.PayType as string)) throw new ApiError(400, 'InvalidPayType.ValueNotSupported', 'The specified parameter PayType is not valid.');
      if (p.BackupId === undefined && p.RestoreTime === undefined) throw missing('BackupId');
      const seed = describeFields(src);
      const id = restore(p, s, 'rds', src, {
        backupId: required(p, 'BackupId'),
        name: p.DBInstanceDescription,
        instanceClass: p.DBInstanceClass ?? seed.instanceClass,
        storageGb: p.DBInstanceStorage === undefined ? seed.storageGb : Number(p.DBInstanceStorage),
        engineVersion: seed.version,
        // CloneDBInstance takes no tags: TagResources sets them.
        tags: {},
      });
      return { DBInstanceId: id, OrderId: String(s.nextId()) };
    },
    TagResources(p, s) {
      if (required(p, 'ResourceType') !== 'INSTANCE') throw new ApiError(400, 'InvalidResourceType.NotSupported', 'The specified ResourceType is not supported.');
      const tags = tagPairs(p);
      if (Object.keys(tags).length === 0) throw missing('Tag.1.Key');
      const insts = [];
      for (let i = 1; p[`ResourceId.${i}`] !== undefined; i++) insts.push(findInstance({ ...p, DBInstanceId: p[`ResourceId.${i}`] as string }, s, 'rds', 'DBInstanceId', rdsNotFound));
      if (insts.length === 0) throw missing('ResourceId.1');
      for (const inst of insts) Object.assign(inst.tags, tags);
      return {};
    },
    ListTagResources(p, s) {
      const insts = [];
      for (let i = 1; p[`ResourceId.${i}`] !== undefined; i++) {
        const inst = s.instances.get(instanceKey('rds', p[`ResourceId.${i}`] as string));
        if (inst) insts.push(inst);
      }
      return {
        TagResources: {
          TagResource: insts.flatMap((i) =>
            Object.entries(i.tags).map(([TagKey, TagValue]) => ({ ResourceId: i.id, ResourceType: 'ALIYUN::RDS::INSTANCE', TagKey, TagValue })),
          ),
        },
      };
    },
    DescribeDBInstanceAttribute(p, s) {
      const inst = findInstance(p, s, 'rds', 'DBInstanceId', rdsNotFound);
      const f = describeFields(inst);
      return {
        Items: {
          DBInstanceAttribute: [
            {
              DBInstanceId: inst.id,
              RegionId: inst.regionId,
              DBInstanceStatus: inst.status,
              DBInstanceDescription: f.name ?? '',
              Engine: inst.engine,
              EngineVersion: f.version,
              DBInstanceClass: f.instanceClass,
              DBInstanceStorage: f.storageGb,
              DBInstanceStorageType: seedSpec.rds.storageType,
              PayType: 'Postpaid',
              CreationTime: f.createdAt,
              ZoneId: f.zoneId,
              VpcId: f.vpcId,
              VSwitchId: f.vSwitchId,
              InstanceNetworkType: 'VPC',
              DeletionProtection: false,
              ...(f.host ? { ConnectionString: f.host, Port: '3306' } : {}),
            },
          ],
        },
      };
    },
    DeleteDBInstance: (p, s) => release(p, s, 'rds', 'DBInstanceId', rdsNotFound),
    DescribeDBInstances: withRows('rds', 'DescribeDBInstances', (b) => (b.Items as { DBInstance: Record<string, unknown>[] }).DBInstance, (i) => ({
      DBInstanceDescription: i.name ?? '',
      CreateTime: iso(i.createdAt),
      DBInstanceClass: i.instanceClass,
      EngineVersion: i.engineVersion,
      PayType: 'Postpaid',
    })),
  };

  const polardb: Record<string, Handler> = {
    CreateDBCluster(p, s) {
      const dbType = required(p, 'DBType');
      const version = required(p, 'DBVersion');
      const nodeClass = required(p, 'DBNodeClass');
      required(p, 'PayType');
      if (p.CreationOption !== 'CloneFromPolarDB') throw new ApiError(400, 'InvalidCreationOption.ValueNotSupported', 'The local cloud creates clusters only by CloneFromPolarDB.');
      const src = findInstance({ ...p, DBClusterId: required(p, 'SourceResourceId') }, s, 'polardb', 'DBClusterId', polarNotFound);
      const seed = describeFields(src);
      // "The DBType of the cloned cluster will default to match the source cluster."
      if (dbType !== src.engine || version !== seed.version) throw new ApiError(400, 'InvalidDBVersion.Mismatch', 'The DBType and DBVersion must be those of the source cluster.');
      const point = p.CloneDataPoint ?? 'LATEST';
      if (point === 'LATEST' || /^\d{4}-/.test(point)) throw new ApiError(400, 'InvalidCloneDataPoint.ValueNotSupported', 'The local cloud clones only from a backup set id.');
      const id = restore(p, s, 'polardb', src, { backupId: point, name: p.DBClusterDescription, instanceClass: nodeClass, engineVersion: version, tags: tagPairs(p) });
      return { DBClusterId: id, OrderId: String(s.nextId()), ResourceGroupId: 'rg-local' };
    },
    DescribeDBClusterAttribute(p, s) {
      const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
      const f = describeFields(inst);
      return {
        DBClusterId: inst.id,
        RegionId: inst.regionId,
        DBClusterStatus: inst.status,
        DBClusterDescription: f.name ?? '',
        DBType: inst.engine,
        DBVersion: f.version,
        PayType: 'Postpaid',
        CreationTime: f.createdAt,
        StorageType: seedSpec.polardb.storageType,
        ZoneIds: f.zoneId,
        VPCId: f.vpcId,
        VSwitchId: f.vSwitchId,
        DeletionLock: 0,
        DBNodes: [{ DBNodeId: `pi-${inst.id.slice(3)}1`, DBNodeClass: f.instanceClass, DBNodeRole: 'Writer', DBNodeStatus: inst.status }],
        Tags: Object.entries(inst.tags).map(([Key, Value]) => ({ Key, Value })),
        ...(isRestored(inst) ? { RestoreType: 'RestoreByBackupSet', RestoreDataPoint: inst.source.backupId, SourceDBCluster: inst.source.id } : {}),
      };
    },
    DescribeDBClusterEndpoints(p, s) {
      const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
      const f = describeFields(inst);
      return {
        Items: f.host
          ? [{ DBClusterId: inst.id, DBEndpointId: `pe-${inst.id.slice(3)}`, EndpointType: 'Cluster', AddressItems: [{ ConnectionString: f.host, Port: '3306', NetType: 'Private', VPCId: f.vpcId, VSwitchId: f.vSwitchId }] }]
          : [],
      };
    },
    DeleteDBCluster(p, s) {
      // "A pay-as-you-go cluster can be manually released only when it is in the Running state" (docs/restore-apis.md).
      const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
      if (inst.status === 'Creating') throw new ApiError(400, 'OperationDenied.DBClusterStatus', 'The operation is not permitted due to status of cluster.');
      return release(p, s, 'polardb', 'DBClusterId', polarNotFound);
    },
    DescribeDBClusters: withRows('polardb', 'DescribeDBClusters', (b) => (b.Items as { DBCluster: Record<string, unknown>[] }).DBCluster, (i) => ({
      DBClusterDescription: i.name ?? '',
      CreateTime: iso(i.createdAt),
      DBType: i.engine,
      DBVersion: i.engineVersion,
      PayType: 'Postpaid',
      Tags: tagList(i.tags),
    })),
  };

  const mongodb: Record<string, Handler> = {
    CreateDBInstance(p, s) {
      const instanceClass = required(p, 'DBInstanceClass');
      const storage = required(p, 'DBInstanceStorage');
      const version = required(p, 'EngineVersion');
      // SrcDBInstanceId and BackupId together clone from a backup set (RestoreType 0, its default here).
      if ((p.RestoreType ?? '0') !== '0') throw new ApiError(400, 'InvalidRestoreType.ValueNotSupported', 'The local cloud restores only from a backup set (RestoreType 0).');
      const src = findInstance({ ...p, DBInstanceId: required(p, 'SrcDBInstanceId') }, s, 'mongodb', 'DBInstanceId', mongoNotFound);
      if (version !== describeFields(src).version) throw new ApiError(400, 'InvalidEngineVersion.Mismatch', 'The EngineVersion must be that of the source instance.');
      const id = restore(p, s, 'mongodb', src, { backupId: required(p, 'BackupId'), name: p.DBInstanceDescription, instanceClass, storageGb: Number(storage), engineVersion: version, tags: tagPairs(p) });
      return { DBInstanceId: id, OrderId: String(s.nextId()) };
    },
    DescribeDBInstanceAttribute(p, s) {
      const inst = findInstance(p, s, 'mongodb', 'DBInstanceId', mongoNotFound);
      const f = describeFields(inst);
      return {
        DBInstances: {
          DBInstance: [
            {
              DBInstanceId: inst.id,
              RegionId: inst.regionId,
              DBInstanceStatus: inst.status,
              DBInstanceDescription: f.name ?? '',
              DBInstanceType: 'replicate',
              Engine: 'MongoDB',
              EngineVersion: f.version,
              DBInstanceClass: f.instanceClass,
              DBInstanceStorage: f.storageGb,
              StorageType: seedSpec.mongodb.storageType,
              ChargeType: 'PostPaid',
              CreationTime: f.createdAt,
              ZoneId: f.zoneId,
              VPCId: f.vpcId,
              VSwitchId: f.vSwitchId,
              DBInstanceReleaseProtection: false,
              // The instance's own shape (type, storage, replication: docs/mongodb-sharded.md) wins over the defaults above.
              ...mongoAttributes(inst),
              Tags: tagList(inst.tags),
              ReplicaSets: {
                ReplicaSet: f.host ? [{ ReplicaSetRole: 'Primary', ConnectionDomain: f.host, ConnectionPort: '3717', NetworkType: 'VPC', VPCId: f.vpcId, VSwitchId: f.vSwitchId }] : [],
              },
            },
          ],
        },
      };
    },
    DeleteDBInstance: (p, s) => release(p, s, 'mongodb', 'DBInstanceId', mongoNotFound),
    DescribeDBInstances: withRows('mongodb', 'DescribeDBInstances', (b) => (b.DBInstances as { DBInstance: Record<string, unknown>[] }).DBInstance, (i) => ({
      DBInstanceDescription: i.name ?? '',
      CreationTime: iso(i.createdAt),
      DBInstanceClass: i.instanceClass,
      EngineVersion: i.engineVersion,
      ChargeType: 'PostPaid',
      Tags: tagList(i.tags),
    })),
  };

  const actions: Record<Product, Record<string, Handler>> = { rds, polardb, mongodb };
  return {
    actions,
    tick,
    /** Each instance restores created, and whether it still exists (not yet released). */
    restored(s: CloudState) {
      return created.map((c) => ({ ...c, exists: s.instances.has(instanceKey(c.product, c.id)), status: s.instances.get(instanceKey(c.product, c.id))?.status }));
    },
    reset() {
      tokens.clear();
      releasing.clear();
      created.length = 0;
    },
  };
}
