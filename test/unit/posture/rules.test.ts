// POSTURE_RULES: parsed and validated when the configuration is read; a malformed rule refuses to start with the
// field, the value and the rule; a database's rules are the default's, overridden rule by rule by its selectors.
import { describe, expect, it } from 'vitest';
import { startInvocation } from '../../../shared/fc/invocation';
import { parsePostureRules, rulesFor } from '../../../shared/posture/rules';
import { BackupError } from '../../../shared/errors';

function rejectionSync(fn: () => unknown): BackupError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BackupError);
    return e as BackupError;
  }
  throw new Error('did not throw');
}

const start = (POSTURE_RULES: string) =>
  startInvocation({ requestId: 'rules', credentials: null, function: { name: 'cli', timeout: 60 } }, { env: { POSTURE_RULES, IDEMPOTENCY_STORE: 'file:/tmp/fcdb-rules-test' }, sink: () => undefined });

describe('POSTURE_RULES at config time', () => {
  it('a valid rule set is read into the invocation', () => {
    const inv = start('{"default":{"minRetentionDays":7},"selectors":[{"product":"rds","tags":{"env":"prod"},"rules":{"requireCrossRegion":{"regions":["cn-shanghai"]},"keepBackupsOnRelease":"all"}}]}');
    expect(inv.posture.default).toEqual({ minRetentionDays: 7 });
    expect(inv.posture.selectors[0]?.rules).toEqual({ requireCrossRegion: { regions: ['cn-shanghai'] }, keepBackupsOnRelease: 'all' });
  });

  it.each([
    ['a retention of the wrong type', '{"default":{"minRetentionDays":"30"}}', 'POSTURE_RULES.default.minRetentionDays: "30" — must be a whole number of days, 1 to 7300'],
    ['a negative number of backups', '{"default":{"minBackupsPerWeek":-1}}', 'POSTURE_RULES.default.minBackupsPerWeek: -1 — must be a whole number of backups a week, 1 to 672'],
    ['a misspelt rule', '{"default":{"minRetentionDay":30}}', 'POSTURE_RULES.default.minRetentionDay: 30 — is not an allowed field'],
    ['a region that is not one', '{"selectors":[{"tags":{"env":"prod"},"rules":{"requireCrossRegion":{"regions":["Shanghai"]}}}]}', 'POSTURE_RULES.selectors[0].rules.requireCrossRegion.regions[0]: "Shanghai" — must be a region id such as "cn-shanghai"'],
    ['an unknown product', '{"selectors":[{"product":"redis","tags":{"a":"b"},"rules":{}}]}', 'POSTURE_RULES.selectors[0].product: "redis" — must be one of rds, polardb, mongodb'],
    ['a selector without tags', '{"selectors":[{"rules":{"minRetentionDays":7}}]}', 'POSTURE_RULES.selectors[0].tags: (missing)'],
    ['a keep value it does not know', '{"default":{"keepBackupsOnRelease":"some"}}', 'POSTURE_RULES.default.keepBackupsOnRelease: "some" — must be true, false, "latest" or "all"'],
    ['not JSON', '{"default":', 'POSTURE_RULES: "{\\"default\\":" — must be JSON'],
  ])('%s is refused with field, value and rule', (_what, raw, message) => {
    const e = rejectionSync(() => start(raw));
    expect(e.code).toBe('ValidationError');
    expect(e.message).toContain(message);
  });

  it('unset: no rules, nothing checked', () => {
    expect(parsePostureRules(undefined)).toEqual({ default: {}, selectors: [] });
  });
});

describe('rulesFor', () => {
  const rules = parsePostureRules({
    default: { minRetentionDays: 7, requireLogBackup: true },
    selectors: [
      { tags: { env: 'prod' }, rules: { minRetentionDays: 30 } },
      { tags: { pci: 'yes' }, rules: { minRetentionDays: 90, requireCrossRegion: true } },
      { tags: { tier: 'scratch' }, rules: { requireLogBackup: false } },
    ],
  });
  it('the default, each rule taken from the first matching selector that names it', () => {
    expect(rulesFor(rules, [])).toEqual({ minRetentionDays: 7, requireLogBackup: true });
    expect(rulesFor(rules, [1, 0])).toEqual({ minRetentionDays: 30, requireLogBackup: true, requireCrossRegion: true });
    expect(rulesFor(rules, [2])).toEqual({ minRetentionDays: 7, requireLogBackup: false });
  });
});
