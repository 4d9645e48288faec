// The drill pieces assembled for one invocation of restore-drill: its configuration (DRILL_*), the drills' log,
// the restore catalogs, the validator and where alerts go.
import { postChatReply, type ReplyTo } from '../chat/reply';
import { toBackupError } from '../errors';
import type { FcContext } from '../fc/events';
import { claim, complete } from '../idempotency/guard';
import { payloadHash } from '../idempotency/key';
import { drillOutcomeMessage } from './messages';
import type { DrillRecord } from './record';
import type { Invocation } from '../fc/invocation';
import { notify } from '../notifications/notifier';
import type { Alert } from '../notifications/alert';
import { notifierFor, outboxFor } from '../tracking/wiring';
import { loadDrillConfig } from './config';
import type { FollowDeps } from './follow';
import { drillLogFor } from './log';
import { restoreCatalogOf } from './products/registry';
import type { ScheduleDeps } from './schedule';
import { functionValidator } from './validate';

export function drillDepsFor(inv: Invocation, context: FcContext): ScheduleDeps & FollowDeps {
  const config = loadDrillConfig(inv.deps.env);
  const outbox = outboxFor(inv);
  const notifier = notifierFor(inv);
  // Kept in the outbox until every channel has it: the tracker drains what this invocation could not send.
  const raise = async (alert: Alert) => {
    await outbox.put(alert);
    if (await notify(alert, notifier)) await outbox.done(alert.id);
  };
  const accountId = context.accountId ?? inv.deps.env.FC_ACCOUNT_ID;
  const region = context.region ?? inv.deps.env.ALIBABA_CLOUD_REGION;
  const validator =
    config.validatorFunction && accountId && region
      ? functionValidator({
          invoke: async (r) => (await import('../fc/invoker')).createInvoker({ accountId, region, credentials: inv.deps.credentials(), endpoint: inv.deps.env.FC_ENDPOINT || undefined }).invokeSync(r),
          functionName: config.validatorFunction,
          // Never past this invocation's own deadline: the next follow asks again.
          timeoutMs: Math.max(1_000, Math.min(config.validatorTimeoutMs, inv.deps.deadline.remainingMs() - 5_000)),
        })
      : undefined;
  const postOutcome = async (r: DrillRecord) => {
    const to = r.origin.replyTo as ReplyTo;
    const guard = { store: inv.deps.store, leaseMs: 60_000, ttlMs: inv.config.historyRetentionMs };
    // Claimed first: a chat post cannot be looked up, so it is posted at most once, never twice.
    const c = await claim(`${r.drillId}_reply`, payloadHash(to), guard).catch(() => undefined);
    if (!c || c.kind === 'replay' || c.takeover) return;
    await postChatReply(to, drillOutcomeMessage(r), { localReceiver: inv.config.chatReplyLocalReceiver })
      .catch((e: unknown) => inv.logger.warn('drill outcome not posted to chat', { drillId: r.drillId, code: toBackupError(e).code }));
    await complete(c.record, { posted: true }, guard).catch(() => undefined);
  };
  return { config, engine: inv.deps, history: inv.history, log: drillLogFor(inv.deps.store), restoreCatalogOf, store: inv.deps.store, logger: inv.logger, raise, validator, postOutcome };
}
