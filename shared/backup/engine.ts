// The backup engine: exactly one CreateBackup per idempotency key, for every product, whatever is delivered twice,
// lost on the wire or killed half-way. Trigger functions call requestBackup(); nothing else creates backups.
import { callCloud, resolveEndpoint, type Endpoint, type Timeouts } from '../cloud/client';
import type { Credentials } from '../cloud/credentials';
import { resolveRegion } from '../cloud/credentials';
import type { Deadline } from '../deadline';
import { BackupError, deadlineExceeded, toBackupError } from '../errors';
import { claim, complete, markAmbiguous, release, type Claim, type GuardOptions } from '../idempotency/guard';
import { Lease } from '../idempotency/lease';
import { clientToken, payloadHash } from '../idempotency/key';
import type { IdempotencyStore } from '../idempotency/store';
import type { Logger } from '../logger';
import type { InstanceFacts, ProductCatalog, Query } from '../cloud/products/catalog';
import { catalogOf } from '../cloud/products/registry';
import { defaultBackoff, pause, sleep, withRetry, type BackoffOptions } from '../retry';
import { look, settle, type Found, type Window } from './reconcile';
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
  /**
   * The request's own time (the timer's trigger time, the deploy request's creation, the chat request's time): a
   * fresh claim on a product without a ClientToken first looks for a job of this request started since then.
   */
  requestedAt?: string;
  /** How late the list APIs may show a new job (CLOUD_LIST_LAG_MS). */
  listLagMs?: number;
  /** Pause between looks while waiting for a job to be listed or to end. */
  reconcilePollMs?: number;
  now?: () => number;
  /**
   * Called once before the first CreateBackup of a request, never on a replay or an adoption: retention deletes
   * what its policy no longer keeps and makes room where the cloud holds only so many backups. A throw refuses it.
   */
  beforeCreate?: (target: Target, caller: ProductCaller, attempt: { since: Date; takeover: boolean; scheduled: boolean }) => Promise<void>;
  /**
   * Called once the job id is known, before the outcome is saved: the history records the job as outstanding.
   * A failure is logged, not thrown: the backup exists, and a replay or reconciliation records it again.
   */
  onJob?: (outcome: BackupOutcome, target: Target) => Promise<unknown>;
  /** The timer's request (the operator's schedule): anything else is ad-hoc, whose backups retention treats apart. */
  scheduled?: boolean;
  /** Whether this tool already holds a job or set for another key (the history): reconciliation never adopts it. */
  heldForAnother?: (found: { jobId?: string; backupId?: string }, key: string) => Promise<boolean>;
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
  /** Adopted by a fresh claim's look, with no attempt of ours on record: it may be a console backup (retention keeps it). */
  originUncertain?: true;
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
  /** What the product says of the instance, where its calls depend on it (catalog.instance), read once; else undefined. */
  facts?(): Promise<InstanceFacts | undefined>;
}

export function callerFor(target: Target, deps: EngineDeps): ProductCaller {
  const catalog = catalogOf(target.product);
  const region = resolveRegion(target.RegionId, deps.contextRegion, deps.env);
  const endpoint = resolveEndpoint(catalog, region, deps.env[catalog.endpointEnv]);
  const send = (action: string, query: Query) => {
    const remaining = deps.deadline.remainingMs();
    if (remaining <= 0) throw deadlineExceeded(`calling ${catalog.name}:${action}`);
    return callCloud({
      catalog,
      endpoint,
      credentials: deps.credentials(),
      action,
      // RegionId only where the action's request has one (catalog.regionIdActions): the SDK sends it nowhere else.
      query: catalog.regionIdActions.includes(action) ? { RegionId: region, ...query } : query,
      // On a kept-alive connection httpx's read timeout never fires and only the socket's idle timeout (its
      // "connect" timeout) ends a stalled call (docs/cloud-client-facts.md): bound that one by the read timeout too.
      // Never wait on the wire past our own deadline.
      timeouts: { connectMs: Math.min(deps.timeouts.connectMs, deps.timeouts.readMs, remaining), readMs: Math.min(deps.timeouts.readMs, remaining) },
    });
  };
  const retried = (action: string, call: () => Promise<Record<string, unknown>>) =>
    withRetry(call, deps.deadline, deps.backoff ?? defaultBackoff, (e, attempt) => deps.logger.warn('retrying read', { action, attempt, code: e.code }));
  const rules = catalog.instance;
  // Read once, when a call first needs it; a failed read is not kept, so the next call reads again.
  let known: Promise<InstanceFacts> | undefined;
  const facts = async (): Promise<InstanceFacts | undefined> => {
    if (!rules) return undefined;
    const id = catalog.instanceId(target as never);
    known ??= retried(rules.action, () => send(rules.action, rules.query(id))).then((body) => rules.parse(body, id));
    return known.catch((e: unknown) => {
      known = undefined;
      throw e;
    });
  };
  const once = async (action: string, query: Query) => {
    if (!rules?.actions.includes(action)) return send(action, query);
    const f = await facts().catch((raw: unknown) => {
      const e = toBackupError(raw);
      // Whatever the read met, the call it was for was never sent: not ambiguous.
      throw e.ambiguous ? new BackupError({ code: e.code, category: e.category, message: e.message, httpStatus: e.httpStatus, retryable: e.retryable, details: e.details, cause: e }) : e;
    });
    return rules.call(action, query, f as InstanceFacts, (q) => send(action, q));
  };
  return { catalog, region, endpoint, once, read: (action, query) => retried(action, () => once(action, query)), facts };
}

export async function requestBackup(target: Target, key: string, deps: EngineDeps): Promise<BackupOutcome> {
  const caller = callerFor(target, deps);
  const now = deps.now ?? Date.now;
  const guard: GuardOptions = { store: deps.store, leaseMs: deps.leaseMs ?? DEFAULT_LEASE_MS, ttlMs: deps.recordTtlMs, now };
  const { claim: c, sentAt } = await claimOrWait(key, payloadHash(target), guard, deps);
  if (c.kind === 'replay') return { ...(c.record.result as unknown as BackupOutcome), outcome: 'replayed' };
  // Keep the lease alive while we work: a holder that dies stops renewing, and a redelivery takes over within one
  // lease instead of being turned away for the rest of a long timeout (FC's async retries come within seconds).
  // A renewal taken over or failed stops this holder: it calls the cloud no more and saves nothing.
  const lease = new Lease(c.record, {
    ...guard,
    onLost: (e) => deps.logger.warn('lost the idempotency lease; stopping without calling the cloud again', { key, code: e.code, storeCode: e.details.storeCode }),
  }, sentAt).start();
  try {
    return await work(target, key, caller, c, lease, guard, deps);
  } finally {
    await lease.stop();
  }
}

export const DEFAULT_LEASE_MS = 30_000;
/** How late the list APIs may show a job just created (a second or more is normal; terraform waits a minute). */
export const DEFAULT_LIST_LAG_MS = 5_000;
/** The least read timeout a CreateBackup is sent with, where the function's timeout is shorter than CLOUD_READ_TIMEOUT_MS. */
export const MIN_CREATE_READ_MS = 1_000;

/**
 * A key held by a live invocation: wait (within our deadline) for it to finish — then replay its outcome — or for
 * its lease to lapse — then take over. Only when our own deadline comes first is it reported as in progress.
 */
async function claimOrWait(key: string, hash: string, guard: GuardOptions, deps: EngineDeps): Promise<{ claim: Claim; sentAt: number }> {
  for (;;) {
    const sentAt = Lease.now();
    try {
      return { claim: await claim(key, hash, guard), sentAt };
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
  lease: Lease,
  guard: GuardOptions,
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
    job = await obtainJob(target, key, caller, c.takeover, lease, deps);
  } catch (raw) {
    const e = toBackupError(raw);
    await lease.stop();
    // A record that was ever ambiguous, or was taken over, is never released: an earlier holder may have created the
    // backup, and only a kept record makes the next delivery reconcile instead of creating again.
    const keep = e.ambiguous || c.takeover;
    await (keep ? markAmbiguous(lease.record, guard) : release(lease.record, guard)).catch((storeErr) =>
      deps.logger.error('could not update the idempotency record after a failure', { key, code: toBackupError(storeErr).code }),
    );
    throw e;
  }
  const outcome: BackupOutcome = { ...base, ...job };
  // Recorded for the tracker before the save; if the store fails here the save fails too, and the delivery that
  // reconciles or replays this job records it then.
  await deps.onJob?.(outcome, target).catch((e: unknown) =>
    deps.logger.error('backup requested but not recorded in the history yet', { key, jobId: job.jobId, code: toBackupError(e).code }),
  );
  await lease.stop();
  // The save is fenced by its own compare-and-set on our owner id: if another invocation took the claim over, it
  // fails, and that holder reconciles and adopts this job (created while we held the lease).
  try {
    if (!(await complete(lease.record, outcome as unknown as Record<string, unknown>, guard))) {
      deps.logger.warn('claim was taken over before the outcome was saved; the new holder reconciles and adopts this job', { key, jobId: job.jobId });
    }
  } catch (storeErr) {
    // The backup exists; a redelivery after the lease will reconcile and adopt it rather than create another.
    deps.logger.error('backup requested but its outcome could not be saved', { key, jobId: job.jobId, code: toBackupError(storeErr).code });
  }
  return outcome;
}

type Obtained = { jobId?: string; backupId?: string; outcome: Outcome; originUncertain?: true };

async function obtainJob(target: Target, key: string, caller: ProductCaller, takeover: boolean, lease: Lease, deps: EngineDeps): Promise<Obtained> {
  const { catalog } = caller;
  const now = deps.now ?? Date.now;
  const token = catalog.clientToken ? clientToken(key) : undefined;
  const skewMs = deps.skewMs ?? 5_000;
  const listLagMs = deps.listLagMs ?? DEFAULT_LIST_LAG_MS;
  const callMs = () => Math.min(deps.timeouts.connectMs + deps.timeouts.readMs, deps.deadline.remainingMs());
  // A CreateBackup is sent only with its whole read timeout still ahead of the deadline (which itself keeps
  // DEADLINE_SAFETY_MS back for the save) — or half of what this invocation had left, where its timeout is too
  // short to hold one read timeout. Sent with less, its outcome would be ambiguous by construction.
  const reserveMs = Math.min(deps.timeouts.readMs, Math.max(MIN_CREATE_READ_MS, deps.deadline.remainingMs() / 2));
  // Once an attempt may have reached the cloud — ours, or an earlier holder's — every later failure is ambiguous
  // too: the job may exist but not be listed yet, so the record must be kept for the next delivery to reconcile.
  let mayHaveActed = takeover && !token;
  const fail = (e: BackupError): BackupError =>
    mayHaveActed && !e.ambiguous && !token ? new BackupError({ ...describe(e), ambiguous: true, message: `${e.message} (an earlier attempt may have created the backup; the next delivery reconciles first)` }) : e;
  const held = deps.heldForAnother;
  const theirs = held ? (f: { jobId?: string; backupId?: string }) => held(f, key) : undefined;
  /** Our jobs started inside this window: from our first attempt (or the request's own time) to the last one. */
  const window = (): Window => {
    const r = lease.record;
    const first = Date.parse(r.firstAttemptAt ?? r.claimedAt);
    const last = Date.parse(r.lastAttemptAt ?? r.firstAttemptAt ?? r.claimedAt);
    return { since: first - skewMs, until: last + deps.timeouts.connectMs + deps.timeouts.readMs + skewMs, runningBefore: r.runningBefore, theirs };
  };
  const settleFor = (settledAt: number) =>
    settle(target, caller, { window: window(), settledAt, deadline: deps.deadline, reserveMs, pollMs: deps.reconcilePollMs ?? 500, now });
  /** Reads that decide whether to create: a failure there means we cannot know, so it is ambiguous (never released). */
  const reconciling = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (raw) {
      const e = toBackupError(raw);
      if (e.code === 'IdempotencyLeaseLost') throw e;
      mayHaveActed ||= !token;
      throw new BackupError({ ...describe(e), ambiguous: true, message: `Could not reconcile ${what}: ${e.message}` });
    }
  };
  const adopted = (f: Found): Obtained => ({ jobId: f.jobId, backupId: f.backupId, outcome: 'adopted' });
  let runningBefore: string[] | undefined;

  if (!token) {
    const r = lease.record;
    if (takeover && r.lastAttemptAt !== undefined) {
      // An earlier holder called CreateBackup (it records every attempt before sending it): look until that job
      // would be listed — it reached the cloud within a connect timeout of being sent — before creating anything.
      const settledAt = Date.parse(r.lastAttemptAt) + deps.timeouts.connectMs + listLagMs;
      const seen = await reconciling('after taking the claim over', () => settleFor(settledAt));
      if (seen.kind === 'found') return adopted(seen.found);
      if (seen.kind === 'undecided') throw undecided(seen.reason, true);
    } else if (deps.requestedAt !== undefined) {
      // A fresh claim (or one whose earlier holder never sent anything) may follow a record lost from the store
      // (failover, eviction): one look for a job of this very request, started since the request's own time (the
      // timer's trigger time, the deploy request's creation), before creating. The same look notes what is already
      // running, so a task row without a start time (RDS) can later be told from the job our attempt makes. Without a
      // request time (a worker, the CLI) there is no look, and such a row is waited out until its set shows when it
      // started: the common path stays one call, the rare ambiguous one pays.
      const since = Math.floor(Date.parse(deps.requestedAt) / 1000) * 1000;
      // Its failure is a plain one: nothing was sent yet.
      const seen = await look(target, caller, { since, until: now() + skewMs, theirs });
      // Nothing of ours was ever sent for this key: what the look found may as well be a DBA's console backup.
      if (seen.ours) return { ...adopted(seen.ours), originUncertain: true };
      runningBefore = seen.running.map((j) => j.jobId);
    }
  }

  await deps.beforeCreate?.(target, caller, { since: new Date(window().since), takeover, scheduled: deps.scheduled === true });
  const backoff = deps.backoff ?? defaultBackoff;
  for (let attempt = 0; ; attempt++) {
    // Never send a CreateBackup whose outcome could not be known and saved before the deadline.
    if (deps.deadline.remainingMs() < reserveMs) throw fail(deadlineExceeded(`sending CreateBackup with ${Math.round(reserveMs)} ms of read timeout ahead (CLOUD_READ_TIMEOUT_MS is ${deps.timeouts.readMs})`));
    // The fence: without a token the attempt is recorded first (it renews the lease too); with one a short lease is renewed.
    const at = new Date(now()).toISOString();
    if (!token) {
      const first = lease.record.firstAttemptAt === undefined ? { firstAttemptAt: at, ...(runningBefore ? { runningBefore } : {}) } : {};
      if (!(await lease.renew({ ...first, lastAttemptAt: at }))) throw fail(lease.lost ?? deadlineExceeded('recording the attempt'));
    } else if (lease.remainingMs() < 2 * Math.min(deps.timeouts.connectMs, deps.timeouts.readMs)) {
      await lease.renew();
    }
    // The request must reach the cloud while the claim is ours: it is written once connected, so the connect timeout.
    lease.assertHeld(Math.min(deps.timeouts.connectMs, deps.timeouts.readMs, deps.deadline.remainingMs()), 'a CreateBackup to reach the cloud');
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
    deps.logger[jobExists ? 'info' : 'warn'](jobExists ? 'CreateBackup: a backup job is already running on the instance' : 'CreateBackup attempt failed', {
      key,
      attempt,
      code: error.code,
      ambiguous: error.ambiguous,
    });
    mayHaveActed ||= error.ambiguous;
    if (error.ambiguous && !token) {
      // No resend in this invocation: the job may exist and be listed late. Look until the lag has passed.
      // The cloud acted, if at all, before its answer (or the reset) came back: the job is listed within the lag.
      const seen = await reconciling(`after "${error.message}"`, () => settleFor(now() + listLagMs));
      if (seen.kind === 'found') return adopted(seen.found);
      throw new BackupError({
        ...describe(error),
        ambiguous: true,
        message: `${error.message} — the outcome of CreateBackup is unknown and ${seen.kind === 'none' ? 'no job of this request is listed yet' : seen.reason}; it is not sent again now, the next delivery reconciles first.`,
      });
    }
    if (jobExists) {
      // A job is running. Ours (an earlier holder's, listed late) is adopted; anyone else's is waited out.
      const seen = await reconciling('a running backup job', () => settleFor(0));
      if (seen.kind === 'found') return adopted(seen.found);
      if (seen.kind === 'undecided') throw fail(undecided(seen.reason, false));
      // The other job finished (or is not listed yet): a new CreateBackup is allowed and needed, after a pause.
      if (!(await pause(attempt, deps.deadline, backoff))) throw fail(undecided('a backup job that is not listed yet is running on the instance', false));
      continue;
    }
    if (!error.retryable) throw fail(error);
    if (!(await pause(attempt, deps.deadline, backoff))) throw fail(error);
  }
}

const describe = (e: BackupError) => ({ code: e.code, category: e.category, retryable: true, details: e.details, cause: e });

/** Retryable: FC redelivers later, and the backup is taken once the other job has ended. */
const undecided = (reason: string, ambiguous: boolean) =>
  new BackupError({
    code: 'BackupJobRunning',
    category: 'conflict',
    retryable: true,
    ambiguous,
    message: `Cannot take this backup yet: ${reason}. Waited within the function's deadline; a redelivery tries again (nothing was created twice).`,
  });
