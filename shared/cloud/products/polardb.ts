// PolarDB, API 2017-08-01. CreateBackup takes a ClientToken, so the cloud itself deduplicates a replayed request.
import * as z from 'zod/mini';
import {
  asArray, defined, minuteWindow, num, path, percent, str, tagParams,
  type JobState, type JobView, type ProductCatalog,
} from './catalog';
import { instanceIdField, keepDaysField, keepField, regionField, rotationFields, rotationSet } from './fields';
import { sdkEndpoint } from './endpoint-map';

// A cluster holds 3 manual backups at a time, and scheduled rotation leaves one free so the next backup never has to
// delete first (create before delete): at most 2 of this tool's backups are kept.
const SLOTS_KEPT = 2;
const slotsWhy = 'a PolarDB cluster holds 3 manual backups and one slot stays free for the next backup, so at most 2 are kept';

export const polardbTargetSchema = z
  .strictObject({
    product: z.literal('polardb'),
    DBClusterId: instanceIdField('pc-bp1xxxxxxxxxxxxx'),
    RegionId: z.optional(regionField),
    // The CreateBackup reference documents DBClusterId and ClientToken only; the SDK model gained an undocumented
    // `Comment` in July 2026 (docs/cloud-contract.md), with no rule for its length or characters. Until the reference
    // documents it, a comment asked for cannot be promised to reach the backup. Named here only to refuse it.
    Comment: z.optional(
      z.never({
        error:
          "is not accepted for PolarDB: its CreateBackup reference documents no comment (only DBClusterId and ClientToken), so it cannot be promised to reach the backup; remove it (this tool's history records who asked and why)",
      }),
    ),
    keep: keepField(SLOTS_KEPT, `${slotsWhy}; default 2`),
    keepDays: keepDaysField(1, 3650, '1 to 3650'),
    ...rotationFields({ keepLast: SLOTS_KEPT, keepDaily: SLOTS_KEPT, keepWeekly: SLOTS_KEPT, keepMonthly: SLOTS_KEPT }, slotsWhy),
  })
  .check(
    z.superRefine((t, ctx) => {
      const set = rotationSet(t);
      const total = set.reduce((sum, r) => sum + r.n, 0);
      const last = set[set.length - 1];
      // A count or keep beyond its own bound is already refused by it; these are about combinations.
      const inBounds = set.every((r) => r.n <= SLOTS_KEPT) && (t.keep === undefined || (typeof t.keep === 'number' && t.keep <= SLOTS_KEPT));
      // Each count keeps at most that many backups, so their sum bounds what the rotation keeps.
      if (last !== undefined && inBounds && set.length > 1 && total > SLOTS_KEPT) {
        ctx.addIssue({
          code: 'custom',
          path: [last.name],
          input: last.n,
          message: `${set.map((r) => `${r.name} ${r.n}`).join(' + ')} = ${total} could keep ${total} of this tool's backups; ${slotsWhy}: the rotation counts together must be at most ${SLOTS_KEPT}`,
        });
      }
      // keep's newest backups and every rule's first pick are the same newest backup, so together they hold at most
      // keep + the rotation counts − 1.
      if (last !== undefined && inBounds && t.keep !== undefined && total <= SLOTS_KEPT && t.keep + total - 1 > SLOTS_KEPT) {
        ctx.addIssue({
          code: 'custom',
          path: ['keep'],
          input: t.keep,
          message: `beside ${set.map((r) => `${r.name} ${r.n}`).join(' + ')} could keep ${t.keep + total - 1} of this tool's backups (the newest counts for both); ${slotsWhy}: lower keep or the rotation counts`,
        });
      }
    }),
  );

export type PolardbTarget = z.infer<typeof polardbTargetSchema>;

// BackupProgressStatus of DescribeBackupTasks; the API has no failure value (a failure shows in DescribeBackups).
const taskState: Record<string, JobState> = {
  NoStart: 'queued',
  Preparing: 'running',
  Waiting: 'running',
  Uploading: 'running',
  Checking: 'running',
  Finished: 'succeeded',
};

export const polardb: ProductCatalog<PolardbTarget> = {
  name: 'polardb',
  title: 'PolarDB',
  apiVersion: '2017-08-01',
  ramService: 'polardb',
  endpointEnv: 'POLARDB_ENDPOINT',
  // The SDK's endpoint map, else the regional host (./endpoint-map.ts).
  defaultEndpoint: (region) => sdkEndpoint('polardb', region),
  idPrefixes: ['pc-', 'pe-', 'pxc-', 'pg-'],
  idField: 'DBClusterId',
  // Tag listing and the drill's CreateDBCluster (polardb-20170801 models, test/contract/polardb-fields.ts).
  regionIdActions: ['DescribeDBClusters', 'CreateDBCluster'],
  instanceId: (t) => t.DBClusterId,
  schema: polardbTargetSchema,
  clientToken: true,
  jobExistsCodes: [],
  limits: {
    quota: 'PolarDB keeps at most 3 manual backups per cluster at a time; one must be deleted before another is taken',
    concurrency: 'PolarDB runs one backup job per cluster at a time',
  },
  createQuery: (t, clientToken) =>
    defined({ DBClusterId: t.DBClusterId, ClientToken: clientToken }),
  // A PolarDB backup takes no parameters that its lists report.
  requestShape: () => ({}),
  jobIdFromCreate: (body) => str(body.BackupJobId) ?? '',
  tasksQuery: (id, jobId) => defined({ DBClusterId: id, BackupJobId: jobId, BackupMode: jobId ? undefined : 'Manual' }),
  taskListReportsFailure: false,
  parseTasks: (body) =>
    asArray(path(body, 'Items', 'BackupJob')).map(
      (j): JobView => ({
        jobId: str(j.BackupJobId) ?? '',
        state: taskState[str(j.BackupProgressStatus) ?? ''] ?? 'unknown',
        progress: percent(j.Process),
        manual: str(j.JobMode) !== 'Automated',
        startedAt: str(j.StartTime),
      }),
    ),
  listAction: 'DescribeDBClusters',
  listQuery: (tags, page, size) => ({ ...tagParams(tags), PageNumber: String(page), PageSize: String(size) }),
  parseList: (body) => ({
    ids: asArray(path(body, 'Items', 'DBCluster')).map((c) => str(c.DBClusterId) ?? '').filter(Boolean),
    total: num(body.TotalRecordCount) ?? 0,
  }),
  // PolarDB requires the time window even when asking for one backup id.
  backupsQuery: (id, ref) =>
    defined({
      DBClusterId: id,
      BackupId: ref.backupId ?? ref.jobId,
      // DescribeBackups takes BackupMode Manual or Automated; without it both are listed.
      ...(ref.allModes ? {} : { BackupMode: 'Manual' }),
      ...minuteWindow(ref.window ?? { since: new Date(Date.now() - 7 * 86_400_000), until: new Date() }),
      PageSize: '100',
    }),
  retention: {
    defaultKeep: 2,
    manualSlots: { count: 3, refusal: 'BackupTimesExceeded: Exceeding the daily backup times of this DB cluster.' },
    minDeleteAgeMs: 0,
    keepDaysByCloud: false,
    deleteQuery: (id, backupId) => ({ DBClusterId: id, BackupId: backupId }),
    // The DeleteBackup reference: 400 InvalidBackupSetID.NotFound "The specified parameter BackupId is not valid."
    goneCodes: ['InvalidBackupSetID.NotFound'],
  },
  parseBackups: (body) =>
    asArray(path(body, 'Items', 'Backup')).map((b) => ({
      backupId: str(b.BackupId) ?? '',
      // PolarDB names a manual backup by its job id.
      jobId: str(b.BackupId),
      state: str(b.BackupStatus) === 'Success' ? ('succeeded' as const) : ('failed' as const),
      manual: str(b.BackupMode) !== 'Automated',
      startedAt: str(b.BackupStartTime),
      finishedAt: str(b.BackupEndTime),
      sizeBytes: num(b.BackupSetSize),
      method: str(b.BackupMethod),
    })),
};
