// How many of this tool's backups of a database to keep, and for how long, from the target and its product.
import { catalogOf } from '../cloud/products/registry';
import type { Target } from '../backup/targets';

export interface RetentionPolicy {
  keep?: number;
  keepDays?: number;
}

/**
 * A target's own `keep`, else its product's default (PolarDB: 2). `keepDays` only where this tool deletes by age;
 * MongoDB sends it with CreateBackup instead, and the cloud expires the backup itself.
 */
export function policyOf(target: Target): RetentionPolicy {
  const rules = catalogOf(target.product).retention;
  const t = target as { keep?: number; keepDays?: number };
  const keep = t.keep ?? rules.defaultKeep;
  return {
    ...(keep !== undefined ? { keep } : {}),
    ...(t.keepDays !== undefined && !rules.keepDaysByCloud ? { keepDays: t.keepDays } : {}),
  };
}
