// A target names one database and how to back it up, in the API's own parameter names. Validated at the edge
// with the product's schema; every problem is reported as `field: value — rule`.
import type { FieldIssue } from '../errors';
import { validationError } from '../errors';
import type { MongodbTarget } from '../cloud/products/mongodb';
import type { PolardbTarget } from '../cloud/products/polardb';
import type { RdsTarget } from '../cloud/products/rds';
import { catalogOf, productNames } from '../cloud/products/registry';
import type { ProductName } from '../cloud/products/catalog';
import { fieldRuleErrors, zodIssuesToFieldIssues } from '../validation';

export type Target = RdsTarget | PolardbTarget | MongodbTarget;

/** Field issues of one target; `at` prefixes field paths (e.g. `targets[3]`). */
export function targetIssues(input: unknown, at = ''): FieldIssue[] {
  const prefix = (f: string) => (at ? (f ? `${at}.${f}` : at) : f);
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return [{ field: prefix(''), value: input, rule: 'must be an object like {"product":"rds","DBInstanceId":"rm-..."}' }];
  }
  const product = (input as { product?: unknown }).product;
  if (typeof product !== 'string' || !productNames.includes(product as ProductName)) {
    return [{ field: prefix('product'), value: product, rule: `must be one of ${productNames.join(', ')}` }];
  }
  const result = catalogOf(product as ProductName).schema.safeParse(input, { error: fieldRuleErrors });
  return result.success ? [] : zodIssuesToFieldIssues(result.error, input).map((i) => ({ ...i, field: prefix(i.field) }));
}

export function parseTarget(input: unknown, at = ''): Target {
  const issues = targetIssues(input, at);
  if (issues.length > 0) throw validationError(issues, 'target');
  return input as Target;
}

export const instanceIdOf = (t: Target): string => catalogOf(t.product).instanceId(t as never);

/** `<product> <instance-id> [method]` as typed in chat or on the command line → a validated target. */
export function targetFromWords(product: string | undefined, id: string | undefined, method: string | undefined, region?: string): Target {
  const p = product?.toLowerCase();
  if (p === undefined || !productNames.includes(p as ProductName)) {
    throw validationError([{ field: 'product', value: product, rule: `must be one of ${productNames.join(', ')}` }], 'target');
  }
  if (p === 'polardb' && method !== undefined) {
    throw validationError([{ field: 'method', value: method, rule: 'PolarDB backups take no method' }], 'target');
  }
  const catalog = catalogOf(p as ProductName);
  return parseTarget({
    product: p,
    [catalog.idField]: id,
    ...(method !== undefined ? { BackupMethod: method } : {}),
    ...(region !== undefined ? { RegionId: region } : {}),
  });
}
