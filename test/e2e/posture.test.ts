// Backup posture through the built CLI, as an operator or a CI step runs it: the report's POSTURE column and
// --posture gate. Settings come from the local cloud's seeded samples (one compliant, three with gaps); backups are
// taken and followed to their end by the CLI itself, so the report has a good backup to show.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud/index';
import { cli } from '../helpers/cli';

let cloud: LocalCloud;
let dir: string;
let env: Record<string, string>;

// What a careful team asks of every database.
const strict = JSON.stringify({
  default: { minRetentionDays: 30, requireLogBackup: { minRetentionDays: 7 }, minBackupsPerWeek: 7, keepBackupsOnRelease: true },
});

beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 100 });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-posture-e2e-'));
  env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
    ALIBABA_CLOUD_REGION: 'cn-hangzhou',
    RDS_ENDPOINT: cloud.url,
    POLARDB_ENDPOINT: cloud.url,
    MONGODB_ENDPOINT: cloud.url,
    IDEMPOTENCY_STORE: `file:${dir}`,
    LOG_LEVEL: 'error',
  };
  for (const id of ['rm-sample1', 'rm-sample2']) {
    const r = await cli(['backup', 'rds', id, '--wait', '30'], env);
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(async () => {
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('report: the POSTURE column and --posture', () => {
  it('--json: each database its verdict and rules, with the API fields read; --posture exits 1 for the failing one', async () => {
    const r = await cli(['report', '--json', '--posture'], { ...env, POSTURE_RULES: strict });
    expect(r.code, r.stderr).toBe(1);
    const body = JSON.parse(r.stdout) as { ok: boolean; postureOk: boolean; databases: { instanceId: string; posture: { verdict: string; rules: { rule: string; status: string; actual: string }[] } }[] };
    // The backups are good: only posture fails.
    expect(body.ok).toBe(true);
    expect(body.postureOk).toBe(false);
    const byId = Object.fromEntries(body.databases.map((d) => [d.instanceId, d.posture]));
    expect(byId['rm-sample1']?.verdict).toBe('ok');
    // Problems first.
    expect(body.databases[0]?.instanceId).toBe('rm-sample2');
    expect(byId['rm-sample2']?.rules.filter((x) => x.status === 'failing').map((x) => [x.rule, x.actual])).toEqual([
      ['minRetentionDays', '7 days (BackupRetentionPeriod 7)'],
      ['requireLogBackup', 'off (BackupLog Disabled)'],
      ['minLogRetentionDays', 'log backup off (LogBackupRetentionPeriod 7)'],
      ['minBackupsPerWeek', '2 a week (PreferredBackupPeriod Monday,Thursday)'],
      ['keepBackupsOnRelease', 'none kept (ReleasedKeepPolicy None)'],
    ]);
  });

  it('without --posture a failing rule does not fail the report; the table shows the column and names each failing rule', async () => {
    const r = await cli(['report'], { ...env, POSTURE_RULES: strict });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^\s+PRODUCT\s+INSTANCE\s.*\sPOSTURE\s+LAST FAILURE$/m);
    expect(r.stdout).toMatch(/OK\s+rds\s+rm-sample2\s.*\sFAIL 5\s/);
    expect(r.stdout).toMatch(/OK\s+rds\s+rm-sample1\s.*\sok\s/);
    expect(r.stdout).toContain('Backup settings: 1 of 2 databases break a POSTURE_RULES rule or could not be read:');
    expect(r.stdout).toContain('  rds rm-sample2\n    minRetentionDays: at least 30 days; found 7 days (BackupRetentionPeriod 7)\n    requireLogBackup: log backup on; found off (BackupLog Disabled)\n');
  });

  it('a selector applies its rules to the databases its tags match: the compliant sample alone passes --posture', async () => {
    const rules = JSON.stringify({ selectors: [{ product: 'rds', tags: { team: 'payments' }, rules: { minRetentionDays: 30, requireCrossRegion: { regions: ['cn-shanghai'] } } }] });
    const r = await cli(['report', '--json', '--posture'], { ...env, POSTURE_RULES: rules });
    expect(r.code, r.stdout).toBe(0);
    const body = JSON.parse(r.stdout) as { postureOk: boolean; databases: { instanceId: string; posture: unknown }[] };
    expect(body.postureOk).toBe(true);
    expect(body.databases.find((d) => d.instanceId === 'rm-sample2')?.posture).toBeNull();
  });

  it('--posture with no rules to check is refused (a gate that checks nothing must not pass); a malformed rule is refused at start', async () => {
    const none = await cli(['report', '--posture'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--posture needs POSTURE_RULES/);
    const bad = await cli(['report'], { ...env, POSTURE_RULES: '{"default":{"minRetentionDays":0}}' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('POSTURE_RULES.default.minRetentionDays: 0 — must be a whole number of days, 1 to 7300');
  });
});

describe('posture --fix and --apply (run last: --apply changes the local cloud’s settings)', () => {
  type Fix = { product: string; instanceId: string; calls: { action: string; query: Record<string, string>; changes: { field: string; from: string | number; to: string | number }[] }[] };
  const modifies = () => cloud.requests.filter((r) => r.action.startsWith('Modify')).map((r) => ({ action: r.action, query: r.query }));

  it('--fix prints the calls that would bring each failing database into line and changes nothing', async () => {
    const before = modifies().length;
    const r = await cli(['posture', '--fix', '--json'], { ...env, POSTURE_RULES: strict });
    expect(r.code, r.stderr).toBe(1);
    const body = JSON.parse(r.stdout) as { fixes: Fix[] };
    expect(body.fixes.length).toBeGreaterThan(0);
    expect(body.fixes.flatMap((f) => f.calls).every((c) => c.action.startsWith('Modify'))).toBe(true);
    expect(modifies()).toHaveLength(before);
    const human = await cli(['posture', '--fix'], { ...env, POSTURE_RULES: strict });
    expect(human.stdout).toMatch(/Calls that would fix it \(nothing changed; --apply makes them\):/);
    expect(human.stdout).toMatch(/rds ModifyBackupPolicy DBInstanceId=rm-sample\d .*BackupRetentionPeriod=30/);
  });

  it('--apply makes exactly the calls --fix printed, each a raise, then reads again', async () => {
    const printed = (JSON.parse((await cli(['posture', '--fix', '--json'], { ...env, POSTURE_RULES: strict })).stdout) as { fixes: Fix[] }).fixes;
    const before = modifies().length;
    const r = await cli(['posture', '--apply', '--json'], { ...env, POSTURE_RULES: strict });
    const body = JSON.parse(r.stdout) as { applied: { action: string; query: Record<string, string>; ok: boolean }[]; after: { instanceId: string; verdict: string }[] };
    const sent = modifies().slice(before);
    // Only what was printed, in the same order, and every one acknowledged.
    expect(sent.map((s) => ({ action: s.action, query: Object.fromEntries(Object.entries(s.query).filter(([k]) => k !== 'RegionId')) }))).toEqual(
      printed.flatMap((f) => f.calls.map((c) => ({ action: c.action, query: Object.fromEntries(Object.entries(c.query).filter(([k]) => k !== 'RegionId')) }))),
    );
    expect(body.applied.every((a) => a.ok)).toBe(true);
    for (const c of printed.flatMap((f) => f.calls).flatMap((c) => c.changes)) {
      if (typeof c.to === 'number' && typeof c.from === 'number') expect(c.to === -1 || c.to > c.from).toBe(true);
    }
    // Read again: fewer rules fail than before, and a second --fix has fewer calls to make.
    const again = (JSON.parse((await cli(['posture', '--fix', '--json'], { ...env, POSTURE_RULES: strict })).stdout) as { fixes: Fix[] }).fixes;
    expect(again.flatMap((f) => f.calls).length).toBeLessThan(printed.flatMap((f) => f.calls).length);
  });
});
