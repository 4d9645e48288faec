// Server-side check of ACS3-HMAC-SHA256, the signature @alicloud/openapi-client sends by default
// (alibaba-api-facts.md §1.5). The local cloud refuses what Alibaba Cloud would refuse.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface Credential {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS: the request must carry this token (signed). */
  securityToken?: string;
}

export type Acs3Failure = 'incomplete' | 'unknown-key' | 'mismatch' | 'token' | 'timestamp';
export type Acs3Result = { ok: true; accessKeyId: string; securityToken?: string } | { ok: false; reason: Acs3Failure; message: string };

export interface Acs3Request {
  method: string;
  /** Path and raw query exactly as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const encode = (s: string): string =>
  encodeURIComponent(s).replace(/!/g, '%21').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29').replace(/\*/g, '%2A');

const header = (h: IncomingHttpHeaders, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
};

/** The query as the signer saw it: Node's querystring encoding undone (it leaves ! ' ( ) * raw). */
export function parseRawQuery(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const i = part.indexOf('=');
    const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, '%20'));
    out[dec(i < 0 ? part : part.slice(0, i))] = i < 0 ? '' : dec(part.slice(i + 1));
  }
  return out;
}

const fail = (reason: Acs3Failure, message: string): Acs3Result => ({ ok: false, reason, message });

export function verifyAcs3(req: Acs3Request, keys: readonly Credential[], nowMs: number, maxSkewMs = 15 * 60_000): Acs3Result {
  const authz = header(req.headers, 'authorization') ?? '';
  const m = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(authz);
  if (!m) return fail('incomplete', 'The request signature does not conform to Aliyun standards (ACS3-HMAC-SHA256 Authorization header expected).');
  const [, accessKeyId = '', signedList = '', signature = ''] = m;
  const key = keys.find((k) => k.accessKeyId === accessKeyId);
  if (!key) return fail('unknown-key', `Specified access key is not found: ${accessKeyId}`);

  const signed = signedList.split(';');
  const mustSign = Object.keys(req.headers).filter((h) => h === 'host' || h === 'content-type' || h.startsWith('x-acs-'));
  for (const h of new Set(['host', 'x-acs-date', 'x-acs-content-sha256', 'x-acs-signature-nonce', ...mustSign])) {
    if (!signed.includes(h)) return fail('incomplete', `Header ${h} must be signed.`);
  }
  const date = Date.parse(header(req.headers, 'x-acs-date') ?? '');
  if (!Number.isFinite(date) || Math.abs(date - nowMs) > maxSkewMs) {
    return fail('timestamp', 'Specified time stamp or date value is expired (more than 15 minutes from the server time).');
  }
  const payloadHash = createHash('sha256').update(req.body).digest('hex');
  if (header(req.headers, 'x-acs-content-sha256') !== payloadHash) return fail('mismatch', 'x-acs-content-sha256 does not match the body.');

  const [rawPath = '/', rawQuery = ''] = req.url.split('?');
  const query = parseRawQuery(rawQuery);
  const canonicalRequest = [
    req.method,
    rawPath.replace('+', '%20').replace('*', '%2A').replace('%7E', '~'),
    Object.keys(query)
      .sort()
      .map((k) => `${k}=${encode(query[k] ?? '')}`)
      .join('&'),
    [...signed]
      .sort()
      .map((h) => `${h}:${(header(req.headers, h) ?? '').trim()}\n`)
      .join(''),
    [...signed].sort().join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  const expected = createHmac('sha256', key.accessKeySecret).update(stringToSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail('mismatch', 'The request signature we calculated does not match the signature you provided. Check your AccessKeySecret.');
  }
  const token = header(req.headers, 'x-acs-security-token');
  if (key.securityToken !== undefined && (token !== key.securityToken || header(req.headers, 'x-acs-accesskey-id') !== accessKeyId)) {
    return fail('token', 'The security token you provided does not match the AccessKey.');
  }
  return { ok: true, accessKeyId, securityToken: token };
}
