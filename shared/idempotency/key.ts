// Idempotency keys are derived, never random: the same request delivered again must produce the same key.
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal payloads hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const sha256Hex = (s: string): string => createHash('sha256').update(s).digest('hex');

export const payloadHash = (payload: unknown): string => sha256Hex(canonicalJson(payload));

/**
 * `fcdb_` + 40 hex: short, and valid everywhere a key travels — a Redis key, a file name, FC's async task id
 * (`[A-Za-z_][A-Za-z0-9_-]*`, ≤128) and, via clientToken(), PolarDB's ClientToken.
 */
export function idempotencyKey(scope: string, parts: readonly string[], target: unknown): string {
  return `fcdb_${sha256Hex(canonicalJson({ scope, parts, target })).slice(0, 40)}`;
}

/** PolarDB's ClientToken: ≤ 64 ASCII characters, stable for a key across retries and redeliveries. */
export const clientToken = (key: string): string => `fcdb${sha256Hex(`client-token:${key}`).slice(0, 60)}`;
