// ApsaraDB for MongoDB (Dds), API 2015-12-01. No SDK on npm; the generic client calls it like the others.
import * as z from 'zod/mini';
import {
  asArray, defined, minuteWindow, names, num, path, percent, str, tagParams,
  type JobState, type JobView, type ProductCatalog,
} from './catalog';
import { mongodbInstance } from './mongodb-instance';
import { instanceIdField, keepDaysField, keepField, oneOf, regionField, rotationFields, rotationReachDays, rotationSet } from './fields';
import { sdkEndpoint } from './endpoint-map';

const retention = 'must be a whole number of days: 7 to 730, or -1 to keep forever';

export const mongodbTargetSchema = z
  .strictObject({
    product: z.literal('mongodb'),
    DBInstanceId: instanceIdField('dds-bp1xxxxxxxxxxxxx'),
    RegionId: z.optional(regionField),
    BackupMethod: z.optional(oneOf(['Snapshot', 'Logical', 'Physical'] as const)),
    BackupRetentionPeriod: z.optional(
      z.number({ error: retention }).check(
        z.refine((n) => Number.isInteger(n), { error: retention, abort: true }),
        z.refine((n) => n === -1 || (n >= 7 && n <= 730), { error: 'must be 7 to 730 days, or -1 to keep forever' }),
      ),
    ),
    keep: keepField(1000, 'unset deletes nothing'),
    // Sent as the cloud's own BackupRetentionPeriod: the cloud expires the backup (docs/retention-apis.md).
    keepDays: keepDaysField(7, 730, "sent as MongoDB's BackupRetentionPeriod, which takes 7 to 730"),
    ...rotationFields({ keepLast: 1000, keepDaily: 3650, keepWeekly: 520, keepMonthly: 120 }, "restic forget's meaning, in the timer's time zone"),
  })
  .check(
    z.superRefine((t, ctx) => {
      if (t.keepDays !== undefined && t.BackupRetentionPeriod !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['keepDays'], input: t.keepDays, message: 'is sent as BackupRetentionPeriod: set one of the two, not both' });
      }
      // The cloud expires a backup after its BackupRetentionPeriod whatever the rotation says: a monthly the rotation
      // keeps would vanish early, and the restore-point watch would see it go (docs/retention-apis.md).
      const expiry = t.BackupRetentionPeriod ?? t.keepDays;
      const reach = rotationReachDays(t);
      if (typeof expiry === 'number' && Number.isInteger(expiry) && expiry !== -1 && reach > expiry) {
        const field = t.BackupRetentionPeriod !== undefined ? 'BackupRetentionPeriod' : 'keepDays';
        const rules = rotationSet(t).map((r) => `${r.name} ${r.n}`).join(', ');
        ctx.addIssue({
          code: 'custom',
          path: [field],
          input: expiry,
          message: `makes the cloud expire each backup after ${expiry} days, but ${rules} keeps backups for up to about ${reach} days: ${
            reach <= 730 ? `set it to at least ${reach}, or BackupRetentionPeriod -1 to keep forever` : 'set BackupRetentionPeriod -1 to keep forever (the most it takes short of that is 730 days)'
          }`,
        });
      }
    }),
  );

export type MongodbTarget = z.infer<typeof mongodbTargetSchema>;

// BackupSetStatus of DescribeBackupTasks.
const taskState: Record<string, JobState> = {
  Scheduled: 'queued',
  Checking: 'running',
  Backuping: 'running',
  Finished: 'succeeded',
};

export const mongodb: ProductCatalog<MongodbTarget> = {
  name: 'mongodb',
  title: 'ApsaraDB for MongoDB',
  apiVersion: '2015-12-01',
  ramService: 'dds',
  endpointEnv: 'MONGODB_ENDPOINT',
  // The SDK's endpoint map, else the regional host (./endpoint-map.ts).
  defaultEndpoint: (region) => sdkEndpoint('mongodb', region),
  idPrefixes: ['dds-', 'd-', 's-'],
  idField: 'DBInstanceId',
  // Tag listing and the drill's CreateDBInstance (dds-20151201 models, test/contract/mongodb-fields.ts).
  regionIdActions: ['DescribeDBInstances', 'CreateDBInstance'],
  instanceId: (t) => t.DBInstanceId,
  schema: mongodbTargetSchema,
  clientToken: false,
  jobExistsCodes: ['OperationDenied.BackupJobExists'],
  limits: {
    quota: 'MongoDB limits manual backups per instance; see the instance backup policy',
    concurrency: 'MongoDB runs one backup job per instance at a time',
  },
  createQuery: (t) =>
    defined({
      DBInstanceId: t.DBInstanceId,
      BackupMethod: t.BackupMethod,
      BackupRetentionPeriod: (t.BackupRetentionPeriod ?? t.keepDays) === undefined ? undefined : String(t.BackupRetentionPeriod ?? t.keepDays),
    }),
  // The method the instance uses: Snapshot on cloud disks and standalone whatever is asked, else as asked, Physical by
  // default (CreateBackup reference). Not known (no facts read): nothing to compare.
  requestShape: (t, facts) => ({ method: facts === undefined ? undefined : (facts.onlyMethod ?? t.BackupMethod ?? 'Physical') }),
  jobIdFromCreate: (body) => str(body.BackupJobId) ?? str(body.BackupId) ?? '',
  tasksQuery: (id, jobId) => defined({ DBInstanceId: id, BackupJobId: jobId }),
  taskListReportsFailure: false,
  parseTasks: (body) =>
    asArray(body.BackupJobs).map(
      (j): JobView => ({
        // sic: the API spells it BackupjobId.
        jobId: str(j.BackupjobId) ?? str(j.BackupJobId) ?? '',
        state: taskState[str(j.BackupSetStatus) ?? ''] ?? 'unknown',
        progress: percent(j.Progress),
        manual: str(j.JobMode) !== 'Automated',
        startedAt: str(j.BackupStartTime),
      }),
    ),
  listAction: 'DescribeDBInstances',
  listQuery: (tags, page, size) => ({ ...tagParams(tags), PageNumber: String(page), PageSize: String(size) }),
  // Without DBInstanceType only replica sets (and standalone instances) are listed: every architecture the reference
  // names, each asked for. serverless is offered on the China site only (docs/mongodb-sharded.md).
  listVariants: [{ query: { DBInstanceType: 'replicate' } }, { query: { DBInstanceType: 'sharding' } }, { query: { DBInstanceType: 'serverless' }, siteOptional: true }],
  parseList: (body) => ({
    ids: asArray(path(body, 'DBInstances', 'DBInstance')).map((i) => str(i.DBInstanceId) ?? '').filter(Boolean),
    total: num(body.TotalCount) ?? 0,
  }),
  backupsQuery: (id, ref) =>
    defined({
      DBInstanceId: id,
      BackupId: ref.backupId,
      BackupJobId: ref.jobId,
      ...(ref.window && !ref.jobId && !ref.backupId ? minuteWindow(ref.window) : {}),
      PageSize: '100',
    }),
  retention: {
    minDeleteAgeMs: 0,
    keepDaysByCloud: true,
    deleteQuery: (id, backupId) => ({ DBInstanceId: id, BackupId: backupId }),
    // The product's error codes: 400 InvalidBackupSetID.NotFound "Specified backup set ID does not exist."
    goneCodes: ['InvalidBackupSetID.NotFound'],
  },
  parseBackups: (body) => {
    const backups = (body.Backups as Record<string, unknown> | undefined)?.Backup;
    return asArray(backups).map((b) => ({
      backupId: str(b.BackupId) ?? '',
      jobId: str(b.BackupJobId),
      state: str(b.BackupStatus) === 'Success' ? ('succeeded' as const) : ('failed' as const),
      manual: str(b.BackupMode) !== 'Automated',
      startedAt: str(b.BackupStartTime),
      finishedAt: str(b.BackupEndTime),
      sizeBytes: num(b.BackupSize),
      method: str(b.BackupMethod),
      dbNames: names(b.BackupDBNames),
    }));
  },
  instance: mongodbInstance,
};
