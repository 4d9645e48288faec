// PolarDB's CreateBackup reference documents DBClusterId and ClientToken only (docs/cloud-contract.md, the `Comment`
// row; issue 17 item 4): a comment asked for could never be promised to reach the backup, so the target refuses it,
// and the refusal names the field and says why. Before the refusal the schema dropped it silently.
import { describe, expect, it } from 'vitest';
import { parseTarget, targetIssues } from '../../../shared/backup/targets';
import { BackupError } from '../../../shared/errors';

describe('PolarDB Comment', () => {
  it('is refused, the issue naming the field and the reason', () => {
    const issues = targetIssues({ product: 'polardb', DBClusterId: 'pc-bp1abc', Comment: 'before the migration' }, 'targets[0]');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: 'targets[0].Comment', value: 'before the migration' });
    expect(issues[0]?.rule).toMatch(/not accepted for PolarDB: its CreateBackup reference documents no comment/);
  });

  it('parseTarget throws a validation error whose message names Comment', () => {
    let thrown: unknown;
    try {
      parseTarget({ product: 'polardb', DBClusterId: 'pc-bp1abc', Comment: 'x' });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BackupError);
    expect((thrown as BackupError).category).toBe('validation');
    expect((thrown as BackupError).message).toContain('Comment');
    expect((thrown as BackupError).message).toContain('only DBClusterId and ClientToken');
  });

  it('a target without one is accepted', () => {
    expect(targetIssues({ product: 'polardb', DBClusterId: 'pc-bp1abc' })).toEqual([]);
  });
});
