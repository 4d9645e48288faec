// The one error type of the project. Every failure — bad input, a cloud error code, a transport fault,
// an idempotency conflict — becomes a BackupError, so callers branch on `category`/`retryable`, never on strings.
import { echoValue, preview } from './echo';

export type ErrorCategory =
  | 'validation'
  | 'auth'
  | 'permission'
  | 'not-found'
  | 'conflict'
  | 'quota'
  | 'throttled'
  | 'transient'
  | 'internal';

const defaultHttpStatus: Record<ErrorCategory, number> = {
  validation: 400,
  auth: 401,
  permission: 403,
  'not-found': 404,
  conflict: 409,
  quota: 429,
  throttled: 429,
  transient: 503,
  internal: 500,
};

const defaultRetryable: Record<ErrorCategory, boolean> = {
  validation: false,
  auth: false,
  permission: false,
  'not-found': false,
  conflict: false,
  quota: false,
  throttled: true,
  transient: true,
  internal: false,
};

export interface BackupErrorOptions {
  code: string;
  category: ErrorCategory;
  message: string;
  httpStatus?: number;
  retryable?: boolean;
  /** True when the request may have reached the cloud and its effect is unknown (lost response, reset, 5xx). */
  ambiguous?: boolean;
  /** Safe, structured facts a caller may show (field issues, the existing record, the cloud's request id). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class BackupError extends Error {
  override readonly name = 'BackupError';
  readonly code: string;
  readonly category: ErrorCategory;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly ambiguous: boolean;
  readonly details: Record<string, unknown>;

  constructor(opts: BackupErrorOptions) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = opts.code;
    this.category = opts.category;
    this.httpStatus = opts.httpStatus ?? defaultHttpStatus[opts.category];
    this.retryable = opts.retryable ?? defaultRetryable[opts.category];
    this.ambiguous = opts.ambiguous ?? false;
    this.details = opts.details ?? {};
  }

  /** What may leave the process: no stack, no cause, no secrets (details are built from safe values only). */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      category: this.category,
      message: this.message,
      retryable: this.retryable,
      ...(Object.keys(this.details).length > 0 ? { details: this.details } : {}),
    };
  }
}

export const isBackupError = (e: unknown): e is BackupError => e instanceof BackupError;

/** Anything thrown that is not already a BackupError is a bug of ours: keep the cause, expose nothing. */
export function toBackupError(e: unknown): BackupError {
  if (isBackupError(e)) return e;
  return new BackupError({
    code: 'InternalError',
    category: 'internal',
    message: 'Unexpected internal error; see the function log for the request id.',
    cause: e,
  });
}

/** The same error, known now to have maybe taken effect (an earlier attempt may have reached the other side). */
export const asAmbiguous = (err: BackupError): BackupError =>
  err.ambiguous ? err : new BackupError({ code: err.code, category: err.category, message: err.message, httpStatus: err.httpStatus, retryable: err.retryable, ambiguous: true, details: err.details, cause: err });

// Errors raised by this project itself (not by the cloud). Named so call sites read as the situation.

export interface FieldIssue {
  field: string;
  value: unknown;
  rule: string;
}

/** Values are echoed bounded (shared/echo.ts): an input that cannot be printed safely cannot reach a response. */
export function validationError(issues: FieldIssue[], what = 'request'): BackupError {
  const echoed = issues.map((i) => ({ ...i, value: echoValue(i.value) }));
  return new BackupError({
    code: 'ValidationError',
    category: 'validation',
    message: `Invalid ${what}: ${echoed.map(formatIssue).join('; ')}`,
    details: { issues: echoed },
  });
}

export function formatIssue(issue: FieldIssue): string {
  return `${issue.field || '(root)'}: ${showValue(issue.value)} — ${issue.rule}`;
}

const showValue = (v: unknown): string => (v === undefined ? '(missing)' : preview(v, 80).text);

/** `retryAfterMs`: how long the holder's lease still runs, by the store's clock. */
export const idempotencyInProgress = (key: string, since: string, retryAfterMs?: number): BackupError =>
  new BackupError({
    code: 'IdempotencyInProgress',
    category: 'conflict',
    retryable: true,
    message: `The same request (key ${key}) is being handled by another invocation since ${since}; it was not sent again. Retry later for its outcome.`,
    details: { key, since, ...(retryAfterMs === undefined ? {} : { retryAfterSec: Math.max(1, Math.ceil(retryAfterMs / 1000)) }) },
  });

export const idempotencyMismatch = (key: string): BackupError =>
  new BackupError({
    code: 'IdempotencyKeyMismatch',
    category: 'conflict',
    httpStatus: 422,
    message: `Idempotency key ${key} was already used for a different payload; refused. Use a new key (e.g. a new deployId) for a different request.`,
    details: { key },
  });

/** `where` names the store for whoever must fix it (e.g. "Redis at 10.0.0.5:6379"), never its password. */
export function storeUnavailable(op: string, cause: unknown, where = storeOf(cause)): BackupError {
  return new BackupError({
    code: 'IdempotencyStoreUnavailable',
    category: 'transient',
    // Not "it will be retried": a CLI call is not; what is true everywhere is that trying again is safe.
    message: `The idempotency store${where ? ` (${where})` : ''} is unavailable (${op}); no backup was requested, to avoid risking a duplicate. Trying again is safe once it answers.`,
    ...(where ? { details: { store: where } } : {}),
    cause,
  });
}

/** The store an inner storeUnavailable named, when a caller wraps one in its own. */
const storeOf = (cause: unknown): string | undefined => {
  const store = cause instanceof BackupError ? cause.details.store : undefined;
  return typeof store === 'string' ? store : undefined;
};

export const deadlineExceeded = (what: string): BackupError =>
  new BackupError({
    code: 'DeadlineExceeded',
    category: 'transient',
    message: `Ran out of time before ${what}; the function's deadline (timeout minus safety margin) was reached. A redelivery will resume it.`,
  });

/**
 * A call this tool refuses to make for this instance, before sending it: no source says how to make it correct there
 * (docs/mongodb-sharded.md). Not retryable: the instance, not the moment, decides.
 */
export const notForThisInstance = (code: 'MethodNotSupportedByInstance' | 'ShardedDeleteUnsupported', message: string, details: Record<string, unknown>): BackupError =>
  new BackupError({ code, category: 'validation', httpStatus: 422, message, details });

/** A drill asked for (chat, CLI, a crafted event) of a database the operator's DRILL_TARGETS does not cover. */
export const drillNotCovered = (product: string, instanceId: string): BackupError =>
  new BackupError({
    code: 'DrillNotCovered',
    category: 'validation',
    httpStatus: 403,
    message: `${product} ${instanceId} is not covered by the drill configuration (DRILL_TARGETS); nothing was restored. Only the operator's configuration chooses what is drilled.`,
    details: { product, instanceId },
  });

/** No good backup of this tool to restore from (latest, or within DRILL_RANDOM_WINDOW_DAYS). */
export const drillNoBackup = (product: string, instanceId: string, how: string): BackupError =>
  new BackupError({
    code: 'DrillNoBackup',
    category: 'not-found',
    message: `No good backup of ${product} ${instanceId} in the history to restore (${how}); nothing was restored.`,
    details: { product, instanceId },
  });
