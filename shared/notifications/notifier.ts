// Delivers an alert to every configured channel, once per channel: each delivery is claimed in the store (the
// idempotency guard), so two sweeps, a retried invocation or a crash after sending never send it twice — and a
// delivery that failed is released for the next sweep to retry. It never throws: a notification must never block
// or fail a backup.
import { claim, complete, release } from '../idempotency/guard';
import { payloadHash, sha256Hex } from '../idempotency/key';
import type { IdempotencyStore } from '../idempotency/store';
import type { Logger } from '../logger';
import { BackupError, toBackupError } from '../errors';
import type { Deadline } from '../deadline';
import { withRetry, type BackoffOptions } from '../retry';
import type { Alert } from './alert';
import type { NotifyChannel } from './channel';

export interface NotifierDeps {
  store: IdempotencyStore;
  channels: readonly NotifyChannel[];
  logger: Logger;
  deadline: Deadline;
  /** How long a delivery record is kept (alerts are never re-sent within it). */
  ttlMs: number;
  timeoutMs?: number;
  backoff?: BackoffOptions;
  now?: () => number;
}

const defaults = { timeoutMs: 5_000, backoff: { baseMs: 300, capMs: 3_000, maxAttempts: 4 } satisfies BackoffOptions };

/** True when every channel has it (now or before); false when one must be retried later. */
export async function notify(alert: Alert, d: NotifierDeps): Promise<boolean> {
  // No channel here (a function deployed without NOTIFY_*) has delivered nothing: the alert stays owed, for the
  // tracker, which has the channels.
  if (d.channels.length === 0) {
    d.logger.info('no notify channel configured here; alert left for the tracker', { alert: alert.id, kind: alert.kind });
    return false;
  }
  const results = await Promise.all(d.channels.map((ch) => deliverOnce(alert, ch, d)));
  return results.every(Boolean);
}

async function deliverOnce(alert: Alert, channel: NotifyChannel, d: NotifierDeps): Promise<boolean> {
  const guard = { store: d.store, leaseMs: 60_000, ttlMs: d.ttlMs };
  const key = `fcdb_note_${sha256Hex(`${channel.name}|${alert.id}`).slice(0, 40)}`;
  const log = { alert: alert.id, kind: alert.kind, channel: channel.name };
  let c;
  try {
    c = await claim(key, payloadHash({ channel: channel.name, alert: alert.id }), guard);
  } catch (e) {
    // In progress elsewhere, or the store is down: not delivered by us, retried by the next sweep.
    d.logger.warn('notification not sent now; retried later', { ...log, code: toBackupError(e).code });
    return false;
  }
  if (c.kind === 'replay') return true;
  try {
    await withRetry(() => post(channel, alert, d), d.deadline, d.backoff ?? defaults.backoff, (e, attempt) =>
      d.logger.warn('notification attempt failed', { ...log, attempt, code: e.code }),
    );
  } catch (e) {
    d.logger.error('notification failed; retried by the next sweep', { ...log, code: toBackupError(e).code, message: toBackupError(e).message });
    await release(c.record, guard).catch(() => undefined);
    return false;
  }
  await complete(c.record, { sentAt: new Date().toISOString() }, guard).catch((e: unknown) =>
    d.logger.warn('notification sent but not recorded', { ...log, code: toBackupError(e).code }),
  );
  d.logger.info('notification sent', log);
  return true;
}

async function post(channel: NotifyChannel, alert: Alert, d: NotifierDeps): Promise<void> {
  const { url, body } = channel.message(alert, (d.now ?? Date.now)());
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(Math.max(1, Math.min(d.timeoutMs ?? defaults.timeoutMs, d.deadline.remainingMs()))),
    });
  } catch (cause) {
    throw new BackupError({ code: 'NotifyUnreachable', category: 'transient', message: `Could not reach ${channel.name}.`, cause });
  }
  const text = await res.text().catch(() => '');
  if (channel.accepted(res.status, text)) return;
  // Rate limits and server errors pass; a refusal of the message itself (bad URL, bad signature) does not.
  const retryable = res.status >= 500 || res.status === 429 || /"errcode"\s*:\s*130101/.test(text);
  throw new BackupError({
    code: 'NotifyRefused',
    category: retryable ? 'transient' : 'validation',
    message: `${channel.name} refused the notification (HTTP ${res.status}: ${text.slice(0, 200)}).`,
  });
}
