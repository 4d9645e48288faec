// The tracker under faults, through its bundle in child processes (as FC runs separate instances) against the local
// cloud and a real Redis behind a proxy that can be cut: killed mid-sweep, the store down during a sweep, three
// sweeps at once. Each time: every job's end recorded (no outcome lost) and each failure alerted once per channel.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import { startInvocation } from '../../shared/fc/invocation';
import { cleanupPrefix, runPrefix } from '../helpers/redis';
import { startStack, type Stack } from '../helpers/stack';
import { stsCredentials } from '../helpers/fc';
import { invokeInChild, type ChildInstance } from './lib/instances';
import { startRedisProxy, type RedisProxy } from './lib/redis-proxy';

const prefix = runPrefix('tracker-faults');
let proxy: RedisProxy;
let stack: Stack;
let round = 0;

beforeAll(async () => {
  proxy = await startRedisProxy();
  stack = await startStack({ jobDurationMs: 300 }, { IDEMPOTENCY_STORE: proxy.url, IDEMPOTENCY_KEY_PREFIX: prefix, LOG_LEVEL: 'info' });
});
afterAll(async () => {
  await stack.close();
  await proxy.close();
  await cleanupPrefix(prefix);
});
beforeEach(async () => {
  if (!proxy.isOpen()) await proxy.open();
  stack.cloud.clearFaults();
  stack.receiver.notified.length = 0;
  stack.receiver.refused.length = 0;
});

/** Two databases per product, one of each failing at the end of its job; returns the failing instance ids. */
async function night(): Promise<{ targets: Target[]; failing: string[] }> {
  round++;
  const ids = { rds: [`rm-trk${round}a`, `rm-trk${round}b`], polardb: [`pc-trk${round}a`, `pc-trk${round}b`], mongodb: [`dds-trk${round}a`, `dds-trk${round}b`] };
  const targets: Target[] = [];
  for (const [product, [ok, bad]] of Object.entries(ids) as [Target['product'], string[]][]) {
    for (const id of [ok, bad] as string[]) stack.cloud.addInstance({ product, id, failBackups: id === bad });
    for (const id of [ok, bad] as string[]) targets.push(product === 'polardb' ? { product, DBClusterId: id } : ({ product, DBInstanceId: id } as Target));
  }
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date(Date.UTC(2026, 11, 2, 2, round)).toISOString(), triggerName: 'nightly', payload: JSON.stringify({ targets }) }));
  await loadHandler('scheduled-backup')(event, fcContext('scheduled-backup', { credentials: stsCredentials })).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 500));
  return { targets, failing: Object.values(ids).map(([, bad]) => bad as string) };
}

/** Resolves once the cloud has received a status read for `instanceId` (it is logged on arrival). */
async function statusReadArrives(instanceId: string): Promise<void> {
  const seen = () => stack.cloud.requests.some((q) => q.action === 'DescribeBackupTasks' && Object.values(q.query).includes(instanceId));
  for (const end = Date.now() + 20_000; !seen(); ) {
    if (Date.now() > end) throw new Error(`no status read of ${instanceId}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sweepInChild = (env: Record<string, string> = {}): ChildInstance =>
  invokeInChild({
    bundle: 'backup-tracker',
    event: Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'sweep', payload: '' })),
    context: fcContext('backup-tracker', { credentials: stsCredentials, timeoutSec: 60 }),
    env: { ...(process.env as Record<string, string>), ...env },
  });

/** Every record of the night final, as the cloud says; each failure alerted exactly once on each channel. */
async function expectNoOutcomeLostNoAlertTwice(targets: Target[], failing: string[]): Promise<void> {
  await stack.tracked(30_000);
  const history = startInvocation(fcContext('test', {})).history;
  for (const t of targets) {
    const id = 'DBClusterId' in t ? t.DBClusterId : t.DBInstanceId;
    const [r] = await history.forDatabase(t.product, id);
    expect(r?.state, id).toBe(failing.includes(id) ? 'failed' : 'succeeded');
    expect(r?.duties, id).toEqual([]);
    expect(stack.cloud.jobs(t.product, id), id).toHaveLength(1);
  }
  expect(stack.receiver.refused).toEqual([]);
  for (const channel of ['dingtalk', 'slack'] as const) {
    const bodies = stack.receiver.notified.filter((n) => n.channel === channel).map((n) => JSON.stringify(n.body));
    expect(bodies, channel).toHaveLength(failing.length);
    for (const id of failing) expect(bodies.filter((b) => b.includes(id)), `${channel} ${id}`).toHaveLength(1);
  }
}

it('the tracker killed mid-sweep: the next sweep records what it had not, and alerts nothing twice', async () => {
  const { targets, failing } = await night();
  // One status read hangs: the sweep (one record at a time) is stuck there, part done, when FC kills it.
  stack.cloud.inject({ action: 'DescribeBackupTasks', instanceId: failing[1], kind: 'latency', ms: 60_000 });
  const child = sweepInChild({ TRACKER_CONCURRENCY: '1' });
  await statusReadArrives(failing[1] as string);
  child.kill();
  expect(await child.done).toMatchObject({ kind: 'died', signal: 'SIGKILL' });
  stack.cloud.clearFaults();
  await expectNoOutcomeLostNoAlertTwice(targets, failing);
});

it('the store down during a sweep: that sweep fails, nothing is recorded wrong, the next one finishes', async () => {
  const { targets, failing } = await night();
  stack.cloud.inject({ action: 'DescribeBackupTasks', instanceId: failing[0], kind: 'latency', ms: 1_000 });
  const child = sweepInChild({ TRACKER_CONCURRENCY: '1' });
  await statusReadArrives(failing[0] as string);
  await proxy.cut();
  const result = await child.done;
  // The invocation fails (FC sees it, and its next minute sweeps again), saying the store was unavailable.
  expect(result).toMatchObject({ kind: 'threw', error: { code: 'IdempotencyStoreUnavailable', retryable: true } });
  await proxy.open();
  await expectNoOutcomeLostNoAlertTwice(targets, failing);
});

it('three sweeps at once record each end once and send each alert once', async () => {
  const { targets, failing } = await night();
  const children = [sweepInChild(), sweepInChild(), sweepInChild()];
  const results = await Promise.all(children.map((c) => c.done));
  for (const r of results) expect(r.kind).toBe('returned');
  // Between them they recorded every end, each once (a compare-and-set: the others found it final).
  const summaries = results.map((r) => (r as { value?: { succeeded: number; failed: number } }).value);
  expect(summaries.reduce((n, v) => n + (v?.succeeded ?? 0) + (v?.failed ?? 0), 0), JSON.stringify(summaries)).toBe(targets.length);
  await expectNoOutcomeLostNoAlertTwice(targets, failing);
});
