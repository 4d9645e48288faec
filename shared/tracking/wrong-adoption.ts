// An adopted job that turned out to be someone else's: MongoDB's task rows carry no method, so a console Logical job
// running when our Physical request arrived (from the CLI, without the request's time, or started in the same second)
// can be adopted. Its set, once listed, names its method: if it is not what was asked, the adoption was wrong. The
// record fails with an alert (it is marked origin uncertain, so retention never deletes that set), and this tool's
// own backup is taken under a new key — the request is never left with no backup of its own.
import type { HistoryRecord } from '../history/record';
import { subjectOf } from '../history/history';
import { toBackupError } from '../errors';
import type { Logger } from '../logger';
import type { RedispatchDeps } from './redispatch';
import { workerEventOf } from './redispatch';

/** The method asked for, when the set's differs: `Physical` asked, `Logical` listed. */
export function wrongMethod(r: HistoryRecord, listed: string | undefined): { asked: string; listed: string } | undefined {
  const asked = (r.target as { BackupMethod?: string }).BackupMethod;
  if (!r.adopted || asked === undefined || listed === undefined) return undefined;
  return asked.toLowerCase() === listed.toLowerCase() ? undefined : { asked, listed };
}

/** The key of the backup taken in place of a wrong adoption: one per record, so a second sweep takes no other. */
export const ownKeyOf = (r: HistoryRecord): string => `${r.id}_own`;

/** Records and dispatches this tool's own backup; false when it could not be sent (the alert then says to run one). */
export async function takeOwnBackup(r: HistoryRecord, d: RedispatchDeps, logger: Logger): Promise<boolean> {
  const key = ownKeyOf(r);
  try {
    const rec = await d.history.expect(subjectOf(key, r.target, r.origin));
    // No request time: the worker takes no fresh look, so it cannot adopt the same wrong job again.
    const { requestedAt: _, ...event } = workerEventOf({ ...rec, id: key }, 0);
    await d.dispatch(event);
    return true;
  } catch (raw) {
    logger.error('could not dispatch a backup in place of a wrong adoption', { key: r.id, own: key, code: toBackupError(raw).code });
    return false;
  }
}
