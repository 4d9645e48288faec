// The event FC 3.0 sends to backup-worker's onFailure destination (the tracker) when an async invocation has failed
// for good: the failed invocation's context and its original payload (docs/fc-async-destination.md). Anyone allowed to
// invoke the tracker can send one, so it names a task and nothing more: only its key is read, and the tracker acts on
// the record the history holds for that key, never on the target, reply address or requester the payload carries.
import * as z from 'zod/mini';
import { validationError, type BackupError } from '../errors';
import { exceedsJsonDepth, maxJsonDepth } from '../input/json-depth';
import { fieldRuleErrors, zodIssuesToFieldIssues } from '../validation';

/** FC's async task ids and our idempotency keys (shared/idempotency/key.ts). */
const taskKey = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/, { error: 'must be a backup key such as "fcdb_…"' }));

// Loose: FC may add fields; only these are read, and each is checked where it is present.
const destinationEvent = z.looseObject({
  timestamp: z.optional(z.union([z.string(), z.number()])),
  requestContext: z.optional(
    z.looseObject({
      requestId: z.optional(z.string().check(z.maxLength(256))),
      functionArn: z.optional(z.string().check(z.maxLength(1024))),
      condition: z.optional(z.string().check(z.maxLength(256))),
      approximateInvokeCount: z.optional(z.number()),
    }),
  ),
  // The original payload: FC hands it back as the string it was sent as; a parsed object is accepted too.
  requestPayload: z.union([z.string().check(z.maxLength(128 * 1024)), z.looseObject({})]),
  responseContext: z.optional(z.looseObject({ statusCode: z.optional(z.number()), functionError: z.optional(z.string().check(z.maxLength(1024))) })),
});

const workerPayload = z.looseObject({ key: taskKey });

export interface FailedTask {
  key: string;
  /** FC's request id and condition of the failed invocation, for the log. */
  requestId?: string;
  condition?: string;
}

export type DestinationEvent = { ok: true; task: FailedTask } | { ok: false; error: BackupError };

/** Whether the event claims to be a destination event (FC's `requestPayload`/`requestContext`); a timer's does not. */
export const looksLikeDestinationEvent = (e: unknown): boolean =>
  e !== null && typeof e === 'object' && !Array.isArray(e) && ('requestPayload' in e || 'requestContext' in e);

export function parseDestinationEvent(e: unknown): DestinationEvent {
  const what = 'FC async destination event';
  const event = destinationEvent.safeParse(e, { error: fieldRuleErrors });
  if (!event.success) return { ok: false, error: validationError(zodIssuesToFieldIssues(event.error, e), what) };
  let payload: unknown = event.data.requestPayload;
  if (typeof payload === 'string') {
    const text = payload;
    if (exceedsJsonDepth(text)) return { ok: false, error: validationError([{ field: 'requestPayload', value: text, rule: `must not nest more than ${maxJsonDepth} levels deep` }], what) };
    try {
      payload = JSON.parse(text);
    } catch {
      return { ok: false, error: validationError([{ field: 'requestPayload', value: text, rule: 'must be the worker event as JSON' }], what) };
    }
  }
  const w = workerPayload.safeParse(payload, { error: fieldRuleErrors });
  if (!w.success) {
    return { ok: false, error: validationError(zodIssuesToFieldIssues(w.error, payload).map((i) => ({ ...i, field: i.field ? `requestPayload.${i.field}` : 'requestPayload' })), what) };
  }
  const ctx = event.data.requestContext;
  return { ok: true, task: { key: w.data.key, ...(ctx?.requestId ? { requestId: ctx.requestId } : {}), ...(ctx?.condition ? { condition: ctx.condition } : {}) } };
}
