// The three products' backup APIs as the local cloud serves them: same parameter names, response shapes, error
// codes and limits as the documents in ../shared/reference (and alibaba-api-facts.md §2).
import { createHash } from 'node:crypto';

export type Product = 'rds' | 'polardb' | 'mongodb';

export interface Instance {
  product: Product;
  id: string;
  regionId: string;
  status: string;
  tags: Record<string, string>;
  /** RDS: what DescribeDBInstances reports as Engine. */
  engine: string;
  /** Every backup of this instance ends Failed. */
  failBackups: boolean;
  /**
   * The instance's daily automated backup: it starts at this UTC time of day (ms since midnight) and runs
   * `automatedDurationMs` (RDS PreferredBackupTime, MongoDB's backup policy). While it runs, CreateBackup is refused
   * with BackupJobExists, and the task lists show it with JobMode Automated.
   */
  backupWindowStartMs?: number;
  automatedDurationMs?: number;
  /** Its backup settings, in the APIs' own field names (backup-policy.ts: DescribeBackupPolicy and the Modify calls). */
  backupPolicy?: Record<string, string | number>;
  /** MongoDB: what DescribeDBInstanceAttribute reports (docs/mongodb-sharded.md). */
  mongo?: MongoShape;
}

/** A MongoDB instance's architecture and storage: a sharded cluster's sets are per shard; cloud disks take snapshots only. */
export interface MongoShape {
  /** DBInstanceType: DescribeDBInstances lists only `replicate` unless asked for another. */
  type: 'replicate' | 'sharding' | 'serverless';
  /** StorageType: cloud_essd1/2/3 and cloud_auto are cloud disks, local_ssd is not. */
  storageType: string;
  /** ReplicationFactor; 1 is a standalone instance. */
  replicationFactor: number;
  /** A sharded cluster's shard node ids (ShardList.ShardAttribute[].NodeId). */
  shards: string[];
}

export interface Job {
  id: string;
  /** The backup set id it produces (PolarDB names the set by the job id). */
  backupId: string;
  product: Product;
  instanceId: string;
  createdAt: number;
  method: string;
  clientToken?: string;
  fails: boolean;
  /** Manual (CreateBackup) or Automated (the instance's daily backup). */
  mode: 'Manual' | 'Automated';
  /** How long it runs (the cloud's jobDurationMs for manual jobs). */
  durationMs: number;
  /** The list APIs show it only from then on (list lag); CreateBackup's own checks see it at once. */
  listedAt: number;
  /** Its backup set was deleted (frees PolarDB's quota); the job itself stays on record. */
  deleted?: boolean;
  /** MongoDB sharded cluster: one set per shard, by shard node id. */
  shardBackupIds?: Record<string, string>;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface CloudState {
  instances: Map<string, Instance>;
  jobs: Job[];
  /** PolarDB: ClientToken → the job it created and a hash of the parameters it came with. */
  tokens: Map<string, { jobId: string; paramsHash: string }>;
  jobDurationMs: number;
  /** A new job appears in DescribeBackupTasks / DescribeBackups only this long after it was created. */
  listLagMs: number;
  now: () => number;
  nextId: () => number;
  /** Set by a 'job-fails' fault for the next job created on this request. */
  failNextJob: boolean;
  /** Set by a 'set-id-differs' fault: the next job's backup set gets an id of its own (PolarDB too). */
  renameNextSet: boolean;
}

export type Params = Record<string, string>;
type Handler = (p: Params, s: CloudState) => Record<string, unknown>;

export interface ProductApi {
  product: Product;
  version: string;
  idParam: 'DBInstanceId' | 'DBClusterId';
  actions: Record<string, Handler>;
}

export const instanceKey = (product: Product, id: string) => `${product}:${id}`;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const minuteTime = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$/.test(v)) throw new ApiError(400, `Invalid${name}.Malformed`, `The specified ${name} is not in yyyy-MM-ddTHH:mmZ format.`);
  return Date.parse(v);
};

const missing = (name: string) => new ApiError(400, 'MissingParameter', `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);

function required(p: Params, name: string): string {
  const v = p[name];
  if (v === undefined || v === '') throw missing(name);
  return v;
}

/** Where a job is in its life, derived from the clock so tests can move time. */
export function phase(job: Job, s: CloudState): { state: 'queued' | 'running' | 'finished'; progress: number } {
  const elapsed = s.now() - job.createdAt;
  if (elapsed >= job.durationMs) return { state: 'finished', progress: 100 };
  const progress = Math.floor((100 * Math.max(0, elapsed)) / Math.max(1, job.durationMs));
  return { state: elapsed < job.durationMs * 0.1 ? 'queued' : 'running', progress };
}

const DAY = 86_400_000;

/** A sharded cluster's backup is one set per shard, each with its own id. */
const shardSets = (inst: Instance, s: CloudState): Pick<Job, 'shardBackupIds'> =>
  inst.mongo?.type === 'sharding' ? { shardBackupIds: Object.fromEntries(inst.mongo.shards.map((node) => [node, String(s.nextId())])) } : {};

/** Instances on cloud disks support only snapshot backups; standalone instances use snapshots (CreateBackup document). */
const snapshotOnly = (inst: Instance) => inst.mongo !== undefined && (inst.mongo.storageType.startsWith('cloud_') || (inst.mongo.type !== 'sharding' && inst.mongo.replicationFactor === 1));

/** Starts today's automated backup of the instance once the clock is inside its window (looked at on every call). */
export function runAutomated(inst: Instance, s: CloudState): void {
  if (inst.backupWindowStartMs === undefined) return;
  const now = s.now();
  const start = Math.floor(now / DAY) * DAY + inst.backupWindowStartMs;
  const duration = inst.automatedDurationMs ?? s.jobDurationMs;
  if (now < start || now >= start + duration) return;
  if (s.jobs.some((j) => j.mode === 'Automated' && j.instanceId === inst.id && j.product === inst.product && j.createdAt === start)) return;
  const id = String(s.nextId());
  s.jobs.push({
    id,
    backupId: inst.product === 'polardb' ? id : String(s.nextId()),
    product: inst.product,
    instanceId: inst.id,
    createdAt: start,
    method: snapshotOnly(inst) ? 'Snapshot' : 'Physical',
    fails: inst.failBackups,
    mode: 'Automated',
    durationMs: duration,
    listedAt: start,
    ...shardSets(inst, s),
  });
}

const isRunning = (job: Job, s: CloudState) => phase(job, s).state !== 'finished';
/** What the list APIs show: a job created within the list lag is not there yet. */
const listed = (job: Job, s: CloudState) => s.now() >= job.listedAt;
const sizeOf = (job: Job) => 1_048_576 * (100 + (Number(job.id) % 900));

export function findInstance(p: Params, s: CloudState, product: Product, idParam: string, notFound: ApiError): Instance {
  const id = required(p, idParam);
  const inst = s.instances.get(instanceKey(product, id));
  // An instance in another region is not found, as in the real cloud.
  if (!inst || (p.RegionId !== undefined && p.RegionId !== inst.regionId)) throw notFound;
  runAutomated(inst, s);
  return inst;
}

function createJob(s: CloudState, inst: Instance, method: string, clientToken?: string): Job {
  const id = String(s.nextId());
  const now = s.now();
  const job: Job = {
    id,
    backupId: inst.product === 'polardb' && !s.renameNextSet ? id : String(s.nextId()),
    product: inst.product,
    instanceId: inst.id,
    createdAt: now,
    method,
    clientToken,
    fails: s.failNextJob || inst.failBackups,
    mode: 'Manual',
    durationMs: s.jobDurationMs,
    listedAt: now + s.listLagMs,
    ...shardSets(inst, s),
  };
  s.failNextJob = false;
  s.renameNextSet = false;
  s.jobs.push(job);
  return job;
}

const jobsOf = (s: CloudState, product: Product, id: string) => s.jobs.filter((j) => j.product === product && j.instanceId === id);

function finishedBetween(s: CloudState, product: Product, id: string, p: Params): Job[] {
  const start = minuteTime(p.StartTime, 'StartTime');
  const end = minuteTime(p.EndTime, 'EndTime');
  return jobsOf(s, product, id).filter(
    (j) =>
      !isRunning(j, s) &&
      listed(j, s) &&
      !j.deleted &&
      (p.BackupId === undefined || j.backupId === p.BackupId) &&
      (p.BackupJobId === undefined || j.id === p.BackupJobId) &&
      (p.BackupMode === undefined || p.BackupMode === j.mode) &&
      (p.BackupStatus === undefined || p.BackupStatus === (j.fails ? 'Failed' : 'Success')) &&
      (start === undefined || j.createdAt >= start) &&
      (end === undefined || j.createdAt <= end + 59_999),
  );
}

// DeleteBackup's answer to an unknown, unfinished or deleted id, per product (docs/cloud-contract.md, "Error codes"):
// PolarDB's is its DeleteBackup reference's, MongoDB's its product error list's. RDS documents none for DeleteBackup;
// ours is the code its DescribeBackups answers for an unknown BackupId, and is marked unconfirmed.
const backupSetNotFound: Record<Product, ApiError> = {
  polardb: new ApiError(400, 'InvalidBackupSetID.NotFound', 'The specified parameter BackupId is not valid.'),
  mongodb: new ApiError(400, 'InvalidBackupSetID.NotFound', 'Specified backup set ID does not exist.'),
  rds: new ApiError(404, 'InvalidBackupId.NotFound', 'The BackupId provided does not exist in our records.'),
};

/** The backup sets a DeleteBackup names, validated all-or-nothing: an unknown, unfinished or deleted id refuses the call. */
function backupSetsToDelete(s: CloudState, inst: Instance, ids: string[]): Job[] {
  return ids.map((id) => {
    const job = jobsOf(s, inst.product, inst.id).find((j) => j.backupId === id && !j.deleted && !isRunning(j, s));
    if (!job) throw backupSetNotFound[inst.product];
    return job;
  });
}

const backupIds = (p: Params) => required(p, 'BackupId').split(',').map((id) => id.trim()).filter(Boolean);

/** RDS DescribeDBInstances `Tags`: at most 5 pairs (docs/cloud-contract.md, "Error codes"). */
const RDS_MAX_TAG_PAIRS = 5;

// RDS deletes only data backup sets older than 7 days while log backup is off (the local instances' setting).
export const RDS_MIN_DELETE_AGE_MS = 7 * 86_400_000;

function page<T>(items: T[], p: Params, maxSize = 100, defSize = 30): { slice: T[]; page: number; size: number } {
  const pageNumber = Math.max(1, Number(p.PageNumber ?? 1) || 1);
  const size = Math.min(maxSize, Math.max(1, Number(p.PageSize ?? defSize) || defSize));
  return { slice: items.slice((pageNumber - 1) * size, pageNumber * size), page: pageNumber, size };
}

// The three list APIs require RegionId (SDK models: "This parameter is required.").
function listByTags(s: CloudState, product: Product, p: Params, tags: Record<string, string>): Instance[] {
  const region = required(p, 'RegionId');
  return [...s.instances.values()]
    .filter((i) => i.product === product && i.regionId === region)
    .filter((i) => Object.entries(tags).every(([k, v]) => i.tags[k] === v))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** `Tag.1.Key=k&Tag.1.Value=v` (PolarDB, MongoDB). */
function tagPairs(p: Params): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; p[`Tag.${i}.Key`] !== undefined; i++) out[p[`Tag.${i}.Key`] as string] = p[`Tag.${i}.Value`] ?? '';
  return out;
}

// ---------------------------------------------------------------------------------------------------------------

export const rdsNotFound = new ApiError(404, 'InvalidDBInstanceName.NotFound', 'The database instance does not exist.');
const rdsTaskStatus = (j: Job, s: CloudState) => {
  const ph = phase(j, s);
  if (ph.state === 'finished') return j.fails ? 'Failed' : 'Finished';
  return ph.state === 'queued' ? 'NoStart' : ph.progress < 50 ? 'Preparing' : 'Uploading';
};

const rds: ProductApi = {
  product: 'rds',
  version: '2014-08-15',
  idParam: 'DBInstanceId',
  actions: {
    CreateBackup(p, s) {
      const inst = findInstance(p, s, 'rds', 'DBInstanceId', rdsNotFound);
      const method = p.BackupMethod ?? 'Physical';
      if (!['Logical', 'Physical', 'Snapshot'].includes(method)) {
        throw new ApiError(400, 'InvalidBackupMethod.ValueNotSupport', 'The specified parameter "BackupMethod" is not valid.');
      }
      if (p.BackupType !== undefined && !['Auto', 'FullBackup'].includes(p.BackupType)) throw new ApiError(400, 'BackupType.NotSupport', 'the specified backup type not support');
      if (inst.status !== 'Running') throw new ApiError(403, 'IncorrectDBInstanceState', 'Current DB instance state does not support this operation.');
      const jobs = jobsOf(s, 'rds', inst.id);
      if (jobs.some((j) => isRunning(j, s))) throw new ApiError(400, 'BackupJobExists', 'A backup job already exists in the specified DB instance.');
      const day = new Date(s.now()).toISOString().slice(0, 10);
      if (jobs.filter((j) => new Date(j.createdAt).toISOString().slice(0, 10) === day).length >= 20) {
        throw new ApiError(403, 'Exceeded.BackupTimes', 'The backup times exceeds.');
      }
      return { BackupJobId: createJob(s, inst, method).id };
    },
    DescribeBackupTasks(p, s) {
      const inst = findInstance(p, s, 'rds', 'DBInstanceId', rdsNotFound);
      // BackupJobStatus: NoStart or Progressing (default both).
      const jobs = jobsOf(s, 'rds', inst.id)
        .filter((j) => (p.BackupJobId !== undefined ? j.id === p.BackupJobId : isRunning(j, s) && listed(j, s)))
        .filter((j) => p.BackupMode === undefined || p.BackupMode === j.mode)
        .filter((j) => p.BackupJobStatus === undefined || (rdsTaskStatus(j, s) === 'NoStart') === (p.BackupJobStatus === 'NoStart'));
      return {
        Items: {
          BackupJob: jobs.map((j) => {
            const status = rdsTaskStatus(j, s);
            return {
              BackupJobId: j.id,
              BackupStatus: status,
              BackupProgressStatus: status === 'Failed' ? 'Finished' : status,
              JobMode: j.mode,
              Process: String(phase(j, s).progress),
              TaskAction: j.mode === 'Manual' ? 'TempBackupTask' : 'NormalBackupTask',
              ...(status === 'Finished' && p.BackupJobId !== undefined ? { BackupId: j.backupId } : {}),
            };
          }),
        },
      };
    },
    DescribeBackups(p, s) {
      const inst = findInstance(p, s, 'rds', 'DBInstanceId', rdsNotFound);
      const all = finishedBetween(s, 'rds', inst.id, { ...p, BackupJobId: undefined as unknown as string });
      const { slice, page: n } = page(all, p);
      return {
        Items: {
          Backup: slice.map((j) => ({
            BackupId: j.backupId,
            DBInstanceId: inst.id,
            BackupStatus: j.fails ? 'Failed' : 'Success',
            BackupStartTime: iso(j.createdAt),
            BackupEndTime: iso(j.createdAt + j.durationMs),
            BackupMethod: j.method,
            BackupMode: j.mode,
            BackupType: 'FullBackup',
            // No BackupDBNames or BackupScale: the DescribeBackups model has neither (docs/cloud-contract.md).
            BackupSize: j.fails ? 0 : sizeOf(j),
            // A failed task's set: unavailable, and "EMPTY" ("generated from a failed backup task"), docs/job-outcomes.md.
            IsAvail: j.fails ? 0 : 1,
            MetaStatus: j.fails ? 'EMPTY' : 'OK',
            // Only sets with StoreStatus Enabled can be deleted (DeleteBackup document).
            StoreStatus: 'Enabled',
          })),
        },
        TotalRecordCount: String(all.length),
        PageNumber: String(n),
        PageRecordCount: String(slice.length),
      };
    },
    DeleteBackup(p, s) {
      const inst = findInstance(p, s, 'rds', 'DBInstanceId', rdsNotFound);
      const ids = backupIds(p);
      if (ids.length > 100) throw new ApiError(400, 'DeleteBackupSetNumExceed', 'Delete backup set number is more than 100.');
      if (inst.status !== 'Running') throw new ApiError(403, 'IncorrectDBInstanceState', 'Current DB instance state does not support this operation.');
      const sets = backupSetsToDelete(s, inst, ids);
      if (sets.some((j) => s.now() - j.createdAt < RDS_MIN_DELETE_AGE_MS)) {
        throw new ApiError(403, 'IncorrectBackupSetState', 'The backup set cannot be deleted: with log backup disabled, only data backups older than 7 days can be deleted.');
      }
      for (const j of sets) j.deleted = true;
      return {};
    },
    DescribeDBInstances(p, s) {
      let tags: Record<string, string> = {};
      if (p.Tags !== undefined) {
        try {
          const parsed = JSON.parse(p.Tags) as unknown;
          tags = Array.isArray(parsed) ? Object.fromEntries(parsed.map((t: { Key: string; Value: string }) => [t.Key, t.Value])) : (parsed as Record<string, string>);
        } catch {
          throw new ApiError(400, 'InvalidTags.Malformed', 'The specified parameter "Tags" is not valid JSON.');
        }
      }
      // "You can specify a maximum of five tags" (SDK model rds-20140815 DescribeDbinstancesRequest `tags`). The code
      // for a sixth is documented nowhere: ours is marked unconfirmed (local/cloud/unconfirmed-codes.ts).
      if (Object.keys(tags).length > RDS_MAX_TAG_PAIRS) {
        throw new ApiError(400, 'InvalidTags.Malformed', `The specified parameter "Tags" is not valid: at most ${RDS_MAX_TAG_PAIRS} tag pairs.`);
      }
      const all = listByTags(s, 'rds', p, tags);
      const { slice, page: n } = page(all, p);
      return {
        Items: { DBInstance: slice.map((i) => ({ DBInstanceId: i.id, RegionId: i.regionId, DBInstanceStatus: i.status, Engine: i.engine })) },
        TotalRecordCount: all.length,
        PageNumber: n,
        PageRecordCount: slice.length,
      };
    },
  },
};

// ---------------------------------------------------------------------------------------------------------------

export const polarNotFound = new ApiError(404, 'InvalidDBClusterId.NotFound', 'The DBClusterId provided does not exist in our records.');
const polarProgress = (j: Job, s: CloudState) => {
  const ph = phase(j, s);
  return ph.state === 'finished' ? 'Finished' : ph.state === 'queued' ? 'NoStart' : 'Uploading';
};

const polardb: ProductApi = {
  product: 'polardb',
  version: '2017-08-01',
  idParam: 'DBClusterId',
  actions: {
    CreateBackup(p, s) {
      const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
      // What a ClientToken pins: the cluster, the one documented parameter besides the token. `Comment` is in the newest
      // SDK model but not in the reference (docs/cloud-contract.md): the local cloud ignores it, as the tool never sends it.
      const paramsHash = createHash('sha256').update(JSON.stringify([inst.id])).digest('hex');
      if (p.ClientToken !== undefined) {
        if (p.ClientToken.length > 64 || !/^[\x20-\x7e]+$/.test(p.ClientToken)) {
          throw new ApiError(400, 'InvalidParameter', 'The ClientToken must be at most 64 ASCII characters.');
        }
        const seen = s.tokens.get(p.ClientToken);
        if (seen) {
          if (seen.paramsHash !== paramsHash) throw new ApiError(400, 'IdempotentParameterMismatch', 'The request uses the same client token as a previous, but non-identical request.');
          return { BackupJobId: seen.jobId };
        }
      }
      if (inst.status !== 'Running') throw new ApiError(400, 'OperationDenied.DBClusterStatus', 'The operation is not permitted due to status of cluster.');
      if (jobsOf(s, 'polardb', inst.id).filter((j) => j.mode === 'Manual' && !j.fails && !j.deleted).length >= 3) {
        throw new ApiError(403, 'BackupTimesExceeded', 'Exceeding the daily backup times of this DB cluster.');
      }
      const job = createJob(s, inst, 'Snapshot', p.ClientToken);
      if (p.ClientToken !== undefined) s.tokens.set(p.ClientToken, { jobId: job.id, paramsHash });
      return { BackupJobId: job.id };
    },
    DescribeBackupTasks(p, s) {
      const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
      const jobs = jobsOf(s, 'polardb', inst.id).filter((j) => (p.BackupJobId !== undefined ? j.id === p.BackupJobId : isRunning(j, s) && listed(j, s)));
      return {
        Items: {
          BackupJob: jobs.map((j) => ({
            BackupJobId: j.id,
            BackupProgressStatus: polarProgress(j, s),
            JobMode: j.mode,
            Process: String(phase(j, s).progress),
            StartTime: iso(j.createdAt),
            TaskAction: 'NormalBackupTask',
          })),
        },
      };
    },
    DescribeBackups(p, s) {
      const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
      required(p, 'StartTime');
      required(p, 'EndTime');
      const all = finishedBetween(s, 'polardb', inst.id, { ...p, BackupJobId: undefined as unknown as string });
      const { slice, page: n } = page(all, p);
      return {
        Items: {
          Backup: slice.map((j) => ({
            BackupId: j.backupId,
            DBClusterId: inst.id,
            BackupStatus: j.fails ? 'Failed' : 'Success',
            BackupMethod: 'Snapshot',
            BackupMode: j.mode,
            BackupType: 'FullBackup',
            BackupStartTime: iso(j.createdAt),
            BackupEndTime: iso(j.createdAt + j.durationMs),
            BackupSetSize: String(j.fails ? 0 : sizeOf(j)),
            IsAvail: j.fails ? '0' : '1',
          })),
        },
        TotalRecordCount: String(all.length),
        PageNumber: String(n),
        PageRecordCount: String(slice.length),
      };
    },
    DeleteBackup(p, s) {
      const inst = findInstance(p, s, 'polardb', 'DBClusterId', polarNotFound);
      const ids = backupIds(p);
      if (inst.status !== 'Running') throw new ApiError(400, 'OperationDenied.DBClusterStatus', 'The operation is not permitted due to status of cluster.');
      // Only backup sets in the Success state.
      const sets = backupSetsToDelete(s, inst, ids);
      if (sets.some((j) => j.fails)) throw new ApiError(400, 'InvalidBackupSetID.NotFound', 'The specified parameter BackupId is not valid.');
      for (const j of sets) j.deleted = true;
      return {};
    },
    DescribeDBClusters(p, s) {
      const all = listByTags(s, 'polardb', p, tagPairs(p));
      const { slice, page: n } = page(all, p);
      return {
        Items: { DBCluster: slice.map((i) => ({ DBClusterId: i.id, RegionId: i.regionId, DBClusterStatus: i.status })) },
        TotalRecordCount: all.length,
        PageNumber: n,
        PageRecordCount: slice.length,
      };
    },
  },
};

// ---------------------------------------------------------------------------------------------------------------

export const DEFAULT_MONGO_SHAPE: MongoShape = { type: 'replicate', storageType: 'local_ssd', replicationFactor: 3, shards: [] };
const mongoShapeOf = (i: Instance): MongoShape => i.mongo ?? DEFAULT_MONGO_SHAPE;

/** DBInstanceType, StorageType, ReplicationFactor and a cluster's ShardList, as DescribeDBInstances and …Attribute report them. */
export function mongoAttributes(i: Instance, listed = false): Record<string, unknown> {
  const m = mongoShapeOf(i);
  // DescribeDBInstances' ShardAttribute has no Status; DescribeDBInstanceAttribute's has (dds-20151201 models).
  return {
    DBInstanceType: m.type,
    StorageType: m.storageType,
    ...(m.type === 'sharding' ? { ShardList: { ShardAttribute: m.shards.map((NodeId) => (listed ? { NodeId } : { NodeId, Status: 'Running' })) } } : { ReplicationFactor: String(m.replicationFactor) }),
  };
}

export const mongoNotFound = new ApiError(404, 'InvalidDBInstanceId.NotFound', 'The specified instance is not found.');
const mongoSetStatus = (j: Job, s: CloudState) => {
  const ph = phase(j, s);
  return ph.state === 'finished' ? 'Finished' : ph.state === 'queued' ? 'Scheduled' : 'Backuping';
};

const mongodb: ProductApi = {
  product: 'mongodb',
  version: '2015-12-01',
  idParam: 'DBInstanceId',
  actions: {
    CreateBackup(p, s) {
      const inst = findInstance(p, s, 'mongodb', 'DBInstanceId', mongoNotFound);
      const asked = p.BackupMethod ?? 'Physical';
      if (!['Snapshot', 'Logical', 'Physical'].includes(asked)) {
        throw new ApiError(400, 'InvalidBackupMethod.ValueNotSupport', 'The specified parameter BackupMethod is not valid.');
      }
      // Whether the real API refuses or ignores another method here no source says; the set is a snapshot either way.
      const method = snapshotOnly(inst) ? 'Snapshot' : asked;
      if (p.BackupRetentionPeriod !== undefined) {
        const n = Number(p.BackupRetentionPeriod);
        if (!Number.isInteger(n) || !(n === -1 || (n >= 7 && n <= 730))) {
          throw new ApiError(400, 'InvalidParameter', 'The specified parameter BackupRetentionPeriod is not valid: 7 to 730, or -1.');
        }
      }
      if (inst.status !== 'Running') throw new ApiError(403, 'IncorrectDBInstanceState', 'Current DB instance state does not support this operation.');
      if (jobsOf(s, 'mongodb', inst.id).some((j) => isRunning(j, s))) {
        throw new ApiError(403, 'OperationDenied.BackupJobExists', 'The operation is not permitted due to backup job exist.');
      }
      const job = createJob(s, inst, method);
      return { BackupJobId: job.id, BackupId: job.backupId };
    },
    DescribeBackupTasks(p, s) {
      const inst = findInstance(p, s, 'mongodb', 'DBInstanceId', mongoNotFound);
      // The document says to pass the backup id CreateBackup returned; newer callers pass its BackupJobId.
      const ref = p.BackupJobId;
      const jobs = jobsOf(s, 'mongodb', inst.id).filter((j) => (ref !== undefined ? j.id === ref || j.backupId === ref : isRunning(j, s) && listed(j, s)));
      return {
        BackupJobs: jobs.map((j) => ({
          BackupjobId: j.id,
          BackupSetStatus: mongoSetStatus(j, s),
          BackupStartTime: iso(j.createdAt),
          JobMode: j.mode,
          Progress: `${phase(j, s).progress}%`,
        })),
      };
    },
    DescribeBackups(p, s) {
      const inst = findInstance(p, s, 'mongodb', 'DBInstanceId', mongoNotFound);
      // A sharded cluster's sets are listed per shard: NodeId is required, and BackupId is that shard's set's id.
      const node = inst.mongo?.type === 'sharding' ? required(p, 'NodeId') : undefined;
      if (node !== undefined && !inst.mongo?.shards.includes(node)) throw new ApiError(400, 'InvalidParameter', 'The specified parameter NodeId is not valid.');
      const setId = (j: Job) => (node === undefined ? j.backupId : (j.shardBackupIds?.[node] ?? ''));
      const all = finishedBetween(s, 'mongodb', inst.id, { ...p, BackupId: undefined as unknown as string }).filter((j) => p.BackupId === undefined || setId(j) === p.BackupId);
      const { slice, page: n, size } = page(all, p);
      return {
        Backups: {
          Backup: slice.map((j) => ({
            BackupId: setId(j),
            BackupJobId: j.id,
            BackupStatus: j.fails ? 'Failed' : 'Success',
            BackupMethod: j.method,
            BackupMode: j.mode,
            BackupType: 'FullBackup',
            BackupStartTime: iso(j.createdAt),
            BackupEndTime: iso(j.createdAt + j.durationMs),
            BackupSize: j.fails ? 0 : sizeOf(j),
            IsAvail: !j.fails,
          })),
        },
        TotalCount: all.length,
        PageNumber: n,
        PageSize: size,
      };
    },
    DeleteBackup(p, s) {
      const inst = findInstance(p, s, 'mongodb', 'DBInstanceId', mongoNotFound);
      // One id per call: a comma list is not an id the instance has.
      const id = required(p, 'BackupId');
      if (jobsOf(s, 'mongodb', inst.id).some((j) => isRunning(j, s))) {
        throw new ApiError(403, 'OperationDenied.BackupJobExists', 'The operation is not permitted due to backup job exist.');
      }
      const sets = backupSetsToDelete(s, inst, [id]);
      // "You can delete only manual backups." (the error code is not documented: docs/retention-apis.md)
      if (sets.some((j) => j.mode !== 'Manual')) throw new ApiError(403, 'OperationDenied.BackupMode', 'The operation is not permitted: only manual backups can be deleted.');
      for (const j of sets) j.deleted = true;
      return {};
    },
    DescribeDBInstanceAttribute(p, s) {
      const inst = findInstance(p, s, 'mongodb', 'DBInstanceId', mongoNotFound);
      return { DBInstances: { DBInstance: [{ DBInstanceId: inst.id, RegionId: inst.regionId, DBInstanceStatus: inst.status, Engine: 'MongoDB', ...mongoAttributes(inst) }] } };
    },
    DescribeDBInstances(p, s) {
      // "replicate: replica set or standalone instance. This is the default value." (DescribeDBInstances reference)
      const type = p.DBInstanceType ?? 'replicate';
      if (!['sharding', 'replicate', 'serverless'].includes(type)) throw new ApiError(400, 'InvalidParameter', 'The specified parameter DBInstanceType is not valid.');
      const all = listByTags(s, 'mongodb', p, tagPairs(p)).filter((i) => mongoShapeOf(i).type === type);
      const { slice, page: n, size } = page(all, p);
      return {
        DBInstances: { DBInstance: slice.map((i) => ({ DBInstanceId: i.id, RegionId: i.regionId, DBInstanceStatus: i.status, ...mongoAttributes(i, true) })) },
        TotalCount: all.length,
        PageNumber: n,
        PageSize: size,
      };
    },
  },
};

export const productApis: Record<Product, ProductApi> = { rds, polardb, mongodb };
export const apiByVersion = new Map(Object.values(productApis).map((a) => [a.version, a]));
