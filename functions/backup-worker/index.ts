// Async worker: takes one backup (idempotently, by the key it was given), waits for its outcome within its own
// deadline, re-invoking itself while the job outlives it, and posts the final result where the request came from.
import { postChatReply } from '../../shared/chat/reply';
import { callerFor, requestBackup, type BackupOutcome } from '../../shared/backup/engine';
import { toBackupError, validationError, type BackupError } from '../../shared/errors';
import { eventJson, type FcContext } from '../../shared/fc/events';
import { claim, complete, release } from '../../shared/idempotency/guard';
import { payloadHash } from '../../shared/idempotency/key';
import { rememberJob } from '../../shared/backup/job-index';
import { startInvocation, type Invocation } from '../../shared/fc/invocation';
import type { BackupStatus } from '../../shared/backup/status';
import { parseTarget } from '../../shared/backup/targets';
import { earlier } from '../../shared/deadline';
import { waitForJob, isFinal } from '../../shared/backup/wait';
import { dispatchToWorker, type WorkerEvent } from '../../shared/fc/worker-dispatch';

// Time kept back at the end of an invocation to re-invoke ourselves: 5 s, less for a short timeout, so a short
// worker still waits most of its time instead of handing over at once, again and again.
const handoffMs = (context: FcContext) => Math.min(5_000, (context.function?.timeout ?? 60) * 200);

export async function handler(event: unknown, context: FcContext): Promise<Record<string, unknown>> {
  const inv = startInvocation(context);
  let work: WorkerEvent;
  try {
    work = parseWorkerEvent(event);
  } catch (e) {
    const err = toBackupError(e);
    inv.logger.error('worker event refused', { code: err.code, message: err.message });
    return { ok: false, error: err.toJSON() };
  }
  const log = inv.logger.child({ key: work.key, product: work.target.product, hop: work.hop ?? 0 });

  let outcome: BackupOutcome;
  try {
    outcome = await requestBackup(work.target, work.key, inv.deps);
    log.info('backup requested', { jobId: outcome.jobId, outcome: outcome.outcome });
  } catch (e) {
    const err = toBackupError(e);
    log.error('backup failed', { code: err.code, retryable: err.retryable, message: err.message });
    // Retryable: throw so FC's async retry redelivers; the record makes the redelivery safe.
    if (err.retryable) throw err;
    if (work.replyTo) await reportOnce(inv, work, failureText(work, err));
    return { ok: false, key: work.key, error: err.toJSON() };
  }
  if (!work.replyTo) return { ok: true, key: work.key, jobId: outcome.jobId, outcome: outcome.outcome };
  // A person asked: let `status <job-id>` find this job later.
  if (outcome.jobId) await rememberJob(inv.deps.store, outcome.jobId, work.target, inv.deps.recordTtlMs).catch(() => undefined);

  const caller = callerFor(work.target, inv.deps);
  const waitUntil = earlier(inv.deps.deadline, inv.deps.deadline.at - handoffMs(context));
  const status = await waitForJob(caller, outcome.instanceId, { jobId: outcome.jobId, backupId: outcome.backupId }, {
    deadline: waitUntil,
    pollMs: inv.config.pollMs,
  });
  if (!isFinal(status)) {
    const next = { ...work, hop: (work.hop ?? 0) + 1 };
    await dispatchToWorker({ context, functionName: inv.config.workerFunction, env: inv.deps.env, credentials: inv.deps.credentials, deadline: inv.deps.deadline }, next);
    log.info('job still running; handed over to the next worker invocation', { jobId: outcome.jobId, state: status.state, progress: status.progress });
    return { ok: true, key: work.key, jobId: outcome.jobId, state: status.state, handedOver: true };
  }
  await reportOnce(inv, work, resultText(work, outcome, status));
  return { ok: status.state === 'succeeded', key: work.key, jobId: outcome.jobId, state: status.state };
}

function parseWorkerEvent(event: unknown): WorkerEvent {
  const e = eventJson(event) as Partial<WorkerEvent> | null;
  if (!e || typeof e !== 'object') throw validationError([{ field: 'event', value: e, rule: 'must be a worker event object' }], 'worker event');
  if (typeof e.key !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(e.key)) {
    throw validationError([{ field: 'key', value: e.key, rule: 'must be an idempotency key' }], 'worker event');
  }
  const target = parseTarget(e.target, 'target');
  const replyTo = e.replyTo;
  if (replyTo !== undefined && !(replyTo && (replyTo.platform === 'slack' || replyTo.platform === 'dingtalk') && /^https?:\/\//.test(replyTo.url))) {
    throw validationError([{ field: 'replyTo', value: replyTo, rule: 'must be {"platform":"slack"|"dingtalk","url":"https://..."}' }], 'worker event');
  }
  return { key: e.key, target, replyTo, requestedBy: e.requestedBy, hop: typeof e.hop === 'number' ? e.hop : 0 };
}

/** Posts the result exactly once per backup, even if FC delivers this invocation again. */
async function reportOnce(inv: Invocation, work: WorkerEvent, text: string): Promise<void> {
  const replyTo = work.replyTo;
  if (!replyTo) return;
  const guard = { store: inv.deps.store, leaseMs: 60_000, ttlMs: inv.deps.recordTtlMs };
  // Another invocation posting right now is retried by FC (IdempotencyInProgress is retryable): if that one died
  // mid-post, its claim lapses and the retry posts.
  const c = await claim(`${work.key}_reply`, payloadHash(replyTo), guard);
  if (c.kind === 'replay') return;
  try {
    await postChatReply(replyTo, text);
  } catch (e) {
    await release(c.record, guard);
    throw e;
  }
  await complete(c.record, { posted: true }, guard);
  inv.logger.info('result posted', { key: work.key, platform: replyTo.platform });
}

const who = (w: WorkerEvent) => (w.requestedBy ? ` (asked by ${w.requestedBy})` : '');
const idOf = (o: BackupOutcome) => `${o.product} ${o.instanceId}`;

function resultText(work: WorkerEvent, o: BackupOutcome, s: BackupStatus): string {
  if (s.state === 'failed') return `Backup of ${idOf(o)} FAILED: job ${s.jobId ?? o.jobId} ended in failure${who(work)}. Check the instance's backup list in the console.`;
  const size = s.sizeBytes === undefined ? 'size unknown' : formatBytes(s.sizeBytes);
  const took = s.startedAt && s.finishedAt ? `, took ${formatDuration(Date.parse(s.finishedAt) - Date.parse(s.startedAt))}` : '';
  return `Backup of ${idOf(o)} succeeded: job ${s.jobId ?? o.jobId}, backup ${s.backupId ?? '?'}, ${size}${took}${who(work)}.`;
}

function failureText(work: WorkerEvent, e: BackupError): string {
  const id = 'DBClusterId' in work.target ? work.target.DBClusterId : work.target.DBInstanceId;
  return `Backup of ${work.target.product} ${id} was not taken: ${e.message}${who(work)}`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
