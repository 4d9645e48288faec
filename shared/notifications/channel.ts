// A notify channel: one adapter per platform (dingtalk-robot.ts, slack-webhook.ts) behind this interface, so the
// notifier never branches on the platform.
import type { Alert } from './alert';

export interface OutgoingMessage {
  url: string;
  body: Record<string, unknown>;
}

export interface NotifyChannel {
  /** Stable name, for logs and per-channel delivery records: never the URL (it carries the token). */
  name: string;
  /** The request that delivers `alert`, signed for `now` where the platform signs. */
  message(alert: Alert, now: number): OutgoingMessage;
  /** Whether the platform's answer means delivered (DingTalk answers 200 with an errcode). */
  accepted(status: number, body: string): boolean;
}
