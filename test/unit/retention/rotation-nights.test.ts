// GFS rotation carried out night after night on the emulated clock: each night's backup is taken for real (the real
// engine, the local cloud over real HTTP), then moved to that night's time (backdate), and the tracker's retention
// pass runs at that night's "now". MongoDB: seven nights from Friday 27 November to Thursday 3 December 2026, 02:00
// in Asia/Shanghai; RDS: fourteen, because it deletes nothing younger than 7 days.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { callerFor, requestBackup } from '../../../shared/backup/engine';
import type { Target } from '../../../shared/backup/targets';
import { closeStores, startInvocation } from '../../../shared/fc/invocation';
import { idempotencyKey } from '../../../shared/idempotency/key';
import { afterSuccess } from '../../../shared/retention/enforce';
import { until } from '../../helpers/wait';

const DAY = 86_400_000;
let cloud: LocalCloud;
let dir: string;
beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 30 });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-gfs-'));
});
afterAll(async () => {
  await closeStores();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

/** 02:00 Asia/Shanghai on the given day of late 2026 (18:00 UTC the day before). */
const nightAt = (month: 11 | 12, day: number) => Date.UTC(2026, month - 1, day, 2, 0, 0) - 8 * 3_600_000;

async function nights(target: Target, times: number[]) {
  const env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
    ALIBABA_CLOUD_REGION: 'cn-hangzhou',
    RDS_ENDPOINT: cloud.url,
    MONGODB_ENDPOINT: cloud.url,
    IDEMPOTENCY_STORE: `file:${join(dir, target.product)}`,
    RETENTION_TIMEZONE: 'Asia/Shanghai',
    LOG_LEVEL: 'error',
  };
  const ids: string[] = [];
  const perNight: string[][] = [];
  for (const [n, at] of times.entries()) {
    const inv = startInvocation({ requestId: `gfs-${target.product}-${n}`, credentials: null, function: { name: 'scheduled-backup', timeout: 60 } }, { env });
    const key = idempotencyKey('timer', ['scheduled-backup', 'nightly', new Date(at).toISOString()], target);
    const outcome = await requestBackup(target, key, { ...inv.deps, scheduled: true });
    await until('the job finished', 5_000, () => cloud.jobs(target.product).every((j) => j.state === 'succeeded'));
    const job = cloud.jobs(target.product).find((j) => j.id === outcome.jobId);
    cloud.backdate(target.product, job?.backupId as string, Date.now() - at);
    ids.push(job?.backupId as string);
    const rec = await inv.history.requested({ id: key, target, product: target.product, instanceId: outcome.instanceId, origin: { trigger: 'timer' } }, outcome);
    const final = await inv.history.finish(rec, { state: 'succeeded', backupId: job?.backupId, startedAt: new Date(at).toISOString() });
    const done = await afterSuccess(final ?? rec, callerFor(target, inv.deps), { ...inv.retention, now: () => at + 3_600_000 });
    expect(done.refused).toBeUndefined();
    perNight.push(done.results.filter((r) => r.outcome === 'deleted').map((r) => r.backupId));
  }
  const left = cloud.jobs(target.product).filter((j) => !j.deleted).map((j) => j.backupId);
  return { ids, perNight, left };
}

it('MongoDB keepDaily 3, keepWeekly 2, keepMonthly 2 over seven nights across the month boundary: restic’s set, one deletion a night', async () => {
  const times = [27, 28, 29, 30].map((d) => nightAt(11, d)).concat([1, 2, 3].map((d) => nightAt(12, d)));
  const { ids, perNight, left } = await nights({ product: 'mongodb', DBInstanceId: 'dds-sample1', keepDaily: 3, keepWeekly: 2, keepMonthly: 2 }, times);
  const [nov27, nov28, nov29, nov30, dec1, dec2, dec3] = ids;
  // Worked by hand from restic's rules: on 1 Dec the set is daily {1 Dec, 30, 29}, weekly {1 Dec (week of 30 Nov),
  // 29 (week of 23 Nov)}, monthly {1 Dec, 30 Nov}: 27 and 28 go, one a night (27 on 1 Dec, 28 on 2 Dec). On 3 Dec:
  // daily {3, 2, 1}, weekly {3, 29}, monthly {3, 30 Nov}. Before 1 Dec, the monthly rule's unused count keeps the
  // oldest (restic's "oldest monthly"), so nothing goes.
  expect(perNight).toEqual([[], [], [], [], [nov27], [nov28], []]);
  expect(left.sort()).toEqual([nov29, nov30, dec1, dec2, dec3].sort());
});

it('RDS keepDaily 3, keepWeekly 2, keepMonthly 2 over fourteen nights: at most one deletion a night, none younger than 7 days, none the rotation keeps', async () => {
  const times = Array.from({ length: 14 }, (_, i) => nightAt(12, 3) - (13 - i) * DAY);
  const { ids, perNight, left } = await nights({ product: 'rds', DBInstanceId: 'rm-sample1', keepDaily: 3, keepWeekly: 2, keepMonthly: 2 }, times);
  expect(perNight.every((d) => d.length <= 1)).toBe(true);
  perNight.forEach((deleted, night) => {
    for (const id of deleted) expect(times[night]! - times[ids.indexOf(id)]!).toBeGreaterThanOrEqual(7 * DAY);
  });
  const deleted = perNight.flat();
  expect(deleted.length).toBeGreaterThan(0);
  // On 3 Dec the rotation keeps daily {3, 2, 1 Dec}, weekly {3 Dec, 29 Nov}, monthly {3 Dec, 30 Nov}: never deleted.
  const keptByRotation = [ids[13], ids[12], ids[11], ids[10], ids[9]];
  for (const id of keptByRotation) expect(left).toContain(id);
  expect(left.length + deleted.length).toBe(14);
});
