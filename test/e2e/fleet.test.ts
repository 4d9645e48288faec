// Fleets: fan-out to backup-worker through the local FC, tag selectors with pagination, the blast-radius guard.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud/index';
import type { Target } from '../../shared/backup/targets';
import { asEvent, fcContext, loadBundle } from '../helpers/fc';
import { cleanupPrefix, REDIS_URL, runPrefix } from '../helpers/redis';

const timer = loadBundle('scheduled-backup');
const prefix = runPrefix('fleet');
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ latencyMs: 20, jobDurationMs: 60_000, retryDelayMs: 20, distDir: `${__dirname}/../../dist`, instances: [] });
  Object.assign(process.env, {
    RDS_ENDPOINT: cloud.url,
    POLARDB_ENDPOINT: cloud.url,
    MONGODB_ENDPOINT: cloud.url,
    FC_ENDPOINT: cloud.url,
    WORKER_FUNCTION: 'backup-worker',
    FANOUT_THRESHOLD: '20',
    FANOUT_RATE_PER_SEC: '2000',
    BACKUP_CONCURRENCY: '50',
    IDEMPOTENCY_STORE: REDIS_URL,
    IDEMPOTENCY_KEY_PREFIX: prefix,
  });
});
afterAll(async () => {
  await cloud.close();
  await cleanupPrefix(prefix);
});
beforeEach(() => {
  cloud.reset();
  delete process.env.MAX_TARGETS_PER_RUN;
});

let firing = 0;
const event = (payload: unknown) => asEvent({ triggerTime: new Date(Date.UTC(2026, 10, 24, 2, 0, ++firing)).toISOString(), triggerName: 'fleet', payload: JSON.stringify(payload) });

function seedFleet(n: number): Target[] {
  const products = ['rds', 'polardb', 'mongodb'] as const;
  return Array.from({ length: n }, (_, i) => {
    const product = products[i % 3] as Target['product'];
    const id = `${product === 'rds' ? 'rm' : product === 'polardb' ? 'pc' : 'dds'}-fleet${String(i).padStart(4, '0')}`;
    cloud.addInstance({ product, id });
    return (product === 'polardb' ? { product, DBClusterId: id } : { product, DBInstanceId: id }) as Target;
  });
}

describe('fan-out', () => {
  it('300 targets, the whole event delivered twice, one worker failing once → exactly 300 backups', async () => {
    const targets = seedFleet(300);
    cloud.inject({ product: 'fc', action: 'InvokeFunction:run', kind: 'function-error', times: 1 });
    const e = event({ targets });
    const [first, second] = await Promise.all([timer(e, fcContext()), timer(e, fcContext())]);
    expect(first).toMatchObject({ ok: true, fannedOut: true });
    expect(second).toMatchObject({ ok: true, fannedOut: true });
    // Between them the two deliveries dispatched each target once; the other copy was FC's duplicate task.
    const d = [first, second] as { dispatched: number; duplicates: number }[];
    expect(d[0]!.dispatched + d[1]!.dispatched).toBe(600);
    expect(d[0]!.duplicates + d[1]!.duplicates).toBe(300);
    await cloud.fcIdle();

    const jobs = cloud.jobs();
    expect(jobs).toHaveLength(300);
    const perInstance = new Map<string, number>();
    for (const j of jobs) perInstance.set(`${j.product}:${j.instanceId}`, (perInstance.get(`${j.product}:${j.instanceId}`) ?? 0) + 1);
    expect(perInstance.size).toBe(300);
    expect([...perInstance.values()].every((n) => n === 1)).toBe(true);
    expect(cloud.fcTasks.filter((t) => t.attempts > 1)).toHaveLength(1);
    expect(cloud.fcTasks.every((t) => t.status === 'succeeded')).toBe(true);
  });
});

describe('tag selectors', () => {
  it('resolve through paginated list APIs for every product', async () => {
    for (let i = 0; i < 250; i++) cloud.addInstance({ product: 'rds', id: `rm-tag${String(i).padStart(3, '0')}`, tags: { backup: 'nightly' } });
    for (let i = 0; i < 5; i++) cloud.addInstance({ product: 'rds', id: `rm-untagged${i}`, tags: { backup: 'never' } });
    for (let i = 0; i < 3; i++) cloud.addInstance({ product: 'polardb', id: `pc-tag${i}`, tags: { backup: 'nightly' } });
    cloud.addInstance({ product: 'mongodb', id: 'dds-tag0', tags: { backup: 'nightly', tier: 'gold' } });
    cloud.addInstance({ product: 'mongodb', id: 'dds-tag1', tags: { backup: 'nightly' } });
    const r = (await timer(
      event({
        dryRun: true,
        targets: [
          { product: 'rds', tags: { backup: 'nightly' }, BackupMethod: 'Physical' },
          { product: 'polardb', tags: { backup: 'nightly' } },
          { product: 'mongodb', tags: { backup: 'nightly', tier: 'gold' } },
        ],
      }),
      fcContext(),
    )) as { calls: { product: string; query: Record<string, string> }[] };
    expect(r.calls.filter((c) => c.product === 'rds')).toHaveLength(250);
    expect(r.calls.every((c) => c.product !== 'rds' || c.query.BackupMethod === 'Physical')).toBe(true);
    expect(r.calls.filter((c) => c.product === 'polardb')).toHaveLength(3);
    expect(r.calls.filter((c) => c.product === 'mongodb').map((c) => c.query.DBInstanceId)).toEqual(['dds-tag0']);
    const listCalls = cloud.requests.filter((q) => q.action === 'DescribeDBInstances' && q.product === 'rds');
    expect(listCalls.map((q) => q.query.PageNumber)).toEqual(['1', '2', '3']);
    expect(cloud.requests.some((q) => q.action === 'CreateBackup')).toBe(false);
  });

  it('a selector with a bad option is refused before anything is listed', async () => {
    const r = (await timer(event({ targets: [{ product: 'rds', tags: {}, BackupMethod: 'Fast' }] }), fcContext())) as { ok: boolean; error: { message: string } };
    expect(r.ok).toBe(false);
    expect(r.error.message).toMatch(/payload\.targets\[0\]\.tags: \{\} — must map 1 to 5 tag keys/);
    expect(r.error.message).toMatch(/payload\.targets\[0\]\.BackupMethod: "Fast"/);
    expect(cloud.requests).toHaveLength(0);
  });
});

describe('blast-radius guard', () => {
  it('MAX_TARGETS_PER_RUN refuses an over-large run before any backup is taken', async () => {
    for (let i = 0; i < 150; i++) cloud.addInstance({ product: 'rds', id: `rm-big${String(i).padStart(3, '0')}`, tags: { backup: 'nightly' } });
    process.env.MAX_TARGETS_PER_RUN = '100';
    const r = (await timer(event({ targets: [{ product: 'rds', tags: { backup: 'nightly' } }] }), fcContext())) as { ok: boolean; error: { code: string; message: string } };
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('TooManyTargets');
    expect(r.error.message).toMatch(/would back up 150 databases, more than the limit of 100 \(MAX_TARGETS_PER_RUN\); nothing was backed up/);
    expect(cloud.requests.some((q) => q.action === 'CreateBackup' || q.action === 'InvokeFunction')).toBe(false);
  });

  it('a per-request maxTargets below the global limit refuses too', async () => {
    const targets = seedFleet(30);
    const r = (await timer(event({ targets, maxTargets: 25 }), fcContext())) as { ok: boolean; error: { code: string; message: string } };
    expect(r).toMatchObject({ ok: false, error: { code: 'TooManyTargets' } });
    // The refusal blames the limit that refused, not MAX_TARGETS_PER_RUN (500 here).
    expect(r.error.message).toMatch(/more than the limit of 25 \(payload\.maxTargets\); nothing was backed up\..* raise payload\.maxTargets\.$/);
    expect(r.error.message).not.toMatch(/MAX_TARGETS_PER_RUN/);
    expect(cloud.jobs()).toHaveLength(0);
  });
});
