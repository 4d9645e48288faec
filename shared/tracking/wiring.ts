// The tracking pieces assembled for one invocation: who the worker is, where alerts go, the store they share.
import { callerFor } from '../backup/engine';
import type { Invocation } from '../fc/invocation';
import { afterSuccess } from '../retention/enforce';
import type { FcContext } from '../fc/events';
import { dispatchToWorker } from '../fc/worker-dispatch';
import { indexFor } from '../history/for-store';
import { configuredChannels } from '../notifications/configured';
import type { NotifierDeps } from '../notifications/notifier';
import { Outbox } from '../notifications/outbox';
import type { DutyDeps } from './duties';
import type { RedispatchDeps } from './redispatch';
import type { SweepDeps } from './sweep';
import type { WatchDeps } from '../restore-points/watch';
import type { DriftDeps } from '../posture/drift';

export function notifierFor(inv: Invocation): NotifierDeps {
  return { store: inv.deps.store, channels: configuredChannels(inv.config), logger: inv.logger, deadline: inv.deps.deadline, ttlMs: inv.config.historyRetentionMs };
}

export const dutiesFor = (inv: Invocation): DutyDeps => ({
  history: inv.history,
  notifier: notifierFor(inv),
  logger: inv.logger,
  chatReplyLocalReceiver: inv.config.chatReplyLocalReceiver,
  afterSuccess: (r) => afterSuccess(r, callerFor(r.target, { ...inv.deps, contextRegion: r.region ?? inv.deps.contextRegion }), inv.retention),
});

export const outboxFor = (inv: Invocation): Outbox => new Outbox(inv.deps.store, indexFor(inv.deps.store), inv.config.historyRetentionMs);

export function redispatchFor(inv: Invocation, context: FcContext): RedispatchDeps {
  const dispatch = { context, functionName: inv.config.workerFunction, env: inv.deps.env, credentials: inv.deps.credentials, deadline: inv.deps.deadline };
  return { history: inv.history, store: inv.deps.store, dispatch: (event) => dispatchToWorker(dispatch, event) };
}

/** The tracker's: records each job's end and does what it owes (alerts, chat results, retention). */
export const sweepFor = (inv: Invocation, context: FcContext): SweepDeps => ({ ...followFor(inv, context), duties: dutiesFor(inv) });

/**
 * Anyone else who waits on a job (the deploy gate, the CLI): records its end only. The duties stay owed for the
 * tracker, whose role may delete backups and whose function has the alert channels.
 */
export const followFor = (inv: Invocation, context: FcContext): SweepDeps => ({
  history: inv.history,
  engine: inv.deps,
  redispatch: redispatchFor(inv, context),
  concurrency: inv.config.trackerConcurrency,
});

/** The tracker's restore-point watch: counts each database's good backups in the cloud, alerts on unexplained losses. */
export const watchFor = (inv: Invocation): WatchDeps => ({
  store: inv.deps.store,
  history: inv.history,
  engine: inv.deps,
  notifier: notifierFor(inv),
  logger: inv.logger,
  intervalMs: inv.config.restorePointWatchMs,
  batch: inv.config.restorePointWatchBatch,
  ttlMs: inv.config.historyRetentionMs,
});

/** The tracker's posture drift check: POSTURE_RULES against each database's settings, alerting on a change of verdict. */
export const driftFor = (inv: Invocation): DriftDeps => ({
  store: inv.deps.store,
  history: inv.history,
  engine: inv.deps,
  rules: inv.posture,
  notifier: notifierFor(inv),
  logger: inv.logger,
  intervalMs: inv.config.postureCheckMs,
  batch: inv.config.postureCheckBatch,
  ttlMs: inv.config.historyRetentionMs,
});
