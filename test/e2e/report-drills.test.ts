// LAST RESTORE TESTED and RECOVERY TIME in `fc-db-backup report`, and `--max-restore-age` as monitoring runs it (a
// child process, exit code, --json), over backup history and drill records in the stack's real store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProductName } from '../../shared/cloud/products/catalog';
import { drillLogFor } from '../../shared/drill/log';
import type { DrillLog, DrillRecord } from '../../shared/drill/record';
import { FileStore } from '../../shared/idempotency/file-store';
import { cli } from '../helpers/cli';
import { seedHistory } from '../helpers/seed-history';
import { startStack, type Stack } from '../helpers/stack';

const DAY = 86_400_000;
let stack: Stack;
let env: Record<string, string>;
let drills: DrillLog;
let gated: Record<string, string>;

/** A drill requested `daysAgo`, ready `recoveryMs` later (unless `phase` never got there). */
function drill(product: ProductName, sourceId: string, daysAgo: number, o: { recoveryMs?: number; verdict?: DrillRecord['verdict']; phase?: DrillRecord['phase'] } = {}): DrillRecord {
  const requested = Date.now() - daysAgo * DAY;
  const ready = o.recoveryMs === undefined ? undefined : new Date(requested + o.recoveryMs).toISOString();
  return {
    drillId: `drill_${product}_${sourceId}_${daysAgo}`,
    product,
    regionId: 'cn-hangzhou',
    sourceId,
    backupId: `b-${daysAgo}`,
    backupStartedAt: new Date(requested - DAY).toISOString(),
    origin: { trigger: 'timer' },
    phase: o.phase ?? 'released',
    requestedAt: new Date(requested).toISOString(),
    releaseBy: new Date(requested + 2 * 3_600_000).toISOString(),
    ...(ready ? { readyAt: ready, recoveryMs: o.recoveryMs } : {}),
    ...(o.verdict ? { verdict: o.verdict } : {}),
    updatedAt: new Date(requested).toISOString(),
  };
}

beforeAll(async () => {
  stack = await startStack({}, { LOG_LEVEL: 'error' });
  env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
    ALIBABA_CLOUD_REGION: 'cn-hangzhou',
    RDS_ENDPOINT: stack.cloud.url,
    POLARDB_ENDPOINT: stack.cloud.url,
    MONGODB_ENDPOINT: stack.cloud.url,
    IDEMPOTENCY_STORE: process.env.IDEMPOTENCY_STORE as string,
    LOG_LEVEL: 'error',
  };
  // The drills cover three of the four backed-up databases; rm-nodrill is not theirs to answer for.
  gated = { ...env, DRILL_TARGETS: JSON.stringify([{ product: 'rds', DBInstanceId: 'rm-drilla' }, { product: 'rds', DBInstanceId: 'rm-drillb' }, { product: 'polardb', DBClusterId: 'pc-drillc' }]) };
  const store = new FileStore({ dir: (process.env.IDEMPOTENCY_STORE as string).slice('file:'.length) });
  await seedHistory({ store, days: 5, databases: [{ product: 'rds', instanceId: 'rm-drilla' }, { product: 'rds', instanceId: 'rm-drillb' }, { product: 'polardb', instanceId: 'pc-drillc' }, { product: 'rds', instanceId: 'rm-nodrill' }] });
  drills = drillLogFor(store);
  // rm-drilla: passed 2 days ago in 10 minutes; a newer drill still creating is not a test yet.
  await drills.put(drill('rds', 'rm-drilla', 2, { recoveryMs: 600_000, verdict: 'passed' }));
  await drills.put(drill('rds', 'rm-drilla', 0, { phase: 'creating' }));
  // rm-drillb: restored yesterday but failed validation; its last pass was 20 days ago. pc-drillc: never drilled.
  await drills.put(drill('rds', 'rm-drillb', 20, { recoveryMs: 300_000, verdict: 'passed' }));
  await drills.put(drill('rds', 'rm-drillb', 1, { recoveryMs: 900_000, verdict: 'failed' }));
});
afterAll(() => stack.close());

type Db = { product: string; instanceId: string; restoreTested: any; restoreOk?: boolean | null };
const byId = (dbs: Db[], id: string) => dbs.find((d) => d.instanceId === id) as Db;

describe('report: restore drills', () => {
  it('the JSON names each database\'s newest drill that reached ready or a verdict, its recovery time and last pass', async () => {
    const r = await cli(['report', '--json', '--max-age', '40d'], env);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { databases: Db[]; restoreOk?: unknown };
    expect(byId(body.databases, 'rm-drilla').restoreTested).toMatchObject({ drillId: 'drill_rds_rm-drilla_2', verdict: 'passed', recoveryMs: 600_000, recoveryTrend: [600_000] });
    const b = byId(body.databases, 'rm-drillb').restoreTested;
    expect(b).toMatchObject({ drillId: 'drill_rds_rm-drillb_1', verdict: 'failed', recoveryMs: 900_000, recoveryTrend: [300_000, 900_000] });
    expect(Date.now() - Date.parse(b.lastPassedAt)).toBeGreaterThan(19 * DAY);
    expect(byId(body.databases, 'pc-drillc').restoreTested).toBeNull();
    // Not asked for: no restore verdict, and it does not decide the exit code.
    expect(body.restoreOk).toBeUndefined();
  });

  it('--max-restore-age: exit 1 while one has no passing drill within it (a failed one, or never); the table says which', async () => {
    const r = await cli(['report', '--json', '--max-age', '40d', '--max-restore-age', '7d'], gated);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as { ok: boolean; restoreOk: boolean; maxRestoreAgeMs: number; databases: Db[] };
    expect(body).toMatchObject({ ok: true, restoreOk: false, maxRestoreAgeMs: 7 * DAY });
    expect([byId(body.databases, 'rm-drilla').restoreOk, byId(body.databases, 'rm-drillb').restoreOk, byId(body.databases, 'pc-drillc').restoreOk]).toEqual([true, false, false]);
    // Outside DRILL_TARGETS: shown, not judged.
    expect(byId(body.databases, 'rm-nodrill')).toMatchObject({ restoreTested: null, restoreOk: null });

    const table = await cli(['report', '--max-age', '40d', '--max-restore-age', '7d'], gated);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/PRODUCT\s+INSTANCE\s+LAST GOOD \(UTC\).*LAST RESTORE TESTED\s+RECOVERY TIME/);
    expect(table.stdout).toMatch(/rm-drilla .*\d{4}-\d\d-\d\d \d\d:\d\d passed\s+10m00s/);
    expect(table.stdout).toMatch(/rm-drillb .*\d{4}-\d\d-\d\d \d\d:\d\d failed\s+15m00s/);
    expect(table.stdout).toMatch(/pc-drillc .*never\s+—/);
    expect(table.stdout).toMatch(/2 of 3 databases the drills cover have no passing restore drill within 168h00m\./);
  });

  it('once every database passed a drill within it: exit 0', async () => {
    await drills.put(drill('rds', 'rm-drillb', 0.5, { recoveryMs: 420_000, verdict: 'passed' }));
    await drills.put(drill('polardb', 'pc-drillc', 0.5, { recoveryMs: 1_200_000, verdict: 'passed' }));
    const r = await cli(['report', '--json', '--max-age', '40d', '--max-restore-age', '7d'], gated);
    expect(r.code, r.stdout).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ restoreOk: true });
    // A tighter age than the oldest of them (rm-drilla's, 2 days): exit 1 again.
    expect((await cli(['report', '--json', '--max-age', '40d', '--max-restore-age', '1d'], gated)).code).toBe(1);
  });

  it('--max-restore-age must be a duration, and needs DRILL_TARGETS: a gate over no database does not pass', async () => {
    const r = await cli(['report', '--max-restore-age', 'weekly'], gated);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-restore-age must be a duration like 8d/);
    const none = await cli(['report', '--max-restore-age', '7d'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--max-restore-age needs DRILL_TARGETS/);
  });

  it('a database DRILL_TARGETS names with no history at all is listed, never tested: exit 1', async () => {
    const r = await cli(['report', '--json', '--max-age', '40d', '--max-restore-age', '7d'], { ...gated, DRILL_TARGETS: JSON.stringify([{ product: 'mongodb', DBInstanceId: 'dds-drilld' }]) });
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as { restoreOk: boolean; databases: Db[] };
    expect(body.restoreOk).toBe(false);
    expect(byId(body.databases, 'dds-drilld')).toMatchObject({ product: 'mongodb', restoreTested: null, restoreOk: false });
  });
});
