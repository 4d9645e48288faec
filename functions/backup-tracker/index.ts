// The tracker: every minute, sweeps every outstanding backup and records how it ended, posts chat results, sends
// alerts, dispatches lost worker tasks again, and sends the daily digest. Three events:
//   - its timer (any event that is neither of the others): the whole sweep, fanned out by shard when large;
//   - {"shard": n}: one shard, from a fanned-out sweep;
//   - FC's async failure destination of backup-worker (the failed task's event in requestPayload): that task is
//     dispatched again (or given up and alerted) at once.
import { eventJson, type FcContext } from '../../shared/fc/events';
import { startInvocation, type Invocation } from '../../shared/fc/invocation';
import { invokeAsync, type WorkerEvent } from '../../shared/fc/worker-dispatch';
import { SHARDS, subjectOf } from '../../shared/history/history';
import { isFinalState } from '../../shared/history/record';
import { notify } from '../../shared/notifications/notifier';
import { recoverDispatch } from '../../shared/tracking/redispatch';
import { emptyStats, sweepShard, type SweepStats } from '../../shared/tracking/sweep';
import { dutiesFor, notifierFor, outboxFor, redispatchFor, sweepFor, watchFor } from '../../shared/tracking/wiring';
import { watchRestorePoints } from '../../shared/restore-points/watch';
import { performDuties } from '../../shared/tracking/duties';
import { sendDigestIfDue } from '../../shared/report/digest';
import { toBackupError } from '../../shared/errors';

export async function handler(event: unknown, context: FcContext): Promise<Record<string, unknown>> {
  const inv = startInvocation(context);
  const e = eventJson(event) as Record<string, unknown> | null;
  if (e && typeof e === 'object' && Number.isInteger(e.shard)) return sweepOne(Number(e.shard), inv, context);
  const failed = failedWorkerTask(e);
  if (failed) return recoverFailedTask(failed, inv, context);
  return sweepAll(inv, context);
}

async function sweepAll(inv: Invocation, context: FcContext): Promise<Record<string, unknown>> {
  const counts = await Promise.all(Array.from({ length: SHARDS }, (_, s) => inv.history.outstanding(s)));
  const outstanding = counts.reduce((a, b) => a + b, 0);
  const stats = emptyStats();
  let fannedOut = 0;
  if (outstanding > inv.config.trackerShardCapacity && inv.config.trackerFunction) {
    // One invocation per shard that has work, with a task id per minute and shard: a redelivered timer event
    // starts no second sweep of the same shard.
    const minute = new Date().toISOString().slice(0, 16).replace(/\D/g, '');
    const dispatch = { context, functionName: inv.config.trackerFunction, env: inv.deps.env, credentials: inv.deps.credentials, deadline: inv.deps.deadline };
    for (const [shard, n] of counts.entries()) {
      if (n === 0) continue;
      await invokeAsync(dispatch, { shard }, `fcdb_sweep_${minute}_${shard}`);
      fannedOut++;
    }
  } else {
    const deps = sweepFor(inv, context);
    for (let shard = 0; shard < SHARDS; shard++) if (counts[shard]) await sweepShard(shard, deps, stats);
  }
  const alerts = await drainOutbox(inv);
  // After the records: a loss of restore points is news within one watch interval, and never blocks the sweep.
  const watch = await watchRestorePoints(watchFor(inv)).catch((err: unknown) => {
    inv.logger.warn('restore-point watch skipped; the next sweep tries again', { code: toBackupError(err).code });
    return undefined;
  });
  const digest = await sendDigestIfDue(inv).catch((err: unknown) => {
    inv.logger.warn('daily digest not sent; the next sweep retries', { code: toBackupError(err).code });
    return false;
  });
  const summary = { ok: true, outstanding, ...(fannedOut ? { fannedOut } : {}), ...stats, alertsSent: alerts, ...(watch && watch.watched + watch.failed > 0 ? { restorePoints: watch } : {}), ...(digest ? { digest: true } : {}) };
  inv.logger.info('sweep done', summary);
  return summary;
}

async function sweepOne(shard: number, inv: Invocation, context: FcContext): Promise<Record<string, unknown>> {
  const stats: SweepStats = await sweepShard(shard, sweepFor(inv, context));
  inv.logger.info('shard sweep done', { shard, ...stats });
  return { ok: true, shard, ...stats };
}

/** Outbox alerts (no backup record behind them) the raising invocation could not deliver. */
async function drainOutbox(inv: Invocation): Promise<number> {
  const outbox = outboxFor(inv);
  let sent = 0;
  for (const alert of await outbox.pending(100)) {
    if (await notify(alert, notifierFor(inv))) {
      await outbox.done(alert.id);
      sent++;
    }
  }
  return sent;
}

/** FC's destination event names the failed invocation's payload; accept it as a string or as JSON. */
function failedWorkerTask(e: Record<string, unknown> | null): WorkerEvent | undefined {
  const raw = e?.requestPayload ?? e?.request_payload;
  let payload: unknown = raw;
  if (typeof raw === 'string') {
    try {
      payload = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  const w = payload as Partial<WorkerEvent> | undefined;
  return w && typeof w.key === 'string' && w.target && typeof w.target === 'object' ? (w as WorkerEvent) : undefined;
}

async function recoverFailedTask(w: WorkerEvent, inv: Invocation, context: FcContext): Promise<Record<string, unknown>> {
  const origin = { trigger: w.trigger ?? (w.replyTo ? 'chat' : 'timer'), ...(w.deployId ? { deployId: w.deployId } : {}), ...(w.replyTo ? { replyTo: w.replyTo } : {}), ...(w.requestedBy ? { requestedBy: w.requestedBy } : {}) } as const;
  const record = (await inv.history.get(w.key)) ?? (await inv.history.expect(subjectOf(w.key, w.target, origin)));
  if (isFinalState(record.state) || record.state === 'running') return { ok: true, key: w.key, state: record.state };
  const how = await recoverDispatch(record, redispatchFor(inv, context), { now: true });
  inv.logger.warn('backup-worker task failed for good', { key: w.key, product: w.target.product, recovery: how });
  if (how === 'lost') {
    const final = await inv.history.get(w.key);
    if (final) await performDuties(final, dutiesFor(inv));
  }
  return { ok: true, key: w.key, recovery: how };
}
