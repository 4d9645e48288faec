// Faults in combination, as they come in a real incident (issue 9): each row puts two or more faults together against
// the real local cloud, the real Redis (cut through a proxy where a holder loses it) and, where two FC instances are
// involved, a second instance in its own process. The rows run one after another: some change cloud-wide settings
// (list lag) and clear faults between deliveries.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { it } from 'vitest';
import { fcContext } from '../../local/fc-runtime';
import { callCloud } from '../../shared/cloud/client';
import { catalogOf } from '../../shared/cloud/products/registry';
import { startInvocation } from '../../shared/fc/invocation';
import type { IdempotencyRecord } from '../../shared/idempotency/store';
import { REDIS_URL } from '../helpers/redis';
import { startRedisProxy } from './lib/redis-proxy';
import { createBackupArrives, deliver, deployOnce, expectExactlyOnce, finish, settleWorker, sleep, stsCredentials, timerOnce, until, useWorld, type Product, type Row } from './lib/world';

const LIST_LAG_MS = 1_500;
const w = useWorld({ file: 'combined', table: 'faults in combination', env: { CLOUD_LIST_LAG_MS: String(LIST_LAG_MS) } });

const redis = () => new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
/** CreateBackup's answer is lost, and every reconcile read after the first fails: the record is left ambiguous. */
function ambiguousAttempt(row: Row, product: Product): void {
  w.stack.cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'drop-after-create' });
  w.stack.cloud.inject({ action: 'DescribeBackupTasks', product, instanceId: row.id, kind: 'status', status: 503, times: 1_000, skip: 1 });
}

/** A failover before replication (or an eviction) loses the record; the cloud answers again. */
async function loseRecord(row: Row): Promise<void> {
  const r = redis();
  await r.del(`${w.prefix}${row.key}`);
  r.disconnect();
  w.stack.cloud.clearFaults();
  await sleep(400);
}

async function recordOf(row: Row): Promise<IdempotencyRecord | undefined> {
  const r = redis();
  try {
    const v = await r.get(`${w.prefix}${row.key}`);
    return v === null ? undefined : (JSON.parse(v) as IdempotencyRecord);
  } finally {
    r.disconnect();
  }
}

const withoutToken: Product[] = ['rds', 'mongodb'];
const outcomeOf = (a: unknown) => ((a as { body?: { results?: { outcome?: string; jobId?: string }[] } }).body?.results ?? [])[0];

/** Someone's console backup of the instance, with the given method. */
async function consoleBackup(row: Row, method: string): Promise<string> {
  const catalog = catalogOf(row.product);
  const body = await callCloud({
    catalog,
    endpoint: { protocol: 'http', host: new URL(w.stack.cloud.url).host },
    credentials: stsCredentials,
    action: 'CreateBackup',
    query: { [catalog.idField]: row.id, RegionId: 'cn-hangzhou', BackupMethod: method },
    timeouts: { connectMs: 2000, readMs: 2000 },
  });
  return String(body.BackupJobId);
}

const msOfDay = (t: number) => t % 86_400_000;

it.for(withoutToken)('takeover whose reconciliation is throttled keeps the record · %s', async (product, { expect }) => {
  const row = w.row('answer lost, reconcile 503, takeover throttled', 'thrtakeover', 'timer', product);
  const { cloud } = w.stack;
  cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'drop-after-create' });
  // The look before the first attempt works; every read after the lost answer fails.
  cloud.inject({ action: 'DescribeBackupTasks', product, instanceId: row.id, kind: 'status', status: 503, times: 1_000, skip: 1 });
  await deliver(w, row, { max: 1, once: () => timerOnce(row, { timeoutSec: 4 }) });
  expect(cloud.jobs(product, row.id), 'J1 was created, its answer lost').toHaveLength(1);
  expect((await recordOf(row))?.status, 'reads failed after a lost answer: ambiguous').toBe('ambiguous');
  cloud.clearFaults();
  // Delivery 2 takes over; every read is throttled (HTTP 400, not ambiguous itself).
  cloud.inject({ action: 'DescribeBackupTasks', product, instanceId: row.id, kind: 'throttle', times: 1_000 });
  await deliver(w, row, { max: 1, once: () => timerOnce(row, { timeoutSec: 4 }) });
  expect((await recordOf(row))?.status, 'a taken-over record is never released').toBe('ambiguous');
  cloud.clearFaults();
  // J1 finishes; delivery 3 reconciles and adopts it.
  await sleep(400);
  const last = await deliver(w, row, { max: 1, once: () => timerOnce(row, { timeoutSec: 20 }) });
  expect(outcomeOf(last)?.outcome).toBe('adopted');
  expectExactlyOnce(expect, finish(w, row));
});

it.for(withoutToken)('automated backup running while the task list fails · %s', async (product, { expect }) => {
  const row = w.row('automated backup running, task list 503', 'autofail', 'timer', product);
  const { cloud } = w.stack;
  cloud.addInstance({ product, id: row.id, automatedBackup: { startMs: msOfDay(Date.now()) - 50, durationMs: 2_500 } });
  // CreateBackup answers BackupJobExists (slowly, so the task list fails from then on, after the first look).
  cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'latency', ms: 300 });
  const arrived = createBackupArrives(w, row).then(() =>
    cloud.inject({ action: 'DescribeBackupTasks', product, instanceId: row.id, kind: 'status', status: 503, times: 1_000 }),
  );
  await deliver(w, row, { max: 1, once: () => timerOnce(row, { timeoutSec: 4 }) });
  await arrived;
  expect((await recordOf(row))?.status, 'a read error while a job blocks us is not a release').toBe('ambiguous');
  cloud.clearFaults();
  await deliver(w, row, { once: () => timerOnce(row, { timeoutSec: 20 }) });
  expectExactlyOnce(expect, finish(w, row));
});

it.for(['rds', 'polardb', 'mongodb'] as Product[])('a stalled holder that lost Redis never calls CreateBackup again · %s', async (product, { expect }) => {
  const row = w.row('holder throttled, Redis cut, lease lapses, taken over', 'stalled', 'timer', product);
  const { cloud } = w.stack;
  const proxy = await startRedisProxy();
  // A lease shorter than the defaults, so the test waits seconds, not half a minute; the fence needs a CreateBackup to
  // reach the cloud within the lease, so the connect timeout is shorter still.
  const lease = { IDEMPOTENCY_LEASE_MS: '1500', CLOUD_CONNECT_TIMEOUT_MS: '500' };
  try {
    // A is throttled into backoff; its renewals then fail (Redis cut), so its lease lapses.
    // Throttled for as long as A runs: A alone can never get a job, whatever the machine's load does to timing.
    cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'throttle', times: 1_000 });
    const arrived = createBackupArrives(w, row);
    const a = timerOnce(row, { timeoutSec: 20, child: { env: { IDEMPOTENCY_STORE: proxy.url, ...lease } } });
    await arrived;
    await proxy.cut();
    await sleep(1_800);
    // The throttling ends (for B; A's next attempt is fenced off before it is sent).
    cloud.clearFaults();
    // B takes over, finds nothing of A's (A never got a job), creates J_B; J_B finishes.
    const b = await timerOnce(row, { timeoutSec: 20, env: lease });
    row.deliveries += 1;
    row.answers.push(b);
    expect(b.kind, 'the new holder takes the backup').toBe('ok');
    await proxy.open();
    const answerA = await a;
    row.deliveries += 1;
    row.answers.unshift(answerA);
    expect(answerA.kind, 'the old holder stops, retryably').toBe('retryable');
    expect(w.logs.some((l) => l.msg === 'lost the idempotency lease; stopping without calling the cloud again' && l.key === row.key)).toBe(true);
  } finally {
    await proxy.close();
  }
  const r = finish(w, row);
  expectExactlyOnce(expect, r);
});

it.for(['rds', 'mongodb'] as Product[])("a reader whose clock runs 20 s ahead does not take over a healthy lease · %s", async (product, { expect }) => {
  const row = w.row('second instance 20 s ahead during a slow CreateBackup', 'skew', 'timer', product);
  const { cloud } = w.stack;
  const preload = join(tmpdir(), `fcdb-skew-${process.pid}.cjs`);
  writeFileSync(preload, 'const real = Date.now; Date.now = () => real() + 20000;\n');
  const lease = { IDEMPOTENCY_LEASE_MS: '3000', CLOUD_CONNECT_TIMEOUT_MS: '1000' };
  cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'latency', ms: 2_500 });
  const arrived = createBackupArrives(w, row);
  const a = timerOnce(row, { timeoutSec: 20, env: lease });
  await arrived;
  const b = await timerOnce(row, { timeoutSec: 20, child: { env: { NODE_OPTIONS: `--require ${preload}`, ...lease } } });
  const answerA = await a;
  row.deliveries += 2;
  row.answers.push(answerA, b);
  expect(answerA.kind).toBe('ok');
  expect(b.kind, 'the skewed instance waits and replays').toBe('ok');
  expect(outcomeOf(b)?.outcome).toBe('replayed');
  expectExactlyOnce(expect, finish(w, row));
});

it.for(['rds', 'polardb', 'mongodb'] as Product[])('answer lost, the job listed late: waited for, adopted, never resent · %s', async (product, { expect }) => {
  const row = w.row('answer lost, job listed 1 s late', 'lag', 'timer', product);
  const { cloud } = w.stack;
  cloud.setListLag(1_000);
  try {
    cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'drop-after-create' });
    const a = await deliver(w, row, { once: () => timerOnce(row, { timeoutSec: 20 }) });
    expect(a.kind).toBe('ok');
    expect(row.deliveries, 'settled in the same invocation').toBe(1);
    if (product !== 'polardb') expect(outcomeOf(a)?.outcome).toBe('adopted');
  } finally {
    cloud.setListLag(0);
  }
  expect(cloud.requests.filter((q) => q.action === 'CreateBackup' && Object.values(q.query).includes(row.id)).length, product === 'polardb' ? 'PolarDB resends its ClientToken' : 'no resend').toBe(product === 'polardb' ? 2 : 1);
  expectExactlyOnce(expect, finish(w, row));
});

it.for(withoutToken)('answer lost, the job listed after the deadline: left ambiguous, the redelivery adopts · %s', async (product, { expect }) => {
  const row = w.row('answer lost, job listed after the deadline', 'lagdeadline', 'timer', product);
  const { cloud } = w.stack;
  cloud.setListLag(3_500);
  try {
    cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'drop-after-create' });
    await deliver(w, row, { once: () => timerOnce(row, { timeoutSec: 3 }), backoffMs: () => 500 });
  } finally {
    cloud.setListLag(0);
  }
  expect(row.answers[0]?.kind, 'the first invocation ends retryably, without a resend').toBe('retryable');
  expect(cloud.requests.filter((q) => q.action === 'CreateBackup' && Object.values(q.query).includes(row.id)).length).toBe(1);
  expectExactlyOnce(expect, finish(w, row));
});

it.for(withoutToken)("someone's console Logical backup in the window is not adopted for a Physical request · %s", async (product, { expect }) => {
  const row = w.row('console Logical backup in the window, CreateBackup 503', 'console', 'timer', product);
  const { cloud } = w.stack;
  const theirs = await consoleBackup(row, 'Logical');
  await until('the console backup to finish', () => cloud.jobs(product, row.id).every((j) => j.state !== 'running' && j.state !== 'queued'), 10_000, 20);
  // Our request: 503 (nothing created, the engine cannot know), then redelivered.
  cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'status', status: 503 });
  const last = await deliver(w, row, { once: () => timerOnce(row, { timeoutSec: 20 }), backoffMs: () => 300 });
  expect(last.kind).toBe('ok');
  expect(outcomeOf(last)?.jobId, 'its own job, not the console one').not.toBe(theirs);
  expectExactlyOnce(expect, finish(w, row, { othersJobs: [theirs] }));
});

it.for(withoutToken)('an automated backup running at the firing is waited out, then ours is taken · %s', async (product, { expect }) => {
  const row = w.row('automated backup running at the firing', 'auto', 'timer', product);
  const { cloud } = w.stack;
  cloud.addInstance({ product, id: row.id, automatedBackup: { startMs: msOfDay(Date.now()) - 50, durationMs: 2_000 } });
  const a = await deliver(w, row, { once: () => timerOnce(row, { timeoutSec: 20 }) });
  expect(a.kind).toBe('ok');
  expect(outcomeOf(a)?.outcome, 'not adopted: the automated job is not this request').toBe('created');
  expectExactlyOnce(expect, finish(w, row));
});

it.for(withoutToken)('an automated backup outlasting the deadline: retryable, FC redelivers, ours is taken · %s', async (product, { expect }) => {
  const row = w.row('automated backup outlasting the deadline', 'autolong', 'timer', product);
  const { cloud } = w.stack;
  cloud.addInstance({ product, id: row.id, automatedBackup: { startMs: msOfDay(Date.now()) - 50, durationMs: 5_000 } });
  await deliver(w, row, { once: () => timerOnce(row, { timeoutSec: 3 }), backoffMs: () => 1_000 });
  expect(row.answers[0]).toMatchObject({ kind: 'retryable', code: 'TargetsFailedRetryably(BackupJobRunning)' });
  expect(row.answers.at(-1)?.kind).toBe('ok');
  expectExactlyOnce(expect, finish(w, row));
});

it.for(withoutToken)('the record lost from Redis after an ambiguous attempt: the fresh claim finds the job of this firing · %s', async (product, { expect }) => {
  const row = w.row('answer lost, then the record lost from Redis (failover)', 'lostrecord', 'timer', product);
  ambiguousAttempt(row, product);
  await deliver(w, row, { max: 1, once: () => timerOnce(row, { timeoutSec: 4 }) });
  expect((await recordOf(row))?.status).toBe('ambiguous');
  await loseRecord(row);
  const last = await deliver(w, row, { once: () => timerOnce(row, { timeoutSec: 20 }) });
  expect(outcomeOf(last)?.outcome, 'adopted by the look anchored to the trigger time').toBe('adopted');
  expectExactlyOnce(expect, finish(w, row));
});

it.for(withoutToken)('a worker task\'s record lost from Redis after an ambiguous attempt: the tracker\'s re-sent task finds the job of its request · %s', async (product, { expect }) => {
  const row = w.row('fan-out: answer lost, FC gives up, the record lost from Redis, the task sent again', 'wlostrecord', 'fanout', product);
  const { cloud } = w.stack;
  ambiguousAttempt(row, product);
  // FC's retries of the task crash: FC gives up on it, the record left ambiguous.
  cloud.inject({ product: 'fc', action: 'InvokeFunction:run', kind: 'function-error', times: 3, skip: 1 });
  await deliver(w, row, { max: 1 });
  await cloud.fcIdle();
  expect(cloud.fcTasks.find((t) => t.taskId === row.key)?.status).toBe('failed');
  expect((await recordOf(row))?.status).toBe('ambiguous');
  await loseRecord(row);
  // Past TRACKER_LOST_AFTER_SEC (the test's clock): the sweep sends the task again, with the request's time.
  const history = startInvocation(fcContext('test', {})).history;
  const expected = await history.get(row.key);
  expect(expected?.state).toBe('dispatched');
  if (expected) await history.reschedule(expected, Date.now());
  await w.stack.sweep();
  await settleWorker(w, row);
  expect(w.logs.filter((l) => l.msg === 'backup requested' && l.key === row.key).map((l) => l.outcome), 'adopted by the look anchored to the request\'s time').toEqual(['adopted']);
  expectExactlyOnce(expect, finish(w, row));
});

const allProducts: Product[] = ['rds', 'polardb', 'mongodb'];

it.for(allProducts)('deploy gate: a dry run, then the real run of the same deployId · %s', async (product, { expect }) => {
  const row = w.row('deploy gate: dry run, then the real run', 'dryreal', 'deploy', product);
  const real = row.deployBody;
  row.deployBody = JSON.stringify({ ...JSON.parse(real), dryRun: true });
  const dry = await deliver(w, row, { max: 1, once: () => deployOnce(w, row) });
  expect(dry.kind).toBe('ok');
  expect(w.stack.cloud.jobs(product, row.id), 'the dry run took nothing').toHaveLength(0);
  row.deployBody = real;
  const a = await deliver(w, row, { once: () => deployOnce(w, row) });
  expect(a.kind, 'the real run is not refused as a reused deployId').toBe('ok');
  expectExactlyOnce(expect, finish(w, row));
});

it.for(allProducts)('deploy gate: the re-run lists the same targets in another order · %s', async (product, { expect }) => {
  const row = w.row('deploy gate: re-run with the targets in another order', 'reorder', 'deploy', product);
  const other = { product: 'rds', DBInstanceId: `rm-reorder-other-${product}` } as const;
  w.stack.cloud.addInstance({ product: 'rds', id: other.DBInstanceId });
  const body = JSON.parse(row.deployBody) as { targets: unknown[] };
  row.deployBody = JSON.stringify({ ...body, targets: [body.targets[0], other] });
  await deliver(w, row, { once: () => deployOnce(w, row) });
  row.deployBody = JSON.stringify({ ...body, targets: [other, body.targets[0]] });
  const again = await deliver(w, row, { once: () => deployOnce(w, row) });
  expect(again.kind, 'the same request, not a 422').toBe('ok');
  expect(w.stack.cloud.jobs('rds', other.DBInstanceId).filter((j) => j.mode === 'Manual')).toHaveLength(1);
  expectExactlyOnce(expect, finish(w, row));
});

it.for(allProducts)('deploy gate: the same database twice in one request is refused, then the corrected request · %s', async (product, { expect }) => {
  const row = w.row('deploy gate: the same database twice in one request', 'twice', 'deploy', product);
  const body = JSON.parse(row.deployBody) as { targets: Record<string, unknown>[] };
  const t = body.targets[0] as Record<string, unknown>;
  // PolarDB's CreateBackup takes no parameter but the cluster (Comment is refused): the second entry is the same one.
  const variant = product === 'polardb' ? { ...t } : { ...t, BackupMethod: 'Logical' };
  row.deployBody = JSON.stringify({ ...body, targets: [t, variant] });
  const refused = await deliver(w, row, { max: 1, once: () => deployOnce(w, row) });
  expect(refused).toMatchObject({ kind: 'refused', status: 400 });
  expect(JSON.stringify(refused)).toMatch(/targets\[1\].*already named by targets\[0\]/);
  row.deployBody = JSON.stringify({ ...body, targets: [t] });
  const ok = await deliver(w, row, { once: () => deployOnce(w, row) });
  expect(ok.kind).toBe('ok');
  expectExactlyOnce(expect, finish(w, row));
});

it.for(withoutToken)('slow reads eat the deadline: CreateBackup is not sent without its read timeout ahead · %s', async (product, { expect }) => {
  const row = w.row('slow reads leave too little time for CreateBackup', 'nosend', 'timer', product);
  const { cloud } = w.stack;
  // 2 s of work (3 s timeout, 1 s kept back); the look before the first attempt takes 1.5 s of it.
  cloud.inject({ action: 'DescribeBackupTasks', product, instanceId: row.id, kind: 'latency', ms: 1_500 });
  await deliver(w, row, { once: () => timerOnce(row, { timeoutSec: 3 }), backoffMs: () => 200 });
  expect(row.answers[0]).toMatchObject({ kind: 'retryable', code: 'TargetsFailedRetryably(DeadlineExceeded)' });
  expect(cloud.requests.filter((q) => q.action === 'CreateBackup' && Object.values(q.query).includes(row.id)), 'sent once, by the redelivery').toHaveLength(1);
  expectExactlyOnce(expect, finish(w, row));
});
