// A target names one database and how to back it up, in the API's own parameter names. Validated at the edge
// with the product's schema; every problem is reported as `field: value — rule`.
import type { FieldIssue } from './errors';
import { validationError } from './errors';
import type { MongodbTarget } from './products/mongodb';
import type { PolardbTarget } from './products/polardb';
import type { RdsTarget } from './products/rds';
import { catalogOf, productNames } from './products/index';
import type { ProductName } from './products/catalog';
import { zodIssuesToFieldIssues } from './validation';

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
  const result = catalogOf(product as ProductName).schema.safeParse(input);
  return result.success ? [] : zodIssuesToFieldIssues(result.error, input).map((i) => ({ ...i, field: prefix(i.field) }));
}

export function parseTarget(input: unknown, at = ''): Target {
  const issues = targetIssues(input, at);
  if (issues.length > 0) throw validationError(issues, 'target');
  return input as Target;
}

/** Validates a whole list, reporting every bad target at once. */
export function parseTargets(input: unknown, at = 'targets'): Target[] {
  if (!Array.isArray(input) || input.length === 0) {
    throw validationError([{ field: at, value: input, rule: 'must be a non-empty array of targets' }], 'targets');
  }
  const issues = input.flatMap((t, i) => targetIssues(t, `${at}[${i}]`));
  if (issues.length > 0) throw validationError(issues, 'targets');
  return input as Target[];
}

export const instanceIdOf = (t: Target): string => catalogOf(t.product).instanceId(t as never);
