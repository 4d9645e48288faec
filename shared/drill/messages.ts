// What a drill says to people in chat: the immediate answer to `drill <db>` (its id and plan), and the outcome the
// tracker posts back to whoever asked when it ends the drill (drillOutcomeMessage). Same voice as a backup's result
// (shared/tracking/messages.ts); stored user text is shown on one line and cut short.
import { flatUserText } from '../chat/user-text';
import { formatDuration } from '../tracking/messages';
import type { DrillRecord } from './record';
import type { DrillPlan } from './start';

const when = (iso: string) => `${iso.replace('T', ' ').slice(0, 16)} UTC`;
const who = (r: DrillRecord) => (r.origin.requestedBy ? ` (asked by ${flatUserText(r.origin.requestedBy, 120)})` : '');
const db = (r: { product: string; sourceId: string }) => `${r.product} ${r.sourceId}`;
const backupAge = (r: { backupStartedAt: string }, at: number) => formatDuration(Math.max(0, at - Date.parse(r.backupStartedAt)));

/** `--dry-run` / the plan: what it would create, from which backup, for how long. */
export function drillPlanText(p: DrillPlan, now = Date.now()): string {
  const shape = [p.instanceClass, p.storageGb !== undefined ? `${p.storageGb} GB` : '', p.vpcId ? `VPC ${p.vpcId}` : '', p.vSwitchId ? `vSwitch ${p.vSwitchId}` : ''].filter(Boolean).join(', ');
  const already = p.alreadyDrilled ? ` Already drilled this period (${p.alreadyDrilled}): a real run would start nothing new.` : '';
  return `Dry run, drill ${p.drillId}: would restore backup ${p.backupId} of ${db(p)} (taken ${when(p.backupStartedAt)}, ${backupAge(p, now)} old) to a new pay-as-you-go instance (${shape}) in ${p.regionId}, released after ${formatDuration(p.lifetimeMs)} at most.${already} Nothing was created.`;
}

/** The immediate answer once the drill is claimed: its id, the backup, the temporary instance and when it goes. */
export function drillStartedMessage(r: DrillRecord): string {
  const instance = r.instanceId ? `temporary instance ${r.instanceId}` : `a temporary instance named ${r.instanceName ?? '?'}`;
  const state = r.phase === 'requested' || r.phase === 'creating' ? `restoring backup ${r.backupId} (taken ${when(r.backupStartedAt)}) to ${instance}` : `already ${r.phase} this period`;
  return `Restore drill ${r.drillId} of ${db(r)}${who(r)}: ${state}; released by ${when(r.releaseBy)} at the latest. I'll post the outcome here when it ends.`;
}

/** The outcome, for whoever asked: the tracker calls this where it ends a drill (released or release-failed). */
export function drillOutcomeMessage(r: DrillRecord): string {
  const head = `Restore drill ${r.drillId} of ${db(r)}${who(r)}`;
  const recovery = r.recoveryMs !== undefined ? `recovery time ${formatDuration(r.recoveryMs)}` : 'the instance never got ready';
  const from = `backup ${r.backupId}, ${backupAge(r, Date.parse(r.requestedAt))} old at the drill`;
  const lifetime = r.lifetimeMs !== undefined ? `, instance ${r.instanceId ?? '?'} lived ${formatDuration(r.lifetimeMs)}` : '';
  if (r.phase === 'release-failed') {
    return `${head}: the temporary instance ${r.instanceId ?? '?'} could NOT be released — ${r.error?.message ?? 'no reason given'}. It is billed until released by hand. (${recovery}; ${from}.)`;
  }
  if (r.verdict === 'passed') return `${head} PASSED: ${recovery}; ${from}${lifetime}.${r.verdictMessage ? ` Validator: ${flatUserText(r.verdictMessage, 300)}` : ''}`;
  if (r.verdict === 'failed' || r.verdict === 'timed-out') {
    return `${head} FAILED validation (${r.verdict}): ${flatUserText(r.verdictMessage ?? 'no message', 300)}; ${recovery}; ${from}${lifetime}.`;
  }
  return `${head} FAILED: ${r.error?.message ?? 'the restore did not complete'}; ${recovery}; ${from}${lifetime}.`;
}
