// The database an ACL rule is asked about (acl.ts), with its tags answered as a tag selector would find it:
// resolveTargets through the product's list API, the resolution `backup` and BACKUP_TARGETS selectors use, so a
// rule's `tags` mean the same databases everywhere. One list per product, region and tags per chat request, however
// many databases a report asks about.
import { resolveTargets } from '../../shared/backup/discovery';
import type { EngineDeps } from '../../shared/backup/engine';
import { instanceIdOf } from '../../shared/backup/targets';
import type { ProductName } from '../../shared/cloud/products/catalog';
import { canonicalJson } from '../../shared/idempotency/key';
import type { AclSubject } from './acl';

export interface AclDatabase {
  product: ProductName;
  instanceId: string;
  /** Where the database is listed; absent: the deployment's region, as for a selector without RegionId. */
  RegionId?: string;
}

/** A maker of subjects for one request: databases of one product and region share one list per set of tags. */
export function aclSubjects(deps: EngineDeps): (db: AclDatabase) => AclSubject {
  const listed = new Map<string, Promise<Set<string>>>();
  const tagged = (db: AclDatabase, tags: Record<string, string>): Promise<Set<string>> => {
    const selector = { product: db.product, tags, ...(db.RegionId ? { RegionId: db.RegionId } : {}) };
    const key = canonicalJson(selector);
    let ids = listed.get(key);
    if (ids === undefined) {
      ids = resolveTargets([selector], deps, { maxTargets: 100_000 }).then((found) => new Set(found.map(instanceIdOf)));
      listed.set(key, ids);
    }
    return ids;
  };
  return (db) => ({ instanceId: db.instanceId, hasTags: async (tags) => (await tagged(db, tags)).has(db.instanceId) });
}
