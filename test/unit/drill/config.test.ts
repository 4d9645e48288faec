// The drill configuration: defaults, and refusals naming the variable, its value and the rule.
import { describe, expect, it } from 'vitest';
import { loadDrillConfig } from '../../../shared/drill/config';
import { BackupError } from '../../../shared/errors';

const refusal = (env: Record<string, string>): string => {
  try {
    loadDrillConfig(env);
  } catch (e) {
    if (e instanceof BackupError) return e.message;
    throw e;
  }
  throw new Error('accepted');
};

describe('loadDrillConfig', () => {
  it('defaults: no targets, one at a time, latest, 2 h lifetime, weekly period, the catalog decides the class', () => {
    const c = loadDrillConfig({});
    expect(c).toMatchObject({ targets: [], concurrency: 1, backup: 'latest', maxLifetimeMs: 7_200_000, periodMs: 7 * 86_400_000 });
    expect(c.instanceClass).toBeUndefined();
    expect(c.storageGb).toBeUndefined();
    expect(c.validatorFunction).toBeUndefined();
  });

  it('takes ids and tag selectors exactly as backup targets do', () => {
    const c = loadDrillConfig({ DRILL_TARGETS: JSON.stringify([{ product: 'rds', DBInstanceId: 'rm-a' }, { product: 'mongodb', tags: { drill: 'yes' } }]), DRILL_BACKUP: 'random', DRILL_RANDOM_WINDOW_DAYS: '3' });
    expect(c.targets).toHaveLength(2);
    expect(c.randomWindowMs).toBe(3 * 86_400_000);
  });

  it.each([
    [{ DRILL_TARGETS: '[{' }, /DRILL_TARGETS: .*must be a JSON array/],
    [{ DRILL_TARGETS: '[{"product":"oracle","DBInstanceId":"x"}]' }, /DRILL_TARGETS\[0\]\.product: "oracle" — must be one of/],
    [{ DRILL_CONCURRENCY: '0' }, /DRILL_CONCURRENCY: "0" — must be a whole number from 1 to 20/],
    [{ DRILL_BACKUP: 'oldest' }, /DRILL_BACKUP: "oldest" — must be latest or random/],
    [{ DRILL_MAX_LIFETIME: '3d' }, /DRILL_MAX_LIFETIME: "3d" — must be a duration from 1m to 24h/],
    [{ DRILL_STORAGE_GB: 'big' }, /DRILL_STORAGE_GB: "big" — must be a whole number/],
    [{ DRILL_VALIDATOR_FUNCTION: 'no spaces' }, /DRILL_VALIDATOR_FUNCTION: "no spaces" — must be an FC 3.0 function name/],
    [{ DRILL_VSWITCH_ID: 'vpc-1' }, /DRILL_VSWITCH_ID: "vpc-1" — must be a vsw-… id/],
  ])('refuses %o', (env, message) => {
    expect(refusal(env as Record<string, string>)).toMatch(message);
  });
});
