// ApsaraDB RDS, API 2014-08-15. Rules from the CreateBackup document (../shared/reference/rds-createbackup*.txt).
import * as z from 'zod/mini';
import {
  asArray, defined, minuteWindow, num, path, percent, str,
  type BackupView, type JobState, type JobView, type ProductCatalog,
} from './catalog';
import { instanceIdField, keepDaysField, keepField, oneOf, regionField, rotationFields } from './fields';
import { sdkEndpoint } from './endpoint-map';

const dbName = /^[A-Za-z0-9_][A-Za-z0-9_$-]{0,63}$/;

export const rdsTargetSchema = z
  .strictObject({
    product: z.literal('rds'),
    DBInstanceId: instanceIdField('rm-uf6wjk5xxxxxxx'),
    RegionId: z.optional(regionField),
    BackupMethod: z.optional(oneOf(['Logical', 'Physical', 'Snapshot'] as const)),
    BackupStrategy: z.optional(oneOf(['db', 'instance'] as const)),
    DBName: z.optional(
      z.string({ error: 'must be a comma-separated list of database names' }).check(
        z.refine((s) => s.split(',').every((n) => dbName.test(n)), {
          error: 'must be a comma-separated list of database names (letters, digits, "_", "$", "-"; up to 64 each)',
        }),
      ),
    ),
    BackupType: z.optional(oneOf(['Auto', 'FullBackup'] as const)),
    keep: keepField(1000, 'unset deletes nothing'),
    // DeleteBackup refuses data backups younger than 7 days (docs/retention-apis.md).
    keepDays: keepDaysField(7, 3650, 'RDS deletes no backup younger than 7 days; unset deletes nothing'),
    // Ten years of dailies, weeklies or monthlies at most: the bound is ours, the cloud's limits are in docs/retention-apis.md.
    ...rotationFields({ keepLast: 1000, keepDaily: 3650, keepWeekly: 520, keepMonthly: 120 }, "restic forget's meaning, in the timer's time zone"),
  })
  .check(
    z.superRefine((t, ctx) => {
      // CreateBackup takes it for MySQL logical backups and SQL Server full physical backups (docs/cloud-truth.md).
      const sqlServerFull = (t.BackupMethod ?? 'Physical') === 'Physical' && t.BackupType === 'FullBackup';
      if (t.BackupStrategy !== undefined && t.BackupMethod !== 'Logical' && !sqlServerFull) {
        ctx.addIssue({
          code: 'custom',
          path: ['BackupStrategy'],
          input: t.BackupStrategy,
          message: `is only allowed with BackupMethod "Logical", or "Physical" with BackupType "FullBackup" (SQL Server) (BackupMethod is ${t.BackupMethod ?? 'Physical by default'})`,
        });
      }
      if (t.BackupStrategy === 'db' && t.DBName === undefined) {
        ctx.addIssue({ code: 'custom', path: ['DBName'], input: undefined, message: 'is required when BackupStrategy is "db"' });
      }
      if (t.DBName !== undefined && t.BackupStrategy !== 'db') {
        ctx.addIssue({ code: 'custom', path: ['DBName'], input: t.DBName, message: 'is only allowed with BackupStrategy "db"' });
      }
    }),
  );

export type RdsTarget = z.infer<typeof rdsTargetSchema>;

// BackupStatus of DescribeBackupTasks.
const taskState: Record<string, JobState> = {
  NoStart: 'queued',
  Checking: 'running',
  Preparing: 'running',
  Waiting: 'running',
  Uploading: 'running',
  Finished: 'succeeded',
  Failed: 'failed',
};

export const rds: ProductCatalog<RdsTarget> = {
  name: 'rds',
  title: 'ApsaraDB RDS',
  apiVersion: '2014-08-15',
  ramService: 'rds',
  endpointEnv: 'RDS_ENDPOINT',
  // The SDK's endpoint map, else the regional host (./endpoint-map.ts).
  defaultEndpoint: (region) => sdkEndpoint('rds', region),
  idPrefixes: ['rm-', 'pgm-', 'pgr-', 'rr-', 'mr-'],
  idField: 'DBInstanceId',
  // Tag listing, the drill's clone and tags, and the cross-region policy calls (@alicloud/rds20140815 models).
  regionIdActions: ['DescribeDBInstances', 'CloneDBInstance', 'TagResources', 'ListTagResources', 'DescribeInstanceCrossBackupPolicy', 'ModifyInstanceCrossBackupPolicy'],
  instanceId: (t) => t.DBInstanceId,
  schema: rdsTargetSchema,
  clientToken: false,
  jobExistsCodes: ['BackupJobExists'],
  limits: {
    quota: 'RDS allows at most 20 backup sets per instance per day; the count starts again the next day',
    concurrency: 'RDS runs one backup job per instance at a time',
  },
  createQuery: (t) =>
    defined({
      DBInstanceId: t.DBInstanceId,
      BackupMethod: t.BackupMethod,
      BackupStrategy: t.BackupStrategy,
      DBName: t.DBName,
      BackupType: t.BackupType,
    }),
  // No list API reports which databases a set holds (no BackupDBNames in the DescribeBackups or DescribeBackupTasks
  // models, docs/cloud-contract.md): only the method tells a request of some databases from another.
  requestShape: (t) => ({ method: t.BackupMethod ?? 'Physical' }),
  jobIdFromCreate: (body) => str(body.BackupJobId) ?? '',
  // Every mode: an automated backup running blocks ours too (BackupJobExists), and must be seen to be waited for.
  tasksQuery: (id, jobId) => defined({ DBInstanceId: id, BackupJobId: jobId }),
  taskListReportsFailure: true,
  parseTasks: (body) =>
    asArray(path(body, 'Items', 'BackupJob')).map(
      (j): JobView => ({
        jobId: str(j.BackupJobId) ?? '',
        state: taskState[str(j.BackupStatus) ?? str(j.BackupProgressStatus) ?? ''] ?? 'unknown',
        progress: percent(j.Process),
        manual: str(j.JobMode) !== 'Automated',
        backupId: str(j.BackupId),
      }),
    ),
  listAction: 'DescribeDBInstances',
  // RDS takes its tag filter as one JSON object parameter: {"key":"value"}.
  listQuery: (tags, page, size) => ({
    Tags: JSON.stringify(tags),
    PageNumber: String(page),
    PageSize: String(size),
  }),
  parseList: (body) => ({
    ids: asArray(path(body, 'Items', 'DBInstance')).map((i) => str(i.DBInstanceId) ?? '').filter(Boolean),
    total: num(body.TotalRecordCount) ?? 0,
  }),
  backupsQuery: (id, ref) =>
    defined({
      DBInstanceId: id,
      BackupId: ref.backupId,
      ...(ref.window && !ref.backupId ? minuteWindow(ref.window) : {}),
      PageSize: '100',
    }),
  retention: {
    // Log backup off: only sets older than 7 days; on: older than its retention (a refusal is retried next run).
    minDeleteAgeMs: 7 * 86_400_000,
    keepDaysByCloud: false,
    deleteQuery: (id, backupId) => ({ DBInstanceId: id, BackupId: backupId }),
    // Which spelling RDS DeleteBackup uses is documented nowhere: RDS DescribeBackups answers InvalidBackupId.NotFound
    // for an unknown BackupId, its restore APIs InvalidBackupSetID.NotFound. Both mean the set is not there.
    goneCodes: ['InvalidBackupId.NotFound', 'InvalidBackupSetID.NotFound'],
  },
  parseBackups: (body) => asArray(path(body, 'Items', 'Backup')).map(toBackupView),
};

function toBackupView(b: Record<string, unknown>): BackupView {
  return {
    backupId: str(b.BackupId) ?? '',
    state: str(b.BackupStatus) === 'Success' ? 'succeeded' : 'failed',
    manual: str(b.BackupMode) !== 'Automated',
    startedAt: str(b.BackupStartTime),
    finishedAt: str(b.BackupEndTime),
    sizeBytes: num(b.BackupSize),
    method: str(b.BackupMethod),
    // DeleteBackup takes only sets whose StoreStatus is Enabled.
    ...(str(b.StoreStatus) !== undefined && str(b.StoreStatus) !== 'Enabled' ? { deletable: false } : {}),
  };
}
