// The report's posture parts: the POSTURE cell, the failing rules per database in the table, the chat text and the
// digest, and the verdict that `report --posture` exits on.
import { describe, expect, it } from 'vitest';
import type { DatabasePosture } from '../../../shared/posture/assess';
import { postureCell } from '../../../shared/report/posture';
import { digestAlert, reportTable, reportText } from '../../../shared/report/render';
import type { DatabaseReport, Report } from '../../../shared/report/report';

const at = '2026-12-02T01:00:00.000Z';
const failing: DatabasePosture = {
  product: 'rds',
  instanceId: 'rm-b',
  verdict: 'failing',
  checkedAt: at,
  rules: [
    { rule: 'minRetentionDays', status: 'failing', expected: 'at least 30 days', actual: '7 days (BackupRetentionPeriod 7)' },
    { rule: 'requireLogBackup', status: 'ok', expected: 'log backup on', actual: 'on (BackupLog Enable)' },
    { rule: 'keepBackupsOnRelease', status: 'not-applicable', expected: 'at least the latest backup kept after release', actual: 'ReleasedKeepPolicy not reported (MySQL only)' },
  ],
};
const db = (instanceId: string, posture: DatabasePosture | null): DatabaseReport => ({
  product: 'rds', instanceId, ok: true, lastGoodAt: at, ageMs: 60_000, sizeBytes: 1024, consecutiveSuccesses: 1, lastFailure: null, running: false, listedBy: 'history', retention: null, posture,
});
const report = (databases: DatabaseReport[], postureOk: boolean | null): Report => ({ generatedAt: at, maxAgeMs: 26 * 3_600_000, ok: true, postureOk, databases, warnings: [] });

describe('POSTURE', () => {
  it('the cell: FAIL and how many rules, ok, n/a, ? for unread, — for none', () => {
    expect(postureCell(failing)).toBe('FAIL 1');
    expect(postureCell({ ...failing, verdict: 'ok' })).toBe('ok');
    expect(postureCell({ ...failing, verdict: 'not-applicable' })).toBe('n/a');
    expect(postureCell({ ...failing, verdict: 'unknown', rules: [], error: { code: 'Forbidden.RAM', message: 'not allowed' } })).toBe('?');
    expect(postureCell(null)).toBe('—');
  });

  it('the table names each failing rule under its database, and an unread one with the reason', () => {
    const unread: DatabasePosture = { product: 'rds', instanceId: 'rm-c', verdict: 'unknown', rules: [], checkedAt: at, error: { code: 'Forbidden.RAM', message: 'The role may not call rds:DescribeBackupPolicy.' } };
    const t = reportTable(report([db('rm-b', failing), db('rm-c', unread), db('rm-a', { ...failing, verdict: 'ok', rules: [] })], false));
    expect(t).toMatch(/rm-b .*FAIL 1/);
    expect(t).toContain('Backup settings: 2 of 3 databases break a POSTURE_RULES rule or could not be read:\n  rds rm-b\n    minRetentionDays: at least 30 days; found 7 days (BackupRetentionPeriod 7)\n  rds rm-c\n    settings not read: The role may not call rds:DescribeBackupPolicy.');
  });

  it('chat and digest: the databases to act on and what to run; nothing about posture when it was not asked for', () => {
    const r = report([db('rm-b', failing)], false);
    expect(reportText(r)).toContain('• rds rm-b: minRetentionDays: at least 30 days; found 7 days (BackupRetentionPeriod 7)');
    const d = digestAlert(r, '2026-12-02');
    expect(d.facts).toMatchObject({ 'breaking a settings rule': '1' });
    expect(d.action).toMatch(/fc-db-backup posture --fix/);
    const none = report([db('rm-b', null)], null);
    expect(reportText(none)).not.toMatch(/Backup settings/);
    expect(digestAlert(none, '2026-12-02').action).toBe('Nothing to do.');
  });
});
