// Timer trigger: back up every target of the trigger's payload (or BACKUP_TARGETS) exactly once per firing.
// Small fleets are backed up here; large ones are fanned out to backup-worker, one async invocation per target.
import { backupAll, mapLimit, type TargetResult } from '../../shared/backup/batch';
import { subjectOf } from '../../shared/history/history';
import { parseTargetsOrSelectors, resolveTargets, runLimit } from '../../shared/backup/discovery';
import { planBackup } from '../../shared/backup/dry-run';
import { callerFor } from '../../shared/backup/engine';
import { BackupError, toBackupError, validationError } from '../../shared/errors';
import { parseTimerEvent, type FcContext } from '../../shared/fc/events';
import { idempotencyKey } from '../../shared/idempotency/key';
import { startInvocation, type Invocation } from '../../shared/fc/invocation';
import { createPacer } from '../../shared/fc/pacer';
import { instanceIdOf, type Target } from '../../shared/backup/targets';
import { dispatchToWorker } from '../../shared/fc/worker-dispatch';
import { wouldDelete } from '../../shared/retention/enforce';

interface TimerPayload {
  targets?: unknown;
  dryRun?: boolean;
  /** A per-run limit below MAX_TARGETS_PER_RUN. */
  maxTargets?: number;
}

export async function handler(event: unknown, context: FcContext): Promise<Record<string, unknown>> {
  const inv = startInvocation(context);
  try {
    return await run(event, context, inv);
  } catch (raw) {
    const e = toBackupError(raw);
    inv.logger.error(e.retryable ? 'timer run failed; FC will redeliver' : 'timer run refused', { code: e.code, message: e.message });
    // Bad input is answered, not thrown: FC would only redeliver the same bad event.
    if (!e.retryable) return { ok: false, error: e.toJSON() };
    throw e;
  }
}

function parsePayload(payload: unknown): TimerPayload {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw validationError([{ field: 'payload', value: payload, rule: 'must be an object like {"targets":[...]}' }], 'timer payload');
  }
  const p = payload as TimerPayload;
  const issues = [];
  if (p.dryRun !== undefined && typeof p.dryRun !== 'boolean') issues.push({ field: 'payload.dryRun', value: p.dryRun, rule: 'must be true or false' });
  if (p.maxTargets !== undefined && !(Number.isInteger(p.maxTargets) && p.maxTargets > 0)) {
    issues.push({ field: 'payload.maxTargets', value: p.maxTargets, rule: 'must be a positive whole number' });
  }
  if (issues.length > 0) throw validationError(issues, 'timer payload');
  return p;
}

async function run(event: unknown, context: FcContext, inv: Invocation): Promise<Record<string, unknown>> {
  const timer = parseTimerEvent(event);
  const payload = parsePayload(timer.payload);
  const source = payload.targets !== undefined ? 'payload.targets' : 'BACKUP_TARGETS';
  const items = parseTargetsOrSelectors(payload.targets ?? inv.config.backupTargets, source);
  const targets = await resolveTargets(items, inv.deps, runLimit(inv.config.maxTargetsPerRun, payload.maxTargets, 'payload.maxTargets'));
  // Same firing (FC's retry or a redelivery) → same keys; the next firing → new keys.
  const keyOf = (t: Target) => idempotencyKey('timer', [inv.functionName, timer.triggerName, timer.triggerTime], t);

  if (payload.dryRun === true) {
    // The same firing's keys: a firing already done says which jobs it would replay. Where it would create a
    // backup, retention says what it would delete first (reads only).
    const calls = await mapLimit(targets, inv.config.concurrency, async (t) => {
      const call = await planBackup(t, keyOf(t), inv.deps);
      if (call.action === 'replay' || call.action === 'wait') return call;
      return { ...call, retention: await wouldDelete(t, callerFor(t, inv.deps), inv.retention) };
    });
    inv.logger.info('dry run: no backup requested', { targets: calls.length });
    return { ok: true, dryRun: true, calls };
  }

  if (targets.length > inv.config.fanoutThreshold && inv.config.workerFunction) return fanOut(targets, keyOf, context, inv);

  const results = await backupAll(targets.map((t) => ({ target: t, key: keyOf(t) })), { ...inv.deps, onJob: inv.history.recorder(TIMER) }, inv.config.concurrency);
  await recordFailures(results, inv);
  const failedRetryably = results.flatMap((r) => (!r.ok && r.error.retryable ? [{ key: r.key, code: r.error.code }] : []));
  const summary = {
    ok: results.every((r) => r.ok),
    triggerTime: timer.triggerTime,
    results: results.map((r) =>
      r.ok
        ? { product: r.target.product, instanceId: instanceIdOf(r.target), key: r.key, outcome: r.outcome.outcome, jobId: r.outcome.jobId }
        : { product: r.target.product, instanceId: instanceIdOf(r.target), key: r.key, outcome: 'failed', error: r.error.toJSON() },
    ),
  };
  if (failedRetryably.length > 0) throw retryLater(failedRetryably, results.length);
  return summary;
}

const TIMER = { trigger: 'timer' } as const;

/**
 * A target refused for good is recorded as not requested (and alerted by the tracker). One that failed retryably is
 * recorded as dispatched: if FC's redeliveries all fail too, the tracker finds it lost and hands it to the worker.
 */
async function recordFailures(results: TargetResult[], inv: Invocation): Promise<void> {
  await Promise.all(
    results.map(async (r) => {
      if (r.ok) return;
      const subject = subjectOf(r.key, r.target, TIMER);
      await (r.error.retryable ? inv.history.expect(subject) : inv.history.refused(subject, r.error)).catch((e: unknown) =>
        inv.logger.error('could not record a failed target', { key: r.key, code: toBackupError(e).code }),
      );
    }),
  );
}

/** One async worker invocation per target, paced; the task id (from the key) lets FC drop duplicates. */
async function fanOut(targets: Target[], keyOf: (t: Target) => string, context: FcContext, inv: Invocation): Promise<Record<string, unknown>> {
  const pace = createPacer(inv.config.fanoutRatePerSec);
  const dispatch = { context, functionName: inv.config.workerFunction, env: inv.deps.env, credentials: inv.deps.credentials, deadline: inv.deps.deadline };
  const results = await mapLimit(targets, inv.config.concurrency, async (target) => {
    await pace();
    const key = keyOf(target);
    try {
      // Recorded before the hand-over: a task FC loses for good is found by the tracker and dispatched again.
      await inv.history.expect(subjectOf(key, target, TIMER));
      return { key, ...(await dispatchToWorker(dispatch, { key, target, trigger: 'timer' })), error: undefined };
    } catch (e) {
      const error = toBackupError(e);
      inv.logger.error('fan-out dispatch failed', { key, product: target.product, instanceId: instanceIdOf(target), code: error.code });
      return { key, taskId: key, duplicate: false, error };
    }
  });
  const failed = results.filter((r) => r.error);
  const summary = { ok: failed.length === 0, fannedOut: true, dispatched: results.length - failed.length, duplicates: results.filter((r) => r.duplicate).length, failed: failed.length };
  inv.logger.info('fan-out done', summary);
  // Redelivering the whole event is safe: dispatched targets come back as duplicates of their task ids.
  if (failed.some((r) => r.error?.retryable)) throw retryLater(failed.map((r) => ({ key: r.key, code: r.error?.code })), results.length);
  return summary;
}

const retryLater = (failed: { key: string; code?: string }[], total: number) =>
  new BackupError({
    code: 'TargetsFailedRetryably',
    category: 'transient',
    message: `${failed.length} of ${total} targets failed retryably; FC will redeliver the event and finish them (the others replay from their records).`,
    details: { failed },
  });
