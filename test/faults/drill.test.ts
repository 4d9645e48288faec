// Restore drills under faults in combination (issue 18), through the real restore-drill and tracker bundles (a
// child process where one is killed) against the local cloud and the real Redis. Each row counts the temporary
// instances the cloud created for its source (exactly one), the ones still standing at the end (none, except
// where nothing may prove them ours), release calls on anything but the drill's own instance (never), and alerts.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import type { ProductName } from '../../shared/cloud/products/catalog';
import { drillLogFor } from '../../shared/drill/log';
import type { DrillRecord } from '../../shared/drill/record';
import { startInvocation } from '../../shared/fc/invocation';
import { saveRows, type FaultRow } from '../helpers/fault-table';
import { stsCredentials } from '../helpers/fc';
import { cleanupPrefix, REDIS_URL, runPrefix } from '../helpers/redis';
import { startStack, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';
import { invokeInChild } from './lib/instances';

const prefix = runPrefix('drill-faults');
const TABLE = 'restore drills under faults';
const rows: FaultRow[] = [];
let stack: Stack;
let round = 0;
const products: ProductName[] = ['rds', 'polardb', 'mongodb'];
const createAction = { rds: 'CloneDBInstance', polardb: 'CreateDBCluster', mongodb: 'CreateDBInstance' } as const;
const releaseAction = { rds: 'DeleteDBInstance', polardb: 'DeleteDBCluster', mongodb: 'DeleteDBInstance' } as const;
const idPrefix = { rds: 'rm-', polardb: 'pc-', mongodb: 'dds-' } as const;

beforeAll(async () => {
  stack = await startStack(
    { jobDurationMs: 200, restore: { restoreMs: 300, releaseMs: 200 }, functions: { 'drill-validator': '../test/fixtures/drill-validator' } },
    { IDEMPOTENCY_STORE: REDIS_URL, IDEMPOTENCY_KEY_PREFIX: prefix, LOG_LEVEL: 'error', DRILL_FUNCTION: 'restore-drill', DRILL_PERIOD: '90d' },
  );
});
afterAll(async () => {
  if (process.env.FCDB_FAULT_ROWS_DIR) saveRows(process.env.FCDB_FAULT_ROWS_DIR, 'drill', rows);
  await stack.close();
  await cleanupPrefix(prefix);
});
beforeEach(() => {
  stack.cloud.clearFaults();
  stack.receiver.notified.length = 0;
  delete process.env.DRILL_VALIDATOR_FUNCTION;
  delete process.env.DRILL_RELEASE_ATTEMPTS;
});

const context = (name: string) => fcContext(name, { credentials: stsCredentials, timeoutSec: 60 });
const timerEvent = (payload: unknown) => Buffer.from(JSON.stringify({ triggerTime: new Date(Date.UTC(2026, 11, 5, 3, 0, round)).toISOString(), triggerName: 'weekly', payload: JSON.stringify(payload) }));
const drillTimer = () => loadHandler('restore-drill')(timerEvent({}), context('restore-drill')) as Promise<Record<string, unknown>>;
const log = () => drillLogFor(startInvocation(fcContext('test', {})).deps.store);

/** A fresh source with one good backup of this tool, the only one DRILL_TARGETS names. */
async function source(product: ProductName, tag = ''): Promise<{ target: Target; id: string }> {
  round++;
  const id = `${idPrefix[product]}drf${tag}${round}`;
  stack.cloud.addInstance({ product, id });
  const target = (product === 'polardb' ? { product, DBClusterId: id } : { product, DBInstanceId: id, BackupMethod: product === 'rds' ? 'Physical' : 'Snapshot' }) as Target;
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date(Date.UTC(2026, 11, 4, 2, 0, round)).toISOString(), triggerName: 'nightly', payload: JSON.stringify({ targets: [target] }) }));
  await loadHandler('scheduled-backup')(event, context('scheduled-backup'));
  await stack.tracked(20_000);
  process.env.DRILL_TARGETS = JSON.stringify([target]);
  return { target, id };
}

const drillOf = async (product: ProductName, id: string) => (await log().recent(86_400_000)).find((r) => r.product === product && r.sourceId === id);

/** Tracker sweeps (each hands a follow to restore-drill through the local FC) until `done`, counting them. */
async function sweepUntil(what: string, done: (r: DrillRecord | undefined) => boolean, product: ProductName, id: string, ms = 20_000): Promise<{ record: DrillRecord | undefined; sweeps: number }> {
  const end = Date.now() + ms;
  for (let sweeps = 1; ; sweeps++) {
    await stack.sweep();
    await stack.cloud.fcIdle();
    const record = await drillOf(product, id);
    if (done(record)) return { record, sweeps };
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: drill ${record?.drillId} is ${record?.phase}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const ended = (r: DrillRecord | undefined) => r?.phase === 'released' || r?.phase === 'release-failed';

interface Counted {
  created: number;
  standing: number;
  foreignReleases: number;
  alerts: number;
}
function count(product: ProductName, id: string, drill?: DrillRecord): Counted {
  const mine = stack.cloud.restored(product, id);
  // Any release call (the whole run's) naming an instance no restore created: a source, a seeded database.
  const temporary = new Set(stack.cloud.restored().map((m) => m.id));
  const released = stack.cloud.requests.filter((q) => Object.values(releaseAction).includes(q.action as never)).map((q) => q.query.DBInstanceId ?? q.query.DBClusterId);
  return {
    created: mine.length,
    standing: mine.filter((m) => m.exists).length,
    foreignReleases: released.filter((r) => !temporary.has(r as string)).length,
    alerts: stack.receiver.notified.length / 2,
  };
}

function row(scenario: string, product: ProductName, c: Counted, deliveries: number, notes: string, ok: boolean): void {
  rows.push({
    table: TABLE,
    scenario,
    entry: 'drill timer',
    product,
    deliveries,
    workerRuns: 0,
    backups: c.created,
    duplicates: Math.max(0, c.created - 1),
    withoutOutcome: 0,
    http5xx: 0,
    verdict: ok ? 'ok' : `FAIL: ${JSON.stringify(c)}`,
    notes: `temporary instances created ${c.created}, left standing ${c.standing}, releases of another instance ${c.foreignReleases}, alerts ${c.alerts}; ${notes}`,
  });
}

it.each(products)('the create answer lost, then the timer redelivered: exactly one temporary instance · %s', async (product) => {
  const { id } = await source(product);
  stack.cloud.inject({ action: createAction[product], product, kind: 'drop-after-create' });
  // The lost answer is ambiguous: the run fails retryably and FC delivers the timer event again.
  await expect(drillTimer()).rejects.toMatchObject({ retryable: true });
  expect((await drillOf(product, id))?.phase).toBe('requested');
  await drillTimer();
  const { record } = await sweepUntil('the drill to end', ended, product, id);
  const c = count(product, id, record);
  const ok = c.created === 1 && c.standing === 0 && c.foreignReleases === 0 && record?.verdict === 'passed';
  row('drill: create answer lost, timer redelivered', product, c, 2, `found again by ${product === 'rds' ? 'its ClientToken' : 'its tag and name'}; verdict ${record?.verdict}`, ok);
  expect(c).toEqual({ created: 1, standing: 0, foreignReleases: 0, alerts: 0 });
  expect(record).toMatchObject({ phase: 'released', verdict: 'passed' });
});

it.each(products)('the timer killed between create and record: the tracker finds the instance and follows it · %s', async (product) => {
  const { id } = await source(product);
  // The instance is created; its answer is held until the caller's connection goes away (with the process).
  stack.cloud.inject({ action: createAction[product], product, kind: 'timeout', ms: 60_000 });
  const child = invokeInChild({ bundle: 'restore-drill', event: timerEvent({}), context: context('restore-drill'), env: { ...(process.env as Record<string, string>) } });
  await until('the temporary instance to be created', 20_000, () => stack.cloud.restored(product, id).length > 0);
  child.kill();
  await child.done;
  expect((await drillOf(product, id))?.instanceId).toBeUndefined();
  const { record, sweeps } = await sweepUntil('the drill to end', ended, product, id);
  const c = count(product, id, record);
  const ok = c.created === 1 && c.standing === 0 && c.foreignReleases === 0 && record?.verdict === 'passed';
  row('drill: killed between create and record', product, c, 1, `timer SIGKILLed with the create in flight; ${sweeps} tracker sweeps to released`, ok);
  expect(c).toEqual({ created: 1, standing: 0, foreignReleases: 0, alerts: 0 });
  expect(record).toMatchObject({ phase: 'released', verdict: 'passed' });
});

it('the drill record lost from the store: nothing is released, one alert, and only one', async () => {
  const product: ProductName = 'polardb';
  const { id } = await source(product);
  await drillTimer();
  const drill = await drillOf(product, id);
  expect(drill?.instanceId).toBeTruthy();
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.del(`${prefix}fcdb_drill_${drill?.drillId}`);
  redis.disconnect();
  await stack.sweep();
  await stack.cloud.fcIdle();
  // Later sweeps say nothing more: the drill is no longer open.
  await stack.sweep();
  await stack.cloud.fcIdle();
  await stack.sweep();
  const c = count(product, id, drill);
  const lost = stack.receiver.notified.filter((n) => JSON.stringify(n.body).includes('Restore drill record lost'));
  const ok = c.created === 1 && c.standing === 1 && c.foreignReleases === 0 && lost.length === 2 && c.alerts === 1;
  row('drill: history record lost', product, c, 1, 'the instance is left for a person: no record, no proof it is ours', ok);
  expect(stack.cloud.requests.filter((q) => q.action === releaseAction[product] && Object.values(q.query).includes(drill?.instanceId as string))).toEqual([]);
  expect(c).toEqual({ created: 1, standing: 1, foreignReleases: 0, alerts: 1 });
  expect(lost).toHaveLength(2); // one per channel
});

it('the validator never answers: asked again each look, then the instance is released when its lifetime ends', async () => {
  const product: ProductName = 'rds';
  const { id } = await source(product, 'slow');
  process.env.DRILL_VALIDATOR_FUNCTION = 'drill-validator';
  process.env.DRILL_VALIDATOR_TIMEOUT = '1s';
  try {
    await drillTimer();
    await sweepUntil('validation to begin', (r) => r?.phase === 'validating', product, id);
    // Two more looks: the validator is asked again, and the drill stays validating.
    await stack.sweep();
    await stack.cloud.fcIdle();
    const still = await drillOf(product, id);
    expect(still?.phase).toBe('validating');
    // The lifetime ends (the emulated clock: only releaseBy moves).
    await log().mutate(still?.drillId as string, (cur) => (cur ? { ...cur, releaseBy: new Date().toISOString() } : undefined));
    const { record } = await sweepUntil('the drill to end', ended, product, id);
    const c = count(product, id, record);
    const ok = c.created === 1 && c.standing === 0 && record?.verdict === 'timed-out' && c.alerts === 1;
    row('drill: validator timing out', product, c, 1, `verdict ${record?.verdict}; released at its lifetime`, ok);
    expect(record).toMatchObject({ phase: 'released', verdict: 'timed-out' });
    expect(c).toEqual({ created: 1, standing: 0, foreignReleases: 0, alerts: 1 });
  } finally {
    delete process.env.DRILL_VALIDATOR_TIMEOUT;
  }
});

it.each(products)('a throttled release is tried again, then released; past DRILL_RELEASE_ATTEMPTS it is alerted with the command · %s', async (product) => {
  const { id } = await source(product);
  stack.cloud.inject({ action: releaseAction[product], product, kind: 'throttle', times: 2 });
  await drillTimer();
  const { record } = await sweepUntil('the drill to end', ended, product, id);
  const c = count(product, id, record);
  const ok = c.created === 1 && c.standing === 0 && record?.releaseFailures === 2 && c.alerts === 0;
  row('drill: throttled release ×2', product, c, 1, `release failed ${record?.releaseFailures}× (Throttling), then released`, ok);
  expect(record).toMatchObject({ phase: 'released', verdict: 'passed', releaseFailures: 2 });
  expect(c).toEqual({ created: 1, standing: 0, foreignReleases: 0, alerts: 0 });
});

it('a release throttled past DRILL_RELEASE_ATTEMPTS: release-failed, the instance standing, one alert with the aliyun command', async () => {
  const product: ProductName = 'mongodb';
  const { id } = await source(product);
  process.env.DRILL_RELEASE_ATTEMPTS = '2';
  stack.cloud.inject({ action: releaseAction[product], product, kind: 'throttle', times: 50 });
  await drillTimer();
  const { record } = await sweepUntil('the drill to end', ended, product, id);
  await stack.sweep();
  const c = count(product, id, record);
  const text = JSON.stringify(stack.receiver.notified.map((n) => n.body));
  const ok = record?.phase === 'release-failed' && c.standing === 1 && c.alerts === 1 && text.includes(`aliyun dds DeleteDBInstance --RegionId cn-hangzhou --DBInstanceId ${record?.instanceId}`);
  row('drill: release throttled throughout', product, c, 1, 'release-failed after 2 attempts; the alert carries the aliyun command', ok);
  expect(record).toMatchObject({ phase: 'release-failed', releaseFailures: 2 });
  expect(c).toMatchObject({ created: 1, standing: 1, foreignReleases: 0, alerts: 1 });
  expect(text).toContain(`aliyun dds DeleteDBInstance --RegionId cn-hangzhou --DBInstanceId ${record?.instanceId}`);
  stack.cloud.clearFaults();
});

it('two drill timers at once: one drill, one temporary instance', async () => {
  const product: ProductName = 'polardb';
  const { id } = await source(product);
  const [a, b] = await Promise.all([drillTimer(), drillTimer()]);
  const started = [...(a.started as unknown[]), ...(b.started as unknown[])];
  const { record } = await sweepUntil('the drill to end', ended, product, id);
  const c = count(product, id, record);
  const ok = c.created === 1 && c.standing === 0 && record?.verdict === 'passed';
  row('drill: two timers at once', product, c, 2, `both timers answered the same drill (${started.length} answers)`, ok);
  expect(c).toEqual({ created: 1, standing: 0, foreignReleases: 0, alerts: 0 });
});
