// The deploy gate bundle behind an FC-style HTTP trigger, against the local cloud.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fcContext } from '../../local/fc-runtime';
import { startInvocation } from '../../shared/fc/invocation';
import { deployHeaders } from '../../shared/http/signatures/http-adapters';
import { captureStdout } from '../helpers/fc';
import { secrets, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let url: string;
beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 600 });
  url = `${stack.gateway}/deploy-hook`;
});
afterAll(() => stack.close());
beforeEach(() => stack.cloud.reset());

const targets = [
  { product: 'rds', DBInstanceId: 'rm-sample1', BackupMethod: 'Physical' },
  { product: 'polardb', DBClusterId: 'pc-sample1' },
];

async function post(body: unknown, opts: { secret?: string; headers?: Record<string, string>; raw?: string } = {}) {
  const text = opts.raw ?? JSON.stringify(body);
  const res = await fetch(`${url}/backups`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', text, opts.secret ?? secrets.deploy), ...opts.headers },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function get(path: string, secret = secrets.deploy) {
  const res = await fetch(`${url}${path}`, { headers: deployHeaders('GET', path, '', secret) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const creates = () => stack.cloud.requests.filter((r) => r.action === 'CreateBackup' && r.status === 200).length;

describe('deploy gate', () => {
  it('answers 202 with the jobs and a status path; the status read follows them to the end', async () => {
    const r = await post({ targets, deployId: 'deploy-202', reason: 'migration 42' });
    expect(r.status).toBe(202);
    expect(r.body.jobs).toHaveLength(2);
    expect(r.body.jobs[0]).toMatchObject({ product: 'rds', instanceId: 'rm-sample1', jobId: expect.any(String), state: expect.stringMatching(/queued|running/) });
    expect(r.body.statusPath).toBe(`/backups/${r.body.id}`);
    // 202 while a job runs, 200 once all are final: a curl loop "until 200" stops at the end, not before.
    const running = await get(r.body.statusPath);
    expect(running.status).toBe(202);
    expect(running.body.done).toBe(false);
    expect(running.body.jobs.map((j: { jobId: string }) => j.jobId)).toEqual(r.body.jobs.map((j: { jobId: string }) => j.jobId));
    await new Promise((res) => setTimeout(res, 700));
    const done = await get(r.body.statusPath);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ done: true, ok: true });
    expect(done.body.jobs.every((j: { state: string; sizeBytes: number }) => j.state === 'succeeded' && j.sizeBytes > 0)).toBe(true);
  });

  it('wait (in the signed body) blocks until every job is final → 200', async () => {
    const r = await post({ targets, deployId: 'deploy-wait', wait: 10 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ done: true, ok: true });
  });

  // PolarDB's and MongoDB's task lists say "Finished" for a failed job too: only the backup set says it failed.
  it.each([
    ['rds', { product: 'rds', DBInstanceId: 'rm-sample1' }],
    ['polardb', { product: 'polardb', DBClusterId: 'pc-sample1' }],
    ['mongodb', { product: 'mongodb', DBInstanceId: 'dds-sample1' }],
  ] as const)('a %s job that fails makes the gate answer done and not ok, so CI can stop the deploy', async (product, target) => {
    stack.cloud.inject({ action: 'CreateBackup', product, kind: 'job-fails' });
    const r = await post({ targets: [target], deployId: `deploy-fails-${product}`, wait: 10 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ done: true, ok: false, jobs: [{ state: 'failed', error: { code: 'BackupJobFailed' } }] });
  });

  // One signed request with keep: 1 once wiped every older backup of the fleet (issue 16): retention is the operator's.
  it.for(['keep', 'keepDays', 'keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const)('a %s in a gate request is a 400 naming the field, and nothing is created or deleted', async (field, { expect }) => {
    const before = stack.cloud.requests.length;
    const r = await post({ targets: [{ product: 'polardb', DBClusterId: 'pc-sample1', [field]: 1 }], deployId: `deploy-${field}-refused`, wait: 0 });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(`targets[0].${field}: 1 — retention is set only by the operator's scheduled targets`);
    const calls = stack.cloud.requests.slice(before).map((c) => c.action);
    expect(calls.filter((a) => a === 'CreateBackup' || a === 'DeleteBackup')).toEqual([]);
  });

  // The gate's function has no alert channels: the failure alert an end owes is the tracker's.
  it('the gate records the ends it waits on but leaves the failure alert to the tracker', async () => {
    stack.cloud.inject({ action: 'CreateBackup', product: 'mongodb', kind: 'job-fails' });
    const failed = await post({ targets: [{ product: 'mongodb', DBInstanceId: 'dds-sample1' }], deployId: 'deploy-owes-alert', wait: 10 });
    expect(failed.body.done).toBe(true);
    const history = startInvocation(fcContext('test', {})).history;
    const owed = async (r: { body: Record<string, any> }) => (await history.get(r.body.jobs[0].key))?.duties;
    expect(stack.receiver.notified).toEqual([]);
    expect(await owed(failed)).toEqual(['alert']);

    await stack.tracked();
    expect(stack.receiver.notified.filter((n) => JSON.stringify(n.body).includes(failed.body.jobs[0].jobId))).toHaveLength(2);
    expect(await owed(failed)).toEqual([]);
  });

  it('the same deployId again returns the same jobs and takes no second backup', async () => {
    const first = await post({ targets, deployId: 'deploy-rerun' });
    const again = await post({ targets, deployId: 'deploy-rerun' });
    expect(again.body.jobs.map((j: { jobId: string }) => j.jobId)).toEqual(first.body.jobs.map((j: { jobId: string }) => j.jobId));
    expect(again.body.jobs.every((j: { outcome: string }) => j.outcome === 'replayed')).toBe(true);
    expect(creates()).toBe(2);
    expect(stack.cloud.jobs()).toHaveLength(2);
  });

  it('the same deployId with other targets is refused (422), nothing called', async () => {
    await post({ targets, deployId: 'deploy-changed' });
    const before = stack.cloud.requests.length;
    const r = await post({ targets: [targets[0]], deployId: 'deploy-changed' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('IdempotencyKeyMismatch');
    expect(stack.cloud.requests.length).toBe(before);
  });

  it('dry run lists the calls and calls nothing', async () => {
    const r = await post({ targets, deployId: 'deploy-dry', dryRun: true });
    expect(r.status).toBe(200);
    expect(r.body.calls).toHaveLength(2);
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('a dry run claims nothing: the real run of the same deployId that follows takes its backups', async () => {
    const dry = await post({ targets, deployId: 'deploy-dry-then-real', dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.calls.map((c: { action: string }) => c.action)).toEqual(['CreateBackup', 'CreateBackup']);
    const real = await post({ targets, deployId: 'deploy-dry-then-real' });
    expect([200, 202]).toContain(real.status);
    expect(stack.cloud.jobs()).toHaveLength(2);
    // A dry run after it says what a real run would do now: replay each job.
    const after = await post({ targets, deployId: 'deploy-dry-then-real', dryRun: true });
    expect(after.body.calls.map((c: { action: string }) => c.action)).toEqual(['replay', 'replay']);
    expect(stack.cloud.jobs()).toHaveLength(2);
  });

  it('the same targets in another order are the same request: same jobs, no second backup', async () => {
    const first = await post({ targets, deployId: 'deploy-order' });
    const again = await post({ targets: [...targets].reverse(), deployId: 'deploy-order' });
    expect(again.status).not.toBe(422);
    expect(again.body.jobs.map((j: { jobId: string }) => j.jobId).sort()).toEqual(first.body.jobs.map((j: { jobId: string }) => j.jobId).sort());
    expect(stack.cloud.jobs()).toHaveLength(2);
  });

  it('the same database twice in one payload is refused (400), naming both entries; nothing is claimed or called', async () => {
    const twice = [targets[0], { ...(targets[0] as object), BackupMethod: 'Logical' }];
    const r = await post({ targets: twice, deployId: 'deploy-twice' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/targets\[1\].*again, already named by targets\[0\]/);
    expect(stack.cloud.requests.filter((q) => q.action === 'CreateBackup')).toHaveLength(0);
    // Corrected, the same deployId is free.
    expect([200, 202]).toContain((await post({ targets: [targets[0]], deployId: 'deploy-twice' })).status);
  });
});

describe('deploy gate refuses', () => {
  it.each([
    ['no signature', { 'x-hub-signature-256': '' }],
    ['a wrong signature', { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }],
    ['a signature made with another secret', deployHeaders('POST', '/backups', JSON.stringify({ targets, deployId: 'x' }), 'not-the-deploy-secret')],
  ])('%s → 401, before anything is parsed or called', async (_name, headers) => {
    const r = await post({ targets, deployId: 'x' }, { headers });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('Unauthorized');
    // Whoever calls (any CI, curl), the refusal names the deploy gate, not GitHub.
    expect(r.body.error.message).toMatch(/^The deploy gate request /);
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('an unsigned or wrongly signed status read → 401; a stale one too', async () => {
    expect((await fetch(`${url}/backups/fcdb_x`)).status).toBe(401);
    expect((await get('/backups/fcdb_x', 'wrong')).status).toBe(401);
    const stale = deployHeaders('GET', '/backups/fcdb_x', '', secrets.deploy, Date.now() - 600_000);
    expect((await fetch(`${url}/backups/fcdb_x`, { headers: stale })).status).toBe(401);
  });

  it('fails closed: with DEPLOY_HOOK_SECRET unset every request is refused, and the log says why', async () => {
    const saved = process.env.DEPLOY_HOOK_SECRET;
    delete process.env.DEPLOY_HOOK_SECRET;
    try {
      const { result, lines } = await captureStdout(() => post({ targets, deployId: 'x' }, { secret: 'anything' }));
      expect(result?.status).toBe(401);
      expect(lines.some((l) => l.includes('DEPLOY_HOOK_SECRET') && l.includes('fail closed'))).toBe(true);
    } finally {
      process.env.DEPLOY_HOOK_SECRET = saved;
    }
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it.each([
    ['invalid JSON', 400, { raw: '{"targets": [' }],
    ['a body that is not the schema', 400, { raw: JSON.stringify({ targets: [], deployId: '' }) }],
    ['an unknown field', 400, { raw: JSON.stringify({ targets, deployId: 'a', force: true }) }],
    ['a bad target', 400, { raw: JSON.stringify({ targets: [{ product: 'rds', DBInstanceId: 'rm-1', BackupMethod: 'Fast' }], deployId: 'a' }) }],
    ['an oversized body', 413, { raw: JSON.stringify({ targets, deployId: 'a', reason: 'x'.repeat(70_000) }) }],
    ['a wrong content type', 415, { raw: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
  ])('%s (validly signed) → %i, never a 500', async (_name, status, opts) => {
    const r = await post(undefined, opts as { raw: string });
    expect(r.status).toBe(status);
    expect(r.body.error.message).toEqual(expect.any(String));
    expect(JSON.stringify(r.body)).not.toMatch(/at \w+ \(|node_modules/);
  });

  it('names the field, the value and the rule', async () => {
    const r = await post({ targets: [{ product: 'mongodb', DBInstanceId: 'dds-1', BackupRetentionPeriod: 3 }], deployId: 'a' });
    expect(r.body.error.message).toContain('targets[0].BackupRetentionPeriod: 3 — must be 7 to 730 days, or -1 to keep forever');
  });

  it('a status read of an id that is not a deploy request (e.g. a per-target key) → 404, not a crash', async () => {
    const r = await post({ targets, deployId: 'deploy-keys' });
    const key = r.body.jobs[0].key as string;
    const res = await get(`/backups/${key}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NotFound');
  });

  it('unknown routes → 404 and wrong methods → 405', async () => {
    expect((await fetch(`${url}/nothing`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${url}/backups`, { method: 'GET', headers: deployHeaders('GET', '/backups', '', secrets.deploy) })).status).toBe(405);
  });

  it('no secret or signature appears in any log line', async () => {
    const body = JSON.stringify({ targets, deployId: 'deploy-logs' });
    const sig = deployHeaders('POST', '/backups', body, secrets.deploy)['x-hub-signature-256'] as string;
    const { lines } = await captureStdout(async () => {
      await post(undefined, { raw: body });
      await post(undefined, { raw: body, secret: 'wrong-secret' });
      await get('/backups/fcdb_nothing');
    });
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      expect(line).not.toContain(secrets.deploy);
      expect(line).not.toContain(sig.slice(7));
      expect(line).not.toMatch(/sha256=[0-9a-f]{64}/);
      expect(line).not.toContain('sts-secret');
    }
  });
});
