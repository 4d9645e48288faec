// Timer trigger: back up every target of the trigger's payload (or BACKUP_TARGETS) exactly once per firing.
// Small fleets are backed up here; large ones are fanned out to backup-worker, one async invocation per target.
import { backupAll, mapLimit, type TargetResult } from '../../shared/backup/batch';
import { subjectOf, type DatabaseTags } from '../../shared/history/history';
import { partitionTargetsOrSelectors, resolveTargets, runLimit, type RefusedEntry } from '../../shared/backup/discovery';
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
import { outlastsHistory } from '../../shared/retention/policy';
import type { Alert } from '../../shared/notifications/alert';
import { notify } from '../../shared/notifications/notifier';
import { zeroMatchWarning } from '../../shared/report/covered';
import { recoverOnRedelivery } from '../../shared/tracking/redispatch';
import { notifierFor, outboxFor, redispatchFor } from '../../shared/tracking/wiring';

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
  // Each entry is validated on its own: a bad one is refused and named, the valid ones still run tonight.
  const { valid, refused } = partitionTargetsOrSelectors(payload.targets ?? inv.config.backupTargets, source);
  // Nothing valid at all is bad input, answered with every problem named (FC would only redeliver it).
  if (valid.length === 0) throw validationError(refused.flatMap((r) => r.issues), 'targets');
  const runKey = idempotencyKey('timer-run', [inv.functionName, timer.triggerName, timer.triggerTime], null);
  const warnings: string[] = [];
  const tagged: DatabaseTags[] = [];
  const targets = await resolveTargets(valid, inv.deps, {
    ...runLimit(inv.config.maxTargetsPerRun, payload.maxTargets, 'payload.maxTargets'),
    field: source,
    onSelector: (selector, matched, found) => {
      if (matched === 0) warnings.push(zeroMatchWarning(selector));
      for (const t of found) tagged.push({ product: t.product, instanceId: instanceIdOf(t), tags: selector.tags });
    },
  });
  // The tags each database was found by, for the dashboard; a store that fails here costs no backup.
  if (payload.dryRun !== true) await inv.history.noteTags(tagged).catch((e: unknown) => inv.logger.warn('tags not noted in the history', { code: toBackupError(e).code }));
  if (targets.length === 0 && refused.length === 0 && warnings.length === 0) warnings.push(`this run resolved to zero databases (${source})`);
  warnings.push(...outlastsHistory(targets, inv.config.historyRetentionMs));
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
    return { ok: true, dryRun: true, calls, ...(refused.length ? { refused: refused.map(refusedEntry) } : {}), ...(warnings.length ? { warnings } : {}) };
  }

  await raiseRunAlerts(runKey, refused, warnings, source, inv);
  if (targets.length > inv.config.fanoutThreshold && inv.config.workerFunction) return fanOut(targets, keyOf, context, inv, { refused, warnings, triggerTime: timer.triggerTime });

  // A target already refused for good in this firing (a redelivery) is not asked again: its refusal stands.
  const items = targets.map((t) => ({ target: t, key: keyOf(t) }));
  const settled = await Promise.all(items.map(async (i) => ((await inv.history.get(i.key).catch(() => undefined))?.state === 'not-requested' ? i.key : undefined)));
  const recorder = inv.history.recorder(TIMER);
  const unrecorded = new Set<string>();
  const onJob: typeof recorder = (o, t) => recorder(o, t).catch((e: unknown) => (unrecorded.add(o.key), Promise.reject(e)));
  // The trigger time anchors the look a fresh claim makes for a job of this very firing (a record lost from the store).
  const results = await backupAll(items.filter((i) => !settled.includes(i.key)), { ...inv.deps, onJob, scheduled: true, requestedAt: timer.triggerTime }, inv.config.concurrency);
  await recordFailures(results, inv);
  // A replayed outcome whose first delivery could not record it (the store failed then) is recorded now.
  await Promise.all(results.map((r) => (r.ok && r.outcome.outcome === 'replayed' ? recorder(r.outcome, r.target).catch(() => undefined) : undefined)));
  const failed = [
    ...results.filter((r) => !r.ok).map((r) => ({ key: r.key, code: r.ok ? undefined : r.error.code, retryable: !r.ok && r.error.retryable })),
    // Taken but not recorded for tracking (the store failed): the redelivery replays it and records it.
    ...[...unrecorded].map((key) => ({ key, code: 'HistoryUnavailable', retryable: true })),
  ];
  const summary = {
    ok: failed.length === 0 && refused.length === 0 && settled.every((k) => k === undefined) && warnings.length === 0,
    triggerTime: timer.triggerTime,
    results: results.map((r) =>
      r.ok
        ? { product: r.target.product, instanceId: instanceIdOf(r.target), key: r.key, outcome: r.outcome.outcome, jobId: r.outcome.jobId }
        : { product: r.target.product, instanceId: instanceIdOf(r.target), key: r.key, outcome: 'failed', error: r.error.toJSON() },
    ),
    ...(refused.length ? { refused: refused.map(refusedEntry) } : {}),
    ...(warnings.length ? { warnings } : {}),
  };
  const alreadyRefused = settled.filter((k): k is string => k !== undefined).map((key) => ({ key, code: 'NotRequested', retryable: false }));
  const invalid = refused.map((r) => ({ key: `${source}[${r.index}]`, code: 'ValidationError', retryable: false }));
  // Any target that failed after its retries (or was refused as invalid) fails the invocation, so FC's metrics and
  // its async failure destination see the night went wrong; a redelivery redoes only what failed retryably.
  const all = [...failed, ...alreadyRefused, ...invalid];
  if (all.length > 0) throw targetsFailed(all, items.length + refused.length, summary);
  return summary;
}

const refusedEntry = (r: RefusedEntry) => ({ index: r.index, outcome: 'refused', error: { code: 'ValidationError', message: r.issues.map((i) => `${i.field}: ${JSON.stringify(i.value)} — ${i.rule}`).join('; ') } });

/** Entries refused as invalid and selectors that matched nothing: logged, and alerted once per firing. */
async function raiseRunAlerts(runKey: string, refused: RefusedEntry[], warnings: string[], source: string, inv: Invocation): Promise<void> {
  const at = new Date().toISOString();
  const alerts: Alert[] = [
    ...refused.map((r): Alert => {
      const e = refusedEntry(r).error;
      inv.logger.error('target refused: not a valid target; the others run', { index: r.index, source, message: e.message });
      return { id: `refused:${runKey}:${r.index}`, kind: 'not-requested', title: `Backup target ${source}[${r.index}] refused: not a valid target`, code: e.code, message: e.message, action: `Fix ${source}[${r.index}] (the other targets ran).`, at };
    }),
    ...warnings.map((w, i): Alert => {
      inv.logger.warn('selector matched no database', { source, warning: w });
      return { id: `zero-match:${runKey}:${i}`, kind: 'zero-match', title: 'A backup selector matched no database', code: 'ZeroMatch', message: w, action: `Check the tags on the instances and the selector in ${source}: a tag was probably renamed or removed, so those databases were not backed up.`, at };
    }),
  ];
  if (alerts.length === 0) return;
  const outbox = outboxFor(inv);
  const notifier = notifierFor(inv);
  // Kept in the outbox first: what this invocation cannot deliver now, the tracker delivers.
  for (const a of alerts) {
    await outbox.put(a).catch((e: unknown) => inv.logger.error('alert not queued', { alert: a.id, code: toBackupError(e).code }));
    if (await notify(a, notifier)) await outbox.done(a.id).catch(() => undefined);
  }
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
async function fanOut(
  targets: Target[],
  keyOf: (t: Target) => string,
  context: FcContext,
  inv: Invocation,
  run: { refused: RefusedEntry[]; warnings: string[]; triggerTime: string },
): Promise<Record<string, unknown>> {
  const pace = createPacer(inv.config.fanoutRatePerSec);
  const dispatch = { context, functionName: inv.config.workerFunction, env: inv.deps.env, credentials: inv.deps.credentials, deadline: inv.deps.deadline };
  const results = await mapLimit(targets, inv.config.concurrency, async (target) => {
    await pace();
    const key = keyOf(target);
    try {
      // Recorded before the hand-over: a task FC loses for good is found by the tracker and dispatched again.
      const record = await inv.history.expect(subjectOf(key, target, TIMER));
      const sent = await dispatchToWorker(dispatch, { key, target, trigger: 'timer', requestedAt: run.triggerTime });
      // FC still has the task id (409): done only if its worker got somewhere. A task FC gave up on is sent again
      // under a new task id; the key keeps it to one backup.
      if (sent.duplicate) await recoverOnRedelivery(record, redispatchFor(inv, context));
      return { key, ...sent, error: undefined };
    } catch (e) {
      const error = toBackupError(e);
      inv.logger.error('fan-out dispatch failed', { key, product: target.product, instanceId: instanceIdOf(target), code: error.code });
      return { key, taskId: key, duplicate: false, error };
    }
  });
  const failed = results.filter((r) => r.error);
  const summary = {
    ok: failed.length === 0 && run.refused.length === 0 && run.warnings.length === 0,
    fannedOut: true,
    dispatched: results.length - failed.length,
    duplicates: results.filter((r) => r.duplicate).length,
    failed: failed.length,
    ...(run.refused.length ? { refused: run.refused.map(refusedEntry) } : {}),
    ...(run.warnings.length ? { warnings: run.warnings } : {}),
  };
  inv.logger.info('fan-out done', summary);
  // Redelivering the whole event is safe: dispatched targets come back as duplicates of their task ids.
  const invalid = run.refused.map((r) => ({ key: `target ${r.index}`, code: 'ValidationError', retryable: false }));
  if (failed.length + invalid.length > 0) {
    throw targetsFailed([...failed.map((r) => ({ key: r.key, code: r.error?.code, retryable: r.error?.retryable ?? false })), ...invalid], results.length + invalid.length, summary);
  }
  return summary;
}

const targetsFailed = (failed: { key: string; code?: string; retryable: boolean }[], total: number, summary: Record<string, unknown>) => {
  const retryably = failed.filter((f) => f.retryable).length;
  return new BackupError({
    code: retryably > 0 ? 'TargetsFailedRetryably' : 'TargetsFailed',
    category: 'transient',
    message:
      `${failed.length} of ${total} targets failed` +
      (retryably > 0 ? ` (${retryably} retryably: FC redelivers the event and finishes them; the others replay from their records).` : ' for good (recorded and alerted; a redelivery does not ask again).'),
    details: { failed, summary },
  });
};
