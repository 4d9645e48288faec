// The one gate before any release call: the worst bug here deletes a real database. An instance is ours to release
// only when every mark holds — its id is in this drill's record (written at creation), the cloud shows the tag
// fc-db-backup-drill=<drillId> and the drill name prefix, and it was created after the drill was requested. No
// record means no release: a tag alone is never enough.
import { drillNamePrefix, drillTagKey, type DrillInstanceView } from './restore-catalog';
import type { DrillRecord } from './record';

export type Ownership = { ours: true } | { ours: false; reasons: string[] };

export function ownership(record: DrillRecord | undefined, instanceId: string, view: DrillInstanceView | undefined): Ownership {
  if (!record) return { ours: false, reasons: ['no drill record names this instance'] };
  const reasons: string[] = [];
  if (!record.instanceId || record.instanceId !== instanceId) reasons.push(`drill ${record.drillId} records instance ${record.instanceId ?? '(none)'}, not ${instanceId}`);
  if (!view) return { ours: false, reasons: [...reasons, `${instanceId} was not described`] };
  if (view.instanceId !== instanceId) reasons.push(`described ${view.instanceId}, not ${instanceId}`);
  if (view.tags[drillTagKey] !== record.drillId) reasons.push(`tag ${drillTagKey} is ${JSON.stringify(view.tags[drillTagKey] ?? null)}, not ${record.drillId}`);
  if (!view.name?.startsWith(drillNamePrefix)) reasons.push(`name ${JSON.stringify(view.name ?? null)} lacks the prefix ${drillNamePrefix}`);
  const created = view.createdAt === undefined ? Number.NaN : Date.parse(view.createdAt);
  // The cloud reports creation to the second: compare with the request's own second.
  const requested = Math.floor(Date.parse(record.requestedAt) / 1000) * 1000;
  if (!(created >= requested)) reasons.push(`created ${view.createdAt ?? '(unknown)'}, not after the drill was requested at ${record.requestedAt}`);
  return reasons.length === 0 ? { ours: true } : { ours: false, reasons };
}
