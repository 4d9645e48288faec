// The restore-point watch: every so often (RESTORE_POINT_WATCH_INTERVAL) the tracker counts each database's good
// backups in the cloud — this tool's, automated and console-made — and compares them with what it saw last time.
// A backup that disappeared without this tool's recorded deletion, and before its own retention could expire it, is
// an alarm, sent once: a console deletion, a stolen key, or a bug of ours. It is found within one interval, not on
// the morning a restore is needed.
import { callerFor, type EngineDeps } from '../backup/engine';
import { listBackupSets } from '../backup/backup-sets';
import type { Target } from '../backup/targets';
import { catalogOf } from '../cloud/products/registry';
import { toBackupError } from '../errors';
import type { History } from '../history/history';
import type { Logger } from '../logger';
import type { Alert } from '../notifications/alert';
import { notify, type NotifierDeps } from '../notifications/notifier';
import { postureOf } from '../posture/products/registry';
import type { IdempotencyStore } from '../idempotency/store';
import { readSnapshot, saveSnapshot, type RestorePoint, type RestorePointSnapshot } from './snapshot';

const DAY_MS = 86_400_000;
/** How far back the watch counts: the longest any of these products keeps a backup by its own policy (RDS: 730 days). */
export const WATCH_RANGE_MS = 730 * DAY_MS;

export interface WatchDeps {
  store: IdempotencyStore;
  history: History;
  engine: EngineDeps;
  notifier: NotifierDeps;
  logger: Logger;
  /** RESTORE_POINT_WATCH_INTERVAL: a database is counted again once this long has passed. */
  intervalMs: number;
  /** Databases counted per sweep at most (the oldest looks first): the sweep's cloud calls stay bounded. */
  batch: number;
  ttlMs: number;
  now?: () => number;
}

export interface WatchStats {
  watched: number;
  vanished: number;
  alerted: number;
  failed: number;
}

export async function watchRestorePoints(d: WatchDeps): Promise<WatchStats> {
  const now = (d.now ?? Date.now)();
  const stats: WatchStats = { watched: 0, vanished: 0, alerted: 0, failed: 0 };
  const dbs = await d.history.databases();
  const last = await Promise.all(dbs.map(async (db) => ({ db, prev: await readSnapshot(d.store, db.product, db.instanceId).catch(() => undefined) })));
  const due = last
    .filter(({ prev }) => !prev || Date.parse(prev.at) + d.intervalMs <= now)
    .sort((a, b) => Date.parse(a.prev?.at ?? '1970-01-01') - Date.parse(b.prev?.at ?? '1970-01-01'))
    .slice(0, d.batch);
  for (const { db, prev } of due) {
    try {
      const found = await watchOne(db.product, db.instanceId, prev, now, d);
      stats.watched++;
      stats.vanished += found.vanished;
      stats.alerted += found.alerted ? 1 : 0;
    } catch (raw) {
      stats.failed++;
      d.logger.warn('restore-point watch: could not count this database now; the next sweep tries again', { product: db.product, instanceId: db.instanceId, code: toBackupError(raw).code });
    }
  }
  return stats;
}

async function watchOne(product: Target['product'], instanceId: string, prev: RestorePointSnapshot | undefined, now: number, d: WatchDeps): Promise<{ vanished: number; alerted: boolean }> {
  const [newest] = await d.history.forDatabase(product, instanceId);
  const target = newest?.target ?? ({ product, [catalogOf(product).idField]: instanceId } as unknown as Target);
  const caller = callerFor(target, { ...d.engine, contextRegion: newest?.region ?? d.engine.contextRegion });
  const sets = await listBackupSets(caller, instanceId, { since: new Date(now - WATCH_RANGE_MS), until: new Date(now + 60_000) }, { allModes: true });
  const points: RestorePoint[] = sets
    .filter((b) => b.state === 'succeeded' && b.backupId)
    .map((b) => ({ backupId: b.backupId, startedAt: b.startedAt, manual: b.manual }))
    .sort((a, b) => Date.parse(b.startedAt ?? '') - Date.parse(a.startedAt ?? ''));
  const snapshot: RestorePointSnapshot = { product, instanceId, at: new Date(now).toISOString(), points };
  const here = new Set(points.map((p) => p.backupId));
  // Gone since the last look, and not merely aged out of the range counted.
  const gone = (prev?.points ?? []).filter((p) => !here.has(p.backupId) && !(Date.parse(p.startedAt ?? '') < now - WATCH_RANGE_MS + DAY_MS));
  const unexplained = await unexplainedOf(gone, caller, instanceId, now, d);
  if (unexplained.length === 0) {
    await saveSnapshot(d.store, snapshot, d.ttlMs);
    return { vanished: gone.length, alerted: false };
  }
  const alert = vanishedAlert(product, instanceId, prev as RestorePointSnapshot, unexplained, gone.length - unexplained.length, points.length, now);
  d.logger.error('restore points disappeared', { product, instanceId, since: prev?.at, backups: unexplained.map((p) => p.backupId), explained: gone.length - unexplained.length });
  // Not sent: the snapshot stays as it was, so the next sweep finds the same loss and tries again (the same alert id).
  const sent = await notify(alert, d.notifier);
  if (sent) await saveSnapshot(d.store, snapshot, d.ttlMs);
  return { vanished: gone.length, alerted: sent };
}

/**
 * The ones neither this tool deleted (its history marks each deletion `retired`) nor the cloud's own retention
 * expired: older than the instance's backup retention (its backup policy, read only when something vanished), or,
 * for a MongoDB backup of ours sent with BackupRetentionPeriod, older than that.
 */
async function unexplainedOf(gone: RestorePoint[], caller: ReturnType<typeof callerFor>, instanceId: string, now: number, d: WatchDeps): Promise<RestorePoint[]> {
  if (gone.length === 0) return [];
  const out: RestorePoint[] = [];
  let retentionDays: number | undefined | null = null;
  for (const p of gone) {
    const records = await d.history.find(p.backupId);
    if (records.some((r) => r.retired)) continue;
    const age = now - Date.parse(p.startedAt ?? '');
    const ours = records.find((r) => r.backupId === p.backupId || r.jobId === p.backupId);
    const keepDays = (ours?.target as { keepDays?: number } | undefined)?.keepDays;
    if (keepDays !== undefined && caller.catalog.retention.keepDaysByCloud && age >= keepDays * DAY_MS) continue;
    if (retentionDays === null) {
      retentionDays = await postureOf(caller.catalog.name)
        .read(caller, instanceId)
        .then((v) => v.retentionDays)
        // Not knowing the retention, nothing is excused by it: the loss is reported.
        .catch(() => undefined);
    }
    if (retentionDays !== undefined && age >= retentionDays * DAY_MS) continue;
    out.push(p);
  }
  return out;
}

const hhmm = (iso: string) => iso.replace('T', ' ').slice(0, 16);

function vanishedAlert(product: Target['product'], instanceId: string, prev: RestorePointSnapshot, lost: RestorePoint[], ours: number, countNow: number, now: number): Alert {
  const newestLost = prev.points[0] !== undefined && lost.some((p) => p.backupId === prev.points[0]?.backupId);
  const n = lost.length;
  const what = `${n} backup${n === 1 ? '' : 's'} of ${instanceId} disappeared since ${hhmm(prev.at)} UTC, ${ours === 0 ? 'none' : `only ${ours} other${ours === 1 ? '' : 's'}`} deleted by fc-db-backup`;
  return {
    id: `restore-points-vanished:${product}:${instanceId}:${lost.map((p) => p.backupId).sort().join(',')}`,
    kind: 'restore-points-vanished',
    title: `Restore points disappeared: ${product} ${instanceId}`,
    database: { product, instanceId },
    code: 'RestorePointsVanished',
    message: `${what}${newestLost ? ', including the newest good backup' : ''}. Gone: ${lost.map((p) => `${p.backupId} (${p.manual ? 'manual' : 'automated'}${p.startedAt ? `, started ${p.startedAt}` : ''})`).join(', ')}.`,
    action: "Find who deleted them: the instance's ActionTrail events for DeleteBackup (console, API keys). Take a backup now if the newest good one is gone, and rotate any key that should not delete.",
    at: new Date(now).toISOString(),
    facts: { [`restore points at ${hhmm(prev.at)}`]: String(prev.points.length), 'restore points now': String(countNow) },
  };
}
