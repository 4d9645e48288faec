// The report's verdict per database from its records (newest first), and its renderings.
import { describe, expect, it } from 'vitest';
import type { HistoryRecord } from '../../../shared/history/record';
import { digestAlert, reportTable, reportText } from '../../../shared/report/render';
import { summarise, type Report } from '../../../shared/report/report';

const H = 3_600_000;
const now = Date.parse('2026-12-02T01:00:00Z');
let n = 0;
const rec = (state: HistoryRecord['state'], hoursAgo: number, over: Partial<HistoryRecord> = {}): HistoryRecord => ({
  id: `fcdb_r${++n}`,
  product: 'rds',
  instanceId: 'rm-a',
  target: { product: 'rds', DBInstanceId: 'rm-a' },
  origin: { trigger: 'timer' },
  state,
  requestedAt: new Date(now - hoursAgo * H).toISOString(),
  endedAt: new Date(now - hoursAgo * H + 60_000).toISOString(),
  ...(state === 'succeeded' ? { finishedAt: new Date(now - hoursAgo * H + 60_000).toISOString(), sizeBytes: 1024 } : { error: { code: 'BackupJobFailed', message: 'failed' } }),
  duties: [],
  redispatches: 0,
  nextCheckAt: 0,
  version: 'v',
  ...over,
});

describe('summarise', () => {
  it('ok with a good backup within max-age; counts the successes in a row; names the last failure', () => {
    const s = summarise('rds', 'rm-a', [rec('succeeded', 2), rec('succeeded', 26), rec('failed', 50), rec('succeeded', 74)], 26 * H, now);
    expect(s).toMatchObject({ ok: true, consecutiveSuccesses: 2, sizeBytes: 1024, lastFailure: { code: 'BackupJobFailed' }, running: false });
    expect(s.ageMs).toBe(2 * H - 60_000);
  });

  it('not ok when the last good backup is older than max-age, or there is none; a running job does not count as good', () => {
    expect(summarise('rds', 'rm-a', [rec('failed', 1), rec('succeeded', 30)], 26 * H, now)).toMatchObject({ ok: false, consecutiveSuccesses: 0 });
    expect(summarise('rds', 'rm-a', [rec('running', 0)], 26 * H, now)).toMatchObject({ ok: false, lastGoodAt: null, running: true, lastFailure: null });
  });
});

const report: Report = {
  generatedAt: new Date(now).toISOString(),
  maxAgeMs: 26 * H,
  ok: false,
  databases: [
    { product: 'polardb', instanceId: 'pc-b', ok: false, lastGoodAt: null, ageMs: null, sizeBytes: null, consecutiveSuccesses: 0, lastFailure: { code: 'BackupJobFailed', message: 'm', at: '2026-12-02T00:31:00.000Z' }, running: false, listedBy: 'both', retention: null },
    { product: 'rds', instanceId: 'rm-a', ok: true, lastGoodAt: '2026-12-02T00:01:00.000Z', ageMs: 59 * 60_000, sizeBytes: 1024, consecutiveSuccesses: 3, lastFailure: null, running: false, listedBy: 'history', retention: null },
  ],
  warnings: ['selector {"backup":"x"} on rds matched no database'],
};

describe('renderings', () => {
  it('the table: colour only when asked (a TTY), problems first, the verdict and the warnings', () => {
    const plain = reportTable(report);
    expect(plain).not.toMatch(/\x1b\[/);
    expect(plain.split('\n')[1]).toMatch(/^NO\s+polardb\s+pc-b\s+never/);
    expect(plain).toMatch(/1 of 2 databases have no good backup within 26h00m\./);
    expect(plain).toMatch(/warning: selector/);
    const coloured = reportTable(report, true);
    expect(coloured).toContain('\x1b[31mNO');
    expect(coloured).toContain('\x1b[32mOK');
  });

  it('the chat text and the digest name the databases to act on', () => {
    expect(reportText(report)).toMatch(/^1 of 2 databases have no good backup within 26h00m:\n• polardb pc-b: last good never; last failure BackupJobFailed/);
    const d = digestAlert(report, '2026-12-02');
    expect(d).toMatchObject({ id: 'digest:2026-12-02', kind: 'digest', title: 'Backups 2026-12-02: 1 of 2 databases without a good backup' });
  });
});
