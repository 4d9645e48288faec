// Contract: RDS (API 2014-08-15) against the official SDK models, @alicloud/rds20140815 (a devDependency, never
// bundled). Every call the catalogs make (backup, drill, posture: test/contract/exercise.ts) goes to the local cloud
// through the engine's caller; then
// - every parameter on the wire is a field of the action's `<Action>Request` model;
// - every response path a parser reads is a field of its `<Action>ResponseBody` model;
// - every answer the local cloud gave deserialises through that model (the SDK's own cast) and keeps every value read.
// Findings and sources: docs/cloud-contract.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sdk from '@alicloud/rds20140815';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud/index';
import { catalogOf } from '../../shared/cloud/products/registry';
import { closeStores, startInvocation } from '../../shared/fc/invocation';
import { exercise, type Exchange } from './exercise';
import { modelTree, unknownParams, unknownPaths, valuesAt, type Tree } from './model';

// The SDK's own deserialiser (its runtime, as its client casts every answer).
const dara = createRequire(require.resolve('@alicloud/rds20140815'))('@darabonba/typescript') as { cast<T>(o: unknown, t: T): T };

type ModelClass = { names(): Record<string, string>; types(): Record<string, unknown>; new (map?: Record<string, unknown>): { toMap(): Record<string, unknown> } };
const models = sdk as unknown as Record<string, ModelClass | undefined>;
const modelOf = (action: string, part: 'Request' | 'ResponseBody'): ModelClass => {
  const m = models[`${action}${part}`];
  if (!m) throw new Error(`@alicloud/rds20140815 has no ${action}${part}`);
  return m;
};
const tree = (action: string, part: 'Request' | 'ResponseBody'): Tree => modelTree(modelOf(action, part));

let cloud: LocalCloud;
let dir: string;
let calls: Exchange[];

beforeAll(async () => {
  cloud = await startLocalCloud({ jobDurationMs: 50 });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-contract-rds-'));
  const { deps } = startInvocation(
    { requestId: 'contract-rds', credentials: null, function: { name: 'cli', timeout: 60 } },
    {
      env: {
        ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
        ALIBABA_CLOUD_REGION: 'cn-hangzhou',
        RDS_ENDPOINT: cloud.url,
        IDEMPOTENCY_STORE: `file:${dir}`,
      },
      sink: () => undefined,
    },
  );
  calls = await exercise('rds', 'rm-sample2', cloud, deps);
});
afterAll(async () => {
  await closeStores();
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

const sent = () => cloud.requests.filter((r) => r.product === 'rds');

describe('RDS requests: every parameter sent is a field of the SDK request model', () => {
  it('covers every action the catalogs send', () => {
    const actions = new Set(sent().map((r) => r.action));
    expect([...actions].sort()).toEqual(
      [
        'CloneDBInstance', 'CreateBackup', 'DeleteBackup', 'DeleteDBInstance', 'DescribeBackupPolicy', 'DescribeBackupTasks', 'DescribeBackups',
        'DescribeDBInstanceAttribute', 'DescribeDBInstances', 'DescribeInstanceCrossBackupPolicy', 'ListTagResources', 'ModifyBackupPolicy',
        'ModifyInstanceCrossBackupPolicy', 'TagResources',
      ].sort(),
    );
  });

  it('no parameter on the wire is missing from its action\'s <Action>Request model (RegionId only where the model has one)', () => {
    const unknown: Record<string, string[]> = {};
    for (const r of sent()) {
      const names = unknownParams(r.query, tree(r.action, 'Request'));
      if (names.length > 0) unknown[r.action] = [...new Set([...(unknown[r.action] ?? []), ...names])];
    }
    expect(unknown).toEqual({});
  });

  it('RegionId goes exactly to the actions whose model has one (catalog.regionIdActions)', () => {
    const actions = [...new Set(sent().map((r) => r.action))];
    const withRegion = actions.filter((a) => 'RegionId' in tree(a, 'Request')).sort();
    expect([...catalogOf('rds').regionIdActions].sort()).toEqual(withRegion);
    for (const r of sent()) expect({ action: r.action, RegionId: 'RegionId' in r.query }).toEqual({ action: r.action, RegionId: withRegion.includes(r.action) });
  });
});

describe('RDS answers: what the parsers read is in the SDK response model, and survives its cast', () => {
  it('every response path a parser reads is a field of <Action>ResponseBody', () => {
    const unknown: Record<string, string[]> = {};
    for (const c of calls) {
      const paths = unknownPaths(c.reads, tree(c.action, 'ResponseBody'));
      if (paths.length > 0) unknown[c.action] = [...new Set([...(unknown[c.action] ?? []), ...paths])];
    }
    expect(unknown).toEqual({});
  });

  it('the parsers read what matters: job, set and instance fields among them', () => {
    const read = (action: string) => new Set(calls.filter((c) => c.action === action).flatMap((c) => [...c.reads]));
    expect([...read('DescribeBackups')]).toEqual(expect.arrayContaining(['Items.Backup[].BackupId', 'Items.Backup[].BackupStatus', 'Items.Backup[].StoreStatus']));
    expect([...read('DescribeBackupTasks')]).toEqual(expect.arrayContaining(['Items.BackupJob[].BackupJobId', 'Items.BackupJob[].BackupStatus']));
    expect([...read('CreateBackup')]).toEqual(['BackupJobId']);
  });

  it('every local cloud answer deserialises through the SDK model and keeps every value read', () => {
    const lost: string[] = [];
    for (const c of calls) {
      const Model = modelOf(c.action, 'ResponseBody');
      const cast = dara.cast(c.body, new Model({})).toMap();
      for (const p of c.reads) {
        const before = valuesAt(c.body, p).map(String);
        const after = valuesAt(cast, p).map(String);
        if (JSON.stringify(before) !== JSON.stringify(after)) lost.push(`${c.action} ${p}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
      }
    }
    expect(lost).toEqual([]);
  });

  it('every field of every local cloud answer is in the SDK model (the local cloud invents none)', () => {
    const invented = calls.flatMap((c) => {
      const cast = dara.cast(c.body, new (modelOf(c.action, 'ResponseBody'))({})).toMap();
      return leafPaths(c.body).filter((p) => valuesAt(cast, p).length === 0 && valuesAt(c.body, p).length > 0).map((p) => `${c.action} ${p}`);
    });
    expect([...new Set(invented)]).toEqual([]);
  });
});

/** Every path to a scalar in an answer, arrays as `[]`. */
function leafPaths(o: unknown, at = ''): string[] {
  if (Array.isArray(o)) return o.flatMap((v) => leafPaths(v, `${at}[]`));
  if (o !== null && typeof o === 'object') return Object.entries(o).flatMap(([k, v]) => leafPaths(v, at === '' ? k : `${at}.${k}`));
  return at === '' ? [] : [at];
}
