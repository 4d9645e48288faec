// docs/cloud-contract.md "Error codes" names, for every code the classifier knows, the source that names it or
// **unconfirmed**. This keeps that table, the classifier's code list and the local cloud in step: every classified code
// is in the table, the local cloud's list of unconfirmed codes is exactly the table's, and the local cloud's answer
// carrying one of them says so in its Message (over the wire, read by the real client).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { UNCONFIRMED_CODES, UNCONFIRMED_MARKER } from '../../../local/cloud/unconfirmed-codes';
import { callCloud } from '../../../shared/cloud/client';
import { knownCloudCodes } from '../../../shared/cloud/error-codes';
import type { ProductCatalog } from '../../../shared/cloud/products/catalog';
import { products } from '../../../shared/cloud/products/registry';
import { rejection } from '../../helpers/errors';

/** The rows of the "Error codes" table: code → status cell. */
function docsTable(): Map<string, string> {
  const doc = readFileSync(resolve(__dirname, '../../../docs/cloud-contract.md'), 'utf8');
  const section = doc.split(/^## Error codes$/m)[1]?.split(/^## /m)[0] ?? '';
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| `([^`]+)` \|.*\| ([^|]+) \|$/.exec(line);
    if (m) rows.set(m[1] as string, (m[2] as string).trim());
  }
  return rows;
}

describe('docs/cloud-contract.md "Error codes"', () => {
  const table = docsTable();

  it('names every code shared/cloud/error-codes.ts classifies, each confirmed or **unconfirmed**', () => {
    expect(table.size).toBeGreaterThan(0);
    expect(knownCloudCodes.filter((c) => !table.has(c))).toEqual([]);
    for (const [code, status] of table) expect([code, status]).toEqual([code, expect.stringMatching(/^(confirmed|\*\*unconfirmed\*\*)$/)]);
  });

  it('marks unconfirmed exactly the codes the local cloud marks', () => {
    const unconfirmed = [...table].filter(([, s]) => s === '**unconfirmed**').map(([c]) => c).sort();
    expect(unconfirmed).toEqual([...UNCONFIRMED_CODES].sort());
  });
});

describe('the local cloud says where it answers an unconfirmed code', () => {
  let cloud: LocalCloud;
  beforeAll(async () => {
    cloud = await startLocalCloud();
  });
  afterAll(() => cloud.close());
  beforeEach(() => cloud.reset());

  const call = (product: keyof typeof products, action: string, query: Record<string, string>) =>
    callCloud({
      catalog: products[product] as unknown as ProductCatalog,
      endpoint: { protocol: 'http', host: new URL(cloud.url).host },
      credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
      action,
      query,
      timeouts: { connectMs: 1_000, readMs: 2_000 },
    });

  it.each([...docsTable()].filter(([, s]) => s === '**unconfirmed**').map(([c]) => c))('%s carries the marker', async (code) => {
    cloud.inject({ kind: 'status', product: 'rds', action: 'DescribeBackups', status: 400, code });
    const e = await rejection(call('rds', 'DescribeBackups', { DBInstanceId: 'rm-sample1' }));
    expect(e.code).toBe(code);
    expect(e.message).toContain(UNCONFIRMED_MARKER.trim());
  });

  it('a confirmed code carries none', async () => {
    cloud.inject({ kind: 'status', product: 'rds', action: 'DescribeBackups', status: 503, code: 'ServiceUnavailable' });
    const e = await rejection(call('rds', 'DescribeBackups', { DBInstanceId: 'rm-sample1' }));
    expect(e.code).toBe('ServiceUnavailable');
    expect(e.message).not.toContain('unconfirmed');
  });

  it('an action it does not serve: InvalidAction.NotFound, marked', async () => {
    const e = await rejection(call('rds', 'DescribeNothing', {}));
    expect(e.code).toBe('InvalidAction.NotFound');
    expect(e.message).toContain(UNCONFIRMED_MARKER.trim());
  });
});
