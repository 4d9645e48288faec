// The two moments retention acts. Before a CreateBackup, where the cloud holds only so many manual backups
// (PolarDB: 3): make room — or refuse, naming what holds the slots. After a backup succeeded (the tracker): delete
// what the policy no longer keeps. A failed deletion never blocks a backup: it is logged, and the next pass plans
// it again.
import type { EngineDeps, ProductCaller } from '../backup/engine';
import { instanceIdOf, type Target } from '../backup/targets';
import { catalogOf } from '../cloud/products/registry';
import { BackupError, toBackupError } from '../errors';
import type { HistoryRecord } from '../history/record';
import { carryOut, type DeletionDeps, type DeletionResult } from './deletion';
import { inventory } from './inventory';
import { describeHolders, plan, type Held, type Plan } from './plan';
import { policyInForce, policyOf, type RetentionPolicy } from './policy';

export interface RetentionDeps extends DeletionDeps {
  now?: () => number;
}

export interface RetentionPlan {
  product: Target['product'];
  instanceId: string;
  policy: RetentionPolicy;
  /** What the cloud holds: manual backup sets and running manual jobs. */
  held: Held[];
  plan: Plan;
}

const deletesByPolicy = (p: RetentionPolicy) => p.keep !== undefined || p.keepDays !== undefined;
/** Whether retention has anything to decide for this target: a policy, or a product that holds only so many backups. */
const acts = (target: Target, caller: ProductCaller) => deletesByPolicy(policyOf(target)) || caller.catalog.retention.manualSlots !== undefined;

/** Read-only: what retention would delete now for this target (the dry run lists it). */
export async function planFor(
  target: Target,
  caller: ProductCaller,
  deps: RetentionDeps,
  makeRoom = true,
  only?: RetentionPolicy,
  known?: readonly HistoryRecord[],
): Promise<RetentionPlan> {
  const instanceId = instanceIdOf(target);
  const now = (deps.now ?? Date.now)();
  const records = known ?? (await deps.history.forDatabase(target.product, instanceId));
  const held = await inventory(caller, instanceId, records, now);
  const policy = only ?? policyInForce(target, records);
  return { product: target.product, instanceId, policy, held, plan: plan(held, policy, catalogOf(target.product).retention, now, makeRoom) };
}

/**
 * The dry run's answer: the deletions a run would make before its CreateBackup (room), then those the tracker would
 * make after it succeeds (policy), what would be kept, or why it cannot be known.
 */
export async function wouldDelete(target: Target, caller: ProductCaller, deps: RetentionDeps): Promise<Record<string, unknown>> {
  // Nothing to decide means nothing to read: a dry run without retention stays without cloud calls.
  if (!acts(target, caller)) return { deletions: [], note: 'no keep or keepDays: this tool deletes nothing here' };
  try {
    const { policy, held } = await planFor(target, caller, deps, false);
    const rules = caller.catalog.retention;
    const now = (deps.now ?? Date.now)();
    const room = rules.manualSlots ? plan(held, {}, rules, now, true) : undefined;
    const freed = new Set(room?.deletions.map((d) => d.backupId));
    const after = plan(held.filter((h) => !freed.has(h.backupId)), policy, rules, now, false);
    const listed = (ds: Plan['deletions'], when: string) => ds.map(({ backupId, startedAt, reason }) => ({ backupId, startedAt, reason, when }));
    return {
      ...policy,
      deletions: [...listed(room?.deletions ?? [], 'before this CreateBackup'), ...listed(after.deletions, 'after the next good backup is recorded (the tracker)')],
      kept: after.kept.map((h) => h.backupId),
      ...(after.nextDeletion ? { nextDeletion: after.nextDeletion } : {}),
      ...(room?.blocked ? { refused: describeHolders(room.blocked) } : {}),
      ...(deps.enabled ? {} : { note: 'RETENTION_DELETE=off: nothing would be deleted' }),
    };
  } catch (raw) {
    return { error: toBackupError(raw).toJSON() };
  }
}

/**
 * The engine's hook, called once before the first CreateBackup of a request (never on a replay or an adoption). It
 * only makes room, where the cloud holds so many manual backups (PolarDB); deleting what the policy no longer keeps
 * is the tracker's, after a success. So a function that creates backups needs only the slot products' DeleteBackup.
 */
export function beforeCreate(deps: RetentionDeps): NonNullable<EngineDeps['beforeCreate']> {
  return async (target, caller, attempt) => {
    if (caller.catalog.retention.manualSlots === undefined) return;
    let planned: RetentionPlan;
    try {
      planned = await planFor(target, caller, deps, true, {});
    } catch (raw) {
      // Not knowing what exists never stops a backup: the cloud itself refuses one that does not fit.
      deps.logger.warn('retention: could not list the backups; backing up without retention', { product: target.product, instanceId: instanceIdOf(target), code: toBackupError(raw).code });
      return;
    }
    const { plan: p, instanceId } = planned;
    if (p.deletions.length === 0 && !p.blocked) return;
    // A takeover after a crash: an attempt since the claim may have taken tonight's slot already (the ClientToken
    // then replays it), so nothing is deleted to make room for it twice.
    if (attempt.takeover && planned.held.some((h) => h.startedAt !== undefined && Date.parse(h.startedAt) >= attempt.since.getTime())) return;
    if (p.blocked) throw noRoom(caller, instanceId, describeHolders(p.blocked), p.blocked.holders);
    const results = await carryOut(caller, instanceId, p.deletions, deps);
    logSummary(deps, planned, results);
    if (!deps.enabled) {
      const holders = planned.held.filter((h) => h.state !== 'failed');
      const slots = caller.catalog.retention.manualSlots.count;
      const ids = p.deletions.map((d) => d.backupId).join(', ');
      throw noRoom(caller, instanceId, `${describeHolders({ slots, holders })}; making room means deleting ${ids}, and RETENTION_DELETE=off`, holders);
    }
    const refused = new Set(results.filter((r) => r.outcome === 'failed').map((r) => r.backupId));
    if (refused.size > 0) await roomAgain(target, caller, planned, results, refused, deps);
  };
}

/**
 * A slot-freeing deletion was refused: free another of this tool's backups instead, if the rules allow one. If none
 * is left, CreateBackup still goes ahead; the refused deletion may have taken effect, and the cloud decides.
 */
async function roomAgain(target: Target, caller: ProductCaller, planned: RetentionPlan, done: DeletionResult[], refused: Set<string>, deps: RetentionDeps): Promise<void> {
  const gone = new Set(done.filter((r) => r.outcome === 'deleted' || r.outcome === 'already-gone').map((r) => r.backupId));
  const held = planned.held.filter((h) => !gone.has(h.backupId)).map((h) => (refused.has(h.backupId) ? { ...h, undeletable: true } : h));
  const again = plan(held, planned.policy, caller.catalog.retention, (deps.now ?? Date.now)(), true);
  const instead = again.deletions;
  if (instead.length > 0) logSummary(deps, planned, await carryOut(caller, planned.instanceId, instead, deps));
  else deps.logger.warn('retention: no other backup may be deleted to make room; CreateBackup goes ahead and the cloud decides', { product: target.product, instanceId: planned.instanceId });
}

/** After tonight's backup succeeded: delete this tool's backups beyond the policy (no room to make). */
export async function afterSuccess(target: Target, caller: ProductCaller, deps: RetentionDeps): Promise<DeletionResult[]> {
  // The history first: with no policy in force there is nothing to list in the cloud.
  const records = await deps.history.forDatabase(target.product, instanceIdOf(target));
  const policy = policyInForce(target, records);
  if (!deletesByPolicy(policy)) return [];
  const planned = await planFor(target, caller, deps, false, policy, records);
  const results = await carryOut(caller, planned.instanceId, planned.plan.deletions, deps);
  logSummary(deps, planned, results);
  return results;
}

function logSummary(deps: RetentionDeps, planned: RetentionPlan, results: DeletionResult[]): void {
  // Each deletion has its own line; the summary is news only when something was decided.
  const level = results.length > 0 ? 'info' : 'debug';
  deps.logger[level]('retention', {
    product: planned.product,
    instanceId: planned.instanceId,
    keep: planned.policy.keep,
    keepDays: planned.policy.keepDays,
    kept: planned.plan.kept.map((h) => h.backupId),
    deleted: results.filter((r) => r.outcome === 'deleted' || r.outcome === 'already-gone').map((r) => r.backupId),
    failed: results.filter((r) => r.outcome === 'failed').map((r) => r.backupId),
    nextDeletion: planned.plan.nextDeletion,
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
      "This tool deletes only its own backups, never the newest good one, and only while another good backup remains; delete one in the console, or let a running job finish.",
    details: { holders: holders.map((h) => ({ backupId: h.backupId, state: h.state, ours: h.ours, startedAt: h.startedAt })) },
  });
}
