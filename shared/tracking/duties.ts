// What a final record still owes: the chat result to whoever asked, and the alert when it did not succeed. Each is
// done once (claimed in the store) and then settled in the history; a duty that fails stays for the next sweep.
import { postChatReply } from '../chat/reply';
import { toBackupError } from '../errors';
import { claim, complete, release } from '../idempotency/guard';
import { payloadHash } from '../idempotency/key';
import type { History } from '../history/history';
import type { HistoryRecord } from '../history/record';
import type { Logger } from '../logger';
import { notify, type NotifierDeps } from '../notifications/notifier';
import type { RetentionOutcome } from '../retention/enforce';
import { alertForRecord, alertForRetentionRefusal, resultText } from './messages';

export interface DutyDeps {
  history: History;
  /** Retention after a success: deletes this tool's backups the policy no longer keeps. */
  afterSuccess: (r: HistoryRecord) => Promise<RetentionOutcome>;
  notifier: NotifierDeps;
  logger: Logger;
  /** CHAT_REPLY_LOCAL_RECEIVER: the local stack's loopback receiver, allowed besides Slack's and DingTalk's hosts. */
  chatReplyLocalReceiver?: string;
}

// Slack's response_url takes follow-ups for 30 minutes; a reply older than that can only fail.
const REPLY_WINDOW_MS = 30 * 60_000;

export async function performDuties(r: HistoryRecord, d: DutyDeps): Promise<void> {
  for (const duty of r.duties) {
    const done = duty === 'alert' ? await notify(alertForRecord(r), d.notifier) : duty === 'reply' ? await replyOnce(r, d) : await retentionOnce(r, d);
    if (done) await d.history.settle(r.id, duty);
  }
}

/** True once retention ran, or failed for good (the next success runs it again); false to retry a transient failure. */
async function retentionOnce(r: HistoryRecord, d: DutyDeps): Promise<boolean> {
  try {
    const done = await d.afterSuccess(r);
    // A refused plan deleted nothing; it is owed an alert, retried with the duty until it is sent.
    return done.refused ? await notify(alertForRetentionRefusal(r, done.refused), d.notifier) : true;
  } catch (raw) {
    const e = toBackupError(raw);
    d.logger.warn(e.retryable ? 'retention after a success failed; the next sweep retries it' : 'retention after a success failed; the next success runs it again', { key: r.id, code: e.code });
    return !e.retryable;
  }
}

/** True once the result is posted (by us or before), or can never be. */
export async function replyOnce(r: HistoryRecord, d: DutyDeps): Promise<boolean> {
  const to = r.origin.replyTo;
  if (!to) return true;
  const guard = { store: d.notifier.store, leaseMs: 60_000, ttlMs: d.notifier.ttlMs };
  const log = { key: r.id, platform: to.platform };
  let c;
  try {
    c = await claim(`${r.id}_reply`, payloadHash(to), guard);
  } catch (e) {
    d.logger.warn('chat result not posted now; retried by the next sweep', { ...log, code: toBackupError(e).code });
    return false;
  }
  if (c.kind === 'replay') return true;
  // Taken over: an earlier sweep claimed this reply and may have posted it before it died or failed to save that it
  // did. A chat post cannot be looked up, so it is not posted again: at most once, never twice.
  if (c.takeover) {
    await complete(c.record, { posted: 'unknown' }, guard).catch(() => undefined);
    d.logger.warn('chat result may have been posted by an earlier attempt; not posting it again', log);
    return true;
  }
  try {
    await postChatReply(to, resultText(r), { localReceiver: d.chatReplyLocalReceiver });
  } catch (raw) {
    const e = toBackupError(raw);
    // Only a post that surely did not arrive frees the claim for a retry; one that may have arrived keeps it, and the
    // sweep that takes it over does not post again.
    if (e.ambiguous) {
      d.logger.warn('chat result may or may not have been posted; not retried', { ...log, code: e.code });
      return false;
    }
    await release(c.record, guard).catch(() => undefined);
    const expired = !e.retryable || Date.now() - Date.parse(r.endedAt ?? r.requestedAt) > REPLY_WINDOW_MS;
    d.logger[expired ? 'error' : 'warn'](expired ? 'chat result could not be posted; giving up' : 'chat result not posted; retried by the next sweep', { ...log, code: e.code });
    return expired;
  }
  // A failed save leaves the claim in progress: the sweep that takes it over after its lease does not post again.
  await complete(c.record, { posted: true }, guard).catch((e) => d.logger.warn('result posted; saving that it was failed', { ...log, code: toBackupError(e).code }));
  d.logger.info('result posted', log);
  return true;
}
