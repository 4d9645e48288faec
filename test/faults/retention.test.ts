// Retention under faults in combination (issue 16), through the real tracker bundle (in child processes where one is
// killed or two run at once) against the local cloud and the real Redis. Each row: a PolarDB cluster on a scheduled
// keep 1, two nights a day apart, so the second night's success owes exactly one deletion (the first night's backup).
// Each ends with that backup deleted once and only once, no floor broken (this tool's good backups never below keep,
// the newest never touched) and the deletion recorded on its history record.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import { startInvocation } from '../../shared/fc/invocation';
import type { HistoryRecord } from '../../shared/history/record';
import { saveRows, type FaultRow } from '../helpers/fault-table';
import { stsCredentials } from '../helpers/fc';
import { cleanupPrefix, REDIS_URL, runPrefix } from '../helpers/redis';
import { startStack, type Stack } from '../helpers/stack';
import { until } from '../helpers/wait';
import { invokeInChild, type ChildInstance } from './lib/instances';

const prefix = runPrefix('retention-faults');
const TABLE = 'retention under faults';
const rows: FaultRow[] = [];
let stack: Stack;
let round = 0;

beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 200 }, { IDEMPOTENCY_STORE: REDIS_URL, IDEMPOTENCY_KEY_PREFIX: prefix, LOG_LEVEL: 'error' });
});
afterAll(async () => {
  if (process.env.FCDB_FAULT_ROWS_DIR) saveRows(process.env.FCDB_FAULT_ROWS_DIR, 'retention', rows);
  await stack.close();
  await cleanupPrefix(prefix);
});
beforeEach(() => stack.cloud.clearFaults());

const history = () => startInvocation(fcContext('test', {})).history;
const good = (id: string) => stack.cloud.jobs('polardb', id).filter((j) => !j.deleted && j.state === 'succeeded');
const deletes = (id: string) => stack.cloud.requests.filter((r) => r.action === 'DeleteBackup' && Object.values(r.query).includes(id));

const faultsHit = (id: string, action: string, kind: string) => stack.cloud.requests.filter((r) => r.action === action && r.fault === kind && Object.values(r.query).includes(id)).length;

async function fire(id: string, night: number): Promise<void> {
  const target: Target = { product: 'polardb', DBClusterId: id, keep: 1 };
  const triggerTime = new Date(Date.UTC(2026, 11, 1 + night, 18, round)).toISOString();
  const event = Buffer.from(JSON.stringify({ triggerTime, triggerName: 'nightly', payload: JSON.stringify({ targets: [target] }) }));
  await loadHandler('scheduled-backup')(event, fcContext('scheduled-backup', { credentials: stsCredentials, timeoutSec: 60 }));
  await until(`night ${night}'s backup of ${id} finished`, 10_000, () => stack.cloud.jobs('polardb', id).every((j) => j.state === 'succeeded' || j.state === 'failed'));
}

/** Night 1 taken and tracked, a day passes (RETENTION_MIN_AGE), night 2 taken and finished but not yet recorded. */
async function twoNights(): Promise<{ id: string; first: HistoryRecord; second: HistoryRecord }> {
  round++;
  const id = `pc-retf${round}`;
  stack.cloud.addInstance({ product: 'polardb', id });
  await fire(id, 1);
  await stack.tracked(30_000);
  for (const j of stack.cloud.jobs('polardb', id)) if (j.backupId) stack.cloud.backdate('polardb', j.backupId, 86_400_000);
  await fire(id, 2);
  const [second, first] = await history().forDatabase('polardb', id);
  expect(first?.state).toBe('succeeded');
  expect(good(id)).toHaveLength(2);
  return { id, first: first as HistoryRecord, second: second as HistoryRecord };
}

const sweepInChild = (): ChildInstance =>
  invokeInChild({
    bundle: 'backup-tracker',
    event: Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'sweep', payload: '' })),
    context: fcContext('backup-tracker', { credentials: stsCredentials, timeoutSec: 60 }),
    env: { ...(process.env as Record<string, string>), TRACKER_CONCURRENCY: '1' },
  });

/**
 * The emulated clock for the retention pass's claim: its 5-minute lease (shared/tracking/duties.ts) ends now, as it
 * would 5 minutes after the killed sweep took it. Only the lease's end moves; the claim is otherwise as left.
 */
async function leaseLapses(recordId: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const key = `${prefix}${recordId}_retention`;
    const raw = await redis.get(key);
    expect(raw, 'the killed sweep had claimed the retention pass').not.toBeNull();
    const rec = JSON.parse(raw as string) as { status: string; leaseExpiresAt: number };
    expect(rec.status).toBe('in_progress');
    await redis.set(key, JSON.stringify({ ...rec, leaseExpiresAt: Date.now() - 1 }), 'KEEPTTL');
  } finally {
    redis.disconnect();
  }
}

/** Nothing deleted twice, no floor broken, the outcome recorded; then the row for results.md. */
async function expectOneDeletionRecorded(scenario: string, sweeps: number, notes: string, n: { id: string; first: HistoryRecord; second: HistoryRecord }): Promise<void> {
  const firstSet = stack.cloud.jobs('polardb', n.id).find((j) => j.id === n.first.jobId)?.backupId as string;
  const effective = deletes(n.id).filter((r) => r.status === 200);
  const kept = good(n.id).map((j) => j.id);
  const retired = (await history().get(n.first.id))?.retired;
  const newest = (await history().get(n.second.id))?.retired;
  const verdict = effective.length === 1 && effective[0]?.query.BackupId === firstSet && kept.length === 1 && kept[0] === n.second.jobId && retired !== undefined && newest === undefined ? 'ok' : 'not ok';
  rows.push({
    scenario,
    entry: 'tracker',
    product: 'polardb',
    // Tracker invocations that reached the retention pass (the quiet sweeps after it are not counted).
    deliveries: sweeps,
    workerRuns: 0,
    backups: stack.cloud.jobs('polardb', n.id).length,
    // Here: deletions that took effect beyond one.
    duplicates: Math.max(0, effective.length - 1),
    withoutOutcome: retired === undefined ? 1 : 0,
    http5xx: 0,
    verdict,
    notes: `${notes}; DeleteBackup sent ${deletes(n.id).length}×, took effect ${effective.length}×; good before 2, after ${kept.length}; recorded: ${retired?.reason ?? 'nothing'}`,
    table: TABLE,
  });
  // The first night's backup deleted by one DeleteBackup that took effect; any other attempt found it gone.
  expect(effective.map((r) => r.query.BackupId)).toEqual([firstSet]);
  expect(deletes(n.id).filter((r) => r.status === 200 || r.code !== 'InvalidBackupSetID.NotFound')).toHaveLength(effective.length);
  // Floor: keep 1 good backup of this tool, the newest, untouched.
  expect(kept).toEqual([n.second.jobId]);
  expect(newest).toBeUndefined();
  // Recorded: the deletion marked done on the deleted backup's record, for the success that allowed it, retiring cleared.
  const rec = await history().get(n.first.id);
  expect(rec?.retired).toMatchObject({ for: n.second.id });
  expect(rec?.retiring).toBeUndefined();
  expect((await history().get(n.second.id))?.duties).toEqual([]);
}

it('the tracker killed between DeleteBackup and recording it, then the next sweep’s read throttled: no second deletion, the first recorded', async () => {
  const n = await twoNights();
  // DeleteBackup takes effect, then its answer is held: the sweep is stuck there when FC kills its instance.
  stack.cloud.inject({ action: 'DeleteBackup', product: 'polardb', instanceId: n.id, kind: 'timeout', ms: 60_000 });
  const child = sweepInChild();
  await until('DeleteBackup took effect', 20_000, () => good(n.id).length === 1);
  child.kill();
  expect(await child.done).toMatchObject({ kind: 'died', signal: 'SIGKILL' });
  expect((await history().get(n.first.id))?.retiring, '"retiring" was written before DeleteBackup').toBeDefined();
  expect((await history().get(n.first.id))?.retired).toBeUndefined();
  stack.cloud.clearFaults();
  await leaseLapses(n.second.id);
  // The next sweep's look at the cluster's backups is throttled twice before it answers.
  stack.cloud.inject({ action: 'DescribeBackups', product: 'polardb', instanceId: n.id, kind: 'throttle', times: 2 });
  await stack.tracked(60_000);
  expect(faultsHit(n.id, 'DescribeBackups', 'throttle')).toBe(2);
  await expectOneDeletionRecorded('killed between DeleteBackup and recording it; next read throttled ×2', 2, 'tracker SIGKILLed with DeleteBackup answered late', n);
});

it('a lost answer to DeleteBackup, then the sweep delivered again: the retry finds it gone, one deletion, recorded', async () => {
  const n = await twoNights();
  // The delete happens; the answer is lost (the connection drops) on the first and on the retry's first attempt.
  stack.cloud.inject({ action: 'DeleteBackup', product: 'polardb', instanceId: n.id, kind: 'drop-after-create' });
  const child = sweepInChild();
  const result = await child.done;
  expect(result.kind, JSON.stringify(result)).toBe('returned');
  // FC's next minute (a redelivery of the sweep) over the same record finds nothing more to do.
  await stack.tracked(30_000);
  await stack.sweep();
  expect(faultsHit(n.id, 'DeleteBackup', 'drop-after-create')).toBe(1);
  await expectOneDeletionRecorded('DeleteBackup answer lost, then the sweep redelivered', 2, 'connection dropped after the delete took effect', n);
});

it('two sweeps (two tracker processes) at once over the same success: one deletion, never two, recorded once', async () => {
  const n = await twoNights();
  // Each DeleteBackup answer is slow, so the two passes overlap for its whole length.
  stack.cloud.inject({ action: 'DeleteBackup', product: 'polardb', instanceId: n.id, kind: 'latency', ms: 800, times: 2 });
  const results = await Promise.all([sweepInChild(), sweepInChild()].map((c) => c.done));
  for (const r of results) expect(r.kind, JSON.stringify(r)).toBe('returned');
  await stack.tracked(30_000);
  expect(faultsHit(n.id, 'DeleteBackup', 'latency'), 'the second pass never got as far as DeleteBackup').toBe(1);
  await expectOneDeletionRecorded('two sweeps at once over the same success', 2, 'two tracker processes started together', n);
});
