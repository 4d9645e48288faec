// The backup engine: exactly one CreateBackup per idempotency key, for every product, whatever is delivered twice,
// lost on the wire or killed half-way. Trigger functions call requestBackup(); nothing else creates backups.
import { callCloud, resolveEndpoint, type Endpoint, type Timeouts } from '../cloud/client';
import type { Credentials } from '../cloud/credentials';
import { resolveRegion } from '../cloud/credentials';
import type { Deadline } from '../deadline';
import { BackupError, deadlineExceeded, toBackupError } from '../errors';
import { claim, complete, keepAlive, markAmbiguous, release, type Claim, type GuardOptions } from '../idempotency/guard';
import { clientToken, payloadHash } from '../idempotency/key';
import type { IdempotencyStore } from '../idempotency/store';
import type { Logger } from '../logger';
import type { JobView, ProductCatalog, Query } from '../cloud/products/catalog';
import { catalogOf } from '../cloud/products/registry';
import { defaultBackoff, pause, sleep, withRetry, type BackoffOptions } from '../retry';
import type { Target } from './targets';

export interface EngineDeps {
  store: IdempotencyStore;
  deadline: Deadline;
  logger: Logger;
  /** Resolved on first use, so a dry run needs none. */
  credentials: () => Credentials;
  /** FC context region, used when a target has no RegionId. */
  contextRegion?: string;
  env: Record<string, string | undefined>;
  timeouts: Timeouts;
  backoff?: BackoffOptions;
  /** How long completed records are kept. */
  recordTtlMs: number;
  /** How long a claim holds without renewal; the holder renews it while it works, so only a dead holder's lapses. */
  leaseMs?: number;
  /** Clock skew tolerated when matching the cloud's job start times against our claim time. */
  skewMs?: number;
  now?: () => number;
  /**
   * Called once before the first CreateBackup of a request, never on a replay or an adoption: retention deletes
   * what its policy no longer keeps and makes room where the cloud holds only so many backups. A throw refuses it.
   */
  beforeCreate?: (target: Target, caller: ProductCaller, attempt: { since: Date; takeover: boolean }) => Promise<void>;
}

export type Outcome = 'created' | 'adopted' | 'replayed';

export interface BackupOutcome {
  key: string;
  product: Target['product'];
  instanceId: string;
  region: string;
  /** The backup job id; absent only when a finished backup set was adopted (then backupId is set). */
  jobId?: string;
  backupId?: string;
  outcome: Outcome;
  requestedAt: string;
}

/** A bound caller for one target's product, region and endpoint. */
export interface ProductCaller {
  catalog: ProductCatalog;
  region: string;
  endpoint: Endpoint;
  /** One attempt; errors classified. */
  once(action: string, query: Query): Promise<Record<string, unknown>>;
  /** Reads only: retried on retryable errors within the deadline. */
  read(action: string, query: Query): Promise<Record<string, unknown>>;
}

export function callerFor(target: Target, deps: EngineDeps): ProductCaller {
  const catalog = catalogOf(target.product);
  const region = resolveRegion(target.RegionId, deps.contextRegion, deps.env);
  const endpoint = resolveEndpoint(catalog, region, deps.env[catalog.endpointEnv]);
  const once = (action: string, query: Query) => {
    const remaining = deps.deadline.remainingMs();
    if (remaining <= 0) throw deadlineExceeded(`calling ${catalog.name}:${action}`);
    return callCloud({
      catalog,
      endpoint,
      credentials: deps.credentials(),
      action,
      // Never wait on the wire past our own deadline.
      query: { RegionId: region, ...query },
      timeouts: { connectMs: Math.min(deps.timeouts.connectMs, remaining), readMs: Math.min(deps.timeouts.readMs, remaining) },
    });
  };
  return {
    catalog,
    region,
    endpoint,
    once,
    read: (action, query) =>
      withRetry(() => once(action, query), deps.deadline, deps.backoff ?? defaultBackoff, (e, attempt) =>
        deps.logger.warn('retrying read', { action, attempt, code: e.code }),
      ),
  };
}

export async function requestBackup(target: Target, key: string, deps: EngineDeps): Promise<BackupOutcome> {
  const caller = callerFor(target, deps);
  const now = deps.now ?? Date.now;
  const guard: GuardOptions = { store: deps.store, leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS, ttlMs: deps.recordTtlMs, now };
  const c = await claimOrWait(key, payloadHash(target), guard, deps);
  if (c.kind === 'replay') return { ...(c.record.result as unknown as BackupOutcome), outcome: 'replayed' };
  // Keep the lease alive while we work: a holder that dies stops renewing, and a redelivery takes over within one
  // lease instead of being turned away for the rest of a long timeout (FC's async retries come within seconds).
  const lease = keepAlive(c.record, guard, (e) => deps.logger.warn('could not renew the idempotency lease', { key, code: toBackupError(e).code }));
  try {
    return await work(target, key, caller, c, guard, lease, deps);
  } finally {
    await lease.stop();
  }
}

export const DEFAULT_LEASE_MS = 30_000;

/**
 * A key held by a live invocation: wait (within our deadline) for it to finish — then replay its outcome — or for
 * its lease to lapse — then take over. Only when our own deadline comes first is it reported as in progress.
 */
async function claimOrWait(key: string, hash: string, guard: GuardOptions, deps: EngineDeps): Promise<Claim> {
  for (;;) {
    try {
      return await claim(key, hash, guard);
    } catch (raw) {
      const e = toBackupError(raw);
      if (e.code !== 'IdempotencyInProgress') throw e;
      const pauseMs = Math.min(1_000, Math.max(50, Number(e.details.retryAfterSec ?? 1) * 1000));
      if (deps.deadline.remainingMs() < pauseMs + 1_000) throw e;
      await sleep(pauseMs);
    }
  }
}

async function work(
  target: Target,
  key: string,
  caller: ProductCaller,
  c: Extract<Claim, { kind: 'claimed' }>,
  guard: GuardOptions,
  lease: { stop(): Promise<void> },
  deps: EngineDeps,
): Promise<BackupOutcome> {
  const base = {
    key,
    product: target.product,
    instanceId: caller.catalog.instanceId(target as never),
    region: caller.region,
    requestedAt: c.record.claimedAt,
  };
  let job: { jobId?: string; backupId?: string; outcome: Outcome };
  try {
    job = await obtainJob(target, key, caller, new Date(Date.parse(c.record.claimedAt) - (deps.skewMs ?? 5_000)), c.takeover, deps);
  } catch (raw) {
    const e = toBackupError(raw);
    await lease.stop();
    // Keep the record when the cloud may have acted, so the next delivery reconciles instead of creating again.
    await (e.ambiguous ? markAmbiguous(c.record, guard) : release(c.record, guard)).catch((storeErr) =>
      deps.logger.error('could not update the idempotency record after a failure', { key, code: toBackupError(storeErr).code }),
    );
    throw e;
  }
  const outcome: BackupOutcome = { ...base, ...job };
  await lease.stop();
  try {
    if (!(await complete(c.record, outcome as unknown as Record<string, unknown>, guard))) {
      deps.logger.warn('claim was taken over before the outcome was saved; the new holder will adopt this job', { key, jobId: job.jobId });
    }
  } catch (storeErr) {
    // The backup exists; a redelivery after the lease will reconcile and adopt it rather than create another.
    deps.logger.error('backup requested but its outcome could not be saved', { key, jobId: job.jobId, code: toBackupError(storeErr).code });
  }
  return outcome;
}

async function obtainJob(
  target: Target,
  key: string,
  caller: ProductCaller,
  since: Date,
  takeover: boolean,
  deps: EngineDeps,
): Promise<{ jobId?: string; backupId?: string; outcome: Outcome }> {
  const { catalog } = caller;
  const token = catalog.clientToken ? clientToken(key) : undefined;
  // With a ClientToken the cloud deduplicates a resend itself; without one we must look before we leap.
  const mustReconcile = () => !token;
  if (takeover && mustReconcile()) {
    const adopted = await reconcile(target, caller, since);
    if (adopted) return adopted;
  }
  await deps.beforeCreate?.(target, caller, { since, takeover });
  const backoff = deps.backoff ?? defaultBackoff;
  // Once an attempt may have reached the cloud, every later failure is ambiguous too: the job may exist but not be
  // listed yet, so the record must be kept for the next delivery to reconcile, never released.
  let mayHaveActed = false;
  const fail = (e: BackupError): BackupError =>
    mayHaveActed && !e.ambiguous && !token ? new BackupError({ ...describe(e), ambiguous: true, message: `${e.message} (an earlier attempt may have created the backup; the next delivery reconciles first)` }) : e;
  for (let attempt = 0; ; attempt++) {
    let error: BackupError;
    try {
      const body = await caller.once('CreateBackup', catalog.createQuery(target as never, token));
      const jobId = catalog.jobIdFromCreate(body);
      if (!jobId) throw new BackupError({ code: 'MalformedResponse', category: 'transient', ambiguous: true, message: 'CreateBackup answered without a BackupJobId.' });
      return { jobId, outcome: 'created' };
    } catch (raw) {
      error = toBackupError(raw);
    }
    // A job already running is the normal way to adopt one, not a failure worth a warning.
    const jobExists = catalog.jobExistsCodes.includes(error.code);
    deps.logger[jobExists ? 'info' : 'warn'](jobExists ? 'CreateBackup: a backup job is already running; adopting it' : 'CreateBackup attempt failed', {
      key,
      attempt,
      code: error.code,
      ambiguous: error.ambiguous,
    });
    mayHaveActed ||= error.ambiguous;
    if (jobExists) {
      const running = await adoptRunning(target, caller);
      if (running) return running;
      // The other job finished between the two calls: a new CreateBackup is now both allowed and needed.
    } else if (error.ambiguous && mustReconcile()) {
      const adopted = await reconcile(target, caller, since).catch((e) => {
        // Cannot tell whether the job exists: stop, and let the next delivery reconcile.
        throw new BackupError({ ...describe(toBackupError(e)), ambiguous: true, message: `Could not reconcile after "${error.message}": ${toBackupError(e).message}` });
      });
      if (adopted) return adopted;
    } else if (!error.retryable) {
      throw fail(error);
    }
    if (!(await pause(attempt, deps.deadline, backoff))) throw fail(error);
  }
}

const describe = (e: BackupError) => ({ code: e.code, category: e.category, retryable: true, details: e.details, cause: e });

/** A job in progress now (any mode: an automated backup running also yields a fresh backup set). */
async function adoptRunning(target: Target, caller: ProductCaller): Promise<{ jobId: string; outcome: Outcome } | undefined> {
  const jobs = await listRunning(target, caller);
  const job = jobs.find((j) => j.manual) ?? jobs[0];
  return job ? { jobId: job.jobId, outcome: 'adopted' } : undefined;
}

async function listRunning(target: Target, caller: ProductCaller): Promise<JobView[]> {
  const { catalog } = caller;
  const body = await caller.read('DescribeBackupTasks', catalog.tasksQuery(catalog.instanceId(target as never)));
  return catalog.parseTasks(body).filter((j) => j.state === 'queued' || j.state === 'running');
}

/**
 * After an ambiguous outcome: was a backup started since our claim? A manual job in progress, or a manual backup
 * set that already finished, started at or after the claim, is ours.
 */
export async function reconcile(
  target: Target,
  caller: ProductCaller,
  since: Date,
): Promise<{ jobId?: string; backupId?: string; outcome: Outcome } | undefined> {
  const { catalog } = caller;
  const after = (t: string | undefined) => t === undefined || Date.parse(t) >= since.getTime();
  const running = (await listRunning(target, caller)).find((j) => j.manual && after(j.startedAt));
  if (running) return { jobId: running.jobId, outcome: 'adopted' };
  const body = await caller.read(
    'DescribeBackups',
    catalog.backupsQuery(catalog.instanceId(target as never), { window: { since, until: new Date(Date.now() + 60_000) } }),
  );
  const finished = catalog
    .parseBackups(body)
    .filter((b) => b.manual && b.startedAt !== undefined && after(b.startedAt))
    .sort((a, b) => Date.parse(b.startedAt ?? '') - Date.parse(a.startedAt ?? ''))[0];
  return finished ? { jobId: finished.jobId, backupId: finished.backupId, outcome: 'adopted' } : undefined;
}
