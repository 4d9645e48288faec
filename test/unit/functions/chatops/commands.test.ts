import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCommand } from '../../../../functions/chatops/commands';
import { BackupError } from '../../../../shared/errors';

describe('chat command parsing', () => {
  it('parses backup, status, report and help (also empty text and a DingTalk @mention)', () => {
    expect(parseCommand('report')).toEqual({ name: 'report' });
    expect(() => parseCommand('report now')).toThrow(/report takes no arguments/);
    expect(parseCommand('backup rds rm-abc123 Physical')).toEqual({ name: 'backup', target: { product: 'rds', DBInstanceId: 'rm-abc123', BackupMethod: 'Physical' } });
    expect(parseCommand('  backup   polardb pc-abc123 ')).toEqual({ name: 'backup', target: { product: 'polardb', DBClusterId: 'pc-abc123' } });
    expect(parseCommand('@backupbot backup mongodb dds-abc123 Snapshot')).toMatchObject({ name: 'backup', target: { product: 'mongodb', BackupMethod: 'Snapshot' } });
    expect(parseCommand('status rm-abc123')).toEqual({ name: 'status', ref: 'rm-abc123' });
    expect(parseCommand('status 5073731')).toEqual({ name: 'status', ref: '5073731' });
    expect(parseCommand('')).toEqual({ name: 'help' });
    expect(parseCommand('help')).toEqual({ name: 'help' });
  });

  it('parses drill <product> <instance-id>: the database and nothing else', () => {
    expect(parseCommand('drill rds rm-abc123')).toEqual({ name: 'drill', run: { product: 'rds', instanceId: 'rm-abc123' } });
    expect(parseCommand('@bot drill MongoDB dds-abc123')).toEqual({ name: 'drill', run: { product: 'mongodb', instanceId: 'dds-abc123' } });
  });

  it.each([
    ['backup mysql rm-1', /product: "mysql" — must be one of rds, polardb, mongodb/],
    ['backup rds', /DBInstanceId: \(missing\)/],
    ['backup rds rm-abc123 Fast', /BackupMethod: "Fast" — must be one of Logical, Physical, Snapshot/],
    ['backup polardb pc-abc123 Physical', /PolarDB backups take no method/],
    ['backup rds rm-abc123 Physical extra', /too many arguments/],
    ['status', /takes one instance id or job id/],
    ['restore rds rm-1', /command: "restore" — must be backup, status, report, drill or help/],
    ['drill rds', /drill: "rds" — takes <product> and <instance-id>/],
    ['drill mysql rm-abc123', /product: "mysql" — must be one of rds, polardb, mongodb/],
    ['drill rds RM_1;drop', /instanceId: "RM_1;drop" — must be an instance or cluster id/],
    ['drill rds rm-abc123 Physical', /too many arguments: drill takes only/],
  ])('%s → a usage error naming field, value and rule', (text, message) => {
    const e = (() => {
      try {
        parseCommand(text);
      } catch (x) {
        return x as BackupError;
      }
      throw new Error('expected a usage error');
    })();
    expect(e).toBeInstanceOf(BackupError);
    expect(e.message).toMatch(message);
    expect(e.message).toContain('Usage:');
  });

  it('never crashes on any text: a command or a usage error (2000 runs)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
        try {
          expect(['help', 'backup', 'status', 'report', 'drill']).toContain(parseCommand(text).name);
        } catch (e) {
          expect(e).toBeInstanceOf(BackupError);
          expect((e as BackupError).category).toBe('validation');
        }
      }),
      { numRuns: 2000 },
    );
  });
});
