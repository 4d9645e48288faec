// Property tests of target validation: never a crash, every refusal names a field, every valid target passes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTargetsOrSelectors } from '../../../shared/backup/discovery';
import { BackupError } from '../../../shared/errors';
import { parseTarget, targetIssues } from '../../../shared/backup/targets';
import { products } from '../../../shared/cloud/products/registry';

const runs = { numRuns: 3000 };
const id = (prefix: string) => fc.stringMatching(/^[a-z0-9]{3,20}$/).map((s) => `${prefix}${s}`);
const region = fc.constantFrom('cn-hangzhou', 'cn-shanghai', 'ap-southeast-1', 'us-west-1');
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const dropUndefined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const validRds = fc
  .record({
    DBInstanceId: id('rm-'),
    RegionId: opt(region),
    BackupMethod: opt(fc.constantFrom('Physical', 'Snapshot')),
    BackupType: opt(fc.constantFrom('Auto', 'FullBackup')),
    keep: opt(fc.integer({ min: 1, max: 1000 })),
    keepDays: opt(fc.integer({ min: 7, max: 3650 })),
  })
  .map((t) => dropUndefined({ product: 'rds', ...t }));
const validLogicalDb = fc.record({ DBInstanceId: id('rm-'), DBName: fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/) }).map((t) => ({ product: 'rds', BackupMethod: 'Logical', BackupStrategy: 'db', ...t }));
const validPolar = fc
  .record({ DBClusterId: id('pc-'), keep: opt(fc.integer({ min: 1, max: 2 })), keepDays: opt(fc.integer({ min: 1, max: 3650 })) })
  .map((t) => dropUndefined({ product: 'polardb', ...t }));
const validMongo = fc
  .record({
    DBInstanceId: id('dds-'),
    BackupMethod: opt(fc.constantFrom('Snapshot', 'Logical', 'Physical')),
    keep: opt(fc.integer({ min: 1, max: 1000 })),
    retention: fc.oneof(fc.constant({}), fc.record({ BackupRetentionPeriod: fc.oneof(fc.integer({ min: 7, max: 730 }), fc.constant(-1)) }), fc.record({ keepDays: fc.integer({ min: 7, max: 730 }) })),
  })
  .map(({ retention, ...t }) => dropUndefined({ product: 'mongodb', ...t, ...retention }));

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
        keep: fc.oneof(fc.integer({ min: -2, max: 1002 }), fc.double(), fc.string()),
        keepDays: fc.oneof(fc.integer({ min: -2, max: 4000 }), fc.double(), fc.constant(null)),
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
        fc.pre(!(key in t) && !['RegionId', 'BackupMethod', 'BackupType', 'BackupStrategy', 'DBName', 'Comment', 'BackupRetentionPeriod', 'DBInstanceId', 'DBClusterId', 'keep', 'keepDays'].includes(key));
        const issues = targetIssues({ ...t, [key]: 'x' });
        expect(issues.map((i) => i.field)).toContain(key);
      }),
      { numRuns: 1000 },
    );
  });

  it('keep and keepDays: each product\'s bounds, refused with field, value and the reason for the bound', () => {
    const rule = (t: Record<string, unknown>) => targetIssues(t, 'targets[0]').map((i) => `${i.field}: ${JSON.stringify(i.value)} — ${i.rule}`);
    expect(rule({ product: 'polardb', DBClusterId: 'pc-a1b2', keep: 3 })).toEqual([
      'targets[0].keep: 3 — must be 1 to 2, how many of this tool\'s good backups to keep (a PolarDB cluster holds 3 manual backups and one slot stays free for the next backup, so at most 2 are kept; default 2)',
    ]);
    expect(rule({ product: 'rds', DBInstanceId: 'rm-a1b2', keepDays: 3 })[0]).toMatch(/^targets\[0\]\.keepDays: 3 — must be 7 to 3650, .*RDS deletes no backup younger than 7 days/);
    expect(rule({ product: 'rds', DBInstanceId: 'rm-a1b2', keep: 0 })[0]).toMatch(/^targets\[0\]\.keep: 0 — must be 1 to 1000/);
    expect(rule({ product: 'mongodb', DBInstanceId: 'dds-a1b2', keep: 1.5 })[0]).toMatch(/^targets\[0\]\.keep: 1\.5 — must be a whole number/);
    expect(rule({ product: 'mongodb', DBInstanceId: 'dds-a1b2', keepDays: 30, BackupRetentionPeriod: 30 })).toEqual([
      'targets[0].keepDays: 30 — is sent as BackupRetentionPeriod: set one of the two, not both',
    ]);
    expect(rule({ product: 'mongodb', DBInstanceId: 'dds-a1b2', keepDays: 731 })[0]).toMatch(/must be 7 to 730, .*BackupRetentionPeriod/);
    // A tag selector takes them too, with the same rules.
    expect(() => parseTargetsOrSelectors([{ product: 'polardb', tags: { backup: 'nightly' }, keep: 4 }])).toThrow(/targets\[0\]\.keep: 4 — must be 1 to 2/);
    expect(parseTargetsOrSelectors([{ product: 'rds', tags: { backup: 'nightly' }, keep: 7, keepDays: 30 }])).toEqual([{ product: 'rds', tags: { backup: 'nightly' }, keep: 7, keepDays: 30 }]);
  });

  it('keep never reaches the cloud; MongoDB keepDays is sent as its BackupRetentionPeriod', () => {
    expect(products.mongodb.createQuery(parseTarget({ product: 'mongodb', DBInstanceId: 'dds-a1b2', keep: 3, keepDays: 30 }) as never)).toEqual({
      DBInstanceId: 'dds-a1b2',
      BackupRetentionPeriod: '30',
    });
    expect(products.polardb.createQuery(parseTarget({ product: 'polardb', DBClusterId: 'pc-a1b2', keep: 2, keepDays: 3 }) as never, 'tok')).toEqual({
      DBClusterId: 'pc-a1b2',
      ClientToken: 'tok',
    });
    expect(products.rds.createQuery(parseTarget({ product: 'rds', DBInstanceId: 'rm-a1b2', keep: 5, keepDays: 14 }) as never)).toEqual({ DBInstanceId: 'rm-a1b2' });
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
