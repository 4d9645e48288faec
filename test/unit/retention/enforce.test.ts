// Retention end to end below the bundles: the real engine (with the hook the invocation wires), the real history
// in a file store, and the local cloud over real HTTP. Between nights the test does what the engine's job hook and
// the tracker do with the history: record the job, then its success, then call afterSuccess.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { callerFor, requestBackup } from '../../../shared/backup/engine';
import type { Target } from '../../../shared/backup/targets';
import { callCloud } from '../../../shared/cloud/client';
import { products } from '../../../shared/cloud/products/registry';
import { BackupError } from '../../../shared/errors';
import type { Origin } from '../../../shared/history/record';
import { closeStores, startInvocation, type Invocation } from '../../../shared/fc/invocation';
import { idempotencyKey } from '../../../shared/idempotency/key';
import { afterSuccess } from '../../../shared/retention/enforce';
import { until } from '../../helpers/wait';

const JOB_MS = 60;
let cloud: LocalCloud;
let dir: string;
let lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: JOB_MS });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-retention-'));
});
afterAll(async () => {
  await closeStores();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  cloud.reset();
  lines = [];
});

let run = 0;
function invocation(extra: Record<string, string> = {}): Invocation {
  const env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
    ALIBABA_CLOUD_REGION: 'cn-hangzhou',
    RDS_ENDPOINT: cloud.url,
    POLARDB_ENDPOINT: cloud.url,
    MONGODB_ENDPOINT: cloud.url,
    IDEMPOTENCY_STORE: `file:${join(dir, String(run))}`,
    ...extra,
  };
  return startInvocation({ requestId: `retention-${run}`, credentials: null, function: { name: 'scheduled-backup', timeout: 60 } }, { env, sink: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
}

/** A manual backup made in the console: CreateBackup by someone else, unknown to this tool's history. */
async function consoleBackup(clusterId: string, product: 'polardb' | 'rds' = 'polardb'): Promise<string> {
  const body = await callCloud({
    catalog: products[product],
    endpoint: { protocol: 'http', host: new URL(cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action: 'CreateBackup',
    query: { RegionId: 'cn-hangzhou', [products[product].idField]: clusterId },
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });
  await finished();
  return String(body.BackupJobId);
}

const finished = () => until('every job finished', 5_000, () => cloud.jobs().every((j) => j.state !== 'queued' && j.state !== 'running'));
const manual = (id: string) => cloud.jobs('polardb', id).filter((j) => !j.deleted && j.state !== 'failed');
const DAY = 86_400_000;
const deleteCalls = () => cloud.requests.filter((r) => r.action === 'DeleteBackup');

/** The emulated clock: a day passes for every backup the cloud holds (creation times move back, the signing clock stays). */
function dayPasses(days = 1): void {
  for (const j of cloud.jobs()) if (j.backupId) cloud.backdate(j.product, j.backupId, days * DAY);
}

/**
 * One request (a nightly firing by default), then what the job hook and the tracker record once the job has ended,
 * then the tracker's retention pass on the final record.
 */
async function night(target: Target, n: number, extra: Record<string, string> = {}, origin: Origin = { trigger: 'timer' }) {
  run++;
  const inv = invocation(extra);
  const key = idempotencyKey(origin.trigger, ['scheduled-backup', 'nightly', `2026-07-${String(n).padStart(2, '0')}T02:00:00Z`], target);
  const outcome = await requestBackup(target, key, { ...inv.deps, scheduled: origin.trigger === 'timer' });
  const subject = { id: key, target, product: target.product, instanceId: outcome.instanceId, origin };
  const record = await inv.history.requested(subject, { jobId: outcome.jobId, backupId: outcome.backupId, region: outcome.region });
  await finished();
  const job = cloud.jobs(target.product).find((j) => j.id === outcome.jobId);
  const final = await inv.history.finish(record, job?.state === 'succeeded' ? { state: 'succeeded', backupId: job.backupId, startedAt: new Date(job.createdAt).toISOString() } : { state: 'failed' });
  const done = await afterSuccess(final ?? record, callerFor(target, inv.deps), inv.retention);
  return { inv, outcome, deletions: done.results, refused: done.refused };
}

describe('PolarDB, keep 2 (the default): create before delete, one deletion per new good backup', () => {
  it('7 nights a day apart: never more than 3 manual backups, never fewer good of ours than the night before allowed, the oldest deleted only after the new one is good', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1' };
    const ours: string[] = [];
    const sharedStore = { IDEMPOTENCY_STORE: `file:${join(dir, 'nightly')}` };
    for (let n = 1; n <= 7; n++) {
      dayPasses();
      const before = deleteCalls().length;
      const { outcome, deletions } = await night(target, n, sharedStore);
      ours.push(outcome.jobId as string);
      expect(outcome.outcome).toBe('created');
      expect(deletions.length).toBeLessThanOrEqual(1);
      // Every DeleteBackup of the night came after its CreateBackup: nothing is freed first.
      const creates = cloud.requests.filter((r) => r.action === 'CreateBackup' && r.status === 200);
      const lastCreate = cloud.requests.lastIndexOf(creates[creates.length - 1] as (typeof creates)[number]);
      for (const d of deleteCalls().slice(before)) expect(cloud.requests.indexOf(d)).toBeGreaterThan(lastCreate);
      expect(manual('pc-sample1').length).toBeLessThanOrEqual(3);
      expect(manual('pc-sample1').filter((j) => j.state === 'succeeded').length).toBe(Math.min(n, 2));
    }
    expect(manual('pc-sample1').map((j) => j.id)).toEqual(ours.slice(-2));
    expect(deleteCalls().map((r) => r.query.BackupId)).toEqual(ours.slice(0, 5));
    expect(lines.filter((l) => l.msg === 'retention: deleted').map((l) => l.backupId)).toEqual(ours.slice(0, 5));
  });

  it('a nightly job that fails frees nothing: the cluster keeps both good backups it had (issue 16, case 4)', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1' };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'fails')}` };
    dayPasses();
    await night(target, 1, store);
    dayPasses();
    await night(target, 2, store);
    dayPasses();
    cloud.inject({ action: 'CreateBackup', kind: 'job-fails' });
    const third = await night(target, 3, store);
    expect(third.deletions).toEqual([]);
    expect(deleteCalls()).toEqual([]);
    expect(manual('pc-sample1').filter((j) => j.state === 'succeeded')).toHaveLength(2);
  });
});

describe('ad-hoc backups never delete a scheduled one (issue 16)', () => {
  const chat: Origin = { trigger: 'chat', requestedBy: 'dingtalk:corp/u1' };

  it('a full PolarDB cluster (2 scheduled + 1 ad-hoc of today): the next ad-hoc is refused, naming each holder; nothing deleted', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1' };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'adhoc-full')}` };
    dayPasses(3);
    const a = (await night(target, 1, store)).outcome.jobId;
    const c = (await night(target, 2, store, chat)).outcome.jobId;
    const b = (await night(target, 3, store)).outcome.jobId;
    const refusal = await night(target, 4, store, chat).then(
      () => undefined,
      (e: unknown) => e as BackupError,
    );
    expect(refusal?.code).toBe('NoBackupSlot');
    expect(refusal?.message).toContain(`${a} (this tool's scheduled`);
    expect(refusal?.message).toContain(`${b} (this tool's scheduled`);
    expect(refusal?.message).toContain(`${c} (this tool's ad-hoc`);
    expect(refusal?.message).toMatch(/only an ad-hoc backup of this tool older than ADHOC_REPLACE_MIN_AGE may give up its slot/);
    expect(deleteCalls()).toEqual([]);
    expect(manual('pc-sample1')).toHaveLength(3);
  });

  it('once that ad-hoc backup is older than ADHOC_REPLACE_MIN_AGE, the next ad-hoc replaces it and only it', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1' };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'adhoc-replace')}` };
    dayPasses(3);
    const a = (await night(target, 1, store)).outcome.jobId;
    const c = (await night(target, 2, store, chat)).outcome.jobId;
    dayPasses();
    const b = (await night(target, 3, store)).outcome.jobId;
    dayPasses();
    const d = await night(target, 4, store, chat);
    expect(d.outcome.outcome).toBe('created');
    expect(deleteCalls().map((r) => r.query.BackupId)).toEqual([c]);
    expect(manual('pc-sample1').map((j) => j.id)).toEqual([a, b, d.outcome.jobId]);
  });

  it('an ad-hoc success deletes nothing, whatever the scheduled policy (RDS keep 1, every set 8 days old)', async () => {
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'adhoc-rds')}` };
    await night({ product: 'rds', DBInstanceId: 'rm-sample1', keep: 1 }, 1, store);
    dayPasses(8);
    const gate = await night({ product: 'rds', DBInstanceId: 'rm-sample1' }, 2, store, { trigger: 'deploy', deployId: 'd-1' });
    expect(gate.deletions).toEqual([]);
    expect(deleteCalls()).toEqual([]);
  });
});

describe('the policy in force is the scheduled target’s, never one a request set', () => {
  it('a deploy-gate record that carried keep 1 (written before the gate refused it) changes nothing: RDS with no scheduled keep deletes nothing', async () => {
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'in-force')}` };
    await night({ product: 'rds', DBInstanceId: 'rm-sample1' }, 1, store);
    await night({ product: 'rds', DBInstanceId: 'rm-sample1', keep: 1 }, 2, store, { trigger: 'deploy', deployId: 'd-evil' });
    dayPasses(8);
    const nightly = await night({ product: 'rds', DBInstanceId: 'rm-sample1' }, 3, store);
    expect(nightly.deletions).toEqual([]);
    expect(deleteCalls()).toEqual([]);
  });

  it('a keep beyond the backups: one deletion per new good backup, the rest deferred and logged (keep lowered from 4 to 1 on RDS)', async () => {
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'burst')}` };
    for (let n = 1; n <= 4; n++) await night({ product: 'rds', DBInstanceId: 'rm-sample1', keep: 4 }, n, store);
    dayPasses(8);
    const fifth = await night({ product: 'rds', DBInstanceId: 'rm-sample1', keep: 1 }, 5, store);
    expect(fifth.deletions).toHaveLength(1);
    expect(lines.find((l) => l.msg === 'retention' && Array.isArray(l.deferred))?.deferred).toHaveLength(3);
    const sixth = await night({ product: 'rds', DBInstanceId: 'rm-sample1', keep: 1 }, 6, store);
    expect(sixth.deletions).toHaveLength(1);
    expect(deleteCalls()).toHaveLength(2);
  });

  it('nothing younger than RETENTION_MIN_AGE is deleted (MongoDB keep 1, two nights an hour apart)', async () => {
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'min-age')}` };
    await night({ product: 'mongodb', DBInstanceId: 'dds-sample1', keep: 1 }, 1, store);
    const second = await night({ product: 'mongodb', DBInstanceId: 'dds-sample1', keep: 1 }, 2, store);
    expect(second.deletions).toEqual([]);
    dayPasses();
    const third = await night({ product: 'mongodb', DBInstanceId: 'dds-sample1', keep: 1 }, 3, store);
    expect(third.deletions).toHaveLength(1);
  });
});

describe('deletions that fail', () => {
  it('throttled twice: retried and done; an answer lost after the delete: the retry finds it gone and records it so', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1', keep: 1 };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'throttled')}` };
    const first = await night(target, 1, store);
    dayPasses();
    cloud.inject({ action: 'DeleteBackup', kind: 'throttle', times: 2 });
    const second = await night(target, 2, store);
    expect(second.deletions.map((d) => [d.backupId, d.outcome])).toEqual([[first.outcome.jobId, 'deleted']]);
    expect(deleteCalls().map((r) => r.code ?? r.status)).toEqual(['Throttling.User', 'Throttling.User', 200]);

    dayPasses();
    cloud.inject({ action: 'DeleteBackup', kind: 'drop-after-create' });
    const third = await night(target, 3, store);
    expect(third.deletions.map((d) => [d.backupId, d.outcome])).toEqual([[second.outcome.jobId, 'already-gone']]);
    const record = (await third.inv.history.find(second.outcome.jobId as string))[0];
    expect(record?.retired?.reason).toMatch(/^already gone \(not kept by the scheduled policy \(keep 1\)/);
  });

  it('refused by the cloud: logged and left for the next pass, and the next night’s backup is taken all the same', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1', keep: 1 };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'refused')}` };
    const first = await night(target, 1, store);
    dayPasses();
    cloud.inject({ action: 'DeleteBackup', kind: 'status', status: 403, code: 'IncorrectBackupSetState' });
    const second = await night(target, 2, store);
    expect(second.deletions).toMatchObject([{ backupId: first.outcome.jobId, outcome: 'failed', error: { code: 'IncorrectBackupSetState' } }]);
    expect(lines.find((l) => l.msg === 'retention: deletion failed; the backup stays and a later run tries again')).toMatchObject({ backupId: first.outcome.jobId });
    // Night 3: a slot is still free, so the backup is taken; the pass after its success deletes the oldest (one).
    dayPasses();
    const third = await night(target, 3, store);
    expect(third.outcome.outcome).toBe('created');
    expect(third.deletions.map((d) => [d.backupId, d.outcome])).toEqual([[first.outcome.jobId, 'deleted']]);
  });
});

describe('RDS and MongoDB', () => {
  it('RDS keep 1: nothing younger than 7 days is sent for deletion; a set 8 days old is deleted by its set id, not its job id', async () => {
    const target: Target = { product: 'rds', DBInstanceId: 'rm-sample1', keep: 1 };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'rds')}` };
    await night(target, 1, store);
    dayPasses(2);
    await night(target, 2, store);
    expect(deleteCalls()).toEqual([]);
    const [first] = cloud.jobs('rds');
    expect(first?.backupId).not.toBe(first?.id);
    cloud.backdate('rds', first?.backupId as string, 8 * DAY);
    const third = await night(target, 3, store);
    expect(deleteCalls().map((r) => r.query.BackupId)).toEqual([first?.backupId]);
    expect(third.deletions.map((d) => [d.backupId, d.outcome])).toEqual([[first?.backupId, 'deleted']]);
    expect(cloud.jobs('rds').filter((j) => !j.deleted)).toHaveLength(2);
  });

  it('MongoDB: keepDays travels as BackupRetentionPeriod; keep deletes this tool’s oldest after a success', async () => {
    const target: Target = { product: 'mongodb', DBInstanceId: 'dds-sample1', keep: 1, keepDays: 30 };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'mongo')}` };
    const first = await night(target, 1, store);
    dayPasses();
    const second = await night(target, 2, store);
    expect(cloud.requests.filter((r) => r.action === 'CreateBackup').map((r) => r.query.BackupRetentionPeriod)).toEqual(['30', '30']);
    const firstSet = cloud.jobs('mongodb').find((j) => j.id === first.outcome.jobId)?.backupId;
    expect(second.deletions.map((d) => [d.backupId, d.outcome])).toEqual([[firstSet, 'deleted']]);
  });
});

describe('automated backups', () => {
  it('are never deleted nor counted as this tool’s (MongoDB keep 1, PolarDB keep 1, each with a daily automated backup)', async () => {
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'automated')}` };
    for (const target of [{ product: 'mongodb', DBInstanceId: 'dds-auto', keep: 1 }, { product: 'polardb', DBClusterId: 'pc-auto', keep: 1 }] as Target[]) {
      // Its automated backup starts now (the first call inside its window starts it); the nights come after it ended.
      const id = target.product === 'mongodb' ? target.DBInstanceId : (target as { DBClusterId: string }).DBClusterId;
      cloud.addInstance({ product: target.product, id, automatedBackup: { startMs: Date.now() % DAY, durationMs: 1_000 } });
      await callCloud({
        catalog: products[target.product],
        endpoint: { protocol: 'http', host: new URL(cloud.url).host },
        credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
        action: 'DescribeBackupTasks',
        query: { RegionId: 'cn-hangzhou', [products[target.product].idField]: id },
        timeouts: { connectMs: 1_000, readMs: 2_000 },
      });
      await finished();
      for (let n = 1; n <= 3; n++) {
        dayPasses();
        await night(target, n, store);
      }
    }
    const automated = cloud.jobs().filter((j) => j.mode === 'Automated');
    expect(automated.map((j) => j.instanceId).sort()).toEqual(['dds-auto', 'pc-auto']);
    expect(automated.every((j) => !j.deleted)).toBe(true);
    const deleted = new Set(deleteCalls().map((r) => r.query.BackupId));
    expect(automated.some((j) => deleted.has(j.backupId))).toBe(false);
    // keep 1 of ours on each, beside the automated one.
    for (const id of ['dds-auto', 'pc-auto']) expect(cloud.jobs(undefined, id).filter((j) => j.mode === 'Manual' && !j.deleted)).toHaveLength(1);
  });
});

describe('adopted with origin uncertain (issue 16, case 3)', () => {
  it('RDS: a console backup started after the request, adopted by a fresh claim’s look, is recorded so and never deleted', async () => {
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'uncertain')}` };
    const requestedAt = new Date(Date.now() - 1_000).toISOString();
    const consoleId = await consoleBackup('rm-sample1', 'rds');
    run++;
    const inv = invocation(store);
    const target: Target = { product: 'rds', DBInstanceId: 'rm-sample1' };
    const key = idempotencyKey('chat', ['late-worker', requestedAt], target);
    let recorded: { originUncertain?: true } | undefined;
    const outcome = await requestBackup(target, key, { ...inv.deps, requestedAt, onJob: async (o) => (recorded = o) });
    const consoleSet = cloud.jobs('rds').find((j) => j.id === consoleId)?.backupId;
    expect(outcome).toMatchObject({ outcome: 'adopted', backupId: consoleSet, originUncertain: true });
    expect(recorded?.originUncertain).toBe(true);
    const rec = await inv.history.requested({ id: key, target, product: 'rds', instanceId: 'rm-sample1', origin: { trigger: 'timer' } }, outcome);
    await inv.history.finish(rec, { state: 'succeeded', backupId: consoleSet });
    expect((await inv.history.get(key))?.originUncertain).toBe(true);
    // Nights after it, a day apart each, keep 1: the adopted one is never among the deletions.
    for (let n = 1; n <= 3; n++) {
      dayPasses(8);
      await night({ product: 'rds', DBInstanceId: 'rm-sample1', keep: 1 }, n, store);
    }
    expect(deleteCalls().map((r) => r.query.BackupId)).not.toContain(consoleSet);
    expect(deleteCalls()).toHaveLength(2);
    expect(cloud.jobs('rds').find((j) => j.id === consoleId)?.deleted).toBeFalsy();
  });
});

describe('RETENTION_DELETE=off and slots held by others', () => {
  it('off: nothing deleted, every deletion it would make logged; an ad-hoc needing a slot is refused naming the holders', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1' };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'off')}`, RETENTION_DELETE: 'off' };
    dayPasses(3);
    await night(target, 1, store);
    await night(target, 2, store, { trigger: 'chat' });
    dayPasses();
    await night(target, 3, store);
    dayPasses(2);
    const refusal = await night(target, 4, store, { trigger: 'chat' }).then(
      () => undefined,
      (e: unknown) => e as BackupError,
    );
    expect(refusal?.code).toBe('NoBackupSlot');
    expect(refusal?.category).toBe('quota');
    expect(refusal?.message).toMatch(/PolarDB keeps at most 3 manual backups per cluster at a time.*: 3 of 3 held: .*making room means deleting \d+, and RETENTION_DELETE=off/);
    expect(deleteCalls()).toEqual([]);
    expect(lines.filter((l) => l.msg === 'retention: would delete (RETENTION_DELETE=off)').length).toBeGreaterThan(0);
  });

  it('3 slots held by backups not made by this tool: the nightly is refused before CreateBackup, naming each holder', async () => {
    const ids = [await consoleBackup('pc-sample1'), await consoleBackup('pc-sample1'), await consoleBackup('pc-sample1')];
    const refusal = await night({ product: 'polardb', DBClusterId: 'pc-sample1' }, 1).then(
      () => undefined,
      (e: unknown) => e as BackupError,
    );
    expect(refusal?.code).toBe('NoBackupSlot');
    for (const id of ids) expect(refusal?.message).toContain(`${id} (not in this tool's history`);
    expect(refusal?.message).toContain('"BackupTimesExceeded: Exceeding the daily backup times of this DB cluster." (the cloud\'s words)');
    expect(refusal?.details.holders).toHaveLength(3);
    expect(cloud.requests.filter((r) => r.action === 'CreateBackup')).toHaveLength(3);
    expect(deleteCalls()).toEqual([]);
  });
});
