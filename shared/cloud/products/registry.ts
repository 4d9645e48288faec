// The product registry: the only place that lists the products.
import type { ProductCatalog, ProductName } from './catalog';
import { mongodb } from './mongodb';
import { polardb } from './polardb';
import { rds } from './rds';

export const products = { rds, polardb, mongodb } as const satisfies Record<ProductName, { name: ProductName }>;

export const productNames = Object.keys(products) as ProductName[];

export function catalogOf(product: ProductName): ProductCatalog {
  return products[product] as unknown as ProductCatalog;
}
