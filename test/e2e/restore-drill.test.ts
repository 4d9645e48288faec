// A restore drill end to end through the built bundles, for each product: this tool's newest good backup restored
// to a temporary instance by the restore-drill bundle's timer, followed by the tracker's sweeps (which hand each
// step to restore-drill through the local FC), checked, released — with its recovery time, verdict and lifetime
// recorded, and the source and every other instance untouched.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import { drillLogFor } from '../../shared/drill/log';
import { startInvocation } from '../../shared/fc/invocation';
import { stsCredentials } from '../helpers/fc';
import { followDrillToEnd } from '../helpers/drill';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let firing = 0;
const targets: Target[] = [
  { product: 'rds', DBInstanceId: 'rm-sample1', BackupMethod: 'Physical' },
  { product: 'polardb', DBClusterId: 'pc-sample1' },
  { product: 'mongodb', DBInstanceId: 'dds-sample1', BackupMethod: 'Snapshot' },
];
const idOf = (t: Target) => ('DBClusterId' in t ? t.DBClusterId : t.DBInstanceId);
const createAction = { rds: 'CloneDBInstance', polardb: 'CreateDBCluster', mongodb: 'CreateDBInstance' } as const;
const releaseAction = { rds: 'DeleteDBInstance', polardb: 'DeleteDBCluster', mongodb: 'DeleteDBInstance' } as const;

beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 200, restore: { restoreMs: 300, releaseMs: 200 }, functions: { 'drill-validator': '../test/fixtures/drill-validator' } }, { LOG_LEVEL: 'error', DRILL_FUNCTION: 'restore-drill', DRILL_PERIOD: '90d' });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.cloud.reset();
  stack.receiver.notified.length = 0;
});

const event = (payload: unknown) => Buffer.from(JSON.stringify({ triggerTime: new Date(Date.UTC(2026, 11, 1, 3, 0, ++firing)).toISOString(), triggerName: 'weekly', payload: JSON.stringify(payload) }));
const context = (name: string) => fcContext(name, { credentials: stsCredentials, timeoutSec: 60 });

async function backUp(t: Target): Promise<void> {
  const run = (await loadHandler('scheduled-backup')(event({ targets: [t] }), context('scheduled-backup'))) as Record<string, unknown>;
  expect(run.ok).toBe(true);
  await stack.tracked();
}

const drillTimer = (payload: unknown = {}) => loadHandler('restore-drill')(event(payload), context('restore-drill')) as Promise<Record<string, unknown>>;
const log = () => drillLogFor(startInvocation(fcContext('test', {})).deps.store);

const followToEnd = (drillId: string, timeoutMs?: number) => followDrillToEnd(stack, drillId, timeoutMs);

describe.each(targets)('$product', (target) => {
  it('restores the newest good backup to one temporary instance, records recovery time and verdict, then releases only it', async () => {
    process.env.DRILL_TARGETS = JSON.stringify([target]);
    await backUp(target);
    const good = (await startInvocation(fcContext('test', {})).history.forDatabase(target.product, idOf(target))).find((r) => r.state === 'succeeded');
    expect(good?.backupId).toBeTruthy();

    const dry = await drillTimer({ dryRun: true });
    expect(dry).toMatchObject({ ok: true, dryRun: true, sources: 1, plans: [{ sourceId: idOf(target), backupId: good?.backupId, lifetimeMs: 2 * 3_600_000 }] });
    expect(stack.cloud.requests.filter((q) => q.action === createAction[target.product])).toHaveLength(0);

    const run = await drillTimer();
    expect(run.ok).toBe(true);
    const started = (run.started as { drillId: string; instanceId: string }[])[0];
    expect(started?.instanceId).toMatch(/./);
    // A second timer in the same period starts nothing new.
    expect(((await drillTimer()).started as unknown[]).length).toBe(0);

    const r = await followToEnd(started!.drillId);
    expect(r).toMatchObject({ phase: 'released', verdict: 'passed', backupId: good?.backupId, sourceId: idOf(target), instanceId: started?.instanceId });
    expect(r.recoveryMs).toBeGreaterThanOrEqual(300);
    expect(r.lifetimeMs).toBeGreaterThanOrEqual(r.recoveryMs ?? 0);
    expect(r.verdictMessage).toMatch(/Built-in check: Running/);

    const creates = stack.cloud.requests.filter((q) => q.action === createAction[target.product] && q.status === 200);
    expect(creates).toHaveLength(1);
    const releases = stack.cloud.requests.filter((q) => q.action === releaseAction[target.product] && q.status === 200);
    expect(releases.map((q) => q.query.DBInstanceId ?? q.query.DBClusterId)).toEqual([started?.instanceId]);
    // A passing drill alerts nobody.
    expect(stack.receiver.notified).toEqual([]);
  });
});

it('a restore from a bad backup set fails, is released, and alerts once', async () => {
  const target: Target = { product: 'rds', DBInstanceId: 'rm-sample2', BackupMethod: 'Physical' };
  process.env.DRILL_TARGETS = JSON.stringify([target]);
  await backUp(target);
  stack.cloud.inject({ action: 'CloneDBInstance', product: 'rds', kind: 'restore-fails' });
  const run = await drillTimer();
  const started = (run.started as { drillId: string }[])[0];
  const r = await followToEnd(started!.drillId);
  expect(r).toMatchObject({ phase: 'released', verdict: 'failed', error: { code: 'RestoreFailed' } });
  await stack.sweep();
  const alerts = stack.receiver.notified.filter((n) => JSON.stringify(n.body).includes('Restore drill failed'));
  expect(alerts).toHaveLength(2); // one per channel (DingTalk, Slack)
});

it('a timer payload naming instances is refused, and nothing is created', async () => {
  process.env.DRILL_TARGETS = JSON.stringify([targets[0]]);
  const out = await drillTimer({ release: 'rm-sample1', targets: [{ product: 'rds', DBInstanceId: 'rm-sample2' }] });
  expect(out).toMatchObject({ ok: false, error: { code: 'ValidationError' } });
  expect(JSON.stringify(out)).toMatch(/payload\.release/);
  expect(stack.cloud.requests.filter((q) => /Clone|Create|Delete/.test(q.action))).toEqual([]);
});

it('with DRILL_VALIDATOR_FUNCTION, the validator gets where the instance is and nothing secret, and its verdict is recorded', async () => {
  stack.cloud.addInstance({ product: 'polardb', id: 'pc-validated1' });
  const target: Target = { product: 'polardb', DBClusterId: 'pc-validated1' };
  process.env.DRILL_TARGETS = JSON.stringify([target]);
  process.env.DRILL_VALIDATOR_FUNCTION = 'drill-validator';
  try {
    await backUp(target);
    const run = await drillTimer();
    const r = await followToEnd((run.started as { drillId: string }[])[0]!.drillId);
    expect(r).toMatchObject({ phase: 'released', verdict: 'passed' });
    // The fixture names the fields it was sent: where to connect, what to expect; no credential of any kind.
    expect(r.verdictMessage).toMatch(/^validator saw backupId,databases,drillId,endpoint,engine,engineVersion,instanceId,product,sourceId; endpoint \S+:3306$/);
    expect(r.verdictMessage).not.toMatch(/secret|password|token|accessKey/i);
    const sync = stack.cloud.fcTasks.filter((t) => t.functionName === 'drill-validator');
    expect(sync).toHaveLength(1);
  } finally {
    delete process.env.DRILL_VALIDATOR_FUNCTION;
  }
});

it('an attack: a record naming a real database as its instance releases nothing, and says why', async () => {
  // As if the store were tampered with (or a bug wrote the source's id): every mark but the record's own is missing.
  const now = new Date();
  await log().claim({
    drillId: 'drill_rds_rm-sample1_attack',
    product: 'rds',
    regionId: 'cn-hangzhou',
    sourceId: 'rm-sample1',
    backupId: 'b-1',
    backupStartedAt: now.toISOString(),
    origin: { trigger: 'timer' },
    phase: 'releasing',
    requestedAt: new Date(now.getTime() - 60_000).toISOString(),
    instanceId: 'rm-sample2',
    instanceName: 'fcdb-drill-0000000000000000',
    releaseBy: now.toISOString(),
    updatedAt: now.toISOString(),
  });
  // And a follow event dressed up with an instance to release is not a follow: it is refused as a timer event.
  const crafted = (await loadHandler('restore-drill')(Buffer.from(JSON.stringify({ follow: true, instanceId: 'rm-sample1' })), context('restore-drill'))) as Record<string, unknown>;
  expect(crafted).toMatchObject({ ok: false, error: { code: 'ValidationError' } });
  const r = await followToEnd('drill_rds_rm-sample1_attack');
  expect(r.phase).toBe('release-failed');
  expect(r.error?.code).toBe('DrillOwnershipUnproven');
  expect(r.error?.message).toMatch(/tag fc-db-backup-drill is null/);
  expect(stack.cloud.requests.filter((q) => q.action === 'DeleteDBInstance')).toEqual([]);
  await stack.sweep();
  expect(stack.receiver.notified.filter((n) => JSON.stringify(n.body).includes('could not release'))).toHaveLength(2);
});

describe('a drill run now (chat `drill`, the CLI)', () => {
  const run = (e: unknown) => loadHandler('restore-drill')(Buffer.from(JSON.stringify(e)), context('restore-drill')) as Promise<Record<string, unknown>>;

  it('runs for a covered database with the configuration, and posts the outcome back once', async () => {
    stack.cloud.addInstance({ product: 'mongodb', id: 'dds-asked1' });
    const target: Target = { product: 'mongodb', DBInstanceId: 'dds-asked1', BackupMethod: 'Snapshot' };
    process.env.DRILL_TARGETS = JSON.stringify([target]);
    await backUp(target);
    const dry = await run({ run: { product: 'mongodb', instanceId: 'dds-asked1' }, trigger: 'cli', dryRun: true });
    expect(dry).toMatchObject({ ok: true, dryRun: true });
    expect(String(dry.text)).toMatch(/^Dry run, drill drill_mongodb_dds-asked1_\d+: would restore backup .* Nothing was created\.$/);
    const out = await run({ run: { product: 'mongodb', instanceId: 'dds-asked1' }, trigger: 'chat', requestedBy: 'U123', replyTo: { platform: 'slack', url: `${stack.receiver.url}/reply/asked1` } });
    expect(String(out.text)).toMatch(/^Restore drill drill_mongodb_dds-asked1_\d+ of mongodb dds-asked1 \(asked by U123\): restoring backup/);
    const r = await followToEnd((out.drill as { drillId: string }).drillId);
    expect(r.verdict).toBe('passed');
    await stack.sweep();
    const posted = stack.receiver.posted.filter((p) => p.path === '/reply/asked1');
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0]?.body)).toMatch(/PASSED: recovery time/);
  });

  it('refuses a database the drill configuration does not cover, and any extra field, creating nothing', async () => {
    process.env.DRILL_TARGETS = JSON.stringify([targets[0]]);
    const other = await run({ run: { product: 'rds', instanceId: 'rm-sample2' }, trigger: 'cli' });
    expect(other).toMatchObject({ ok: false, error: { code: 'DrillNotCovered' } });
    // Asked from chat: the refusal is posted back, since chat already said the drill was asked for.
    const fromChat = await run({ run: { product: 'rds', instanceId: 'rm-sample2' }, trigger: 'chat', requestedBy: 'U1', replyTo: { platform: 'slack', url: `${stack.receiver.url}/reply/refused1` } });
    expect(fromChat).toMatchObject({ ok: false, error: { code: 'DrillNotCovered' } });
    const posted = stack.receiver.posted.filter((p) => p.path === '/reply/refused1');
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0]?.body)).toMatch(/Restore drill of rds rm-sample2 refused: rds rm-sample2 is not covered by the drill configuration/);
    const extra = await run({ run: { product: 'rds', instanceId: 'rm-sample1', instanceClass: 'huge' }, trigger: 'cli' });
    expect(extra).toMatchObject({ ok: false, error: { code: 'ValidationError' } });
    expect(JSON.stringify(extra)).toMatch(/run\.instanceClass/);
    expect(stack.cloud.requests.filter((q) => /Clone|Create|Delete/.test(q.action))).toEqual([]);
  });
});
