// Async worker: takes one backup (idempotently, by the key it was given) and ends. It does not wait for the job:
// the history records it as outstanding and the tracker (functions/backup-tracker) records its end and posts the
// result where the request came from, so tracking costs the same for a 1-minute job and a 10-hour one.
import { requestBackup } from '../../shared/backup/engine';
import { checkReplyUrl } from '../../shared/chat/reply-url';
import { BackupError, toBackupError, validationError } from '../../shared/errors';
import { eventJson, type FcContext } from '../../shared/fc/events';
import { startInvocation } from '../../shared/fc/invocation';
import { parseTarget } from '../../shared/backup/targets';
import type { WorkerEvent } from '../../shared/fc/worker-dispatch';
import { subjectOf } from '../../shared/history/history';
import type { Origin } from '../../shared/history/record';
import { performDuties } from '../../shared/tracking/duties';
import { dutiesFor } from '../../shared/tracking/wiring';

const TRIGGERS: readonly Origin['trigger'][] = ['timer', 'deploy', 'chat', 'cli'];

export async function handler(event: unknown, context: FcContext): Promise<Record<string, unknown>> {
  const inv = startInvocation(context);
  let work: WorkerEvent;
  try {
    work = parseWorkerEvent(event, inv.config.chatReplyLocalReceiver);
  } catch (e) {
    const err = toBackupError(e);
    inv.logger.error('worker event refused', { code: err.code, message: err.message });
    return { ok: false, error: err.toJSON() };
  }
  const log = inv.logger.child({ key: work.key, product: work.target.product, ...(work.redispatch ? { redispatch: work.redispatch } : {}) });
  const subject = subjectOf(work.key, work.target, originOf(work));
  let unrecorded: unknown;
  const onJob = async (o: { jobId?: string; backupId?: string; region: string; requestedAt: string; originUncertain?: true; outcome?: string }) => {
    try {
      return await inv.history.requested(subject, o);
    } catch (e) {
      unrecorded = e;
      throw e;
    }
  };

  try {
    const outcome = await requestBackup(work.target, work.key, { ...inv.deps, onJob, scheduled: subject.origin.trigger === 'timer', ...(work.requestedAt ? { requestedAt: work.requestedAt } : {}) });
    // A replay (FC delivered the task again) finds its record already there; this only repairs a missing one.
    if (outcome.outcome === 'replayed') await inv.history.requested(subject, outcome);
    // Taken but not recorded (the store failed): FC's retry replays or reconciles it and records it then, so the
    // tracker can follow it and post its result.
    if (unrecorded) throw new BackupError({ code: 'HistoryUnavailable', category: 'transient', message: 'The backup was requested but could not be recorded for tracking; FC retries the task to record it.', cause: unrecorded });
    log.info('backup requested', { jobId: outcome.jobId, backupId: outcome.backupId, outcome: outcome.outcome });
    return { ok: true, key: work.key, jobId: outcome.jobId, outcome: outcome.outcome };
  } catch (e) {
    const err = toBackupError(e);
    log.error('backup failed', { code: err.code, retryable: err.retryable, message: err.message });
    // Retryable: throw so FC's async retry redelivers; the record makes the redelivery safe, and if FC gives up the
    // tracker dispatches the task again.
    if (err.retryable) throw err;
    // Refused for good: recorded, and the person who asked (and the alert channels) told now, not at the next sweep.
    const refused = await inv.history.refused(subject, err).catch((storeErr: unknown) => {
      log.error('refusal could not be recorded', { code: toBackupError(storeErr).code });
      return undefined;
    });
    if (refused) await performDuties(refused, dutiesFor(inv)).catch(() => undefined);
    return { ok: false, key: work.key, error: err.toJSON() };
  }
}

function originOf(w: WorkerEvent): Origin {
  return {
    trigger: w.trigger ?? (w.replyTo ? 'chat' : 'timer'),
    ...(w.deployId ? { deployId: w.deployId } : {}),
    ...(w.replyTo ? { replyTo: w.replyTo } : {}),
    ...(w.requestedBy ? { requestedBy: w.requestedBy } : {}),
  };
}

function parseWorkerEvent(event: unknown, localReceiver: string | undefined): WorkerEvent {
  const e = eventJson(event) as Partial<WorkerEvent> | null;
  if (!e || typeof e !== 'object') throw validationError([{ field: 'event', value: e, rule: 'must be a worker event object' }], 'worker event');
  if (typeof e.key !== 'string' || !/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(e.key)) {
    throw validationError([{ field: 'key', value: e.key, rule: 'must be an idempotency key' }], 'worker event');
  }
  const target = parseTarget(e.target, 'target');
  const replyTo = e.replyTo;
  // Checked again here, not only at ingress: whatever put this event in the queue, a result is posted only to the
  // platforms' own hosts (shared/chat/reply-url.ts; the tracker's postChatReply checks once more).
  if (replyTo !== undefined && !(replyTo && (replyTo.platform === 'slack' || replyTo.platform === 'dingtalk') && checkReplyUrl(replyTo.platform, replyTo.url, localReceiver).ok)) {
    throw validationError([{ field: 'replyTo', value: replyTo, rule: 'must be {"platform":"slack"|"dingtalk","url":"https://hooks.slack.com/commands/… or https://oapi.dingtalk.com/robot/sendBySession…"}' }], 'worker event');
  }
  if (e.trigger !== undefined && !TRIGGERS.includes(e.trigger)) throw validationError([{ field: 'trigger', value: e.trigger, rule: `must be one of ${TRIGGERS.join(', ')}` }], 'worker event');
  return {
    key: e.key,
    target,
    replyTo,
    requestedBy: typeof e.requestedBy === 'string' ? e.requestedBy : undefined,
    trigger: e.trigger,
    deployId: typeof e.deployId === 'string' ? e.deployId : undefined,
    redispatch: typeof e.redispatch === 'number' ? e.redispatch : undefined,
    requestedAt: typeof e.requestedAt === 'string' && !Number.isNaN(Date.parse(e.requestedAt)) ? e.requestedAt : undefined,
  };
}
