// The release gate: every mark must hold, and any one missing refuses — a tag alone, a name alone, an id alone or
// an instance older than the drill is never released.
import { describe, expect, it } from 'vitest';
import { ownership } from '../../../shared/drill/ownership';
import type { DrillRecord } from '../../../shared/drill/record';
import { drillNamePrefix, drillTagKey, type DrillInstanceView } from '../../../shared/drill/restore-catalog';

const record: DrillRecord = {
  drillId: 'drill_rds_rm-src_2912',
  product: 'rds',
  regionId: 'cn-hangzhou',
  sourceId: 'rm-src',
  backupId: 'b-1',
  backupStartedAt: '2026-12-03T02:00:00Z',
  origin: { trigger: 'timer' },
  phase: 'ready',
  requestedAt: '2026-12-04T10:00:00.700Z',
  instanceId: 'rm-drill1',
  instanceName: `${drillNamePrefix}abc`,
  releaseBy: '2026-12-04T12:00:00Z',
  updatedAt: '2026-12-04T10:05:00Z',
};
const view: DrillInstanceView = {
  instanceId: 'rm-drill1',
  state: 'running',
  status: 'Running',
  name: `${drillNamePrefix}abc`,
  tags: { [drillTagKey]: record.drillId },
  // The cloud reports the second: the request's own second counts as after it.
  createdAt: '2026-12-04T10:00:00Z',
};

describe('ownership', () => {
  it('all marks hold: ours', () => {
    expect(ownership(record, 'rm-drill1', view)).toEqual({ ours: true });
  });

  it.each([
    ['no record (lost): never by tag alone', undefined, 'rm-drill1', view, /no drill record/],
    ['another id than the record names (a crafted event naming a real instance)', record, 'rm-prod', { ...view, instanceId: 'rm-prod' }, /records instance rm-drill1, not rm-prod/],
    ['a record without an instance id yet', { ...record, instanceId: undefined }, 'rm-drill1', view, /records instance \(none\)/],
    ['the tag missing', record, 'rm-drill1', { ...view, tags: {} }, /tag fc-db-backup-drill is null/],
    ['the tag of another drill', record, 'rm-drill1', { ...view, tags: { [drillTagKey]: 'drill_rds_rm-other_2912' } }, /not drill_rds_rm-src_2912/],
    ['the name without the prefix', record, 'rm-drill1', { ...view, name: 'orders-prod' }, /lacks the prefix/],
    ['no name at all', record, 'rm-drill1', { ...view, name: undefined }, /lacks the prefix/],
    ['created before the drill', record, 'rm-drill1', { ...view, createdAt: '2026-12-04T09:59:59Z' }, /not after the drill was requested/],
    ['creation time unknown', record, 'rm-drill1', { ...view, createdAt: undefined }, /created \(unknown\)/],
    ['not described', record, 'rm-drill1', undefined, /was not described/],
    ['described another instance', record, 'rm-drill1', { ...view, instanceId: 'rm-prod' }, /described rm-prod/],
  ] as const)('refused: %s', (_why, r, id, v, reason) => {
    const got = ownership(r as DrillRecord | undefined, id, v as DrillInstanceView | undefined);
    expect(got.ours).toBe(false);
    expect(got.ours ? [] : got.reasons.join('; ')).toMatch(reason);
  });
});
