// The restore catalogs, one per product: the only place that lists them.
import type { ProductName } from '../../cloud/products/catalog';
import type { RestoreCatalog } from '../restore-catalog';
import { mongodbRestore } from './mongodb';
import { polardbRestore } from './polardb';
import { rdsRestore } from './rds';

const catalogs: Record<ProductName, RestoreCatalog> = { rds: rdsRestore, polardb: polardbRestore, mongodb: mongodbRestore };

export function restoreCatalogOf(product: ProductName): RestoreCatalog {
  return catalogs[product];
}
