// Carries out a plan's deletions: one DeleteBackup per backup set, retried while the cloud throttles or fails
// transiently (a repeat of a delete that did happen answers the product's "no such backup set", which counts as done). Every deletion is
// logged and marked on its history record; a failure is logged and returned, never thrown.
import type { ProductCaller } from '../backup/engine';
import type { Deadline } from '../deadline';
import { toBackupError } from '../errors';
import type { History } from '../history/history';
import type { Logger } from '../logger';
import { defaultBackoff, withRetry, type BackoffOptions } from '../retry';
import type { Deletion } from './plan';

export type DeletionOutcome = 'deleted' | 'already-gone' | 'failed' | 'not-deleted (RETENTION_DELETE=off)';

export interface DeletionResult extends Deletion {
  outcome: DeletionOutcome;
  error?: { code: string; message: string };
}

export interface DeletionDeps {
  history: History;
  logger: Logger;
  deadline: Deadline;
  backoff?: BackoffOptions;
  /** RETENTION_DELETE: off plans and logs, deletes nothing. */
  enabled: boolean;
}

/** The record of the new good backup that allows these deletions (one per new backup), marked on each. */
export interface CarryOutOptions {
  forRecord?: string;
}

export async function carryOut(caller: ProductCaller, instanceId: string, deletions: readonly Deletion[], deps: DeletionDeps, o: CarryOutOptions = {}): Promise<DeletionResult[]> {
  const results: DeletionResult[] = [];
  for (const d of deletions) {
    const fields = { product: caller.catalog.name, instanceId, backupId: d.backupId, startedAt: d.startedAt, reason: d.reason };
    if (!deps.enabled) {
      deps.logger.info('retention: would delete (RETENTION_DELETE=off)', fields);
      results.push({ ...d, outcome: 'not-deleted (RETENTION_DELETE=off)' });
      continue;
    }
    let outcome: DeletionOutcome;
    let error: DeletionResult['error'];
    // Recorded before it is made: a deletion that cannot be recorded is not made.
    if (d.recordId) {
      try {
        await deps.history.retiring(d.recordId, d.reason, o.forRecord);
      } catch (raw) {
        const e = toBackupError(raw);
        deps.logger.error('retention: could not record the deletion before making it; not deleting', { ...fields, code: e.code });
        results.push({ ...d, outcome: 'failed', error: { code: e.code, message: e.message } });
        continue;
      }
    }
    try {
      await withRetry(() => caller.once('DeleteBackup', caller.catalog.retention.deleteQuery(instanceId, d.backupId)), deps.deadline, deps.backoff ?? defaultBackoff, (e, attempt) =>
        deps.logger.warn('retention: retrying DeleteBackup', { ...fields, attempt, code: e.code }),
      );
      outcome = 'deleted';
    } catch (raw) {
      const e = toBackupError(raw);
      // Each product spells "no such backup set" its own way (its catalog's goneCodes).
      outcome = caller.catalog.retention.goneCodes.includes(e.code) ? 'already-gone' : 'failed';
      if (outcome === 'failed') error = { code: e.code, message: e.message };
    }
    if (outcome === 'failed') {
      deps.logger.error('retention: deletion failed; the backup stays and a later run tries again', { ...fields, code: error?.code, message: error?.message });
      if (d.recordId) await deps.history.notRetiring(d.recordId).catch(() => undefined);
    } else {
      deps.logger.info(outcome === 'deleted' ? 'retention: deleted' : 'retention: already gone', fields);
      if (d.recordId) {
        await deps.history.retire(d.recordId, outcome === 'deleted' ? d.reason : `already gone (${d.reason})`, o.forRecord).catch((e: unknown) =>
          deps.logger.warn('retention: could not mark the history record', { ...fields, code: toBackupError(e).code }),
        );
      }
    }
    results.push({ ...d, outcome, ...(error ? { error } : {}) });
  }
  return results;
}
