// Which databases the configured targets cover (BACKUP_TARGETS or --targets, selectors expanded through the list
// APIs), with a warning for every selector that matched nothing and every entry that is not a valid target.
import { partitionTargetsOrSelectors, resolveTargets } from '../backup/discovery';
import type { EngineDeps } from '../backup/engine';
import { instanceIdOf } from '../backup/targets';
import type { ProductName } from '../cloud/products/catalog';
import { toBackupError } from '../errors';

export interface Coverage {
  covered: { product: ProductName; instanceId: string }[];
  warnings: string[];
}

export const zeroMatchWarning = (selector: { product: string; tags: Record<string, string> }): string =>
  `selector ${JSON.stringify(selector.tags)} on ${selector.product} matched no database (a renamed or removed tag?)`;

export async function coverage(targets: unknown, deps: EngineDeps, source: string): Promise<Coverage> {
  if (targets === undefined) return { covered: [], warnings: [] };
  const warnings: string[] = [];
  let parts;
  try {
    parts = partitionTargetsOrSelectors(targets, source);
  } catch (e) {
    return { covered: [], warnings: [toBackupError(e).message] };
  }
  for (const r of parts.refused) warnings.push(`${source}[${r.index}] is not a valid target: ${r.issues.map((i) => `${i.field} — ${i.rule}`).join('; ')}`);
  try {
    const resolved = await resolveTargets(parts.valid, deps, {
      maxTargets: Number.MAX_SAFE_INTEGER,
      onSelector: (s, n) => {
        if (n === 0) warnings.push(zeroMatchWarning(s));
      },
    });
    return { covered: resolved.map((t) => ({ product: t.product, instanceId: instanceIdOf(t) })), warnings };
  } catch (e) {
    return { covered: [], warnings: [...warnings, `the configured targets could not be resolved: ${toBackupError(e).message}`] };
  }
}
