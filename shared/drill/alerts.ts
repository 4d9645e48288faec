// What a drill tells the on-call channels: a restore or validation that failed, an instance that could not be
// released (with the exact command to release it by hand), and a drill whose record was lost (its instance left).
import type { Alert } from '../notifications/alert';
import { drillTagKey } from './restore-catalog';
import type { DrillRecord } from './record';

const releaseActions = { rds: ['rds', 'DeleteDBInstance', 'DBInstanceId'], polardb: ['polardb', 'DeleteDBCluster', 'DBClusterId'], mongodb: ['dds', 'DeleteDBInstance', 'DBInstanceId'] } as const;

/** The aliyun CLI command that releases the drill's temporary instance. */
export function releaseCommand(r: DrillRecord): string {
  const [cli, action, idParam] = releaseActions[r.product];
  return `aliyun ${cli} ${action} --RegionId ${r.regionId} --${idParam} ${r.instanceId ?? '<instance id>'}`;
}

export function drillAlert(r: DrillRecord): Alert {
  const releaseFailed = r.phase === 'release-failed';
  const what = releaseFailed ? 'Restore drill could not release its instance' : r.verdict === 'failed' || r.verdict === 'timed-out' ? 'Restore drill failed validation' : 'Restore drill failed';
  return {
    id: `drill:${r.drillId}:${r.phase}`,
    kind: releaseFailed ? 'drill-release-failed' : 'drill-failed',
    title: `${what}: ${r.product} ${r.sourceId}`,
    database: { product: r.product, instanceId: r.sourceId },
    code: r.error?.code ?? r.verdict,
    message: r.error?.message ?? r.verdictMessage ?? r.phase,
    action: releaseFailed
      ? `The temporary instance ${r.instanceId ?? '?'} is billed until released. Check it carries ${drillTagKey}=${r.drillId}, then: ${releaseCommand(r)}`
      : `Backup ${r.backupId} did not prove restorable. Take a fresh backup (fc-db-backup backup ${r.product} ${r.sourceId}) and look at the restore in the console.`,
    at: r.releasedAt ?? r.updatedAt,
    facts: { drill: r.drillId, backup: r.backupId, ...(r.instanceId ? { instance: r.instanceId } : {}), ...(r.verdict ? { verdict: r.verdict } : {}) },
  };
}

export function drillRecordLostAlert(drillId: string, at: string): Alert {
  return {
    id: `drill-record-lost:${drillId}`,
    kind: 'drill-record-lost',
    title: `Restore drill record lost: ${drillId}`,
    code: 'DrillRecordLost',
    message: `The store no longer holds drill ${drillId}. Its temporary instance, if one was made, was NOT released: without the record nothing proves it this drill's.`,
    action: `List instances tagged ${drillTagKey}=${drillId} in the console; release one by hand only after checking it is a drill copy (name fcdb-drill-…), never the source.`,
    at,
    facts: { drill: drillId },
  };
}
