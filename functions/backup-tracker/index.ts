// The tracker: every minute, sweeps every outstanding backup and records how it ended, posts chat results, sends
// alerts, dispatches lost worker tasks again, and sends the daily digest. Three events:
//   - its timer (any event that is neither of the others): the whole sweep, fanned out by shard when large;
//   - {"shard": n}: one shard, from a fanned-out sweep;
//   - FC's async failure destination of backup-worker (the failed task's event in requestPayload): that task, if the
//     history holds its key, is dispatched again (or given up and alerted) at once; anything else is logged and ignored.
import { looksLikeDestinationEvent, parseDestinationEvent, type FailedTask } from '../../shared/fc/async-destination';
import { eventJson, type FcContext } from '../../shared/fc/events';
import { startInvocation, type Invocation } from '../../shared/fc/invocation';
import { invokeAsync } from '../../shared/fc/worker-dispatch';
import { SHARDS } from '../../shared/history/history';
import { isFinalState } from '../../shared/history/record';
import { notify } from '../../shared/notifications/notifier';
import { recoverDispatch } from '../../shared/tracking/redispatch';
import { emptyStats, sweepShard, type SweepStats } from '../../shared/tracking/sweep';
import { driftFor, dutiesFor, notifierFor, outboxFor, redispatchFor, sweepFor, watchFor } from '../../shared/tracking/wiring';
import { watchPosture } from '../../shared/posture/drift';
import { watchRestorePoints } from '../../shared/restore-points/watch';
import { performDuties } from '../../shared/tracking/duties';
import { sendDigestIfDue } from '../../shared/report/digest';
import { toBackupError } from '../../shared/errors';
import { drillLogFor } from '../../shared/drill/log';

export async function handler(event: unknown, context: FcContext): Promise<Record<string, unknown>> {
  const inv = startInvocation(context);
  let e: Record<string, unknown> | null;
  try {
    e = eventJson(event) as Record<string, unknown> | null;
  } catch (err) {
    // Neither FC's timer nor its destination sends anything but JSON: not ours to act on, and no retry would help.
    inv.logger.warn('tracker event ignored: not JSON', { code: toBackupError(err).code });
    return { ok: false, ignored: 'not-json' };
  }
  if (e && typeof e === 'object' && Number.isInteger(e.shard)) return sweepOne(Number(e.shard), inv, context);
  if (looksLikeDestinationEvent(e)) {
    const parsed = parseDestinationEvent(e);
    if (!parsed.ok) {
      inv.logger.warn('async destination event ignored: not the shape FC sends', { code: parsed.error.code, message: parsed.error.message });
      return { ok: false, ignored: 'malformed' };
    }
    return recoverFailedTask(parsed.task, inv, context);
  }
  return sweepAll(inv, context, typeof e?.triggerTime === 'string' ? e.triggerTime : undefined);
}

async function sweepAll(inv: Invocation, context: FcContext, triggerTime?: string): Promise<Record<string, unknown>> {
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
  const drills = await followDrills(inv, context, triggerTime).catch((err: unknown) => {
    inv.logger.warn('restore drills not followed now; the next sweep asks again', { code: toBackupError(err).code });
    return 0;
  });
  // After the records: a loss of restore points is news within one watch interval, and never blocks the sweep.
  const watch = await watchRestorePoints(watchFor(inv)).catch((err: unknown) => {
    inv.logger.warn('restore-point watch skipped; the next sweep tries again', { code: toBackupError(err).code });
    return undefined;
  });
  const drift = await watchPosture(driftFor(inv)).catch((err: unknown) => {
    inv.logger.warn('posture drift check skipped; the next sweep tries again', { code: toBackupError(err).code });
    return undefined;
  });
  const digest = await sendDigestIfDue(inv).catch((err: unknown) => {
    inv.logger.warn('daily digest not sent; the next sweep retries', { code: toBackupError(err).code });
    return false;
  });
  const summary = { ok: true, outstanding, ...(fannedOut ? { fannedOut } : {}), ...stats, alertsSent: alerts, ...(watch && watch.watched + watch.failed > 0 ? { restorePoints: watch } : {}), ...(drift && drift.checked > 0 ? { posture: drift } : {}), ...(digest ? { digest: true } : {}), ...(drills ? { drillsOpen: drills } : {}) };
  // An idle sweep is not news: it logs at debug; one that did something stays at info.
  const idle = outstanding === 0 && alerts === 0 && !drills && !digest && !('restorePoints' in summary) && !('posture' in summary);
  inv.logger[idle ? 'debug' : 'info']('sweep done', summary);
  return summary;
}

/**
 * Open restore drills are followed by restore-drill, whose role alone may create and release instances: one async
 * task per timer firing (its id, from the firing's time, drops a redelivered event's second), only while a drill is open.
 */
async function followDrills(inv: Invocation, context: FcContext, triggerTime?: string): Promise<number> {
  if (!inv.config.drillFunction) return 0;
  const open = await drillLogFor(inv.deps.store).openIds();
  if (open.length === 0) return 0;
  const firing = (triggerTime ?? new Date().toISOString().slice(0, 16)).replace(/\D/g, '').slice(0, 17);
  const dispatch = { context, functionName: inv.config.drillFunction, env: inv.deps.env, credentials: inv.deps.credentials, deadline: inv.deps.deadline };
  await invokeAsync(dispatch, { follow: true }, `fcdb_drillfollow_${firing}`);
  return open.length;
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

/**
 * Every dispatcher records its task before handing it over (chatops, the deploy gate, the timer), so a key the
 * history does not hold was never ours: a crafted event must not become a backup. The redispatch is built from the
 * record alone; nothing else in the event is read.
 */
async function recoverFailedTask(task: FailedTask, inv: Invocation, context: FcContext): Promise<Record<string, unknown>> {
  const { key } = task;
  const record = await inv.history.get(key);
  if (!record) {
    inv.logger.warn('async destination event ignored: the history holds no backup with this key', { key, fcRequestId: task.requestId, condition: task.condition });
    return { ok: false, ignored: 'unknown-key', key };
  }
  if (isFinalState(record.state) || record.state === 'running') return { ok: true, key, state: record.state };
  const how = await recoverDispatch(record, redispatchFor(inv, context), { now: true });
  inv.logger.warn('backup-worker task failed for good', { key, product: record.product, instanceId: record.instanceId, fcRequestId: task.requestId, condition: task.condition, recovery: how });
  if (how === 'lost') {
    const final = await inv.history.get(key);
    if (final) await performDuties(final, dutiesFor(inv));
  }
  return { ok: true, key, recovery: how };
}
