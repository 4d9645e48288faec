// Property tests of target validation: never a crash, every refusal names a field, every valid target passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTargetsOrSelectors } from '../../../shared/backup/discovery';
import { BackupError } from '../../../shared/errors';
import { parseTarget, targetIssues } from '../../../shared/backup/targets';

const runs = { numRuns: 3000 };
const id = (prefix: string) => fc.stringMatching(/^[a-z0-9]{3,20}$/).map((s) => `${prefix}${s}`);
const region = fc.constantFrom('cn-hangzhou', 'cn-shanghai', 'ap-southeast-1', 'us-west-1');
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const dropUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const validRds = fc
  .record({ DBInstanceId: id('rm-'), RegionId: opt(region), BackupMethod: opt(fc.constantFrom('Physical', 'Snapshot')), BackupType: opt(fc.constantFrom('Auto', 'FullBackup')) })
  .map((t) => dropUndefined({ product: 'rds', ...t }));
const validLogicalDb = fc.record({ DBInstanceId: id('rm-'), DBName: fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/) }).map((t) => ({ product: 'rds', BackupMethod: 'Logical', BackupStrategy: 'db', ...t }));
const validPolar = fc.record({ DBClusterId: id('pc-'), Comment: opt(fc.string({ minLength: 1, maxLength: 256 })) }).map((t) => dropUndefined({ product: 'polardb', ...t }));
const validMongo = fc
  .record({ DBInstanceId: id('dds-'), BackupMethod: opt(fc.constantFrom('Snapshot', 'Logical', 'Physical')), BackupRetentionPeriod: opt(fc.oneof(fc.integer({ min: 7, max: 730 }), fc.constant(-1))) })
  .map((t) => dropUndefined({ product: 'mongodb', ...t }));

describe(`target validation (${runs.numRuns} runs per property)`, () => {
  it('any JSON value: never throws from targetIssues; parseTarget throws only a validation BackupError naming fields', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const issues = targetIssues(v);
        expect(Array.isArray(issues)).toBe(true);
        if (issues.length === 0) return;
        for (const i of issues) expect(typeof i.rule).toBe('string');
        try {
          parseTarget(v);
          expect.unreachable('an invalid target was accepted');
        } catch (e) {
          expect(e).toBeInstanceOf(BackupError);
          expect((e as BackupError).httpStatus).toBe(400);
        }
      }),
      runs,
    );
  });

  it('objects shaped like targets with random fields: refusals list field: value — rule', () => {
    const fuzzy = fc.record(
      {
        product: fc.oneof(fc.constantFrom('rds', 'polardb', 'mongodb', 'mysql', ''), fc.anything()),
        DBInstanceId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        DBClusterId: fc.string(),
        BackupMethod: fc.oneof(fc.constantFrom('Physical', 'Logical', 'Snapshot', 'physical'), fc.string()),
        BackupRetentionPeriod: fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.double(), fc.string()),
        BackupStrategy: fc.constantFrom('db', 'instance', 'table'),
        extra: fc.string(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fuzzy, (v) => {
        try {
          parseTarget(v, 'targets[0]');
        } catch (e) {
          const err = e as BackupError;
          expect(err.code).toBe('ValidationError');
          expect(err.message).toMatch(/targets\[0\](\.\w+)?: .+ — .+/);
        }
      }),
      runs,
    );
  });

  it('every valid target of every product is accepted unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(validRds, validLogicalDb, validPolar, validMongo), (t) => {
        expect(parseTarget(t)).toEqual(t);
      }),
      runs,
    );
  });

  it('a valid target with one unknown field is refused, naming the field', () => {
    fc.assert(
      fc.property(fc.oneof(validRds, validPolar, validMongo), fc.stringMatching(/^[A-Z][A-Za-z]{2,12}$/), (t, key) => {
        fc.pre(!(key in t) && !['RegionId', 'BackupMethod', 'BackupType', 'BackupStrategy', 'DBName', 'Comment', 'BackupRetentionPeriod', 'DBInstanceId', 'DBClusterId'].includes(key));
        const issues = targetIssues({ ...t, [key]: 'x' });
        expect(issues.map((i) => i.field)).toContain(key);
      }),
      { numRuns: 1000 },
    );
  });

  it('lists mixing targets and selectors: every bad element is reported at once', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(validRds, validMongo, fc.jsonValue()), { minLength: 1, maxLength: 8 }), (list) => {
        try {
          parseTargetsOrSelectors(list);
        } catch (e) {
          expect((e as BackupError).category).toBe('validation');
          const fields = ((e as BackupError).details.issues as { field: string }[]).map((i) => i.field);
          expect(fields.every((f) => /^targets\[\d+\]/.test(f))).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
