// The timer bundle, invoked as FC invokes it, against the local cloud over real HTTP, with both idempotency stores.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud/index';
import { callCloud } from '../../shared/cloud/client';
import { claim } from '../../shared/idempotency/guard';
import { idempotencyKey, payloadHash } from '../../shared/idempotency/key';
import { createStore } from '../../shared/idempotency/store-factory';
import { products } from '../../shared/cloud/products/registry';
import type { Target } from '../../shared/backup/targets';
import { asEvent, captureStdout, fcContext, loadBundle, stsCredentials } from '../helpers/fc';
import { cleanupPrefix, REDIS_URL, runPrefix } from '../helpers/redis';

const handler = loadBundle('scheduled-backup');
const tracker = loadBundle('backup-tracker');

const targets: Record<string, Target> = {
  rds: { product: 'rds', DBInstanceId: 'rm-e2e1', BackupMethod: 'Physical' },
  polardb: { product: 'polardb', DBClusterId: 'pc-e2e1' },
  mongodb: { product: 'mongodb', DBInstanceId: 'dds-e2e1', BackupMethod: 'Snapshot' },
};
const instanceOf = (t: Target) => ('DBClusterId' in t ? t.DBClusterId : t.DBInstanceId);

let cloud: LocalCloud;
let fileDir: string;
const redisPrefix = runPrefix('timer');

beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 60_000 });
  fileDir = mkdtempSync(join(tmpdir(), 'fcdb-timer-'));
});
afterAll(async () => {
  await cloud.close();
  rmSync(fileDir, { recursive: true, force: true });
  await cleanupPrefix(redisPrefix);
});

const stores = [
  ['file store', () => `file:${fileDir}`],
  ['redis store', () => `${REDIS_URL}`],
] as const;

let firing = 0;
function timerEvent(ts: unknown[], extra: Record<string, unknown> = {}) {
  firing += 1;
  return asEvent({
    // A firing's trigger time is when it fires: after every backup an earlier firing took (a fresh claim adopts a
    // job of its own firing, started since its trigger time, in case its record was lost).
    triggerTime: new Date(Math.ceil(Date.now() / 1000) * 1000 + firing * 1000).toISOString(),
    triggerName: 'nightly',
    payload: JSON.stringify({ targets: ts, ...extra }),
  });
}

function useEnv(store: string) {
  process.env.RDS_ENDPOINT = cloud.url;
  process.env.POLARDB_ENDPOINT = cloud.url;
  process.env.MONGODB_ENDPOINT = cloud.url;
  process.env.IDEMPOTENCY_STORE = store;
  process.env.IDEMPOTENCY_KEY_PREFIX = redisPrefix;
  process.env.CLOUD_READ_TIMEOUT_MS = '2000';
}

beforeEach(() => {
  cloud.reset();
  for (const [product, t] of Object.entries(targets)) cloud.addInstance({ product: product as Target['product'], id: instanceOf(t) });
});
afterEach(() => cloud.clearFaults());

const created = (t: Target) => cloud.jobs(t.product, instanceOf(t)).length;

describe.each(stores)('timer with the %s', (_name, storeSetting) => {
  beforeEach(() => useEnv(storeSetting()));

  describe.each(Object.values(targets))('$product', (target) => {
    it('lost first response, event delivered three times serially → exactly one backup', async () => {
      cloud.inject({ action: 'CreateBackup', product: target.product, kind: 'drop-after-create' });
      const event = timerEvent([target]);
      const outcomes: unknown[] = [];
      for (let i = 0; i < 3; i++) {
        outcomes.push(await handler(event, fcContext()).catch((e: unknown) => e));
      }
      expect(created(target)).toBe(1);
      // The last delivery reports the one job, not a failure.
      const last = outcomes[2] as { ok: boolean; results: { jobId: string; outcome: string }[] };
      expect(last.ok).toBe(true);
      expect(last.results[0]?.jobId).toBe(cloud.jobs(target.product, instanceOf(target))[0]?.id);
    });

    it('lost first response, event delivered three times concurrently → exactly one backup', async () => {
      cloud.inject({ action: 'CreateBackup', product: target.product, kind: 'drop-after-create' });
      const event = timerEvent([target]);
      const settled = await Promise.allSettled([0, 1, 2].map(() => handler(event, fcContext())));
      expect(created(target)).toBe(1);
      // Whoever lost the race says so retryably (FC redelivers); a redelivery then reports the one job.
      for (const s of settled) if (s.status === 'rejected') expect((s.reason as { retryable?: boolean }).retryable).toBe(true);
      const again = (await handler(event, fcContext())) as { ok: boolean; results: { jobId: string }[] };
      expect(again.ok).toBe(true);
      expect(again.results[0]?.jobId).toBe(cloud.jobs(target.product, instanceOf(target))[0]?.id);
      expect(created(target)).toBe(1);
    });
  });

  describe.each([
    ['after its CreateBackup reached the cloud', true],
    ['before it called the cloud', false],
  ])('a claim whose holder crashed %s', (_when, jobStarted) => {
    it('is waited out (or reported in progress when the waiter runs out of time first), then taken over: exactly one backup', async () => {
      const t = targets.rds as Target;
      const event = timerEvent([t]);
      const { triggerTime, triggerName } = JSON.parse(event.toString()) as { triggerTime: string; triggerName: string };
      const key = idempotencyKey('timer', ['scheduled-backup', triggerName, triggerTime], t);
      const store = createStore(storeSetting(), { keyPrefix: redisPrefix });
      try {
        // The crashed holder's claim: it will not renew it, so it lapses after its lease.
        const held = await claim(key, payloadHash(t), { store, leaseMs: 2_500, ttlMs: 60_000 });
        if (jobStarted) {
          // As every holder does before its CreateBackup: the attempt (and what was running before it) goes in the record.
          if (held.kind !== 'claimed') throw new Error('expected a claim');
          const at = new Date().toISOString();
          await store.compareAndSet(held.record.owner, { ...held.record, firstAttemptAt: at, lastAttemptAt: at, runningBefore: [] }, 60_000, { leaseMs: 2_500 });
          await callCloud({
            catalog: products.rds,
            endpoint: { protocol: 'http', host: new URL(cloud.url).host },
            credentials: stsCredentials,
            action: 'CreateBackup',
            query: { DBInstanceId: 'rm-e2e1', RegionId: 'cn-hangzhou' },
            timeouts: { connectMs: 1000, readMs: 1000 },
          });
        }
        // A delivery whose own deadline (3 s timeout, 2 s of work) ends before the lease: in progress, retryably.
        const during = await handler(event, fcContext({ timeout: 3 })).catch((e: unknown) => e);
        expect(during).toMatchObject({ code: 'TargetsFailedRetryably', details: { failed: [{ code: 'IdempotencyInProgress' }] } });
        expect(created(t)).toBe(jobStarted ? 1 : 0);
        // A delivery with time to spare waits for the lease to lapse and takes over in the same invocation.
        const after = (await handler(event, fcContext())) as { ok: boolean; results: { outcome: string; jobId: string }[] };
        expect(after.ok).toBe(true);
        expect(after.results[0]?.outcome).toBe(jobStarted ? 'adopted' : 'created');
        expect(created(t)).toBe(1);
        expect(after.results[0]?.jobId).toBe(cloud.jobs('rds', 'rm-e2e1')[0]?.id);
      } finally {
        await store.close();
      }
    });
  });
});

describe('timer basics', () => {
  beforeEach(() => useEnv(`file:${fileDir}`));

  it('signs with the FC context STS credentials, and with ALIBABA_CLOUD_* only when the context has none', async () => {
    await handler(timerEvent([targets.mongodb as Target]), fcContext());
    const first = cloud.requests.filter((r) => r.action === 'CreateBackup');
    expect(first.at(-1)?.accessKeyId).toBe(stsCredentials.accessKeyId);
    expect(first.at(-1)?.securityToken).toBe(stsCredentials.securityToken);

    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = 'LTAI-local-test';
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = 'local-secret';
    cloud.reset();
    cloud.addInstance({ product: 'mongodb', id: 'dds-e2e1' });
    await handler(timerEvent([targets.mongodb as Target]), fcContext({ credentials: null }));
    const second = cloud.requests.filter((r) => r.action === 'CreateBackup');
    expect(second.at(-1)?.accessKeyId).toBe('LTAI-local-test');
    expect(second.at(-1)?.securityToken).toBeUndefined();
  });

  it('PolarDB gets the same ClientToken on every attempt and every delivery', async () => {
    cloud.inject({ action: 'CreateBackup', product: 'polardb', kind: 'status', status: 503, code: 'ServiceUnavailable', times: 2 });
    const event = timerEvent([targets.polardb as Target]);
    await handler(event, fcContext());
    await handler(event, fcContext());
    const tokens = cloud.requests.filter((r) => r.action === 'CreateBackup').map((r) => r.query.ClientToken);
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    expect(new Set(tokens).size).toBe(1);
    expect(tokens[0]).toMatch(/^[\x21-\x7e]{1,64}$/);
    expect(created(targets.polardb as Target)).toBe(1);
  });

  it('one target failing does not stop the others; the invocation fails (FC sees it) and names each target', async () => {
    const missing: Target = { product: 'rds', DBInstanceId: 'rm-does-not-exist' };
    const event = timerEvent([missing, targets.rds as Target]);
    const { error, lines } = await captureStdout(() => handler(event, fcContext()));
    expect(error).toMatchObject({ code: 'TargetsFailed', retryable: true });
    const r = (error as { details: { summary: { ok: boolean; results: { instanceId: string; outcome: string; error?: { code: string; category: string } }[] } } }).details.summary;
    expect(r.ok).toBe(false);
    expect(r.results[0]).toMatchObject({ instanceId: 'rm-does-not-exist', outcome: 'failed', error: { code: 'InvalidDBInstanceName.NotFound', category: 'not-found' } });
    expect(r.results[1]).toMatchObject({ instanceId: 'rm-e2e1', outcome: 'created' });
    const perTarget = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.key !== undefined && l.outcome !== undefined);
    expect(perTarget).toHaveLength(2);
    for (const l of perTarget) expect(l).toMatchObject({ requestId: expect.any(String), product: 'rds', durationMs: expect.any(Number) });
    // FC's redelivery does not ask the cloud again for the refused target, and takes no second backup of the other.
    const before = cloud.requests.filter((q) => q.action === 'CreateBackup').length;
    await expect(handler(event, fcContext())).rejects.toMatchObject({ code: 'TargetsFailed' });
    expect(cloud.requests.filter((q) => q.action === 'CreateBackup').length).toBe(before);
    expect(created(targets.rds as Target)).toBe(1);
  });

  it('throws (so FC redelivers) when a target failed retryably, and the redelivery completes it', async () => {
    cloud.inject({ action: 'CreateBackup', product: 'rds', kind: 'throttle', times: Number.POSITIVE_INFINITY });
    const event = timerEvent([targets.rds as Target]);
    const err = await handler(event, fcContext({ timeout: 3 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TargetsFailedRetryably', retryable: true });
    expect(created(targets.rds as Target)).toBe(0);
    cloud.clearFaults();
    const ok = (await handler(event, fcContext())) as { ok: boolean };
    expect(ok.ok).toBe(true);
    expect(created(targets.rds as Target)).toBe(1);
  });

  it('a failure after an attempt that may have acted keeps the record for reconciliation instead of freeing the key', async () => {
    const t = targets.mongodb as Target;
    const event = timerEvent([t]);
    const { triggerTime, triggerName } = JSON.parse(event.toString()) as { triggerTime: string; triggerName: string };
    const key = idempotencyKey('timer', ['scheduled-backup', triggerName, triggerTime], t);
    // A 500 (ambiguous: nothing created here, but the engine cannot know), then throttling until the deadline.
    cloud.inject({ action: 'CreateBackup', product: 'mongodb', kind: 'status', status: 500, code: 'InternalError' });
    cloud.inject({ action: 'CreateBackup', product: 'mongodb', kind: 'throttle', times: Number.POSITIVE_INFINITY });
    const err = await handler(event, fcContext({ timeout: 3 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TargetsFailedRetryably' });
    const store = createStore(`file:${fileDir}`);
    expect((await store.get(key))?.status).toBe('ambiguous');
    cloud.clearFaults();
    const r = (await handler(event, fcContext())) as { ok: boolean; results: { outcome: string }[] };
    expect(r.ok).toBe(true);
    expect(created(t)).toBe(1);
    await store.close();
  });

  it('quota errors come out typed, naming the limit (RDS: 20 a day; PolarDB: 3 manual backups)', async () => {
    const quick = await startLocalCloud({ jobDurationMs: 1 });
    try {
      process.env.RDS_ENDPOINT = quick.url;
      process.env.POLARDB_ENDPOINT = quick.url;
      quick.addInstance({ product: 'rds', id: 'rm-quota' });
      quick.addInstance({ product: 'polardb', id: 'pc-quota' });
      const rds: Target = { product: 'rds', DBInstanceId: 'rm-quota' };
      const polar: Target = { product: 'polardb', DBClusterId: 'pc-quota' };
      const run = async (t: Target) => {
        await new Promise((r) => setTimeout(r, 5));
        // A refused target fails the invocation; its summary says why.
        type Summary = { ok: boolean; results: { error?: { code: string; category: string; message: string } }[] };
        return (await handler(timerEvent([t]), fcContext()).catch((e: { details: { summary: Summary } }) => e.details.summary)) as Summary;
      };
      for (let i = 0; i < 20; i++) expect((await run(rds)).ok).toBe(true);
      const over = await run(rds);
      expect(over.results[0]?.error).toMatchObject({ code: 'Exceeded.BackupTimes', category: 'quota' });
      expect(over.results[0]?.error?.message).toMatch(/20 backup sets per instance per day/);
      // With deletion off, retention cannot make room in PolarDB's 3 slots: it refuses before CreateBackup, stating
      // the limit and the words the cloud would have answered.
      process.env.RETENTION_DELETE = 'off';
      for (let i = 0; i < 3; i++) expect((await run(polar)).ok).toBe(true);
      const polarOver = await run(polar);
      expect(polarOver.results[0]?.error).toMatchObject({ code: 'NoBackupSlot', category: 'quota' });
      expect(polarOver.results[0]?.error?.message).toMatch(/at most 3 manual backups per cluster at a time.*"BackupTimesExceeded: Exceeding the daily backup times of this DB cluster\." \(the cloud's words\)/);
      expect(quick.jobs('polardb')).toHaveLength(3);
    } finally {
      delete process.env.RETENTION_DELETE;
      await quick.close();
    }
  });

  it("another request's job running is waited out, not adopted: retryable while it runs, logged as info, never a second job", async () => {
    const t = targets.mongodb as Target;
    await handler(timerEvent([t]), fcContext());
    // The first request's job runs 60 s: the second request (another trigger time) may not take it as its own.
    const { result, lines } = await captureStdout(() => handler(timerEvent([t]), fcContext({ timeout: 4 })).catch((e: unknown) => e));
    expect(result).toMatchObject({ code: 'TargetsFailedRetryably', details: { failed: [{ code: 'BackupJobRunning' }] } });
    const logs = lines.map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'info', msg: 'CreateBackup: a backup job is already running on the instance' }));
    expect(logs.filter((l) => l.level === 'warn')).toEqual([]);
    expect(created(t)).toBe(1);
  });

  it.each(['rds', 'mongodb'] as const)("%s: another firing's finished backup, started since this firing's trigger time, is never adopted as this firing's own", async (product) => {
    const quick = await startLocalCloud({ jobDurationMs: 1 });
    try {
      process.env.RDS_ENDPOINT = quick.url;
      process.env.MONGODB_ENDPOINT = quick.url;
      const t: Target = product === 'rds' ? { product, DBInstanceId: 'rm-two' } : { product, DBInstanceId: 'dds-two', BackupMethod: 'Physical' };
      quick.addInstance({ product, id: instanceOf(t) });
      // Two timers fire at the same time for the same database (a nightly and a pre-deploy one): two requests.
      const triggerTime = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
      const fire = (triggerName: string) => asEvent({ triggerTime, triggerName, payload: JSON.stringify({ targets: [t] }) });
      type Summary = { results: { outcome?: string; jobId?: string }[] };
      const first = (await handler(fire('nightly'), fcContext())) as Summary;
      await new Promise((r) => setTimeout(r, 50));
      // The tracker's sweep records the first job's end, and so its backup set id (RDS lists sets without job ids).
      await tracker(asEvent({ triggerTime: new Date().toISOString(), triggerName: 'sweep', payload: '' }), fcContext());
      const second = (await handler(fire('predeploy'), fcContext())) as Summary;
      expect(first.results[0]?.outcome).toBe('created');
      expect(second.results[0]?.outcome).toBe('created');
      expect(second.results[0]?.jobId).not.toBe(first.results[0]?.jobId);
      expect(quick.jobs(product, instanceOf(t)).filter((j) => j.mode === 'Manual')).toHaveLength(2);
    } finally {
      await quick.close();
    }
  });

  it('bad targets give field-level errors and call nothing', async () => {
    const before = cloud.requests.length;
    const r = (await handler(
      timerEvent([{ product: 'rds', DBInstanceId: 'rm-x1', BackupStrategy: 'db' }, { product: 'mongodb', DBInstanceId: 'dds-x1', BackupRetentionPeriod: 3 }, { product: 'mysql' }]),
      fcContext(),
    )) as { ok: boolean; error: { code: string; message: string; details: { issues: { field: string; value: unknown; rule: string }[] } } };
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('ValidationError');
    const fields = r.error.details.issues.map((i) => i.field);
    expect(fields).toEqual(expect.arrayContaining(['payload.targets[0].BackupStrategy', 'payload.targets[0].DBName', 'payload.targets[1].BackupRetentionPeriod', 'payload.targets[2].product']));
    expect(r.error.message).toContain('payload.targets[1].BackupRetentionPeriod: 3 — must be 7 to 730 days, or -1 to keep forever');
    expect(cloud.requests.length).toBe(before);
  });

  it('one invalid target no longer cancels the night: the valid ones are backed up, the bad one refused and named', async () => {
    type Refusal = { code: string; details: { summary: { results: { instanceId: string; outcome: string }[]; refused: { index: number; error: { message: string } }[] } } };
    const err = (await handler(timerEvent([targets.polardb as Target, { product: 'mongodb', DBInstanceId: 'dds-x1', BackupRetentionPeriod: 3 }]), fcContext()).catch((e: unknown) => e)) as Refusal;
    expect(err.code).toBe('TargetsFailed');
    expect(err.details.summary.results).toEqual([expect.objectContaining({ instanceId: 'pc-e2e1', outcome: 'created' })]);
    expect(err.details.summary.refused).toEqual([{ index: 1, outcome: 'refused', error: { code: 'ValidationError', message: expect.stringContaining('payload.targets[1].BackupRetentionPeriod: 3 — must be 7 to 730 days') } }]);
    expect(created(targets.polardb as Target)).toBe(1);
  });

  it('a selector that matches nothing is a warning in the result and the log, and the run is not ok', async () => {
    const { result, lines } = await captureStdout(() => handler(timerEvent([{ product: 'rds', tags: { backup: 'renamed' } }]), fcContext()));
    expect(result).toMatchObject({ ok: false, warnings: [expect.stringMatching(/selector \{"backup":"renamed"\} on rds matched no database/)] });
    expect(lines.some((l) => l.includes('selector matched no database'))).toBe(true);
  });

  it('dry run lists the calls it would make and calls nothing', async () => {
    const r = (await handler(timerEvent([targets.rds as Target], { dryRun: true }), fcContext())) as { dryRun: boolean; calls: { action: string; endpoint: string; query: Record<string, string> }[] };
    expect(r.dryRun).toBe(true);
    expect(r.calls[0]).toMatchObject({ action: 'CreateBackup', endpoint: cloud.url, query: { DBInstanceId: 'rm-e2e1', BackupMethod: 'Physical' } });
    expect(cloud.requests).toHaveLength(0);
  });

  it('a dry run of a firing already done says it would replay its job, and calls nothing', async () => {
    const t = targets.polardb as Target;
    const firingOf = (dryRun: boolean) => asEvent({ triggerTime: '2026-11-24T02:00:00Z', triggerName: 'nightly', payload: JSON.stringify({ targets: [t], dryRun }) });
    const done = (await handler(firingOf(false), fcContext())) as { results: { jobId: string }[] };
    const jobId = done.results[0]?.jobId;
    expect(jobId).toBeTruthy();
    const before = cloud.requests.length;
    const r = (await handler(firingOf(true), fcContext())) as { dryRun: boolean; calls: { action: string; jobId: string; summary: string; query?: unknown }[] };
    expect(r.dryRun).toBe(true);
    expect(r.calls).toEqual([expect.objectContaining({ action: 'replay', jobId, summary: expect.stringMatching(new RegExp(`^Would replay job ${jobId}: `)) })]);
    expect(r.calls[0]?.query).toBeUndefined();
    expect(cloud.requests.length).toBe(before);
    expect(created(t)).toBe(1);
  });

  it('takes targets from BACKUP_TARGETS when the payload has none', async () => {
    process.env.BACKUP_TARGETS = JSON.stringify([targets.polardb]);
    try {
      const r = (await handler(asEvent({ triggerTime: '2026-11-23T03:00:00Z', triggerName: 'fleet', payload: '' }), fcContext())) as { ok: boolean };
      expect(r.ok).toBe(true);
      expect(created(targets.polardb as Target)).toBe(1);
    } finally {
      delete process.env.BACKUP_TARGETS;
    }
  });
});
