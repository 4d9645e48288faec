// What the engine needs to know about one product. Adding a product means adding one file that exports a
// ProductCatalog and listing it in ./index.ts; the engine, the status model and the emulator-facing tests
// are driven by these tables, never by `if (product === ...)`.
import type * as z from 'zod/mini';

export type ProductName = 'rds' | 'polardb' | 'mongodb';

/** The common job model every product's job list maps to. */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'unknown';

export interface JobView {
  jobId: string;
  state: JobState;
  /** 0–100 when the API reports it. */
  progress: number | null;
  manual: boolean;
  startedAt?: string;
  backupId?: string;
  /** What the list API reports of how the job was asked for (RDS task rows report neither). */
  method?: string;
}

export interface BackupView {
  backupId: string;
  jobId?: string;
  state: 'succeeded' | 'failed';
  manual: boolean;
  startedAt?: string;
  finishedAt?: string;
  sizeBytes?: number;
  /** False when the cloud says the set cannot be deleted now (RDS: StoreStatus other than Enabled). */
  deletable?: boolean;
  method?: string;
  /** The databases in the set, where the API reports them (MongoDB BackupDBNames; RDS's DescribeBackups has none). */
  dbNames?: string[];
}

/** What a request asks for, in the terms the list APIs report, to tell our job from someone else's. */
export interface RequestShape {
  method?: string;
  /** Only for a request of some databases, where a list API reports them: the set must hold exactly these. */
  dbNames?: string[];
}

/**
 * What the product says of one instance, where its backup calls depend on it (MongoDB: a sharded cluster's sets are
 * listed shard by shard; an instance on cloud disks takes snapshots only). Read once per bound caller.
 */
export interface InstanceFacts {
  /** The one method every backup of this instance reports, whatever is asked (MongoDB on cloud disks, standalone). */
  onlyMethod?: string;
  /** A sharded cluster's shard node ids, in the order the API lists them. */
  shards?: string[];
  /** What the API said, in its own field names, for messages. */
  described: string;
}

/** How a product's calls depend on the instance (docs/mongodb-sharded.md). */
export interface InstanceRules {
  /** The read that describes the instance. */
  action: string;
  query(instanceId: string): Query;
  parse(body: Record<string, unknown>, instanceId: string): InstanceFacts;
  /** The actions whose call depends on the facts; every other call goes out as it is. */
  actions: readonly string[];
  /**
   * One call of those actions as this instance takes it: as it is, or several merged (a sharded cluster's
   * DescribeBackups, one per shard). Throws a typed error, before anything is sent, where it cannot be made correct.
   */
  call(action: string, query: Query, facts: InstanceFacts, send: (query: Query) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>>;
}

/** One listing of the list API where it lists one kind of instance per call (MongoDB's DBInstanceType). */
export interface ListVariant {
  query: Query;
  /** A value only some sites offer: refused there as invalid, it means none of that kind (logged). */
  siteOptional?: boolean;
}

export interface TimeWindow {
  /** Inclusive, ISO. The APIs take minutes; the catalog rounds outward. */
  since: Date;
  until: Date;
}

export type Query = Record<string, string>;

/** What the product's DeleteBackup allows, for retention (docs/retention-apis.md). */
export interface RetentionRules {
  /** `keep` of a target that sets neither keep nor keepDays; undefined: such a target deletes nothing. */
  defaultKeep?: number;
  /** Manual backups the cloud holds at a time (PolarDB: 3); CreateBackup is refused beyond, in these words. */
  manualSlots?: { count: number; refusal: string };
  /** The cloud refuses to delete a backup younger than this (RDS: 7 days). */
  minDeleteAgeMs: number;
  /** `keepDays` travels with CreateBackup (MongoDB's BackupRetentionPeriod): the cloud expires the backup, not us. */
  keepDaysByCloud: boolean;
  /** DeleteBackup of one backup set. */
  deleteQuery(instanceId: string, backupId: string): Query;
  /**
   * DeleteBackup's codes for a backup set that no longer exists: a repeat of a delete that took effect answers one,
   * and counts as done (docs/cloud-contract.md, "Error codes"). Never an instance's not-found code.
   */
  goneCodes: readonly string[];
}

export interface ProductCatalog<T extends { product: ProductName } = { product: ProductName }> {
  name: ProductName;
  title: string;
  apiVersion: string;
  /** The RAM service prefix of its actions (`rds:CreateBackup`), for the least-privilege policy in s.yaml. */
  ramService: string;
  /** Environment variable that overrides the endpoint with a full URL (protocol, host, port). */
  endpointEnv: string;
  defaultEndpoint(region: string): string;
  /** How this product's instance ids begin, to tell the product from a bare id (`status rm-…`). */
  idPrefixes: readonly string[];
  /** The request parameter naming the instance (DBInstanceId / DBClusterId). */
  idField: string;
  /**
   * The actions whose request model has a RegionId (the SDK models, docs/cloud-contract.md): the caller adds the
   * call's region to these and to no other. The rest find the instance by its id on the region's endpoint; none of
   * the products' CreateBackup, DescribeBackups, DescribeBackupTasks or DeleteBackup models names a RegionId.
   */
  regionIdActions: readonly string[];
  instanceId(target: T): string;
  /** Zod schema of a target of this product, built from the product's API document. */
  schema: z.ZodMiniType<T>;
  /** Whether CreateBackup takes a ClientToken (the cloud deduplicates) or the engine must keep its own record. */
  clientToken: boolean;
  /** Error codes meaning "a backup job is already running on this instance": adopt it, never create another. */
  jobExistsCodes: readonly string[];
  /** The limits a person hits, in words, for quota/conflict messages. */
  limits: { quota: string; concurrency: string };
  createQuery(target: T, clientToken?: string): Query;
  /**
   * The request as the list APIs would report it: RDS defaults to Physical; MongoDB's method follows the instance
   * (`facts`, read through `instance`), never a default.
   */
  requestShape(target: T, facts?: InstanceFacts): RequestShape;
  jobIdFromCreate(body: Record<string, unknown>): string;
  tasksQuery(instanceId: string, jobId?: string): Query;
  parseTasks(body: Record<string, unknown>): JobView[];
  /**
   * Whether the task list itself says when a job failed (RDS: BackupStatus Failed). PolarDB's and MongoDB's task
   * lists have no failure value: "Finished" there only means the job ended, and the backup set says how.
   */
  taskListReportsFailure: boolean;
  /** The list API used to resolve tag selectors, its query for one page, and how to read a page. */
  listAction: string;
  listQuery(tags: Record<string, string>, page: number, pageSize: number): Query;
  /** Where one call lists only one kind: each variant's query is added to listQuery's, and each listed to its end. */
  listVariants?: readonly ListVariant[];
  parseList(body: Record<string, unknown>): { ids: string[]; total: number };
  backupsQuery(instanceId: string, ref: { jobId?: string; backupId?: string; window?: TimeWindow; allModes?: boolean }): Query;
  parseBackups(body: Record<string, unknown>): BackupView[];
  retention: RetentionRules;
  /** Where calls depend on what the instance is (MongoDB); absent: every call goes out as it is. */
  instance?: InstanceRules;
}

// Helpers shared by the catalog files: reading the APIs' loosely typed JSON.

export const asArray = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object') as Record<string, unknown>[]) : [];

export const path = (obj: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);

export const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;

/** "45%", "45", 45 → 45; anything else → null. */
export function percent(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseFloat(v) : Number.NaN;
  return Number.isFinite(n) ? Math.max(0, Math.min(100, n)) : null;
}

export function num(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** The APIs' time filters are `yyyy-MM-ddTHH:mmZ`: round the start down and the end up to whole minutes. */
export function minuteWindow(w: TimeWindow): { StartTime: string; EndTime: string } {
  const down = new Date(Math.floor(w.since.getTime() / 60_000) * 60_000);
  const up = new Date(Math.ceil(w.until.getTime() / 60_000) * 60_000);
  const fmt = (d: Date) => `${d.toISOString().slice(0, 16)}Z`;
  return { StartTime: fmt(down), EndTime: fmt(up) };
}

/** "db1,db2" → ["db1", "db2"]; undefined or empty → undefined. */
export const names = (v: unknown): string[] | undefined => {
  const s = str(v);
  return s === undefined ? undefined : s.split(',').map((n) => n.trim()).filter(Boolean);
};

export const defined = (q: Record<string, string | undefined>): Query =>
  Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Query;

/** `Tag.1.Key=k&Tag.1.Value=v…`, the tag filter of PolarDB's and MongoDB's list APIs. */
export const tagParams = (tags: Record<string, string>): Query =>
  Object.fromEntries(Object.entries(tags).flatMap(([k, v], i) => [[`Tag.${i + 1}.Key`, k], [`Tag.${i + 1}.Value`, v]]));
