import { describe, expect, it } from 'vitest';
import { targetIssues } from '../../../shared/backup/targets';

const strategyIssues = (t: Record<string, unknown>) =>
  targetIssues({ product: 'rds', DBInstanceId: 'rm-abc123', ...t } as never, 't').filter((i) => i.field === 't.BackupStrategy');

describe('RDS BackupStrategy (CreateBackup: MySQL logical or SQL Server full physical, docs/cloud-truth.md)', () => {
  it('is accepted with a SQL Server full physical backup', () => {
    expect(strategyIssues({ BackupMethod: 'Physical', BackupType: 'FullBackup', BackupStrategy: 'instance' })).toEqual([]);
  });
  it('is still refused with a plain physical backup', () => {
    expect(strategyIssues({ BackupMethod: 'Physical', BackupStrategy: 'instance' })).toHaveLength(1);
  });
});
