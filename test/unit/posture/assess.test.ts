// Each rule, ok and failing, on each product: settings seeded in the local cloud, read over real HTTP with the real
// client through the product's posture catalog, evaluated against the rules. And what a product cannot express is
// "not applicable", never "ok".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type InstanceSeed, type LocalCloud } from '../../../local/cloud/index';
import type { ProductName } from '../../../shared/cloud/products/catalog';
import { closeStores, startInvocation } from '../../../shared/fc/invocation';
import { assess } from '../../../shared/posture/assess';
import type { RuleName } from '../../../shared/posture/evaluate';
import { parsePostureRules, type RuleSet } from '../../../shared/posture/rules';

let cloud: LocalCloud;
let dir: string;

beforeAll(async () => {
  cloud = await startLocalCloud({ instances: [] });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-posture-'));
});
afterAll(async () => {
  await closeStores();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

const deps = () =>
  startInvocation(
    { requestId: 'posture', credentials: null, function: { name: 'cli', timeout: 60 } },
    {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
        ALIBABA_CLOUD_REGION: 'cn-hangzhou',
        RDS_ENDPOINT: cloud.url,
        POLARDB_ENDPOINT: cloud.url,
        MONGODB_ENDPOINT: cloud.url,
        IDEMPOTENCY_STORE: `file:${dir}`,
      },
      sink: () => undefined,
    },
  ).deps;

let n = 0;
async function check(product: ProductName, backupPolicy: InstanceSeed['backupPolicy'], rules: RuleSet, engine?: string) {
  const id = `${product === 'rds' ? 'rm' : product === 'polardb' ? 'pc' : 'dds'}-posture${++n}`;
  cloud.addInstance({ product, id, backupPolicy, ...(engine ? { engine } : {}) });
  const { assessments } = await assess([{ product, instanceId: id }], parsePostureRules({ default: rules }), deps());
  const [a] = assessments;
  if (!a) throw new Error('not assessed');
  return a.posture;
}

const statusOf = (p: Awaited<ReturnType<typeof check>>, rule: RuleName) => p.rules.find((r) => r.rule === rule)?.status;

// Per product and rule: settings that hold the rule, settings that break it.
const cases: { product: ProductName; rule: RuleName; rules: RuleSet; good: InstanceSeed['backupPolicy']; bad: InstanceSeed['backupPolicy']; badActual: RegExp }[] = [
  { product: 'rds', rule: 'minRetentionDays', rules: { minRetentionDays: 30 }, good: { BackupRetentionPeriod: 30, LogBackupRetentionPeriod: 7 }, bad: { BackupRetentionPeriod: 7 }, badActual: /^7 days \(BackupRetentionPeriod 7\)$/ },
  { product: 'rds', rule: 'requireLogBackup', rules: { requireLogBackup: true }, good: { BackupLog: 'Enable' }, bad: { BackupLog: 'Disabled' }, badActual: /^off \(BackupLog Disabled\)$/ },
  { product: 'rds', rule: 'minLogRetentionDays', rules: { requireLogBackup: { minRetentionDays: 14 } }, good: { BackupRetentionPeriod: 30, LogBackupRetentionPeriod: 14 }, bad: { LogBackupRetentionPeriod: 7 }, badActual: /^7 days \(LogBackupRetentionPeriod 7\)$/ },
  { product: 'rds', rule: 'minBackupsPerWeek', rules: { minBackupsPerWeek: 7 }, good: { PreferredBackupPeriod: 'Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday' }, bad: { PreferredBackupPeriod: 'Monday,Thursday' }, badActual: /^2 a week \(PreferredBackupPeriod Monday,Thursday\)$/ },
  { product: 'rds', rule: 'requireCrossRegion', rules: { requireCrossRegion: { regions: ['cn-shanghai'] } }, good: { BackupEnabled: 'Enable', CrossBackupRegion: 'cn-shanghai' }, bad: { BackupEnabled: 'Enable', CrossBackupRegion: 'cn-beijing' }, badActual: /^on, to cn-beijing/ },
  { product: 'rds', rule: 'keepBackupsOnRelease', rules: { keepBackupsOnRelease: 'all' }, good: { ReleasedKeepPolicy: 'All' }, bad: { ReleasedKeepPolicy: 'Lastest' }, badActual: /^latest kept \(ReleasedKeepPolicy Lastest\)$/ },

  { product: 'polardb', rule: 'minRetentionDays', rules: { minRetentionDays: 30 }, good: { DataLevel2BackupRetentionPeriod: '30' }, bad: { DataLevel1BackupRetentionPeriod: '14' }, badActual: /^14 days \(DataLevel1BackupRetentionPeriod 14, DataLevel2BackupRetentionPeriod 0\)$/ },
  { product: 'polardb', rule: 'minLogRetentionDays', rules: { requireLogBackup: { minRetentionDays: 30 } }, good: { LogBackupRetentionPeriod: 30 }, bad: { LogBackupRetentionPeriod: 7 }, badActual: /^7 days \(LogBackupRetentionPeriod 7\)$/ },
  { product: 'polardb', rule: 'minBackupsPerWeek', rules: { minBackupsPerWeek: 42 }, good: { BackupFrequency: '4/24H' }, bad: { BackupFrequency: 'Normal' }, badActual: /^7 a week \(BackupFrequency Normal/ },
  { product: 'polardb', rule: 'requireCrossRegion', rules: { requireCrossRegion: true }, good: { DataLevel2BackupAnotherRegionRegion: 'cn-beijing', DataLevel2BackupAnotherRegionRetentionPeriod: '30' }, bad: {}, badActual: /^off \(DataLevel2BackupAnotherRegionRetentionPeriod 0/ },
  { product: 'polardb', rule: 'keepBackupsOnRelease', rules: { keepBackupsOnRelease: true }, good: { BackupRetentionPolicyOnClusterDeletion: 'LATEST' }, bad: { BackupRetentionPolicyOnClusterDeletion: 'NONE' }, badActual: /^none kept \(BackupRetentionPolicyOnClusterDeletion NONE\)$/ },

  { product: 'mongodb', rule: 'minRetentionDays', rules: { minRetentionDays: 60 }, good: { BackupRetentionPeriod: '60' }, bad: { BackupRetentionPeriod: '30' }, badActual: /^30 days \(BackupRetentionPeriod 30\)$/ },
  { product: 'mongodb', rule: 'requireLogBackup', rules: { requireLogBackup: true }, good: { EnableBackupLog: 1 }, bad: { EnableBackupLog: 0 }, badActual: /^off \(EnableBackupLog 0\)$/ },
  { product: 'mongodb', rule: 'minLogRetentionDays', rules: { requireLogBackup: { minRetentionDays: 14 } }, good: { EnableBackupLog: 1, LogBackupRetentionPeriod: 14 }, bad: { EnableBackupLog: 1, LogBackupRetentionPeriod: 7 }, badActual: /^7 days \(LogBackupRetentionPeriod 7\)$/ },
  { product: 'mongodb', rule: 'minBackupsPerWeek', rules: { minBackupsPerWeek: 7 }, good: { PreferredBackupPeriod: 'Monday,Tuesday,Wednesday,Thursday,Friday,Saturday,Sunday' }, bad: { PreferredBackupPeriod: 'Monday,Wednesday,Friday,Sunday' }, badActual: /^4 a week/ },
  { product: 'mongodb', rule: 'requireCrossRegion', rules: { requireCrossRegion: { regions: ['cn-shenzhen'] } }, good: { DestRegion: 'cn-shenzhen', CrossRetentionType: 'delay', CrossRetentionValue: 7, CrossBackupPeriod: 'Monday' }, bad: {}, badActual: /^off \(DestRegion \(none\)\)$/ },
  { product: 'mongodb', rule: 'keepBackupsOnRelease', rules: { keepBackupsOnRelease: true }, good: { BackupRetentionPolicyOnClusterDeletion: 1 }, bad: { BackupRetentionPolicyOnClusterDeletion: 0 }, badActual: /^none kept/ },
];

describe('each rule on each product', () => {
  it.each(cases.map((c) => [c.product, c.rule, c] as const))('%s %s: ok when the settings hold it, failing (with the field and its value) when not', async (product, rule, c) => {
    const good = await check(product, c.good, c.rules);
    expect(statusOf(good, rule), JSON.stringify(good)).toBe('ok');
    const bad = await check(product, c.bad, c.rules);
    expect(statusOf(bad, rule), JSON.stringify(bad)).toBe('failing');
    expect(bad.verdict).toBe('failing');
    expect(bad.rules.find((r) => r.rule === rule)?.actual).toMatch(c.badActual);
  });

  it('PolarDB: log backup is always on, so requireLogBackup holds', async () => {
    expect(statusOf(await check('polardb', {}, { requireLogBackup: true }), 'requireLogBackup')).toBe('ok');
  });

  it('MongoDB high-frequency backup counts its backups on the backup days', async () => {
    const p = await check('mongodb', { SnapshotBackupType: 'Flash', BackupInterval: 60, PreferredBackupPeriod: 'Monday,Tuesday' }, { minBackupsPerWeek: 48 });
    expect(p.rules[0]).toMatchObject({ status: 'ok', actual: '48 a week (PreferredBackupPeriod Monday,Tuesday, BackupInterval 60)' });
  });
});

describe('not applicable, not ok', () => {
  it('RDS MariaDB: no ReleasedKeepPolicy, no log retention, no cross-region backup — each rule not applicable', async () => {
    const p = await check('rds', {}, { keepBackupsOnRelease: true, requireLogBackup: { minRetentionDays: 7 }, requireCrossRegion: true }, 'MariaDB');
    expect(p.rules.map((r) => [r.rule, r.status])).toEqual([
      ['requireLogBackup', 'ok'],
      ['minLogRetentionDays', 'not-applicable'],
      ['requireCrossRegion', 'not-applicable'],
      ['keepBackupsOnRelease', 'not-applicable'],
    ]);
    expect(p.rules.find((r) => r.rule === 'keepBackupsOnRelease')?.actual).toMatch(/ReleasedKeepPolicy not reported/);
    expect(p.verdict).toBe('ok');
  });

  it('PolarDB with the advanced backup policy: every rule not applicable, and the verdict says so', async () => {
    const p = await check('polardb', { BackupPolicyLevel: 'Advanced' }, { minRetentionDays: 7, keepBackupsOnRelease: true });
    expect(p.rules.map((r) => r.status)).toEqual(['not-applicable', 'not-applicable']);
    expect(p.verdict).toBe('not-applicable');
    expect(p.rules[0]?.actual).toMatch(/advanced backup policy/);
  });
});

describe('selectors and errors', () => {
  it('a selector overrides the default for the databases its tags match; others keep the default', async () => {
    cloud.addInstance({ product: 'rds', id: 'rm-prod1', tags: { env: 'prod' }, backupPolicy: { BackupRetentionPeriod: 14 } });
    cloud.addInstance({ product: 'rds', id: 'rm-dev1', tags: { env: 'dev' }, backupPolicy: { BackupRetentionPeriod: 14 } });
    const rules = parsePostureRules({ default: { minRetentionDays: 7 }, selectors: [{ product: 'rds', tags: { env: 'prod' }, rules: { minRetentionDays: 30 } }] });
    const { assessments } = await assess([{ product: 'rds', instanceId: 'rm-prod1' }, { product: 'rds', instanceId: 'rm-dev1' }], rules, deps());
    expect(assessments.map((a) => [a.posture.instanceId, a.posture.verdict, a.posture.rules[0]?.expected])).toEqual([
      ['rm-prod1', 'failing', 'at least 30 days'],
      ['rm-dev1', 'ok', 'at least 7 days'],
    ]);
  });

  it('settings that cannot be read are "unknown" with the reason, not ok', async () => {
    const { assessments } = await assess([{ product: 'mongodb', instanceId: 'dds-gone' }], parsePostureRules({ default: { minRetentionDays: 7 } }), deps());
    expect(assessments[0]?.posture).toMatchObject({ verdict: 'unknown', rules: [], error: { code: 'InvalidDBInstanceId.NotFound' } });
  });
});
