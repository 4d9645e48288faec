// What a finished record says to people: the chat result for whoever asked, and the alert for the on-call channel.
import { flatUserText } from '../chat/user-text';
import { catalogOf } from '../cloud/products/registry';
import type { Alert } from '../notifications/alert';
import type { HistoryRecord } from '../history/record';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

// Chatops writes requestedBy already quoted (user-text.ts); a record written before that, or by any other path, is
// still shown on one line and cut short here, so no stored text can make the result a second message.
const who = (r: HistoryRecord) => (r.origin.requestedBy ? ` (asked by ${flatUserText(r.origin.requestedBy, 120)})` : '');
const db = (r: HistoryRecord) => `${r.product} ${r.instanceId}`;

/** The chat result of a final record. */
export function resultText(r: HistoryRecord): string {
  if (r.state === 'succeeded') {
    const size = r.sizeBytes === undefined ? 'size unknown' : formatBytes(r.sizeBytes);
    const took = r.durationMs !== undefined ? `, took ${formatDuration(r.durationMs)}` : '';
    return `Backup of ${db(r)} succeeded: job ${r.jobId ?? '?'}, backup ${r.backupId ?? '?'}, ${size}${took}${who(r)}.`;
  }
  if (r.state === 'failed') return `Backup of ${db(r)} FAILED: job ${r.jobId ?? '?'} ended in failure — ${r.error?.message ?? 'no reason given'}${who(r)}. ${actionFor(r)}`;
  return `Backup of ${db(r)} was not taken: ${r.error?.message ?? r.state}${who(r)}. ${actionFor(r)}`;
}

/** What a person should do about a record that did not succeed, by what went wrong. */
export function actionFor(r: HistoryRecord): string {
  const code = r.error?.code ?? '';
  if (r.state === 'failed') {
    return `The API gives no reason for a failed job: open the ${catalogOf(r.product).title} console's backup list and event log for ${r.instanceId} (storage space, instance state, a locked table), then take a backup by hand: fc-db-backup backup ${r.product} ${r.instanceId}.`;
  }
  if (r.state === 'lost') return `The backup-worker task failed for good ${r.redispatches} time(s) after being dispatched again: read backup-worker's logs, then take a backup by hand: fc-db-backup backup ${r.product} ${r.instanceId}.`;
  if (code === 'NoBackupSlot') {
    return `In the ${catalogOf(r.product).title} console, delete one of the manual backups of ${r.instanceId} named above that you no longer need (or let a running job finish); the next run then takes its backup.`;
  }
  if (/Forbidden|NoPermission|RAM/i.test(code)) return "Grant the function's RAM role the action named in the message (see s.yaml), then run again.";
  if (/NotFound/i.test(code)) return 'Check the instance id and RegionId of the target; remove the target if the instance was released.';
  if (/Exceed|Quota|Times/i.test(code)) return `${catalogOf(r.product).limits.quota}.`;
  if (/State|Status/i.test(code)) return 'The instance is not Running (maintenance, locked, or being changed): retry once it is.';
  if (r.error && /^Invalid|Validation|MissingParameter/.test(code)) return 'Fix the target named in the message (BACKUP_TARGETS or the trigger payload).';
  return `Retry: fc-db-backup backup ${r.product} ${r.instanceId}; if it keeps failing, read the function's logs for this key.`;
}

const titles: Record<string, string> = {
  failed: 'Backup job failed',
  'not-requested': 'Backup could not be requested',
  lost: 'Backup task lost',
};

export function alertForRecord(r: HistoryRecord): Alert {
  const kind = r.state === 'failed' ? 'job-failed' : r.state === 'lost' ? 'dispatch-lost' : 'not-requested';
  return {
    id: `record:${r.id}`,
    kind,
    title: `${titles[r.state] ?? 'Backup problem'}: ${r.product} ${r.instanceId}`,
    database: { product: r.product, instanceId: r.instanceId },
    code: r.error?.code,
    message: r.error?.message ?? r.state,
    action: actionFor(r),
    at: r.endedAt ?? new Date().toISOString(),
    facts: {
      trigger: r.origin.deployId ? `deploy ${r.origin.deployId}` : r.origin.trigger,
      ...(r.jobId ? { job: r.jobId } : {}),
      key: r.id,
    },
  };
}

/** Retention refused its own plan after a success: it breaks a floor (shared/retention/floors.ts). Nothing was deleted. */
export function alertForRetentionRefusal(r: HistoryRecord, breaches: readonly string[]): Alert {
  return {
    id: `retention-refused:${r.id}`,
    kind: 'retention-refused',
    title: `Retention refused its plan: ${r.product} ${r.instanceId}`,
    database: { product: r.product, instanceId: r.instanceId },
    code: 'RetentionFloorBreached',
    message: `Nothing was deleted. The plan broke: ${breaches.join('; ')}.`,
    action: 'Check the scheduled target\'s keep rules and the backups listed in the console; the floors are never lowered by a plan. Report it if the plan looks wrong: it may be a bug.',
    at: r.endedAt ?? new Date().toISOString(),
    facts: { key: r.id, ...(r.backupId ? { backup: r.backupId } : {}) },
  };
}
