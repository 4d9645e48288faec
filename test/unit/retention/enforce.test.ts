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
async function consoleBackup(clusterId: string): Promise<string> {
  const body = await callCloud({
    catalog: products.polardb,
    endpoint: { protocol: 'http', host: new URL(cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action: 'CreateBackup',
    query: { RegionId: 'cn-hangzhou', DBClusterId: clusterId },
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });
  await finished();
  return String(body.BackupJobId);
}

const finished = () => until('every job finished', 5_000, () => cloud.jobs().every((j) => j.state !== 'queued' && j.state !== 'running'));
const manual = (id: string) => cloud.jobs('polardb', id).filter((j) => !j.deleted && j.state !== 'failed');

/** One nightly firing, then what the job hook and the tracker record once the job has ended. */
async function night(target: Target, n: number, extra: Record<string, string> = {}) {
  run++;
  const inv = invocation(extra);
  const key = idempotencyKey('timer', ['scheduled-backup', 'nightly', `2026-07-0${n}T02:00:00Z`], target);
  const outcome = await requestBackup(target, key, inv.deps);
  const subject = { id: key, target, product: target.product, instanceId: outcome.instanceId, origin: { trigger: 'timer' as const } };
  const record = await inv.history.requested(subject, { jobId: outcome.jobId, backupId: outcome.backupId, region: outcome.region });
  await finished();
  const job = cloud.jobs(target.product).find((j) => j.id === outcome.jobId);
  await inv.history.finish(record, job?.state === 'succeeded' ? { state: 'succeeded', backupId: job.backupId } : { state: 'failed' });
  const deletions = await afterSuccess(target, callerFor(target, inv.deps), { history: inv.history, logger: inv.logger, deadline: inv.deps.deadline, enabled: inv.config.retentionDelete });
  return { inv, outcome, deletions };
}

describe('PolarDB, keep 2 (the default), with a console-made manual backup', () => {
  it('7 nightly firings: none refused, the console backup untouched, never more than 3 manual backups, 2 of ours at the end, never fewer than 1 good', async () => {
    // Each night alone in its store directory but one history: the history lives beside the records it indexes.
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1' };
    const consoleId = await consoleBackup('pc-sample1');
    const ours: string[] = [];
    const sharedStore = { IDEMPOTENCY_STORE: `file:${join(dir, 'nightly')}` };
    for (let n = 1; n <= 7; n++) {
      const { outcome } = await night(target, n, sharedStore);
      ours.push(outcome.jobId as string);
      const held = manual('pc-sample1');
      expect(held.length).toBeLessThanOrEqual(3);
      expect(held.map((j) => j.id)).toContain(consoleId);
      expect(held.filter((j) => j.state === 'succeeded').length).toBeGreaterThanOrEqual(1);
    }
    expect(cloud.requests.filter((r) => r.action === 'CreateBackup' && r.status !== 200)).toEqual([]);
    const left = manual('pc-sample1').map((j) => j.id);
    expect(left).toEqual([consoleId, ...ours.slice(-2)]);
    // Every deletion was one of ours, oldest first, each logged with its reason.
    const deleted = cloud.requests.filter((r) => r.action === 'DeleteBackup' && r.status === 200).map((r) => r.query.BackupId);
    expect(deleted).toEqual(ours.slice(0, 5));
    const logged = lines.filter((l) => l.msg === 'retention: deleted').map((l) => l.backupId);
    expect(logged).toEqual(deleted);
  });
});

describe('deletions that fail', () => {
  it('throttled twice: retried and done; an answer lost after the delete: the retry finds it gone and records it so', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1', keep: 1 };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'throttled')}` };
    const first = await night(target, 1, store);
    cloud.inject({ action: 'DeleteBackup', kind: 'throttle', times: 2 });
    const second = await night(target, 2, store);
    expect(second.deletions.map((d) => [d.backupId, d.outcome])).toEqual([[first.outcome.jobId, 'deleted']]);
    expect(cloud.requests.filter((r) => r.action === 'DeleteBackup').map((r) => r.code ?? r.status)).toEqual(['Throttling.User', 'Throttling.User', 200]);

    cloud.inject({ action: 'DeleteBackup', kind: 'drop-after-create' });
    const third = await night(target, 3, store);
    expect(third.deletions.map((d) => [d.backupId, d.outcome])).toEqual([[second.outcome.jobId, 'already-gone']]);
    const record = (await third.inv.history.find(second.outcome.jobId as string))[0];
    expect(record?.retired?.reason).toMatch(/^already gone \(beyond keep 1/);
  });

  it('refused by the cloud: logged and left for the next pass, and tonight’s backup is taken all the same', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1', keep: 1 };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'refused')}` };
    const first = await night(target, 1, store);
    cloud.inject({ action: 'DeleteBackup', kind: 'status', status: 403, code: 'IncorrectBackupSetState' });
    const second = await night(target, 2, store);
    expect(second.deletions).toMatchObject([{ backupId: first.outcome.jobId, outcome: 'failed', error: { code: 'IncorrectBackupSetState' } }]);
    expect(lines.find((l) => l.msg === 'retention: deletion failed; the backup stays and a later run tries again')).toMatchObject({ backupId: first.outcome.jobId });
    // Night 3: a slot is still free, so the backup is taken; the pass after its success deletes both old ones.
    const third = await night(target, 3, store);
    expect(third.outcome.outcome).toBe('created');
    expect(third.deletions.map((d) => [d.backupId, d.outcome])).toEqual([
      [second.outcome.jobId, 'deleted'],
      [first.outcome.jobId, 'deleted'],
    ]);
    expect(cloud.requests.filter((r) => r.action === 'DeleteBackup').map((r) => r.code ?? r.status)).toEqual(['IncorrectBackupSetState', 200, 200]);
    expect(manual('pc-sample1').map((j) => j.id)).toEqual([third.outcome.jobId]);
  });
});

describe('the policy in force', () => {
  it('a backup whose target sets no keep (chat, deploy gate) follows the keep last set for the database, not PolarDB’s default', async () => {
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'in-force')}` };
    await night({ product: 'polardb', DBClusterId: 'pc-sample1', keep: 3 }, 1, store);
    await night({ product: 'polardb', DBClusterId: 'pc-sample1', keep: 3 }, 2, store);
    const chat = await night({ product: 'polardb', DBClusterId: 'pc-sample1' }, 3, store);
    expect(chat.deletions).toEqual([]);
    expect(manual('pc-sample1')).toHaveLength(3);
  });
});

describe('making room when a deletion is refused', () => {
  it('PolarDB keep 3, all 3 slots ours: the oldest’s deletion refused, the next oldest is freed instead (never the newest), and the backup is taken', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1', keep: 3 };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'room-again')}` };
    const [a, b, c] = [await night(target, 1, store), await night(target, 2, store), await night(target, 3, store)].map((n) => n.outcome.jobId);
    cloud.inject({ action: 'DeleteBackup', kind: 'status', status: 403, code: 'IncorrectBackupSetState' });
    const d = (await night(target, 4, store)).outcome;
    expect(d.outcome).toBe('created');
    expect(cloud.requests.filter((r) => r.action === 'DeleteBackup').map((r) => [r.query.BackupId, r.code ?? r.status])).toEqual([
      [a, 'IncorrectBackupSetState'],
      [b, 200],
    ]);
    expect(manual('pc-sample1').map((j) => j.id)).toEqual([a, c, d.jobId]);
  });
});

describe('RDS and MongoDB', () => {
  it('RDS keep 1: nothing younger than 7 days is sent for deletion; a set 7 days old is deleted by its set id, not its job id', async () => {
    const target: Target = { product: 'rds', DBInstanceId: 'rm-sample1', keep: 1 };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'rds')}` };
    await night(target, 1, store);
    await night(target, 2, store);
    expect(cloud.requests.filter((r) => r.action === 'DeleteBackup')).toEqual([]);
    const [first] = cloud.jobs('rds');
    expect(first?.backupId).not.toBe(first?.id);
    cloud.backdate('rds', first?.backupId as string, 8 * 86_400_000);
    const third = await night(target, 3, store);
    // The pass after night 3's success deletes the old one and keeps the second (beyond keep, but younger than 7 days).
    expect(cloud.requests.filter((r) => r.action === 'DeleteBackup').map((r) => r.query.BackupId)).toEqual([first?.backupId]);
    expect(third.deletions.map((d) => [d.backupId, d.outcome])).toEqual([[first?.backupId, 'deleted']]);
    expect(cloud.jobs('rds').filter((j) => !j.deleted)).toHaveLength(2);
  });

  it('MongoDB: keepDays travels as BackupRetentionPeriod; keep deletes this tool’s oldest after a success', async () => {
    const target: Target = { product: 'mongodb', DBInstanceId: 'dds-sample1', keep: 1, keepDays: 30 };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'mongo')}` };
    const first = await night(target, 1, store);
    const second = await night(target, 2, store);
    expect(cloud.requests.filter((r) => r.action === 'CreateBackup').map((r) => r.query.BackupRetentionPeriod)).toEqual(['30', '30']);
    const firstSet = cloud.jobs('mongodb').find((j) => j.id === first.outcome.jobId)?.backupId;
    expect(second.deletions.map((d) => [d.backupId, d.outcome])).toEqual([[firstSet, 'deleted']]);
  });
});

describe('automated backups', () => {
  it('are never deleted nor counted as this tool’s (MongoDB keep 1, PolarDB keep 1, each with a daily automated backup)', async () => {
    const DAY = 86_400_000;
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
      await night(target, 1, store);
      await night(target, 2, store);
      await night(target, 3, store);
    }
    const automated = cloud.jobs().filter((j) => j.mode === 'Automated');
    expect(automated.map((j) => j.instanceId).sort()).toEqual(['dds-auto', 'pc-auto']);
    expect(automated.every((j) => !j.deleted)).toBe(true);
    const deleted = new Set(cloud.requests.filter((r) => r.action === 'DeleteBackup').map((r) => r.query.BackupId));
    expect(automated.some((j) => deleted.has(j.backupId))).toBe(false);
    // keep 1 of ours on each, beside the automated one.
    for (const id of ['dds-auto', 'pc-auto']) expect(cloud.jobs(undefined, id).filter((j) => j.mode === 'Manual' && !j.deleted)).toHaveLength(1);
  });
});

describe('RETENTION_DELETE=off and slots held by others', () => {
  it('off: nothing deleted, every deletion it would make logged; when making room needs one, the backup is refused naming the holders', async () => {
    const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1' };
    const store = { IDEMPOTENCY_STORE: `file:${join(dir, 'off')}`, RETENTION_DELETE: 'off' };
    await consoleBackup('pc-sample1');
    await night(target, 1, store);
    await night(target, 2, store);
    const refusal = await night(target, 3, store).then(
      () => undefined,
      (e: unknown) => e as BackupError,
    );
    expect(refusal?.code).toBe('NoBackupSlot');
    expect(refusal?.category).toBe('quota');
    expect(refusal?.message).toMatch(/PolarDB keeps at most 3 manual backups per cluster at a time.*: 3 of 3 held: .*making room means deleting \d+, and RETENTION_DELETE=off/);
    expect(refusal?.details.holders).toHaveLength(3);
    expect(cloud.requests.filter((r) => r.action === 'DeleteBackup')).toEqual([]);
    expect(lines.filter((l) => l.msg === 'retention: would delete (RETENTION_DELETE=off)').length).toBeGreaterThan(0);
  });

  it('3 slots held by backups not made by this tool: refused before CreateBackup, the alert naming each holder', async () => {
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
    expect(cloud.requests.filter((r) => r.action === 'DeleteBackup')).toEqual([]);
  });
});
