// A bare Reader (the engine's catalog + read) straight onto a local cloud: one signed call per read, no retries, for
// tests of what reads the catalogs' queries.
import type { LocalCloud } from '../../local/cloud/index';
import type { Reader } from '../../shared/backup/reconcile';
import { callCloud } from '../../shared/cloud/client';
import type { ProductName } from '../../shared/cloud/products/catalog';
import { catalogOf } from '../../shared/cloud/products/registry';

export function readerFor(cloud: LocalCloud, product: ProductName, region = 'cn-hangzhou'): Reader {
  const catalog = catalogOf(product);
  return {
    catalog,
    read: (action, query) =>
      callCloud({
        catalog,
        endpoint: { protocol: 'http', host: new URL(cloud.url).host },
        credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
        action,
        // RegionId where the action takes one, as ProductCaller adds it.
        query: catalog.regionIdActions.includes(action) ? { RegionId: region, ...query } : query,
        timeouts: { connectMs: 2_000, readMs: 5_000 },
      }),
  };
}
