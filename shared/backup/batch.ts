// Backs up a list of targets with bounded concurrency; one target's failure never stops the others, and each
// target gets one structured log line.
import { requestBackup, type BackupOutcome, type EngineDeps } from './engine';
import { toBackupError, type BackupError } from '../errors';
import { instanceIdOf, type Target } from './targets';

export interface BackupItem {
  target: Target;
  key: string;
}

export type TargetResult =
  | { target: Target; key: string; ok: true; outcome: BackupOutcome; durationMs: number }
  | { target: Target; key: string; ok: false; error: BackupError; durationMs: number };

export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function backupAll(items: readonly BackupItem[], deps: EngineDeps, concurrency: number): Promise<TargetResult[]> {
  return mapLimit(items, concurrency, async ({ target, key }): Promise<TargetResult> => {
    const started = Date.now();
    const fields = { key, product: target.product, instanceId: instanceIdOf(target) };
    try {
      const outcome = await requestBackup(target, key, deps);
      const durationMs = Date.now() - started;
      deps.logger.info('backup requested', { ...fields, jobId: outcome.jobId, backupId: outcome.backupId, outcome: outcome.outcome, durationMs });
      return { target, key, ok: true, outcome, durationMs };
    } catch (raw) {
      const error = toBackupError(raw);
      const durationMs = Date.now() - started;
      deps.logger.error('backup failed', {
        ...fields,
        outcome: 'failed',
        code: error.code,
        category: error.category,
        retryable: error.retryable,
        message: error.message,
        durationMs,
        ...(error.category === 'internal' ? { cause: String((error.cause as Error | undefined)?.stack ?? error.cause) } : {}),
      });
      return { target, key, ok: false, error, durationMs };
    }
  });
}
