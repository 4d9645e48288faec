// `fc-db-backup report` as monitoring runs it (a child process, exit code and --json), and the `report` chat
// command, over records the real bundles and the tracker wrote against the local cloud.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import { cli } from '../helpers/cli';
import { stsCredentials } from '../helpers/fc';
import { startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let env: Record<string, string>;

beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 200 }, { LOG_LEVEL: 'error' });
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
});
afterAll(() => stack.close());

let firing = 0;
async function night(targets: Target[]): Promise<void> {
  firing++;
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date(Date.UTC(2026, 11, 1, 2, firing)).toISOString(), triggerName: 'nightly', payload: JSON.stringify({ targets }) }));
  await loadHandler('scheduled-backup')(event, fcContext('scheduled-backup', { credentials: stsCredentials }));
  await stack.tracked();
}

const rds: Target = { product: 'rds', DBInstanceId: 'rm-sample1' };
const polar: Target = { product: 'polardb', DBClusterId: 'pc-sample1' };

describe('report', () => {
  it('with nothing known: exit 1 and a warning, not a silent all-clear', async () => {
    const r = await cli(['report', '--json'], env);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, databases: [], warnings: [expect.stringMatching(/No database is covered/)] });
  });

  it('every database with a good backup within --max-age: exit 0; the JSON has the documented fields', async () => {
    await night([rds, polar]);
    await night([rds, polar]);
    const r = await cli(['report', '--json', '--max-age', '26h'], env);
    expect(r.code, r.stderr).toBe(0);
    const body = JSON.parse(r.stdout) as { ok: boolean; databases: Record<string, unknown>[] };
    expect(body.ok).toBe(true);
    expect(body.databases).toHaveLength(2);
    for (const d of body.databases) {
      expect(d).toMatchObject({ ok: true, lastGoodAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), lastFailure: null, consecutiveSuccesses: 2, sizeBytes: expect.any(Number) });
      expect(['rds', 'polardb']).toContain(d.product);
      expect(['rm-sample1', 'pc-sample1']).toContain(d.instanceId);
    }
  });

  it('a failed job: that database is not ok, its last failure named; exit 1 — and the human table says so', async () => {
    stack.cloud.inject({ action: 'CreateBackup', product: 'polardb', kind: 'job-fails' });
    await night([polar]);
    // The earlier good backup is still within max-age: ok, but the failure is shown and the run of successes reset.
    let body = JSON.parse((await cli(['report', '--json'], env)).stdout) as { databases: Record<string, any>[] };
    const p = body.databases.find((d) => d.product === 'polardb');
    expect(p).toMatchObject({ ok: true, consecutiveSuccesses: 0, lastFailure: { code: 'BackupJobFailed', message: expect.stringMatching(/BackupStatus Failed/), at: expect.any(String) } });
    // With a max-age shorter than the last good backup's age, it lacks a good backup: exit 1.
    await new Promise((r) => setTimeout(r, 1_100));
    const strict = await cli(['report', '--json', '--max-age', '1s'], env);
    expect(strict.code).toBe(1);
    body = JSON.parse(strict.stdout);
    expect(body.databases.every((d) => d.ok === false)).toBe(true);
    const table = await cli(['report', '--max-age', '1s'], env);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^\s+PRODUCT\s+INSTANCE\s+LAST GOOD \(UTC\)/);
    expect(table.stdout).toMatch(/NO\s+polardb\s+pc-sample1 .*BackupJobFailed/);
    expect(table.stdout).toMatch(/2 of 2 databases have no good backup within 1s\./);
    // Not a terminal: no colour codes.
    expect(table.stdout).not.toMatch(/\x1b\[/);
  });

  it('a configured database with no history is listed as never backed up; a selector that matches nothing is a warning', async () => {
    const targets = JSON.stringify([{ product: 'mongodb', DBInstanceId: 'dds-sample1' }, { product: 'rds', tags: { backup: 'renamed-tag' } }]);
    const r = await cli(['report', '--json', '--targets', targets], env);
    expect(r.code).toBe(1);
    const body = JSON.parse(r.stdout) as { databases: Record<string, any>[]; warnings: string[] };
    expect(body.databases.find((d) => d.product === 'mongodb')).toMatchObject({ instanceId: 'dds-sample1', ok: false, lastGoodAt: null, lastFailure: null, listedBy: 'targets' });
    expect(body.warnings).toContainEqual(expect.stringMatching(/selector \{"backup":"renamed-tag"\} on rds matched no database/));
  });

  it('--max-age must be a duration', async () => {
    const r = await cli(['report', '--max-age', 'tomorrow'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--max-age must be a duration like 26h/);
  });
});
