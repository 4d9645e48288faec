// The one table that turns what the cloud (or the wire) said into a BackupError. Classified by the API's `Code`,
// never by HTTP status: the same code comes back as 400 from one product and 404 from another.
import { BackupError, type ErrorCategory } from '../errors';

interface CodeRule {
  category: ErrorCategory;
  /** What a person should do; the cloud's own message is appended. */
  hint: string;
  retryable?: boolean;
  /** For quota/conflict codes: which limit was hit (filled from the product catalog). */
  limit?: 'quota' | 'concurrency';
}

const rules: Record<string, CodeRule> = {
  // Gateway / common codes.
  Throttling: { category: 'throttled', hint: 'The API rate limit was hit; retried with backoff.' },
  'Throttling.User': { category: 'throttled', hint: 'Your account hit the API rate limit; retried with backoff.' },
  'Throttling.Api': { category: 'throttled', hint: 'The API hit its rate limit; retried with backoff.' },
  'Rejected.Throttling': { category: 'throttled', hint: 'The request was throttled; retried with backoff.' },
  ServiceUnavailable: { category: 'transient', hint: 'The service is temporarily unavailable; retried.' },
  InternalError: { category: 'transient', hint: 'The cloud reported an internal error; retried.' },
  UnknownError: { category: 'transient', hint: 'The cloud reported an unknown error; retried.' },
  SignatureDoesNotMatch: { category: 'auth', hint: 'The AccessKey secret does not match the AccessKey id; check the credentials.' },
  IncompleteSignature: { category: 'auth', hint: 'The request signature was incomplete; check the credentials and the clock.' },
  IllegalTimestamp: { category: 'auth', hint: "The request time is off; check this machine's clock." },
  'SignatureNonceUsed': { category: 'auth', hint: 'A signature nonce was reused; this is a client bug.' },
  'InvalidAccessKeyId.NotFound': { category: 'auth', hint: 'The AccessKey id does not exist; check ALIBABA_CLOUD_ACCESS_KEY_ID or the function role.' },
  'InvalidAccessKeyId.Inactive': { category: 'auth', hint: 'The AccessKey is disabled; enable it or use another.' },
  'InvalidSecurityToken.Expired': { category: 'auth', hint: 'The STS token expired; refresh the credentials.' },
  'InvalidSecurityToken.Mismatch': { category: 'auth', hint: 'The STS token does not belong to this AccessKey.' },
  'InvalidSecurityToken.Malformed': { category: 'auth', hint: 'The STS token is malformed.' },
  'Forbidden.RAM': { category: 'permission', hint: 'The RAM policy does not allow this action; grant it to the function role (see s.yaml).' },
  Forbidden: { category: 'permission', hint: 'The request is forbidden for these credentials.' },
  'Forbidden.NoRAMPermission': { category: 'permission', hint: 'The RAM policy does not allow this action.' },
  InvalidAction: { category: 'validation', hint: 'The API action does not exist for this product version.' },
  'InvalidAction.NotFound': { category: 'validation', hint: 'The API action does not exist for this product version.' },
  MissingParameter: { category: 'validation', hint: 'A required parameter was not sent.' },
  InvalidParameter: { category: 'validation', hint: 'A parameter value was refused by the API.' },
  IdempotentParameterMismatch: {
    category: 'conflict',
    hint: 'The same ClientToken was used with different parameters; a changed target needs a new request.',
  },

  // Function Compute 3.0 (InvokeFunction): its own spellings of the gateway codes, and its limits.
  SignatureNotMatch: { category: 'auth', hint: 'FC refused the signature; check the credentials.' },
  InvalidAccessKeyID: { category: 'auth', hint: 'FC does not know the AccessKey id; check the credentials or the function role.' },
  FunctionNotFound: { category: 'not-found', hint: 'The worker function does not exist; check WORKER_FUNCTION and the deployment.' },
  ResourceExhausted: { category: 'throttled', hint: "FC's concurrency limit was hit; retried with backoff." },
  ResourceThrottled: { category: 'throttled', hint: 'FC throttled the invocation; retried with backoff.' },

  // ApsaraDB RDS CreateBackup (rds-createbackup-errors.txt).
  'BackupType.NotSupport': { category: 'validation', hint: 'This backup type is not supported for the instance.' },
  'InvalidBackupMethod.ValueNotSupport': { category: 'validation', hint: 'This BackupMethod is not supported for the instance.' },
  ReadDBInstanceNotSupport: { category: 'validation', hint: 'Read-only instances cannot be backed up; back up the primary.' },
  'IncorrectDBInstanceLockMode.ValueNotSupported': { category: 'conflict', hint: 'The instance is locked; unlock it first.' },
  BackupJobExists: { category: 'conflict', hint: 'A backup job is already running on the instance.', limit: 'concurrency' },
  'InvalidPreferredBackupTime.Format': { category: 'validation', hint: 'The backup time is not in YYYY-MM-DDThh:mmZ format.' },
  'InvalidDBName.Format': { category: 'validation', hint: 'A database name in DBName is not valid.' },
  'OperationDenied.ApiForbidden': { category: 'permission', hint: 'This operation is not permitted on the instance.' },
  IncorrectDBInstanceEngine: { category: 'validation', hint: "The instance's engine does not support this backup." },
  IncorrectDBInstanceType: { category: 'validation', hint: "The instance's engine and type do not support this backup." },
  IncorrectDBInstanceState: {
    category: 'conflict',
    retryable: true,
    hint: 'The instance is not Running (e.g. restarting or changing spec); retried, and it will succeed once the instance is Running.',
  },
  IncorrectDBInstanceCharacterType: { category: 'validation', hint: "The instance's character type does not support this." },
  'Exceeded.BackupTimes': { category: 'quota', hint: 'The instance already made 20 backup sets today; deleting backups does not free this.', limit: 'quota' },
  'InvalidDBInstanceName.NotFound': { category: 'not-found', hint: 'No such RDS instance in this region; check the id and RegionId.' },
  // RDS DescribeDBInstances `Tags`: at most 5 pairs (its SDK model); the code for a 6th is unconfirmed (docs/cloud-contract.md).
  'InvalidTags.Malformed': { category: 'validation', hint: 'The Tags filter was refused: RDS takes at most 5 tag pairs, as one JSON object.' },
  'InvalidDB.NotFound': { category: 'not-found', hint: 'A database in DBName does not exist or is not ready.' },

  // PolarDB CreateBackup (polardb-createbackup.txt).
  'InvalidBackupType.Malformed': { category: 'validation', hint: 'BackupType is not valid for PolarDB.' },
  'InvalidBackupMethod.Malformed': { category: 'validation', hint: 'BackupMethod is not valid for PolarDB.' },
  BackupTimesExceeded: {
    category: 'quota',
    // The cloud's text says "daily", its own CreateBackup document says the code means 3 manual backups exist now.
    hint: 'The cluster already holds 3 manual backups (the cloud words this "daily backup times"; its CreateBackup document says it means 3 manual backups exist now).',
    limit: 'quota',
  },
  'InvalidDBClusterId.NotFound': { category: 'not-found', hint: 'No such PolarDB cluster in this region; check the id and RegionId.' },
  'InvalidDBClusterId.Malformed': { category: 'validation', hint: 'The DBClusterId is not a valid cluster id.' },
  // PolarDB DescribeBackupTasks (issue 17); its code is unconfirmed by any source we checked (docs/cloud-truth.md).
  'InvalidBackupMode.Malformed': { category: 'validation', hint: 'The BackupMode sent to DescribeBackupTasks is not Automated or Manual.' },
  'OperationDenied.DBClusterStatus': {
    category: 'conflict',
    retryable: true,
    hint: 'The cluster is not Running; retried, and it will succeed once the cluster is Running.',
  },

  // DeleteBackup of the three products (docs/retention-apis.md).
  'InvalidBackupSetID.NotFound': { category: 'not-found', hint: 'No such backup set: it was already deleted, or never finished.' },
  // RDS's other spelling of an unknown backup id (its DescribeBackups answers it); which one its DeleteBackup uses is
  // documented nowhere, so retention counts both as gone on RDS (docs/cloud-contract.md, "Already deleted").
  'InvalidBackupId.NotFound': { category: 'not-found', hint: 'No such backup set: it was already deleted, or never finished.' },
  IncorrectBackupSetState: {
    category: 'conflict',
    hint: 'The backup set cannot be deleted yet (RDS deletes only backups older than 7 days, or than the log backup retention); a later run retries.',
  },
  DeleteBackupSetNumExceed: { category: 'validation', hint: 'At most 100 backup sets can be deleted in one call.' },
  ParameterLeastAssociate: { category: 'validation', hint: 'A required parameter was not sent.' },
  UnsupportedOperation: {
    category: 'validation',
    hint: 'The instance does not support this operation (RDS deletes backups of MySQL/PostgreSQL High-availability instances; MongoDB of cloud-disk instances).',
  },
  'Order.ComboInstanceNotAllowOperate': { category: 'permission', hint: 'A package instance cannot be operated on by itself.' },

  // ApsaraDB for MongoDB CreateBackup (mongodb-createbackup.txt).
  'OperationDenied.BackupJobExists': { category: 'conflict', hint: 'A backup job is already running on the instance.', limit: 'concurrency' },
  'OperationDenied.NoDatabase': { category: 'validation', hint: 'The instance has no database to back up yet.' },
  'InvalidDBInstanceId.NotFound': { category: 'not-found', hint: 'No such MongoDB instance in this region; check the id and RegionId.' },
};

/** Codes the table knows; exported for the test that checks every documented code is classified. */
export const knownCloudCodes = Object.keys(rules);

export interface CloudErrorContext {
  action: string;
  limits?: { quota: string; concurrency: string };
}

// Transport failures: whether the request may have reached the cloud decides if a blind resend is safe.
const neverSent = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function classifyCloudError(e: unknown, ctx: CloudErrorContext): BackupError {
  if (e instanceof BackupError) return e;
  const err = (e ?? {}) as { code?: unknown; statusCode?: unknown; name?: unknown; message?: unknown; data?: Record<string, unknown> };
  const message = typeof err.message === 'string' ? err.message : String(e);
  const requestId = typeof err.data?.RequestId === 'string' ? err.data.RequestId : undefined;
  const statusCode = typeof err.statusCode === 'number' ? err.statusCode : undefined;
  const code = typeof err.code === 'string' && err.code !== 'undefined' ? err.code : undefined;

  if (statusCode === undefined) return transportError(err.name, code, message, ctx, e);

  const rule: CodeRule =
    (code !== undefined ? (rules[code] ?? (/^Throttling/.test(code) ? rules.Throttling : undefined)) : undefined) ?? fallbackRule(statusCode);
  const cloudMessage = withoutCredentials(typeof err.data?.Message === 'string' ? err.data.Message : message);
  const limit = rule.limit && ctx.limits ? ` Limit: ${ctx.limits[rule.limit]}.` : '';
  const serverSide = statusCode >= 500;
  return new BackupError({
    code: code ?? `HTTP${statusCode}`,
    category: rule.category,
    retryable: rule.retryable ?? (serverSide || undefined),
    // A 5xx may have been produced after the action took effect.
    ambiguous: serverSide,
    message: `${ctx.action} failed: ${rule.hint}${limit} (cloud said: ${code ?? statusCode}: ${cloudMessage})`,
    details: { action: ctx.action, cloudCode: code, httpStatus: statusCode, ...(requestId ? { requestId } : {}) },
    cause: e,
  });
}

/**
 * The gateway answers a bad signature with the string it signed, which carries the AccessKeyId and the STS token:
 * never let that reach a log, an HTTP answer or a chat message.
 */
export function withoutCredentials(text: string): string {
  return text.replace(/string to sign is:.*$/is, 'string to sign is: [REDACTED]').replace(/(SecurityToken|AccessKeyId|Signature)(%3D|=)[^&%\s]+/gi, '$1$2[REDACTED]');
}

function fallbackRule(status: number): CodeRule {
  if (status >= 500) return { category: 'transient', hint: 'The cloud returned a server error; retried.' };
  if (status === 429) return { category: 'throttled', hint: 'Throttled; retried with backoff.' };
  if (status === 401) return { category: 'auth', hint: 'The credentials were refused.' };
  if (status === 403) return { category: 'permission', hint: 'The request was forbidden.' };
  if (status === 404) return { category: 'not-found', hint: 'The resource was not found.' };
  if (status === 409) return { category: 'conflict', hint: 'The request conflicts with the resource state.' };
  return { category: 'validation', hint: 'The request was refused.' };
}

function transportError(name: unknown, code: string | undefined, message: string, ctx: CloudErrorContext, cause: unknown): BackupError {
  const connectTimeout = /ConnectTimeout/.test(message);
  const readTimeout = name === 'RequestTimeoutError' && !connectTimeout;
  // httpx's "ConnectTimeout" is Node's socket idle timeout (http.request's `timeout` option), which also fires while
  // the request, already sent, waits for a slow answer: it does not mean the request never arrived
  // (docs/cloud-client-facts.md). Only errors raised before anything was written count as never sent.
  const sent = !(code !== undefined && neverSent.has(code));
  const what = readTimeout ? 'read timeout' : connectTimeout ? 'connect timeout' : (code ?? (name === 'SyntaxError' ? 'unreadable response' : 'network error'));
  return new BackupError({
    code: readTimeout ? 'ReadTimeout' : connectTimeout ? 'ConnectTimeout' : code === undefined ? 'NetworkError' : `Network.${code}`,
    category: 'transient',
    ambiguous: sent,
    message: `${ctx.action} failed: ${what}${sent ? '; the request may have reached the cloud, so its outcome is reconciled before any resend' : '; the request did not reach the cloud'}.`,
    details: { action: ctx.action },
    cause,
  });
}
