// What counts as a signing secret. A value of spaces or a stray newline is not a key: the secret is trimmed and must
// then be at least 16 bytes (GitHub's documented example secret, "It's a Secret to Everybody", is 26); anything
// else leaves the endpoint refusing every request, and the log says which variable is wrong (never its value).

export const minSecretBytes = 16;

export type SecretCheck = { ok: true; secret: string } | { ok: false; problem: string };

export function checkSecret(raw: string | undefined): SecretCheck {
  if (raw === undefined || raw === '') return { ok: false, problem: 'is not set' };
  const secret = raw.trim();
  if (secret === '') return { ok: false, problem: 'is only whitespace' };
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < minSecretBytes) return { ok: false, problem: `is ${bytes} bytes after trimming; at least ${minSecretBytes} are required` };
  return { ok: true, secret };
}
