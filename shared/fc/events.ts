// The shapes Function Compute 3.0 hands a Node.js event handler (see alibaba-api-facts.md §4).
import { validationError } from '../errors';
import { exceedsJsonDepth, maxJsonDepth } from '../input/json-depth';

export interface FcContext {
  requestId: string;
  region?: string;
  accountId?: string;
  credentials?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string } | null;
  function?: { name?: string; handler?: string; memory?: number; timeout?: number };
  service?: { qualifier?: string; versionId?: string };
}

export interface TimerEvent {
  triggerTime: string;
  triggerName: string;
  payload: unknown;
}

/** FC passes the event as a Buffer; local callers may pass a string or an object. */
export function eventJson(event: unknown): unknown {
  const text = Buffer.isBuffer(event) ? event.toString('utf8') : typeof event === 'string' ? event : undefined;
  return text === undefined ? event : parseJsonField(text, 'event', 'must be JSON', 'event');
}

/** JSON.parse behind the nesting limit (shared/json-depth.ts); a refusal names the field. */
function parseJsonField(text: string, field: string, rule: string, what: string): unknown {
  if (exceedsJsonDepth(text)) throw validationError([{ field, value: text, rule: `must not nest more than ${maxJsonDepth} levels deep` }], what);
  try {
    return JSON.parse(text);
  } catch {
    throw validationError([{ field, value: text, rule }], what);
  }
}

export function parseTimerEvent(event: unknown): TimerEvent {
  const e = eventJson(event) as Partial<TimerEvent> | null;
  const issues = [];
  if (!e || typeof e !== 'object') throw validationError([{ field: 'event', value: e, rule: 'must be a timer event object' }], 'timer event');
  if (typeof e.triggerTime !== 'string' || Number.isNaN(Date.parse(e.triggerTime))) {
    issues.push({ field: 'triggerTime', value: e.triggerTime, rule: 'must be an ISO time such as "2026-11-23T02:00:00Z"' });
  }
  if (typeof e.triggerName !== 'string' || e.triggerName === '') {
    issues.push({ field: 'triggerName', value: e.triggerName, rule: 'must be the timer trigger name' });
  }
  if (issues.length > 0) throw validationError(issues, 'timer event');
  // The trigger's payload is a string in s.yaml; accept it already parsed too.
  let payload = e.payload;
  if (typeof payload === 'string') payload = payload.trim() === '' ? {} : parseJsonField(payload, 'payload', 'must be JSON like {"targets":[...]}', 'timer event');
  return { triggerTime: e.triggerTime as string, triggerName: e.triggerName as string, payload: payload ?? {} };
}
