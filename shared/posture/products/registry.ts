// Each product's posture catalog, by product name: a product cannot be added to shared/cloud/products without one here.
import type { ProductName } from '../../cloud/products/catalog';
import { mongodbPosture } from './mongodb';
import { polardbPosture } from './polardb';
import type { PostureCatalog } from './posture-catalog';
import { rdsPosture } from './rds';

export const postureCatalogs: Record<ProductName, PostureCatalog> = { rds: rdsPosture, polardb: polardbPosture, mongodb: mongodbPosture };

export const postureOf = (product: ProductName): PostureCatalog => postureCatalogs[product];
