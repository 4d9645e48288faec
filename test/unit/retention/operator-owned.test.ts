// Retention is the operator's: a request (deploy gate) that sets any retention field is refused, each field named.
import { describe, expect, it } from 'vitest';
import { isBackupError } from '../../../shared/errors';
import { refuseRequestRetention } from '../../../shared/retention/operator-owned';

const refusal = (input: unknown): string[] => {
  try {
    refuseRequestRetention(input);
  } catch (e) {
    if (!isBackupError(e) || e.httpStatus !== 400) throw e;
    return (e.details.issues as { field: string }[]).map((i) => i.field);
  }
  return [];
};

describe('refuseRequestRetention', () => {
  it.for(['keepLast', 'keepDaily', 'keepWeekly', 'keepMonthly'] as const)('a rotation count (%s) on a target or selector is a 400 naming it', (field) => {
    expect(refusal([{ product: 'rds', DBInstanceId: 'rm-a1b2', [field]: 7 }])).toEqual([`targets[0].${field}`]);
    expect(refusal([{ product: 'rds', DBInstanceId: 'rm-a1b2' }, { product: 'polardb', tags: { backup: 'nightly' }, [field]: 1 }])).toEqual([`targets[1].${field}`]);
  });

  it('every retention field of every entry is named at once, with the rule', () => {
    let message = '';
    try {
      refuseRequestRetention([{ product: 'mongodb', DBInstanceId: 'dds-a1b2', keep: 1, keepDaily: 7, keepMonthly: 12 }]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('targets[0].keep: 1 — retention is set only by the operator');
    expect(message).toContain('targets[0].keepDaily: 7 — retention is set only by the operator');
    expect(message).toContain('targets[0].keepMonthly: 12 — retention is set only by the operator');
  });

  it('a request without retention fields passes', () => {
    expect(refusal([{ product: 'rds', DBInstanceId: 'rm-a1b2', BackupMethod: 'Physical' }])).toEqual([]);
  });
});
