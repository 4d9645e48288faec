import { describe, expect, it } from 'vitest';
import { drillOutcomeMessage, drillPlanText, drillStartedMessage } from '../../../shared/drill/messages';
import type { DrillRecord } from '../../../shared/drill/record';

const base: DrillRecord = {
  drillId: 'drill_rds_rm-a_2930',
  product: 'rds',
  regionId: 'cn-hangzhou',
  sourceId: 'rm-a',
  backupId: 'b-1',
  backupStartedAt: '2026-12-03T16:00:00.000Z',
  origin: { trigger: 'chat', requestedBy: '"Ann\nFake line" (U1)' },
  phase: 'creating',
  requestedAt: '2026-12-04T16:00:00.000Z',
  instanceName: 'fcdb-drill-0123',
  releaseBy: '2026-12-04T18:00:00.000Z',
  updatedAt: '2026-12-04T16:00:00.000Z',
};

describe('drill messages', () => {
  it('the immediate answer names the drill id, the backup and the release time, on one line', () => {
    const m = drillStartedMessage(base);
    expect(m).toMatch(/^Restore drill drill_rds_rm-a_2930 of rds rm-a \(asked by "Ann Fake line" \(U1\)\): restoring backup b-1 \(taken 2026-12-03 16:00 UTC\) to a temporary instance named fcdb-drill-0123; released by 2026-12-04 18:00 UTC/);
    expect(m).not.toContain('\n');
  });

  it('the outcome: passed with recovery time, failed validation with its message, and a release that failed', () => {
    const done = { ...base, phase: 'released' as const, instanceId: 'rm-tmp', readyAt: '2026-12-04T16:12:00.000Z', recoveryMs: 720_000, lifetimeMs: 1_500_000 };
    expect(drillOutcomeMessage({ ...done, verdict: 'passed' })).toMatch(/PASSED: recovery time 12m00s; backup b-1, 24h00m old at the drill, instance rm-tmp lived 25m00s\./);
    expect(drillOutcomeMessage({ ...done, verdict: 'failed', verdictMessage: 'table orders\nmissing' })).toMatch(/FAILED validation \(failed\): table orders missing; recovery time 12m00s/);
    expect(drillOutcomeMessage({ ...done, phase: 'release-failed', error: { code: 'Throttling', message: 'throttled 5 times' } })).toMatch(/rm-tmp could NOT be released — throttled 5 times/);
    expect(drillOutcomeMessage({ ...base, phase: 'released', error: { code: 'InvalidBackupSet', message: 'backup set b-1 is not restorable' } })).toMatch(/FAILED: backup set b-1 is not restorable; the instance never got ready/);
  });

  it('the dry run says what it would create, from which backup, for how long, and that nothing was created', () => {
    const t = drillPlanText({ dryRun: true, drillId: 'drill_rds_rm-a_2930', product: 'rds', sourceId: 'rm-a', regionId: 'cn-hangzhou', backupId: 'b-1', backupStartedAt: '2026-12-03T16:00:00.000Z', instanceClass: 'mysql.n2.medium.1', storageGb: 20, vpcId: 'vpc-1', lifetimeMs: 7_200_000 }, Date.parse('2026-12-04T16:00:00.000Z'));
    expect(t).toBe('Dry run, drill drill_rds_rm-a_2930: would restore backup b-1 of rds rm-a (taken 2026-12-03 16:00 UTC, 24h00m old) to a new pay-as-you-go instance (mysql.n2.medium.1, 20 GB, VPC vpc-1) in cn-hangzhou, released after 2h00m at most. Nothing was created.');
  });
});
