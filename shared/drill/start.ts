// Starts one restore drill of a database the operator's drill configuration covers: claims the drill under its own
// key (one per source per period), picks the backup, writes the record (`requested`), creates the temporary
// instance — with a ClientToken where the API takes one, else after looking for it by this drill's tag — and writes
// its id at once. Nothing waits: the tracker follows the drill from here (./follow.ts).
import { callerFor, type EngineDeps, type ProductCaller } from '../backup/engine';
import { resolveTargets } from '../backup/discovery';
import { instanceIdOf, type Target } from '../backup/targets';
import type { ProductName } from '../cloud/products/catalog';
import { drillNoBackup, drillNotCovered, toBackupError } from '../errors';
import type { History } from '../history/history';
import { clientToken, sha256Hex } from '../idempotency/key';
import type { DrillConfig } from './config';
import type { StoreDrillLog } from './log';
import type { DrillRecord } from './record';
import { drillNamePrefix, type RestoreCatalog, type RestoreRequest, type SourceSpec } from './restore-catalog';

export interface DrillDeps {
  config: DrillConfig;
  engine: EngineDeps;
  history: History;
  log: StoreDrillLog;
  restoreCatalogOf: (product: ProductName) => RestoreCatalog;
  now?: () => number;
  /** Random choice of a backup (DRILL_BACKUP=random); injectable for tests. */
  random?: () => number;
}

/** What a dry run says it would do. */
export interface DrillPlan {
  dryRun: true;
  drillId: string;
  product: ProductName;
  sourceId: string;
  regionId: string;
  backupId: string;
  backupStartedAt: string;
  instanceClass: string;
  storageGb?: number;
  vpcId?: string;
  vSwitchId?: string;
  lifetimeMs: number;
  /** Already drilled this period: a real run would start nothing. */
  alreadyDrilled?: DrillRecord['phase'];
}

export const drillIdOf = (product: ProductName, sourceId: string, period: number): string => `drill_${product}_${sourceId}_${period}`;
/** Name of the temporary instance: the prefix and a hash of the drill id (names are short; ids may not be). */
export const drillNameOf = (drillId: string): string => `${drillNamePrefix}${sha256Hex(drillId).slice(0, 16)}`;

/** The configured targets, resolved (selectors listed): the source must be one of them. */
export async function coveredTarget(source: { product: ProductName; instanceId: string }, deps: DrillDeps): Promise<Target> {
  if (deps.config.targets.length === 0) throw drillNotCovered(source.product, source.instanceId);
  const all = await resolveTargets(deps.config.targets, deps.engine, { maxTargets: 10_000, field: 'DRILL_TARGETS' });
  const hit = all.find((t) => t.product === source.product && instanceIdOf(t) === source.instanceId);
  if (!hit) throw drillNotCovered(source.product, source.instanceId);
  return hit;
}

export async function startDrill(
  source: { product: ProductName; instanceId: string },
  origin: DrillRecord['origin'],
  deps: DrillDeps,
  opts: { dryRun?: boolean } = {},
): Promise<DrillRecord | DrillPlan> {
  const target = await coveredTarget(source, deps);
  return startCovered(target, origin, deps, opts);
}

/** A target already known to be covered (the timer resolved DRILL_TARGETS itself). */
export async function startCovered(target: Target, origin: DrillRecord['origin'], deps: DrillDeps, opts: { dryRun?: boolean } = {}): Promise<DrillRecord | DrillPlan> {
  const now = deps.now ?? Date.now;
  const product = target.product;
  const sourceId = instanceIdOf(target);
  const catalog = deps.restoreCatalogOf(product);
  const caller = callerFor(target, deps.engine);
  const drillId = drillIdOf(product, sourceId, Math.floor(now() / deps.config.periodMs));
  const existing = await deps.log.get(drillId);
  if (existing && !opts.dryRun) return resumeDrill(existing, catalog, caller, deps);

  const backup = await pickBackup(product, sourceId, deps);
  const spec = catalog.source.parse(await caller.read(catalog.source.action, catalog.source.query({ regionId: caller.region, sourceId })));
  const smallest = catalog.smallest(spec);
  const shape = {
    instanceClass: deps.config.instanceClass ?? smallest.instanceClass,
    storageGb: deps.config.storageGb ?? smallest.storageGb ?? spec.storageGb,
    vpcId: deps.config.vpcId ?? spec.vpcId,
    vSwitchId: deps.config.vSwitchId ?? spec.vSwitchId,
  };
  if (opts.dryRun) {
    return { dryRun: true, drillId, product, sourceId, regionId: caller.region, ...backup, ...shape, lifetimeMs: deps.config.maxLifetimeMs, ...(existing ? { alreadyDrilled: existing.phase } : {}) };
  }
  const at = new Date(now());
  const fresh: DrillRecord = {
    drillId,
    product,
    regionId: caller.region,
    sourceId,
    ...backup,
    origin,
    phase: 'requested',
    requestedAt: at.toISOString(),
    instanceName: drillNameOf(drillId),
    releaseBy: new Date(at.getTime() + deps.config.maxLifetimeMs).toISOString(),
    updatedAt: at.toISOString(),
  };
  const { record } = await deps.log.claim(fresh);
  return resumeDrill(record, catalog, caller, deps, { known: { spec, ...shape } });
}

/**
 * From the record as stored: the id written means done; else find it by tag (or by token), then create once.
 * `create: false` only looks (the lifetime is over: nothing new is made).
 */
export async function resumeDrill(
  record: DrillRecord,
  catalog: RestoreCatalog,
  caller: ProductCaller,
  deps: DrillDeps,
  opts: { create?: boolean; known?: { spec: SourceSpec; instanceClass: string; storageGb?: number; vpcId?: string; vSwitchId?: string } } = {},
): Promise<DrillRecord> {
  const known = opts.known;
  if (record.instanceId || record.phase !== 'requested') return record;
  const now = deps.now ?? Date.now;
  const found = catalog.listByTag.parse(await caller.read(catalog.listByTag.action, catalog.listByTag.query({ regionId: record.regionId, drillId: record.drillId })));
  // Only an instance of this drill's own name and tag, created since its request: never some other tagged one.
  const mine = found.find((f) => f.name === record.instanceName && (f.createdAt === undefined || Date.parse(f.createdAt) >= Math.floor(Date.parse(record.requestedAt) / 1000) * 1000));
  let instanceId = mine?.instanceId;
  if (!instanceId && opts.create === false) return record;
  if (!instanceId) {
    const shape = known ?? (await shapeFor(record, catalog, caller, deps));
    const request: RestoreRequest = {
      regionId: record.regionId,
      sourceId: record.sourceId,
      backupId: record.backupId,
      drillId: record.drillId,
      name: record.instanceName ?? drillNameOf(record.drillId),
      clientToken: clientToken(record.drillId),
      spec: shape.spec,
      instanceClass: shape.instanceClass,
      storageGb: shape.storageGb,
      vpcId: shape.vpcId,
      vSwitchId: shape.vSwitchId,
      zoneId: shape.spec.zoneId,
    };
    try {
      instanceId = catalog.create.parse(await caller.once(catalog.create.action, catalog.create.query(request))).instanceId;
    } catch (raw) {
      const e = toBackupError(raw);
      // An answer lost may have created it: the record stays `requested`, and the next look (a redelivery, the
      // tracker) finds it by token or tag before creating anything.
      if (e.ambiguous || e.retryable) throw e;
      return (await deps.log.mutate(record.drillId, (cur) => (cur && !cur.instanceId ? { ...cur, phase: 'released', error: { code: e.code, message: e.message }, releasedAt: new Date(now()).toISOString(), updatedAt: new Date(now()).toISOString() } : undefined))) ?? record;
    }
  }
  const id = instanceId;
  return (await deps.log.mutate(record.drillId, (cur) => (cur && !cur.instanceId ? { ...cur, instanceId: id, phase: 'creating', updatedAt: new Date(now()).toISOString() } : undefined))) ?? record;
}

async function shapeFor(record: DrillRecord, catalog: RestoreCatalog, caller: ProductCaller, deps: DrillDeps) {
  const spec = catalog.source.parse(await caller.read(catalog.source.action, catalog.source.query({ regionId: record.regionId, sourceId: record.sourceId })));
  const smallest = catalog.smallest(spec);
  return {
    spec,
    instanceClass: deps.config.instanceClass ?? smallest.instanceClass,
    storageGb: deps.config.storageGb ?? smallest.storageGb ?? spec.storageGb,
    vpcId: deps.config.vpcId ?? spec.vpcId,
    vSwitchId: deps.config.vSwitchId ?? spec.vSwitchId,
  };
}

/** This tool's own good backups from the history: the newest, or a random one within the window. */
async function pickBackup(product: ProductName, sourceId: string, deps: DrillDeps): Promise<{ backupId: string; backupStartedAt: string }> {
  const now = deps.now ?? Date.now;
  const good = (await deps.history.forDatabase(product, sourceId)).filter((r) => r.state === 'succeeded' && r.backupId && !r.retired && !r.retiring);
  const pool = deps.config.backup === 'latest' ? good.slice(0, 1) : good.filter((r) => Date.parse(r.startedAt ?? r.requestedAt) >= now() - deps.config.randomWindowMs);
  const how = deps.config.backup === 'latest' ? 'latest' : `random within ${Math.round(deps.config.randomWindowMs / 86_400_000)} days`;
  if (pool.length === 0) throw drillNoBackup(product, sourceId, how);
  const pick = pool[Math.floor((deps.random ?? Math.random)() * pool.length)] ?? pool[0];
  if (!pick?.backupId) throw drillNoBackup(product, sourceId, how);
  return { backupId: pick.backupId, backupStartedAt: pick.startedAt ?? pick.requestedAt };
}

