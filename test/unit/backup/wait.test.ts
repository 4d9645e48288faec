// The poll schedule while waiting on a job: a share of the job's age, bounded, so a job's end is seen soon after
// it happens — checked on the schedule itself against the local cloud's real jobs, never on wall-clock timings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { callerFor, requestBackup } from '../../../shared/backup/engine';
import { nextPollMs, POLL_FRACTION, waitForJob } from '../../../shared/backup/wait';
import { createDeadline } from '../../../shared/deadline';
import { closeStores, startInvocation } from '../../../shared/fc/invocation';
import { idempotencyKey } from '../../../shared/idempotency/key';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('nextPollMs', () => {
  it('is a tenth of the time the job has run, between the floor and the cap', () => {
    expect(nextPollMs(0)).toBe(2_000);
    expect(nextPollMs(18_000)).toBe(2_000);
    expect(nextPollMs(40_000)).toBe(4_000);
    expect(nextPollMs(3_600_000)).toBe(15_000);
    expect(nextPollMs(1_000, 50, 500)).toBe(100);
    expect(nextPollMs(60_000, 50, 500)).toBe(500);
  });

  it('a 20 s job polled with the defaults is seen within 2 s of its end (the old ×1.5 growth took up to 10 s)', () => {
    let t = 0;
    while (t < 20_000) t += nextPollMs(t);
    expect(t - 20_000).toBeLessThanOrEqual(2_000);
  });
});

describe('waitForJob against the local cloud', () => {
  let cloud: LocalCloud;
  let dir: string;
  const jobMs = 1_500;

  beforeAll(async () => {
    cloud = await startLocalCloud({ jobDurationMs: jobMs });
    dir = mkdtempSync(join(tmpdir(), 'fcdb-wait-'));
  });
  afterAll(async () => {
    await closeStores();
    await cloud.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never sleeps longer than a tenth of the job age (or the floor), and the last sleep before the end is short', async () => {
    const env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
      ALIBABA_CLOUD_REGION: 'cn-hangzhou',
      RDS_ENDPOINT: cloud.url,
      IDEMPOTENCY_STORE: `file:${dir}`,
    };
    const inv = startInvocation({ requestId: 'wait-test', credentials: null, function: { name: 'wait-test', timeout: 60 } }, { env, sink: () => undefined });
    const target = { product: 'rds' as const, DBInstanceId: 'rm-sample1' };
    const outcome = await requestBackup(target, idempotencyKey('wait-test', [String(Date.now())], target), inv.deps);
    const started = Date.now();
    const sleeps: { ms: number; age: number }[] = [];
    const status = await waitForJob(callerFor(target, inv.deps), 'rm-sample1', { jobId: outcome.jobId }, {
      deadline: createDeadline({ startedAt: Date.now(), timeoutSec: 30, safetyMarginMs: 0 }),
      pollMs: 50,
      sleep: (ms) => {
        sleeps.push({ ms, age: Date.now() - started });
        return new Promise((r) => setTimeout(r, ms));
      },
    });
    expect(status.state).toBe('succeeded');
    expect(sleeps.length).toBeGreaterThan(3);
    // The job started at or before `started`, so its age is at least `age`: the bound holds with a small rounding slack.
    for (const s of sleeps) expect(s.ms).toBeLessThanOrEqual(Math.max(50, Math.ceil((s.age + 200) * POLL_FRACTION)));
    expect(sleeps.at(-1)?.ms).toBeLessThanOrEqual(Math.ceil(jobMs * 2 * POLL_FRACTION));
  });
});
