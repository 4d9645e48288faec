// RDS DescribeDBInstances takes at most five tag pairs ("You can specify a maximum of five tags", the SDK model
// rds-20140815 DescribeDbinstancesRequest `tags`; docs/cloud-contract.md "Error codes"). The local cloud refuses a sixth,
// so a selector that slipped past the schema's limit (shared/backup/discovery.ts) fails here as it would in the cloud.
// The code it answers is documented nowhere, and its Message says so.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { UNCONFIRMED_MARKER } from '../../../local/cloud/unconfirmed-codes';
import { callCloud } from '../../../shared/cloud/client';
import type { ProductCatalog } from '../../../shared/cloud/products/catalog';
import { products } from '../../../shared/cloud/products/registry';
import { rejection } from '../../helpers/errors';

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud();
});
afterAll(() => cloud.close());
beforeEach(() => cloud.reset());

const list = (tags: Record<string, string>) =>
  callCloud({
    catalog: products.rds as unknown as ProductCatalog,
    endpoint: { protocol: 'http', host: new URL(cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action: 'DescribeDBInstances',
    query: { RegionId: 'cn-hangzhou', Tags: JSON.stringify(tags) },
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });

const pairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, `v${i}`]));

it('five tag pairs are answered', async () => {
  const answer = (await list(pairs(5))) as { Items?: { DBInstance?: unknown[] } };
  expect(answer.Items?.DBInstance).toEqual([]);
});

it('a sixth is refused: InvalidTags.Malformed, a validation error, marked unconfirmed', async () => {
  const e = await rejection(list(pairs(6)));
  expect(e.code).toBe('InvalidTags.Malformed');
  expect(e.category).toBe('validation');
  expect(e.message).toContain('at most 5 tag pairs');
  expect(e.message).toContain(UNCONFIRMED_MARKER.trim());
});
