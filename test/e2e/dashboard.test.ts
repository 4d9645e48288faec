// The dashboard bundle behind the local gateway, as FC runs it, over a month of history seeded in the stack's store:
// the page and its headers (CSP by hash, no-store, no Referer), the JSON API behind the link's token (missing,
// forged, expired and replayed-after-expiry tokens all 401), server-side filters, and not one request to the cloud.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken } from '../../shared/dashboard/token';
import { drillLogFor } from '../../shared/drill/log';
import type { DrillRecord } from '../../shared/drill/record';
import { FileStore } from '../../shared/idempotency/file-store';
import { saveSnapshot } from '../../shared/restore-points/snapshot';
import { captureStdout } from '../helpers/fc';
import { dingtalkHeaders, slackHeaders } from '../../shared/http/signatures/http-adapters';
import { cli } from '../helpers/cli';
import { seedHistory } from '../helpers/seed-history';
import { secrets, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let base: string;

const DAY = 86_400_000;
/** A finished drill of rm-dash1 requested `daysAgo`, ready `recoveryMs` later, released an hour after. */
function drill(daysAgo: number, recoveryMs: number, verdict: DrillRecord['verdict'], error?: DrillRecord['error']): DrillRecord {
  const requested = Date.now() - daysAgo * DAY;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    drillId: `drill_rds_rm-dash1_${daysAgo}d`,
    product: 'rds',
    regionId: 'cn-hangzhou',
    sourceId: 'rm-dash1',
    backupId: `b-dash1-${daysAgo}`,
    backupStartedAt: iso(requested - DAY),
    // Where a chat drill's outcome was posted is the chat's, not the dashboard's.
    origin: { trigger: 'chat', requestedBy: 'slack:T0DASH/U0DASH', replyTo: { platform: 'slack', url: 'https://hooks.slack.com/actions/T0/secret' } },
    phase: 'released',
    requestedAt: iso(requested),
    releaseBy: iso(requested + 2 * 3_600_000),
    readyAt: iso(requested + recoveryMs),
    recoveryMs,
    ...(verdict ? { verdict } : {}),
    ...(error ? { error } : {}),
    releasedAt: iso(requested + recoveryMs + 3_600_000),
    lifetimeMs: recoveryMs + 3_600_000,
    updatedAt: iso(requested + recoveryMs + 3_600_000),
  };
}

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
  // What the tracker's restore-point watch last counted for one of them (its automated and console backups too).
  const points = [
    { backupId: 'b-new', startedAt: '2026-12-03T18:00:00Z', manual: true },
    { backupId: 'b-auto', startedAt: '2026-11-20T18:00:00Z', manual: false },
  ];
  await saveSnapshot(store, { product: 'rds', instanceId: 'rm-dash1', at: '2026-12-04T01:00:00.000Z', points }, 3_600_000);
  // rm-dash1's restore drills: one 120 days ago (outside the 90-day trend), a failed one 10 days ago, a pass 3 days ago.
  const drills = drillLogFor(store);
  await drills.claim(drill(120, 900_000, 'passed'));
  await drills.claim(drill(10, 720_000, 'failed', { code: 'DrillValidationFailed', message: 'table orders is empty' }));
  await drills.claim(drill(3, 600_000, 'passed'));
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
    // The restore-point watch's count, where the tracker recorded one; absent (not recorded yet) elsewhere.
    const rp = (await (await get('/api/databases/rds/rm-dash1', token)).json()) as { database: { restorePoints?: unknown } };
    expect(rp.database.restorePoints).toEqual({ count: 2, oldest: '2026-11-20T18:00:00Z', newest: '2026-12-03T18:00:00Z', countedAt: '2026-12-04T01:00:00.000Z' });
    expect((d.database as { restorePoints?: unknown }).restorePoints).toBeNull();
    const bad = await get('/api/fleet?state=great&sort=x', token);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/query\.state/);
  });

  it('restore drills: the last one with its verdict and recovery time, the 90 days’ trend, each drill in the detail; none says so', async () => {
    const token = valid();
    const fleet = (await (await get('/api/fleet', token)).json()) as { databases: { instanceId: string; drill?: any; restoreTested?: any }[] };
    const one = fleet.databases.find((d) => d.instanceId === 'rm-dash1');
    expect(one?.drill?.last).toMatchObject({ drillId: 'drill_rds_rm-dash1_3d', phase: 'released', verdict: 'passed', recoveryMs: 600_000, error: null });
    expect(one?.drill?.last.ageMs).toBeGreaterThan(3 * DAY - 3_600_000);
    expect(one?.drill?.last.ageMs).toBeLessThan(3 * DAY);
    expect(one?.drill?.recovery.map((p: { ms: number }) => p.ms)).toEqual([720_000, 600_000]);
    // The report's LAST RESTORE TESTED, from the same read.
    expect(one?.restoreTested).toMatchObject({ drillId: 'drill_rds_rm-dash1_3d', verdict: 'passed', recoveryMs: 600_000 });
    // A database never drilled: no last drill, no trend (the page says "not yet drilled").
    const none = fleet.databases.find((d) => d.instanceId === 'rm-dash2');
    expect(none?.drill).toEqual({ last: null, recovery: [] });
    expect(none?.restoreTested).toBeNull();

    const detail = (await (await get('/api/databases/rds/rm-dash1', token)).json()) as { drills: Record<string, unknown>[] };
    expect(detail.drills.map((d) => d.drillId)).toEqual(['drill_rds_rm-dash1_3d', 'drill_rds_rm-dash1_10d', 'drill_rds_rm-dash1_120d']);
    expect(detail.drills[1]).toMatchObject({ backupId: 'b-dash1-10', phase: 'released', verdict: 'failed', recoveryMs: 720_000, lifetimeMs: 720_000 + 3_600_000, error: { code: 'DrillValidationFailed', message: 'table orders is empty' }, trigger: 'chat', requestedBy: 'slack:T0DASH/U0DASH' });
    expect(JSON.stringify(detail)).not.toContain('hooks.slack.com');
    expect(((await (await get('/api/databases/rds/rm-dash2', token)).json()) as { drills: unknown[] }).drills).toEqual([]);
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

describe('the chat report’s link', () => {
  const slackReport = async () => {
    const body = new URLSearchParams({ text: 'report', team_id: 'T0DASH', user_id: 'U0DASH', channel_id: 'C0DASH', trigger_id: `t.${Math.random()}`, response_url: `${stack.receiver.url}/slack/response/x` }).toString();
    const res = await fetch(`${stack.gateway}/chatops/slack`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, secrets.slack) }, body });
    return ((await res.json()) as { text: string; response_type: string });
  };
  const dingtalkReport = async (conversationType: string) => {
    const body = JSON.stringify({ msgId: `m${Math.random()}`, text: { content: 'report' }, senderStaffId: 'U0DASH', senderCorpId: 'dingdash', chatbotCorpId: 'dingdash', conversationId: 'cid-dash', conversationType, sessionWebhook: `${stack.receiver.url}/dingtalk/session/x` });
    const res = await fetch(`${stack.gateway}/chatops/dingtalk`, { method: 'POST', headers: { 'content-type': 'application/json', ...dingtalkHeaders(secrets.dingtalk) }, body });
    return ((await res.json()) as { text: { content: string } }).text.content;
  };
  const withAcl = async <T>(rules: unknown[], fn: () => Promise<T>): Promise<T> => {
    Object.assign(process.env, { CHATOPS_ACL: JSON.stringify(rules), DASHBOARD_URL: base });
    try {
      return await fn();
    } finally {
      delete process.env.CHATOPS_ACL;
      delete process.env.DASHBOARD_URL;
    }
  };
  const linkIn = (text: string) => /(http:\/\/\S+#token=(\S+))/.exec(text);

  it('a rule allowing report and dashboard: the ephemeral Slack reply carries a link whose token opens the API', async () => {
    const reply = await withAcl([{ users: ['slack:T0DASH/U0DASH'], commands: ['report', 'dashboard'] }], slackReport);
    expect(reply.response_type).toBe('ephemeral');
    const m = linkIn(reply.text);
    expect(m?.[1]).toMatch(new RegExp(`^${base}/#token=fcdb1\\.`));
    expect((await get('/api/fleet', m?.[2])).status).toBe(200);
  });

  it('no link without `dashboard`, nor for a rule limited to some databases (a link shows them all)', async () => {
    expect(linkIn((await withAcl([{ users: ['slack:T0DASH/U0DASH'], commands: ['report'] }], slackReport)).text)).toBeNull();
    const limited = await withAcl([{ users: ['slack:T0DASH/U0DASH'], commands: ['report', 'dashboard'], instances: ['rm-dash1'] }], slackReport);
    expect(limited.text).toMatch(/databases/);
    expect(linkIn(limited.text)).toBeNull();
  });

  it('DingTalk: a link in a one-to-one chat only; a group, where everyone reads the answer, is told to ask there', async () => {
    const rules = [{ users: ['dingtalk:dingdash/U0DASH'], commands: ['report', 'dashboard'] }];
    const group = await withAcl(rules, () => dingtalkReport('2'));
    expect(linkIn(group)).toBeNull();
    expect(group).toMatch(/one-to-one chat/);
    const direct = await withAcl(rules, () => dingtalkReport('1'));
    expect((await get('/api/fleet', linkIn(direct)?.[2])).status).toBe(200);
  });
});

describe('fc-db-backup dashboard-link', () => {
  const env = () => ({ DASHBOARD_SECRET: secrets.dashboard, DASHBOARD_URL: base });

  it('prints a link (token in the fragment) that opens the API for --ttl, then no longer', async () => {
    const r = await cli(['dashboard-link', '--ttl', '1m', '--json'], env());
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { url: string; expiresAt: string };
    const url = new URL(out.url);
    expect(url.origin + url.pathname).toBe(`${base}/`);
    const token = new URLSearchParams(url.hash.slice(1)).get('token') ?? '';
    expect((await get('/api/fleet', token)).status).toBe(200);
    expect(Date.parse(out.expiresAt) - Date.now()).toBeLessThanOrEqual(60_000);
    const human = await cli(['dashboard-link'], env());
    expect(human.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/dashboard\/#token=fcdb1\.\S+\n\nValid until .* UTC/);
  });

  it('refuses a ttl beyond 7 days, no URL, or no usable secret, each naming what to set', async () => {
    expect((await cli(['dashboard-link', '--ttl', '8d'], env())).stderr).toMatch(/--ttl must be a duration from 1m to 7d/);
    const noUrl = await cli(['dashboard-link'], { DASHBOARD_SECRET: secrets.dashboard });
    expect([noUrl.code, noUrl.stderr]).toEqual([2, expect.stringMatching(/needs --url or DASHBOARD_URL/)]);
    const noSecret = await cli(['dashboard-link', '--url', base], { DASHBOARD_SECRET: 'short' });
    expect([noSecret.code, noSecret.stderr]).toEqual([4, expect.stringMatching(/Set DASHBOARD_SECRET/)]);
  });
});
