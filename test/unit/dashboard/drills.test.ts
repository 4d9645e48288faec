// What the dashboard makes of one database's drills: the newest in any phase (an open one too), the recovery times
// of the last 90 days oldest first, and each drill as the detail lists it (never where a chat outcome is posted).
import { describe, expect, it } from 'vitest';
import { drillSummary, drillViews } from '../../../shared/dashboard/drills';
import type { DrillRecord } from '../../../shared/drill/record';

const DAY = 86_400_000;
const now = Date.parse('2026-12-01T06:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function drill(daysAgo: number, o: Partial<DrillRecord> = {}): DrillRecord {
  const requested = now - daysAgo * DAY;
  return {
    drillId: `drill_rds_rm-a_${daysAgo}`,
    product: 'rds',
    regionId: 'cn-hangzhou',
    sourceId: 'rm-a',
    backupId: `b-${daysAgo}`,
    backupStartedAt: iso(requested - DAY),
    origin: { trigger: 'chat', requestedBy: 'slack:T1/U1', replyTo: { platform: 'slack', url: 'https://hooks.slack.com/actions/x' } },
    phase: 'released',
    requestedAt: iso(requested),
    releaseBy: iso(requested + 2 * 3_600_000),
    updatedAt: iso(requested),
    ...o,
  };
}
const ready = (daysAgo: number, recoveryMs: number, verdict: DrillRecord['verdict'] = 'passed') => drill(daysAgo, { readyAt: iso(now - daysAgo * DAY + recoveryMs), recoveryMs, verdict, lifetimeMs: recoveryMs + 60_000 });

describe('a database’s drills on the dashboard', () => {
  it('none: no last drill, no trend', () => {
    expect(drillSummary([], now)).toEqual({ last: null, recovery: [] });
  });

  it('the newest drill in any phase is the last one; its age runs from ready, or from the request when never ready', () => {
    const s = drillSummary([ready(5, 600_000), drill(0.5, { phase: 'creating' }), ready(20, 300_000, 'failed')], now);
    expect(s.last).toMatchObject({ drillId: 'drill_rds_rm-a_0.5', phase: 'creating', verdict: null, recoveryMs: null, readyAt: null, ageMs: DAY / 2 });
    const done = drillSummary([ready(5, 600_000)], now).last;
    expect(done).toMatchObject({ verdict: 'passed', recoveryMs: 600_000, ageMs: 5 * DAY - 600_000 });
  });

  it('the trend: recovery times of drills requested in the last 90 days, oldest first; older and never-ready ones left out', () => {
    const s = drillSummary([ready(2, 500_000), ready(95, 100_000), ready(30, 700_000, 'timed-out'), drill(1, { phase: 'ready' }), ready(60, 400_000)], now);
    expect(s.recovery.map((p) => p.ms)).toEqual([400_000, 700_000, 500_000]);
  });

  it('the detail’s list: newest first, every field it shows, and no reply address', () => {
    const views = drillViews([ready(9, 900_000, 'failed'), { ...ready(2, 600_000), error: { code: 'DrillReleaseFailed', message: 'release it by hand' }, phase: 'release-failed' }]);
    expect(views.map((v) => v.drillId)).toEqual(['drill_rds_rm-a_2', 'drill_rds_rm-a_9']);
    expect(views[0]).toMatchObject({ backupId: 'b-2', phase: 'release-failed', verdict: 'passed', recoveryMs: 600_000, lifetimeMs: 660_000, error: { code: 'DrillReleaseFailed' }, trigger: 'chat', requestedBy: 'slack:T1/U1' });
    expect(JSON.stringify(views)).not.toContain('hooks.slack.com');
  });
});
