// The two moments retention acts. Before a CreateBackup, where the cloud holds only so many manual backups
// (PolarDB: 3): let an old ad-hoc backup of ours give up its slot — or refuse, naming what holds the slots. After a
// *scheduled* backup was recorded good (the tracker): delete at most one backup the operator's policy no longer
// keeps. Each plan passes the floors (floors.ts) or is refused whole, logged and alerted. A failed deletion never
// blocks a backup: it is logged, and the next pass plans it again.
import type { EngineDeps, ProductCaller } from '../backup/engine';
import { instanceIdOf, type Target } from '../backup/targets';
import { BackupError, toBackupError } from '../errors';
import type { HistoryRecord } from '../history/record';
import { carryOut, type DeletionDeps, type DeletionResult } from './deletion';
import { floorBreaches } from './floors';
import { inventory } from './inventory';
import { deletesByPolicy, describeHolders, plan, type Held, type Plan, type PlanOptions } from './plan';
import { policyOf, type RetentionPolicy } from './policy';

export interface RetentionDeps extends DeletionDeps {
  now?: () => number;
  /** RETENTION_MIN_AGE in ms. */
  minAgeMs: number;
  /** ADHOC_REPLACE_MIN_AGE in ms. */
  adhocReplaceMinAgeMs: number;
  /** RETENTION_TIMEZONE. */
  timeZone: string;
}

export interface RetentionPlan {
  product: Target['product'];
  instanceId: string;
  policy: RetentionPolicy;
  /** What the cloud holds: manual backup sets and running manual jobs. */
  held: Held[];
  plan: Plan;
  /** The floors the plan breaks: it is refused. */
  breaches: string[];
}

/** What a pass of retention did: its deletions, or the floors that refused its plan (alerted by the tracker). */
export interface RetentionOutcome {
  product: Target['product'];
  instanceId: string;
  results: DeletionResult[];
  refused?: string[];
}

const optionsOf = (deps: RetentionDeps, mode: PlanOptions['mode'], replacing?: string): PlanOptions => ({
  minAgeMs: deps.minAgeMs,
  adhocReplaceMinAgeMs: deps.adhocReplaceMinAgeMs,
  timeZone: deps.timeZone,
  mode,
  ...(replacing !== undefined ? { replacing } : {}),
});

async function planFor(target: Target, caller: ProductCaller, deps: RetentionDeps, policy: RetentionPolicy, o: PlanOptions, known?: readonly HistoryRecord[]): Promise<RetentionPlan> {
  const instanceId = instanceIdOf(target);
  const now = (deps.now ?? Date.now)();
  const records = known ?? (await deps.history.forDatabase(target.product, instanceId));
  const held = await inventory(caller, instanceId, records, now);
  const p = plan(held, policy, caller.catalog.retention, now, o);
  return { product: target.product, instanceId, policy, held, plan: p, breaches: floorBreaches(p.deletions, held, policy, caller.catalog.retention, now, o) };
}

/**
 * The dry run's answer, for a scheduled target: what its CreateBackup would free (room), then what the tracker would
 * delete once it is recorded good (policy, at most one), what would be kept, or why it cannot be known.
 */
export async function wouldDelete(target: Target, caller: ProductCaller, deps: RetentionDeps): Promise<Record<string, unknown>> {
  const policy = policyOf(target);
  const rules = caller.catalog.retention;
  // Nothing to decide means nothing to read: a dry run without retention stays without cloud calls.
  if (!deletesByPolicy(policy) && rules.manualSlots === undefined) return { deletions: [], note: 'no retention policy: this tool deletes nothing here' };
  try {
    const room = rules.manualSlots ? await planFor(target, caller, deps, {}, optionsOf(deps, 'room')) : undefined;
    const after = await planFor(target, caller, deps, policy, optionsOf(deps, 'policy'), undefined);
    const listed = (ds: Plan['deletions'], when: string) => ds.map(({ backupId, startedAt, reason }) => ({ backupId, startedAt, reason, when }));
    return {
      ...policy,
      deletions: [...listed(room?.plan.deletions ?? [], 'before this CreateBackup'), ...listed(after.plan.deletions, 'after this backup is recorded good (the tracker)')],
      kept: after.plan.kept.map((h) => h.backupId),
      ...(after.plan.deferred.length > 0 ? { deferred: after.plan.deferred.map((h) => h.backupId) } : {}),
      ...(after.plan.nextDeletion ? { nextDeletion: after.plan.nextDeletion } : {}),
      ...(room?.plan.blocked ? { refused: describeHolders(room.plan.blocked) } : {}),
      ...(deps.enabled ? {} : { note: 'RETENTION_DELETE=off: nothing would be deleted' }),
    };
  } catch (raw) {
    return { error: toBackupError(raw).toJSON() };
  }
}

/**
 * The engine's hook, called once before the first CreateBackup of a request (never on a replay or an adoption), only
 * where the cloud holds so many manual backups (PolarDB). So a function that creates backups needs only the slot
 * products' DeleteBackup.
 */
export function beforeCreate(deps: RetentionDeps): NonNullable<EngineDeps['beforeCreate']> {
  return async (target, caller, attempt) => {
    if (caller.catalog.retention.manualSlots === undefined) return;
    let planned: RetentionPlan;
    try {
      planned = await planFor(target, caller, deps, {}, optionsOf(deps, 'room'));
    } catch (raw) {
      // Not knowing what exists never stops a backup: the cloud itself refuses one that does not fit.
      deps.logger.warn('retention: could not list the backups; backing up without retention', { product: target.product, instanceId: instanceIdOf(target), code: toBackupError(raw).code });
      return;
    }
    const { plan: p, instanceId } = planned;
    if (p.deletions.length === 0 && !p.blocked) return;
    // A takeover after a crash: an attempt since the claim may have taken the slot already (the ClientToken then
    // replays it), so nothing is deleted to make room for it twice.
    if (attempt.takeover && planned.held.some((h) => h.startedAt !== undefined && Date.parse(h.startedAt) >= attempt.since.getTime())) return;
    if (p.blocked) throw noRoom(caller, instanceId, `${describeHolders(p.blocked)}; only an ad-hoc backup of this tool older than ADHOC_REPLACE_MIN_AGE may give up its slot`, p.blocked.holders);
    if (planned.breaches.length > 0) throw floorRefusal(caller, instanceId, planned);
    if (!deps.enabled) {
      await carryOut(caller, instanceId, p.deletions, deps);
      const ids = p.deletions.map((d) => d.backupId).join(', ');
      throw noRoom(caller, instanceId, `${describeHolders({ slots: caller.catalog.retention.manualSlots.count, holders: planned.held.filter((h) => h.state !== 'failed') })}; making room means deleting ${ids}, and RETENTION_DELETE=off`, planned.held);
    }
    // A refused deletion does not stop the backup: the cloud decides whether it fits.
    logSummary(deps, planned, await carryOut(caller, instanceId, p.deletions, deps), attempt.scheduled ? 'scheduled' : 'ad-hoc');
  };
}

/**
 * After a backup was recorded good (the tracker). Only the timer's backups carry the operator's policy, so only they
 * delete: the one that replaces it is `r` itself, now good. An ad-hoc backup never deletes anything here.
 */
export async function afterSuccess(r: HistoryRecord, caller: ProductCaller, deps: RetentionDeps): Promise<RetentionOutcome> {
  const none: RetentionOutcome = { product: r.product, instanceId: r.instanceId, results: [] };
  if (r.origin.trigger !== 'timer' || r.state !== 'succeeded') return none;
  const policy = policyOf(r.target);
  if (!deletesByPolicy(policy)) return none;
  const planned = await planFor(r.target, caller, deps, policy, optionsOf(deps, 'policy', r.backupId ?? r.jobId));
  if (planned.breaches.length > 0) {
    deps.logger.error('retention: plan refused, it breaks a floor; nothing deleted', { product: r.product, instanceId: r.instanceId, breaches: planned.breaches, planned: planned.plan.deletions.map((d) => d.backupId) });
    return { ...none, refused: planned.breaches };
  }
  const results = await carryOut(caller, planned.instanceId, planned.plan.deletions, deps);
  logSummary(deps, planned, results, 'scheduled');
  return { ...none, results };
}

function logSummary(deps: RetentionDeps, planned: RetentionPlan, results: DeletionResult[], by: string): void {
  // Each deletion has its own line; the summary is news only when something was decided.
  const level = results.length > 0 || planned.plan.deferred.length > 0 ? 'info' : 'debug';
  deps.logger[level]('retention', {
    product: planned.product,
    instanceId: planned.instanceId,
    by,
    policy: planned.policy,
    kept: planned.plan.kept.map((h) => h.backupId),
    deleted: results.filter((x) => x.outcome === 'deleted' || x.outcome === 'already-gone').map((x) => x.backupId),
    failed: results.filter((x) => x.outcome === 'failed').map((x) => x.backupId),
    ...(planned.plan.deferred.length > 0 ? { deferred: planned.plan.deferred.map((h) => h.backupId) } : {}),
    nextDeletion: planned.plan.nextDeletion,
  });
}

function floorRefusal(caller: ProductCaller, instanceId: string, planned: RetentionPlan): BackupError {
  return new BackupError({
    code: 'RetentionFloorBreached',
    category: 'conflict',
    message: `${caller.catalog.title} ${instanceId}: retention refused its own plan, which breaks a floor: ${planned.breaches.join('; ')}. Nothing was deleted and no backup was started.`,
    details: { breaches: planned.breaches },
  });
}

function noRoom(caller: ProductCaller, instanceId: string, why: string, holders: Held[]): BackupError {
  const { catalog } = caller;
  return new BackupError({
    code: 'NoBackupSlot',
    category: 'quota',
    message:
      `${catalog.title} ${instanceId}: no room for a new backup. ${catalog.limits.quota}: ${why}; CreateBackup would be refused with ` +
      `"${catalog.retention.manualSlots?.refusal ?? 'a quota error'}" (the cloud's words). ` +
      'This tool never deletes a scheduled, console-made or automated backup to make room; delete one in the console, or let a running job finish.',
    details: { holders: holders.map((h) => ({ backupId: h.backupId, state: h.state, ours: h.ours, adhoc: h.adhoc === true, startedAt: h.startedAt })) },
  });
}
