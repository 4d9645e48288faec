// Restore drills: restores a backup of each database the operator's DRILL_TARGETS covers to a temporary instance,
// proves it, and releases it. Three events, and none names an instance to create from or release:
//   - its timer (weekly by default; payload {"dryRun": true} says what it would create and changes nothing): plans
//     the period and starts the first drills;
//   - {"follow": true}, sent by the tracker each minute while drills are open: one step of every open drill, then the
//     next drills of the period as earlier ones end;
//   - {"run": {"product", "instanceId"}, "trigger", "requestedBy"?, "replyTo"?, "dryRun"?} from chat's `drill` and
//     the CLI: a drill now of a database DRILL_TARGETS already covers, with that configuration; anything else refused.
// Everything it creates or deletes comes from the drills' own records (shared/drill/ownership.ts).
import { mapLimit } from '../../shared/backup/batch';
import { postChatReply } from '../../shared/chat/reply';
import { drillPlanText, drillStartedMessage } from '../../shared/drill/messages';
import { parseRunEvent, type RunEvent } from '../../shared/drill/run-event';
import { startDrill } from '../../shared/drill/start';
import { followDrill } from '../../shared/drill/follow';
import { planPeriod, startNext } from '../../shared/drill/schedule';
import { drillDepsFor } from '../../shared/drill/wiring';
import { toBackupError, validationError } from '../../shared/errors';
import { eventJson, parseTimerEvent, type FcContext } from '../../shared/fc/events';
import { startInvocation, type Invocation } from '../../shared/fc/invocation';

export async function handler(event: unknown, context: FcContext): Promise<Record<string, unknown>> {
  const inv = startInvocation(context);
  try {
    const e = eventJson(event) as Record<string, unknown> | null;
    if (e && typeof e === 'object' && e.follow === true && Object.keys(e).length === 1) return await follow(inv, context);
    if (e && typeof e === 'object' && 'run' in e) {
      const run = parseRunEvent(e);
      return await runNow(run, inv, context).catch(async (raw: unknown) => {
        // Chat already said the drill was asked for: a refusal here is posted back, or the asker never hears.
        const err = toBackupError(raw);
        if (run.replyTo && !err.retryable) {
          await postChatReply(run.replyTo, `Restore drill of ${run.run.product} ${run.run.instanceId} refused: ${err.message}`, { localReceiver: inv.config.chatReplyLocalReceiver }).catch(() => undefined);
        }
        throw err;
      });
    }
    return await timer(event, inv, context);
  } catch (raw) {
    const err = toBackupError(raw);
    inv.logger.error(err.retryable ? 'restore drill run failed; retried' : 'restore drill run refused', { code: err.code, message: err.message });
    if (!err.retryable) return { ok: false, error: err.toJSON() };
    throw err;
  }
}

async function timer(event: unknown, inv: Invocation, context: FcContext): Promise<Record<string, unknown>> {
  const t = parseTimerEvent(event);
  const payload = t.payload as { dryRun?: unknown };
  const extra = Object.keys(payload).filter((k) => k !== 'dryRun');
  // The operator's configuration alone says what is drilled: a payload naming databases or instances is refused.
  if (extra.length > 0) throw validationError(extra.map((k) => ({ field: `payload.${k}`, value: payload[k as keyof typeof payload], rule: 'is not accepted: drills are configured by DRILL_TARGETS and DRILL_* only' })), 'drill timer payload');
  if (payload.dryRun !== undefined && typeof payload.dryRun !== 'boolean') throw validationError([{ field: 'payload.dryRun', value: payload.dryRun, rule: 'must be true or false' }], 'drill timer payload');
  const d = drillDepsFor(inv, context);
  const out = await planPeriod(d, { dryRun: payload.dryRun === true });
  if (payload.dryRun) {
    for (const p of out.plans) inv.logger.info(drillPlanText(p));
    return { ok: true, dryRun: true, period: out.period, sources: out.sources, plans: out.plans };
  }
  inv.logger.info('restore drills planned', { period: out.period, sources: out.sources, started: out.started.map((r) => r.drillId) });
  return { ok: true, period: out.period, sources: out.sources, started: out.started.map((r) => ({ drillId: r.drillId, phase: r.phase, instanceId: r.instanceId })) };
}

async function runNow(e: RunEvent, inv: Invocation, context: FcContext): Promise<Record<string, unknown>> {
  const d = drillDepsFor(inv, context);
  const origin = { trigger: e.trigger, ...(e.requestedBy ? { requestedBy: e.requestedBy } : {}), ...(e.replyTo ? { replyTo: e.replyTo } : {}) };
  const out = await startDrill(e.run, origin, d, { dryRun: e.dryRun });
  if ('dryRun' in out) return { ok: true, dryRun: true, plan: out, text: drillPlanText(out) };
  inv.logger.info('restore drill started on request', { drillId: out.drillId, trigger: e.trigger, phase: out.phase });
  return { ok: true, drill: out, text: drillStartedMessage(out) };
}

async function follow(inv: Invocation, context: FcContext): Promise<Record<string, unknown>> {
  const d = drillDepsFor(inv, context);
  const ids = await d.log.openIds();
  const steps: Record<string, string> = {};
  await mapLimit(ids, 5, async (id) => {
    try {
      steps[id] = await followDrill(id, d);
    } catch (raw) {
      const e = toBackupError(raw);
      steps[id] = `error:${e.code}`;
      inv.logger.warn('could not take a drill\'s next step; the next follow will', { drillId: id, code: e.code, message: e.message });
    }
  });
  const started = await startNext(d);
  const summary = { ok: true, followed: ids.length, steps, started: started.map((r) => r.drillId) };
  inv.logger[ids.length || started.length ? 'info' : 'debug']('drill follow done', summary);
  return summary;
}
