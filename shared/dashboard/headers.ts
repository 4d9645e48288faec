// What every dashboard response says to the browser: nothing is stored (no-store: no response holding data is
// cached, by the browser or a proxy), no Referer leaves the page, no other site may frame it, nothing is sniffed.
// The page itself adds a CSP that allows its own inline script and style (by hash) and requests to its own origin.
import { createHash } from 'node:crypto';

export const noStore = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
} as const;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page's policy: its one inline script and one inline style by hash, requests to its own origin only. */
export function pageCsp(script: string, style: string): string {
  return [
    "default-src 'none'",
    `script-src ${sha256(script)}`,
    `style-src ${sha256(style)}`,
    "connect-src 'self'",
    // The favicon is an empty data: URL, so the browser asks no server for one.
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const pageHeaders = (csp: string): Record<string, string> => ({
  ...noStore,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': csp,
  'cross-origin-opener-policy': 'same-origin',
});

export const apiHeaders: Record<string, string> = { ...noStore, 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" };
