// What a restore drill needs of one product's API: read the source's spec, restore one of its backup sets to a
// new pay-as-you-go instance, follow that instance, find it by its drill tag, and release it. One file per product
// beside this one (./products/<name>.ts); docs/restore-apis.md cites every parameter and state used here.
import type { ProductName, Query } from '../cloud/products/catalog';

/** The tag every temporary instance carries, set at creation: its drill's id. Kept beside discovery, which refuses it. */
export { drillTagKey } from '../backup/discovery';
/** Every temporary instance's name begins with this. */
export const drillNamePrefix = 'fcdb-drill-';

/** What the drill copies from the source to make the temporary instance comparable (and checks it against). */
export interface SourceSpec {
  regionId: string;
  engine: string;
  engineVersion: string;
  instanceClass?: string;
  storageGb?: number;
  storageType?: string;
  zoneId?: string;
  vpcId?: string;
  vSwitchId?: string;
}

export interface RestoreRequest {
  regionId: string;
  sourceId: string;
  backupId: string;
  drillId: string;
  /** drillNamePrefix + something unique to the drill. */
  name: string;
  /** Sent where the API takes one (RestoreCatalog.clientToken); otherwise reconciliation by tag and name. */
  clientToken: string;
  spec: SourceSpec;
  instanceClass: string;
  storageGb?: number;
  vpcId?: string;
  vSwitchId?: string;
  zoneId?: string;
}

/** The common model of a temporary instance's state across products. */
export type DrillInstanceState = 'creating' | 'running' | 'failed' | 'releasing' | 'gone';

export interface DrillInstanceView {
  instanceId: string;
  state: DrillInstanceState;
  /** The product's own status word, for messages. */
  status: string;
  name?: string;
  tags: Record<string, string>;
  createdAt?: string;
  engine?: string;
  engineVersion?: string;
  storageGb?: number;
  endpoint?: { host: string; port: number };
}

export interface ApiCall<I, O> {
  action: string;
  query(input: I): Query;
  parse(body: Record<string, unknown>): O;
}

export interface RestoreCatalog {
  product: ProductName;
  /** Whether the create API takes a ClientToken, so a repeated create returns the same instance. */
  clientToken: boolean;
  source: ApiCall<{ regionId: string; sourceId: string }, SourceSpec>;
  /** The smallest class (and storage) the product sells for the source's engine and version. */
  smallest(spec: SourceSpec): { instanceClass: string; storageGb?: number };
  create: ApiCall<RestoreRequest, { instanceId: string }>;
  /** Undefined from parse, or one of goneCodes, means no such instance. */
  describe: ApiCall<{ regionId: string; instanceId: string }, DrillInstanceView | undefined> & { goneCodes: readonly string[] };
  /** Instances carrying this drill's tag (reconciliation after a lost create answer). */
  listByTag: ApiCall<{ regionId: string; drillId: string }, { instanceId: string; name?: string; createdAt?: string }[]>;
  /** A release of an instance already gone answers one of goneCodes: done, not an error. */
  release: ApiCall<{ regionId: string; instanceId: string }, void> & { goneCodes: readonly string[] };
  /** Where the create call takes no tags (RDS CloneDBInstance): tags the new instance right after it answers. */
  tagAfterCreate?: ApiCall<{ regionId: string; instanceId: string; drillId: string }, void>;
  /** Where describe reports no tags (RDS DescribeDBInstanceAttribute): the instance's tags; describe's `tags` is then {}. */
  readTags?: ApiCall<{ regionId: string; instanceId: string }, Record<string, string>>;
  /** Where describe reports no endpoint (PolarDB DescribeDBClusterAttribute): the private endpoint. */
  endpoint?: ApiCall<{ regionId: string; instanceId: string }, { host: string; port: number } | undefined>;
  /** RAM actions (`rds:CloneDBInstance`) the drill role needs for this product: exactly these. */
  ramActions: readonly string[];
}
