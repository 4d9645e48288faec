// What every signature check answers, and the few primitives they share. No project imports: node:crypto only.
import { createHmac, timingSafeEqual } from 'node:crypto';

export type VerifyFailure = 'missing' | 'stale' | 'future' | 'mismatch' | 'unconfigured' | 'malformed' | 'replayed';
export type VerifyResult = { ok: true } | { ok: false; reason: VerifyFailure };

export const verified: VerifyResult = Object.freeze({ ok: true });
export const refused = (reason: VerifyFailure): VerifyResult => ({ ok: false, reason });

/** A clock reading: a Date or epoch milliseconds (what Date.now() returns). */
export type Clock = Date | number;
export const epochMs = (now: Clock | undefined): number => (now === undefined ? Date.now() : typeof now === 'number' ? now : now.getTime());

export function hmacSha256(key: string, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Constant time in the content. Callers have already shaped `given` from its (public) format to the digest's length;
 * the length test only guards that contract, it never depends on secret bytes.
 */
export function digestsEqual(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

const sha256Hex = /^[0-9a-fA-F]{64}$/;

/** `<prefix><64 hex>` → the 32 digest bytes; anything else (no prefix, odd length, non-hex, wrong size) → undefined. */
export function hexDigestAfter(prefix: string, header: string): Buffer | undefined {
  if (!header.startsWith(prefix)) return undefined;
  const hex = header.slice(prefix.length);
  return sha256Hex.test(hex) ? Buffer.from(hex, 'hex') : undefined;
}

export const isMissing = (v: string | undefined): v is undefined => v === undefined || v.trim() === '';
