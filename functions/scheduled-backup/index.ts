// Timer trigger: back up every target of the trigger's payload (or BACKUP_TARGETS) exactly once per firing.
import { backupAll } from '../../shared/batch';
import { callerFor } from '../../shared/engine';
import { BackupError, toBackupError, validationError } from '../../shared/errors';
import { parseTimerEvent, type FcContext } from '../../shared/fc';
import { idempotencyKey } from '../../shared/idempotency/key';
import { startInvocation } from '../../shared/invocation';
import { instanceIdOf, parseTargets, type Target } from '../../shared/targets';

export async function handler(event: unknown, context: FcContext): Promise<Record<string, unknown>> {
  const inv = startInvocation(context);
  try {
    return await run(event, inv);
  } catch (raw) {
    const e = toBackupError(raw);
    inv.logger.error(e.retryable ? 'timer run failed; FC will redeliver' : 'timer run refused', { code: e.code, message: e.message });
    // Bad input is not retried by throwing: FC would redeliver the same bad event.
    if (!e.retryable) return { ok: false, error: e.toJSON() };
    throw e;
  }
}

async function run(event: unknown, inv: ReturnType<typeof startInvocation>): Promise<Record<string, unknown>> {
  const timer = parseTimerEvent(event);
  const payload = timer.payload as { targets?: unknown; dryRun?: unknown };
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw validationError([{ field: 'payload', value: payload, rule: 'must be an object like {"targets":[...]}' }], 'timer payload');
  }
  if (payload.dryRun !== undefined && typeof payload.dryRun !== 'boolean') {
    throw validationError([{ field: 'payload.dryRun', value: payload.dryRun, rule: 'must be true or false' }], 'timer payload');
  }
  const source = payload.targets !== undefined ? 'payload.targets' : 'BACKUP_TARGETS';
  const targets = parseTargets(payload.targets ?? inv.config.backupTargets, source);
  // Same firing (FC's retry or a redelivery) → same keys; the next firing → new keys.
  const keyOf = (t: Target) => idempotencyKey('timer', [inv.functionName, timer.triggerName, timer.triggerTime], t);

  if (payload.dryRun === true) {
    const calls = targets.map((t) => {
      const caller = callerFor(t, inv.deps);
      return { key: keyOf(t), product: t.product, endpoint: `${caller.endpoint.protocol}://${caller.endpoint.host}`, action: 'CreateBackup', query: caller.catalog.createQuery(t as never) };
    });
    inv.logger.info('dry run: no backup requested', { targets: calls.length });
    return { ok: true, dryRun: true, calls };
  }

  const results = await backupAll(targets.map((t) => ({ target: t, key: keyOf(t) })), inv.deps, inv.config.concurrency);
  const summary = {
    ok: results.every((r) => r.ok),
    triggerTime: timer.triggerTime,
    results: results.map((r) =>
      r.ok
        ? { product: r.target.product, instanceId: instanceIdOf(r.target), key: r.key, outcome: r.outcome.outcome, jobId: r.outcome.jobId }
        : { product: r.target.product, instanceId: instanceIdOf(r.target), key: r.key, outcome: 'failed', error: r.error.toJSON() },
    ),
  };
  const retryable = results.filter((r) => !r.ok && r.error.retryable);
  if (retryable.length > 0) {
    // Throwing makes FC redeliver the event; targets already done replay from their records at no cost.
    throw new BackupError({
      code: 'TargetsFailedRetryably',
      category: 'transient',
      message: `${retryable.length} of ${results.length} targets failed retryably; FC will redeliver the event`,
      details: { failed: retryable.map((r) => ({ key: r.key, code: (r as { error: BackupError }).error.code })) },
    });
  }
  return summary;
}
