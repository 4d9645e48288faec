// The restore catalogs (shared/drill/products) driven by the real openapi-client over HTTP against the local cloud's
// restore APIs (local/cloud/restore.ts), for all three products: a restore from a backup set to a new tagged
// instance, Creating then Running, idempotent by ClientToken, refused on a bad backup set or failed by a fault,
// released through Deleting to gone, found by its drill tag and only it.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../../local/cloud/index';
import { callCloud } from '../../../shared/cloud/client';
import type { ProductName, Query } from '../../../shared/cloud/products/catalog';
import { catalogOf } from '../../../shared/cloud/products/registry';
import { restoreCatalogOf } from '../../../shared/drill/products/registry';
import { drillNamePrefix, drillTagKey, type ApiCall, type DrillInstanceView, type RestoreRequest } from '../../../shared/drill/restore-catalog';
import { rejection } from '../../helpers/errors';

const RESTORE_MS = 400;
const RELEASE_MS = 200;
const region = 'cn-hangzhou';
const sources: Record<ProductName, string> = { rds: 'rm-src1', polardb: 'pc-src1', mongodb: 'dds-src1' };

let cloud: LocalCloud;
beforeAll(async () => {
  cloud = await startLocalCloud({
    jobDurationMs: 50,
    restore: { restoreMs: RESTORE_MS, releaseMs: RELEASE_MS },
    instances: [
      { product: 'rds', id: sources.rds, tags: { backup: 'nightly' } },
      { product: 'polardb', id: sources.polardb, tags: { backup: 'nightly' } },
      { product: 'mongodb', id: sources.mongodb, tags: { backup: 'nightly' } },
      { product: 'rds', id: 'rm-broken', failBackups: true },
      { product: 'polardb', id: 'pc-broken', failBackups: true },
      { product: 'mongodb', id: 'dds-broken', failBackups: true },
    ],
  });
});
afterAll(() => cloud.close());
beforeEach(() => cloud.reset());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const raw = (product: ProductName, action: string, query: Query) =>
  callCloud({
    catalog: catalogOf(product),
    endpoint: { protocol: 'http', host: new URL(cloud.url).host },
    credentials: { accessKeyId: 'LTAI-local-test', accessKeySecret: 'local-secret' },
    action,
    // As ProductCaller adds it: where the action takes one.
    query: catalogOf(product).regionIdActions.includes(action) ? { RegionId: region, ...query } : query,
    timeouts: { connectMs: 1_000, readMs: 2_000 },
  });

const call = async <I, O>(product: ProductName, api: ApiCall<I, O>, input: I): Promise<O> => api.parse(await raw(product, api.action, api.query(input)));

/** A finished backup set of the source, taken through the product's own CreateBackup. */
async function backupOf(product: ProductName, sourceId: string): Promise<string> {
  const catalog = catalogOf(product);
  const target = { product, [catalog.idField]: sourceId } as never;
  await raw(product, 'CreateBackup', catalog.createQuery(target));
  await sleep(120);
  const job = cloud.jobs(product, sourceId).at(-1);
  if (!job || job.state === 'running' || job.state === 'queued') throw new Error('backup did not finish');
  return job.backupId;
}

async function requestFor(product: ProductName, sourceId: string, drillId: string, backupId: string): Promise<RestoreRequest> {
  const catalog = restoreCatalogOf(product);
  const spec = await call(product, catalog.source, { regionId: region, sourceId });
  const smallest = catalog.smallest(spec);
  return {
    regionId: region,
    sourceId,
    backupId,
    drillId,
    name: `${drillNamePrefix}${drillId}`.slice(0, 60),
    clientToken: `tok-${drillId}`,
    spec,
    instanceClass: smallest.instanceClass,
    storageGb: smallest.storageGb,
    vpcId: spec.vpcId,
    vSwitchId: spec.vSwitchId,
    zoneId: spec.zoneId,
  };
}

/** create, then the tag where the API takes none at creation (as the drill does). */
async function create(product: ProductName, req: RestoreRequest): Promise<string> {
  const catalog = restoreCatalogOf(product);
  const { instanceId } = await call(product, catalog.create, req);
  if (catalog.tagAfterCreate) await call(product, catalog.tagAfterCreate, { regionId: region, instanceId, drillId: req.drillId });
  return instanceId;
}

async function view(product: ProductName, instanceId: string): Promise<DrillInstanceView | undefined> {
  const catalog = restoreCatalogOf(product);
  const v = await call(product, catalog.describe, { regionId: region, instanceId });
  if (!v) return v;
  const tags = catalog.readTags ? await call(product, catalog.readTags, { regionId: region, instanceId }) : v.tags;
  const endpoint = catalog.endpoint ? await call(product, catalog.endpoint, { regionId: region, instanceId }) : v.endpoint;
  return { ...v, tags, ...(endpoint ? { endpoint } : {}) };
}

async function until(product: ProductName, instanceId: string, state: DrillInstanceView['state']): Promise<DrillInstanceView> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const v = await view(product, instanceId);
    if (v?.state === state) return v;
    if (Date.now() > deadline) throw new Error(`${instanceId} never reached ${state} (is ${v?.state}/${v?.status})`);
    await sleep(50);
  }
}

describe.each(['rds', 'polardb', 'mongodb'] as const)('%s restore catalog against the local cloud', (product) => {
  const catalog = restoreCatalogOf(product);
  const sourceId = sources[product];

  it('restores a backup set to a new instance: creating, then running, with its drill tag, name and endpoint', async () => {
    const backupId = await backupOf(product, sourceId);
    const drillId = `drill_${product}_${sourceId}_2026w49`;
    const req = await requestFor(product, sourceId, drillId, backupId);
    expect(req.spec.engine).not.toBe('');
    expect(req.spec.engineVersion).not.toBe('');
    expect(req.instanceClass).not.toBe('');
    const before = Date.now();
    const id = await create(product, req);
    expect(id).not.toBe(sourceId);

    const first = await view(product, id);
    expect(first).toMatchObject({ instanceId: id, state: 'creating', status: 'Creating', name: req.name, tags: { [drillTagKey]: drillId } });
    expect(first?.endpoint).toBeUndefined();

    const running = await until(product, id, 'running');
    expect(running.status).toBe('Running');
    expect(running.engine).toBe(product === 'mongodb' ? 'MongoDB' : req.spec.engine);
    expect(running.engineVersion).toBe(req.spec.engineVersion);
    expect(running.endpoint?.host).toMatch(/\S/);
    expect(running.endpoint?.port).toBeGreaterThan(0);
    expect(Date.parse(running.createdAt ?? '')).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.now() - before).toBeGreaterThanOrEqual(RESTORE_MS);
    // Pay-as-you-go, restored from this very set.
    const createReq = cloud.requests.find((r) => r.action === catalog.create.action);
    expect(Object.values(createReq?.query ?? {})).toContain(backupId);
    expect(createReq?.query.PayType ?? createReq?.query.ChargeType).toMatch(/^Post[pP]aid$/);
  });

  it('a repeated create with the same ClientToken answers the same instance, and makes no other', async () => {
    expect(catalog.clientToken).toBe(true);
    const backupId = await backupOf(product, sourceId);
    const req = await requestFor(product, sourceId, `drill_${product}_tok`, backupId);
    const a = await call(product, catalog.create, req);
    const b = await call(product, catalog.create, req);
    expect(b.instanceId).toBe(a.instanceId);
    const other = await call(product, catalog.create, { ...req, clientToken: 'tok-other' });
    expect(other.instanceId).not.toBe(a.instanceId);
  });

  it('listByTag finds exactly the drill’s instance, with its name and creation time', async () => {
    const backupId = await backupOf(product, sourceId);
    const mine = await create(product, await requestFor(product, sourceId, `drill_${product}_mine`, backupId));
    await create(product, await requestFor(product, sourceId, `drill_${product}_theirs`, backupId));
    const found = await call(product, catalog.listByTag, { regionId: region, drillId: `drill_${product}_mine` });
    expect(found.map((f) => f.instanceId)).toEqual([mine]);
    expect(found[0]?.name).toBe(`${drillNamePrefix}drill_${product}_mine`);
    expect(Date.parse(found[0]?.createdAt ?? '')).not.toBeNaN();
  });

  it('a failed backup set is refused; a backup set made bad by a fault ends the restore failed', async () => {
    const broken = `${sourceId.split('-')[0]}-broken`;
    const failed = await backupOf(product, broken);
    expect(cloud.jobs(product, broken).at(-1)?.state).toBe('failed');
    const refused = await rejection(create(product, await requestFor(product, broken, `drill_${product}_bad`, failed)));
    expect(refused.details.cloudCode).toBe('InvalidBackupSetID.NotFound');
    const unknown = await rejection(create(product, await requestFor(product, sourceId, `drill_${product}_nope`, '999999999')));
    expect(unknown.details.cloudCode).toBe('InvalidBackupSetID.NotFound');

    const good = await backupOf(product, sourceId);
    cloud.inject({ product, action: catalog.create.action, kind: 'restore-fails' });
    const id = await create(product, await requestFor(product, sourceId, `drill_${product}_corrupt`, good));
    expect((await view(product, id))?.state).toBe('creating');
    if (product === 'polardb') {
      // PolarDB releases only a cluster that is no longer Creating.
      const early = await rejection(call(product, catalog.release, { regionId: region, instanceId: id }));
      expect(early.details.cloudCode).toBe('OperationDenied.DBClusterStatus');
    }
    const end = await until(product, id, 'failed');
    expect(end.endpoint).toBeUndefined();
    // A failed one is released like any other.
    await call(product, catalog.release, { regionId: region, instanceId: id });
    await sleep(RELEASE_MS + 50);
    expect((await rejection(view(product, id))).details.cloudCode).toBeOneOf([...catalog.describe.goneCodes]);
  });

  it('release: releasing, then gone; a second release and a describe answer a code goneCodes holds; the source stays', async () => {
    const backupId = await backupOf(product, sourceId);
    const id = await create(product, await requestFor(product, sourceId, `drill_${product}_rel`, backupId));
    await until(product, id, 'running');
    await call(product, catalog.release, { regionId: region, instanceId: id });
    expect((await view(product, id))?.state).toBe('releasing');
    // Asked again while on its way out: no error, nothing new.
    await call(product, catalog.release, { regionId: region, instanceId: id });
    await sleep(RELEASE_MS + 50);

    const gone = await rejection(view(product, id));
    expect(catalog.describe.goneCodes).toContain(gone.details.cloudCode);
    const again = await rejection(call(product, catalog.release, { regionId: region, instanceId: id }));
    expect(catalog.release.goneCodes).toContain(again.details.cloudCode);
    expect(await call(product, catalog.listByTag, { regionId: region, drillId: `drill_${product}_rel` })).toEqual([]);
    expect((await view(product, sourceId))?.state).toBe('running');
  });

  it('a throttled release is refused and changes nothing; the retry releases', async () => {
    const backupId = await backupOf(product, sourceId);
    const id = await create(product, await requestFor(product, sourceId, `drill_${product}_thr`, backupId));
    await until(product, id, 'running');
    cloud.inject({ product, action: catalog.release.action, kind: 'throttle' });
    const throttled = await rejection(call(product, catalog.release, { regionId: region, instanceId: id }));
    expect(throttled.details.cloudCode).toBe('Throttling.User');
    expect((await view(product, id))?.state).toBe('running');
    await call(product, catalog.release, { regionId: region, instanceId: id });
    expect((await view(product, id))?.state).toBe('releasing');
  });

  it('the new instance shows in the product list API with its drill tag, as discovery would see it', async () => {
    const backupId = await backupOf(product, sourceId);
    const id = await create(product, await requestFor(product, sourceId, `drill_${product}_list`, backupId));
    const list = catalogOf(product);
    const all = list.parseList(await raw(product, list.listAction, list.listQuery({}, 1, 100))).ids;
    expect(all).toContain(id);
    const tagged = list.parseList(await raw(product, list.listAction, list.listQuery({ [drillTagKey]: `drill_${product}_list` }, 1, 100))).ids;
    expect(tagged).toEqual([id]);
    // The source's own tags are not copied to it.
    const bySourceTag = list.parseList(await raw(product, list.listAction, list.listQuery({ backup: 'nightly' }, 1, 100))).ids;
    expect(bySourceTag).not.toContain(id);
  });
});
