// The dashboard bundle behind the local gateway, as FC runs it, over a month of history seeded in the stack's store:
// the page and its headers (CSP by hash, no-store, no Referer), the JSON API behind the link's token (missing,
// forged, expired and replayed-after-expiry tokens all 401), server-side filters, and not one request to the cloud.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../shared/dashboard/token';
import { FileStore } from '../../shared/idempotency/file-store';
import { captureStdout } from '../helpers/fc';
import { seedHistory } from '../helpers/seed-history';
import { secrets, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let base: string;

beforeAll(async () => {
  stack = await startStack({}, { LOG_LEVEL: 'info' });
  base = `${stack.gateway}/dashboard`;
  const store = new FileStore({ dir: (process.env.IDEMPOTENCY_STORE as string).slice('file:'.length) });
  await seedHistory({
    store,
    databases: [
      { product: 'rds', instanceId: 'rm-dash1', tags: { backup: 'nightly' } },
      { product: 'rds', instanceId: 'rm-dash2', tags: { backup: 'nightly' }, nights: { 0: 'failed' } },
      { product: 'polardb', instanceId: 'pc-dash1', nights: { 2: 'missing' } },
    ],
  });
});
afterAll(() => stack.close());

const get = (path: string, token?: string) => fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const valid = () => mintToken(secrets.dashboard).token;

describe('the page', () => {
  it('is one document whose inline script and style the CSP allows by hash; nothing else, nothing cached, no Referer', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy') ?? '';
    const hash = (s: string) => `'sha256-${createHash('sha256').update(s).digest('base64')}'`;
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*)<\/style>/.exec(html)?.[1] ?? '';
    expect(script.length).toBeGreaterThan(1000);
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(csp).toMatch(/default-src 'none'/);
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('set-cookie')).toBeNull();
    // No other origin named anywhere in the page: no CDN, no font, no analytics.
    expect(html.match(/https?:\/\/[^\s"'<>)]+/g) ?? []).toEqual(['http://www.w3.org/2000/svg']);
  });
});

describe('the JSON API', () => {
  it('without a token, with a forged one, an expired one: 401 saying how to get a new link, nothing cached', async () => {
    const forged = valid().replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const expired = mintToken(secrets.dashboard, { now: Date.now() - 9 * 3_600_000 }).token;
    const other = mintToken('another-deployment-secret').token;
    const cases: [string | undefined, string][] = [[undefined, 'missing'], [forged, 'mismatch'], [expired, 'expired'], [other, 'mismatch'], ['not-a-token', 'malformed']];
    for (const [token, reason] of cases) {
      for (const path of ['/api/fleet', '/api/databases/rds/rm-dash1']) {
        const res = await get(path, token);
        expect(res.status, `${path} ${reason}`).toBe(401);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        const body = (await res.json()) as { error: { code: string; message: string; details?: { reason?: string } } };
        expect(body.error).toMatchObject({ code: 'Unauthorized', details: { reason } });
        expect(body.error.message).toMatch(/fc-db-backup dashboard-link/);
        expect(JSON.stringify(body)).not.toMatch(/rm-dash/);
      }
    }
  });

  it('a captured link works until it expires, and answers 401 when replayed after', async () => {
    const { token } = mintToken(secrets.dashboard, { ttlMs: 2_000 });
    expect((await get('/api/fleet', token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await get('/api/fleet', token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { details: { reason: string } } }).error.details.reason).toBe('expired');
  });

  it('the fleet: counts, facets and one page, filtered on the server; no-store; the token never in a log line', async () => {
    const token = valid();
    const { result, lines } = await captureStdout(async () => {
      const all = await get('/api/fleet', token);
      const failed = await get('/api/fleet?state=failed', token);
      return { all: { status: all.status, cache: all.headers.get('cache-control'), body: (await all.json()) as any }, failed: (await failed.json()) as any };
    });
    expect(result?.all.status).toBe(200);
    expect(result?.all.cache).toBe('no-store');
    expect(result?.all.body.summary).toMatchObject({ total: 3, failed: 1, ok: 2 });
    expect(result?.all.body.days).toHaveLength(35);
    expect(result?.failed.databases.map((d: { instanceId: string }) => d.instanceId)).toEqual(['rm-dash2']);
    expect(result?.failed.databases[0].strip.at(-1)).toBe('f');
    expect(lines.some((l) => l.includes('dashboard link used'))).toBe(true);
    for (const l of lines) expect(l).not.toContain(token.split('.')[4]);
  });

  it('a database’s detail with its records; an unknown one is 404; an unknown query parameter 400', async () => {
    const token = valid();
    const d = (await (await get('/api/databases/polardb/pc-dash1', token)).json()) as { database: { strip: string }; records: unknown[] };
    expect(d.records).toHaveLength(34);
    expect(d.database.strip.slice(-3)).toBe('mss');
    expect((await get('/api/databases/rds/rm-nope', token)).status).toBe(404);
    const bad = await get('/api/fleet?state=great&sort=x', token);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/query\.state/);
  });

  it('with DASHBOARD_SECRET unset or short, every API request is refused and the log names the variable', async () => {
    const token = valid();
    for (const bad of ['', 'short']) {
      process.env.DASHBOARD_SECRET = bad;
      try {
        const { result, lines } = await captureStdout(async () => (await get('/api/fleet', token)).status);
        expect(result).toBe(401);
        expect(lines.some((l) => l.includes('env DASHBOARD_SECRET') && l.includes('fail closed'))).toBe(true);
      } finally {
        process.env.DASHBOARD_SECRET = secrets.dashboard;
      }
    }
  });

  it('needs no cloud: none of the dashboard’s requests reached the local cloud', async () => {
    const before = stack.cloud.requests.length;
    const token = valid();
    for (const path of ['/', '/api/fleet', '/api/fleet?q=rm-dash1', '/api/fleet?q=j3-rm-dash1', '/api/databases/rds/rm-dash1']) expect((await get(path, token)).status).toBe(200);
    expect(stack.cloud.requests.length).toBe(before);
  });
});
