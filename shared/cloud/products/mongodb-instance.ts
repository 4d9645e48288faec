// What a MongoDB instance is decides how its backup calls are made (docs/mongodb-sharded.md, each fact cited there):
// - DescribeDBInstanceAttribute names its architecture (DBInstanceType), its storage (StorageType) and, for a sharded
//   cluster, its shards (ShardList.ShardAttribute[].NodeId).
// - On cloud disks, or standalone, it takes snapshot backups only (CreateBackup reference): its sets report Snapshot,
//   so that is the method reconciliation matches, and another method asked for is refused before it is sent.
// - A sharded cluster's DescribeBackups must name a shard (NodeId) and lists that shard's sets: one backup of the
//   cluster is one set per shard. They are read shard by shard and merged by BackupJobId into one set whose BackupId
//   is the shards' ids joined by commas, in shard order (the form DescribeBackups' BackupId takes for a cluster). It
//   succeeded only if every shard's set did; one not listed on every shard is not shown yet.
// - DeleteBackup names one BackupId and no shard: deleting a cluster backup shard by shard would leave a restore point
//   that cannot restore, so it is refused.
import { notForThisInstance } from '../../errors';
import { asArray, num, path, str, type InstanceFacts, type InstanceRules, type Query } from './catalog';

const SNAPSHOT_ONLY = 'Snapshot';

export function factsOf(body: Record<string, unknown>, instanceId: string): InstanceFacts {
  const inst = asArray(path(body, 'DBInstances', 'DBInstance')).find((i) => str(i.DBInstanceId) === instanceId) ?? asArray(path(body, 'DBInstances', 'DBInstance'))[0] ?? {};
  const type = str(inst.DBInstanceType);
  const storage = str(inst.StorageType);
  const nodes = str(inst.ReplicationFactor);
  const cloudDisk = storage?.startsWith('cloud_') === true;
  const standalone = type !== 'sharding' && nodes === '1';
  const shards = type === 'sharding' ? asArray(path(inst, 'ShardList', 'ShardAttribute')).map((s) => str(s.NodeId) ?? '').filter(Boolean) : undefined;
  return {
    ...(cloudDisk || standalone ? { onlyMethod: SNAPSHOT_ONLY } : {}),
    ...(shards ? { shards } : {}),
    described: `DBInstanceType ${type ?? '(none)'}, StorageType ${storage ?? '(none)'}, ReplicationFactor ${nodes ?? '(none)'}`,
  };
}

type Send = (query: Query) => Promise<Record<string, unknown>>;
type Row = Record<string, unknown>;

/** One shard's rows by job id; rows without one cannot be told apart across shards and are left out. */
const byJob = (body: Record<string, unknown>): Map<string, Row> =>
  new Map(asArray(path(body, 'Backups', 'Backup')).flatMap((b) => (str(b.BackupJobId) ? [[str(b.BackupJobId) as string, b] as const] : [])));

function mergeShards(rows: Row[]): Row {
  const times = (k: string) => rows.map((r) => str(r[k])).filter((t): t is string => t !== undefined).sort();
  const first = rows[0] as Row;
  return {
    ...first,
    BackupId: rows.map((r) => str(r.BackupId) ?? '').join(','),
    BackupStatus: rows.every((r) => str(r.BackupStatus) === 'Success') ? 'Success' : 'Failed',
    BackupStartTime: times('BackupStartTime')[0],
    BackupEndTime: times('BackupEndTime').at(-1),
    BackupSize: rows.reduce((sum, r) => sum + (num(r.BackupSize) ?? 0), 0),
  };
}

async function clusterBackups(query: Query, shards: readonly string[], send: Send): Promise<Record<string, unknown>> {
  const ids = query.BackupId?.split(',');
  // A cluster backup's id names one set per shard; any other cannot be one of this cluster's.
  if (ids !== undefined && ids.length !== shards.length) return { Backups: { Backup: [] }, TotalCount: 0 };
  const bodies = await Promise.all(shards.map((NodeId, i) => send({ ...query, NodeId, ...(ids ? { BackupId: ids[i] as string } : {}) })));
  const perShard = bodies.map(byJob);
  const [lead, ...rest] = perShard as [Map<string, Row>, ...Map<string, Row>[]];
  const merged = [...lead].flatMap(([jobId, row]) => {
    const others = rest.map((m) => m.get(jobId));
    return others.every((r) => r !== undefined) ? [mergeShards([row, ...(others as Row[])])] : [];
  });
  return { ...bodies[0], Backups: { Backup: merged } };
}

export const mongodbInstance: InstanceRules = {
  action: 'DescribeDBInstanceAttribute',
  query: (id) => ({ DBInstanceId: id }),
  parse: factsOf,
  actions: ['CreateBackup', 'DescribeBackups', 'DeleteBackup'],
  async call(action, query, facts, send) {
    const id = query.DBInstanceId;
    if (action === 'CreateBackup' && facts.onlyMethod && query.BackupMethod !== undefined && query.BackupMethod !== facts.onlyMethod) {
      throw notForThisInstance(
        'MethodNotSupportedByInstance',
        `BackupMethod ${query.BackupMethod}: MongoDB instance ${id} (${facts.described}) takes ${facts.onlyMethod} backups only — instances on cloud disks support only snapshot backups, standalone instances use snapshots (CreateBackup reference). Set BackupMethod ${facts.onlyMethod}, or leave it out. Nothing was sent.`,
        { instanceId: id, asked: query.BackupMethod, onlyMethod: facts.onlyMethod },
      );
    }
    if (action === 'DescribeBackups' && facts.shards) return clusterBackups(query, facts.shards, send);
    if (action === 'DeleteBackup' && facts.shards) {
      throw notForThisInstance(
        'ShardedDeleteUnsupported',
        `MongoDB sharded cluster ${id}: its backup ${query.BackupId ?? ''} is one set per shard, and DeleteBackup takes one BackupId and no shard; deleting it shard by shard would leave a restore point that cannot restore. Nothing was deleted: delete it in the console, or let BackupRetentionPeriod (keepDays) expire it.`,
        { instanceId: id, backupId: query.BackupId, shards: facts.shards },
      );
    }
    return send(query);
  },
};
