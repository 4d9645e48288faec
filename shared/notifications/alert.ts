// What the tool tells the on-call channels: one model, rendered natively by each channel adapter.
import type { ProductName } from '../cloud/products/catalog';

export type AlertKind = 'job-failed' | 'not-requested' | 'dispatch-lost' | 'zero-match' | 'run-failed' | 'digest' | 'retention-refused' | 'restore-points-vanished' | 'posture-drift' | 'posture-recovered' | 'drill-failed' | 'drill-release-failed' | 'drill-record-lost';

export interface Alert {
  /** Derived from what it is about, never random: the same alert raised twice is sent once. */
  id: string;
  kind: AlertKind;
  /** One line: what happened. */
  title: string;
  database?: { product: ProductName; instanceId: string };
  /** The BackupError code or the cloud's status. */
  code?: string;
  /** The details, as the cloud or the engine said them. */
  message: string;
  /** What a person should do now. */
  action: string;
  /** ISO time of the event. */
  at: string;
  /** Extra lines (job id, key, trigger), shown as `name: value`. */
  facts?: Record<string, string>;
  /** Digest only: a ready-made body of lines (the report's table). */
  lines?: string[];
}

export const severity = (a: Alert): 'failure' | 'warning' | 'info' =>
  a.kind === 'digest' || a.kind === 'posture-recovered' ? 'info' : a.kind === 'zero-match' || a.kind === 'posture-drift' ? 'warning' : 'failure';
