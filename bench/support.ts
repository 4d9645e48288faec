// Bench-only helpers: the bare SDK caller the engine is compared with, an in-memory store (to isolate the cost of
// the real stores), a store wrapper that times each call, and Redis cleanup.
import * as OpenApi from '@alicloud/openapi-client';
import { RuntimeOptions } from '@alicloud/tea-util';
import type { IdempotencyRecord, IdempotencyStore, PutResult, WriteOptions } from '../shared/idempotency/store';
import { now, since } from './stats';
import type { LocalCloud } from '../local/cloud/index';
import type { Target } from '../shared/backup/targets';

// Resolved exactly as shared/cloud/client.ts does (the package is CJS with exports.default = Client).
const clientModule: unknown = (OpenApi as unknown as { default: unknown }).default;
const OpenApiClient = (typeof clientModule === 'function' ? clientModule : (clientModule as { default: unknown }).default) as new (
  config: OpenApi.Config,
) => {
  callApi(params: OpenApi.Params, request: OpenApi.OpenApiRequest, runtime: RuntimeOptions): Promise<{ body?: unknown }>;
};

export interface BareCredentials {
  accessKeyId: string;
  accessKeySecret: string;
}

/**
 * The baseline: one @alicloud/openapi-client callApi of CreateBackup with the Config, Params and RuntimeOptions that
 * shared/cloud/client.ts builds — one client reused across calls (as the engine's per-endpoint cache does), nothing else.
 */
export function bareCreateBackup(url: string, c: BareCredentials, apiVersion: string): (query: Record<string, string>) => Promise<Record<string, unknown>> {
  const u = new URL(url);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  const client = new OpenApiClient(new OpenApi.Config({ accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, endpoint: u.host, protocol }));
  return async (query) => {
    const params = new OpenApi.Params({
      action: 'CreateBackup',
      version: apiVersion,
      protocol: protocol.toUpperCase(),
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const runtime = new RuntimeOptions({ autoretry: false, connectTimeout: 5_000, readTimeout: 10_000 });
    const res = await client.callApi(params, new OpenApi.OpenApiRequest({ query }), runtime);
    return (res.body ?? {}) as Record<string, unknown>;
  };
}

/** The same contract as FileStore/RedisStore, in a Map: what the engine costs when the store costs nothing. */
export class MemoryStore implements IdempotencyStore {
  private readonly records = new Map<string, { json: string; expiresAt: number }>();

  private live(key: string): IdempotencyRecord | undefined {
    const r = this.records.get(key);
    return r && r.expiresAt > Date.now() ? (JSON.parse(r.json) as IdempotencyRecord) : undefined;
  }

  async putIfAbsent(record: IdempotencyRecord, ttlMs: number, o: WriteOptions = {}): Promise<PutResult> {
    const existing = this.live(record.key);
    if (existing) return { ok: false, existing, now: Date.now() };
    this.set(record, ttlMs, o.leaseMs);
    return { ok: true };
  }

  async compareAndSet(expectedOwner: string, record: IdempotencyRecord, ttlMs: number, o: WriteOptions = {}): Promise<boolean> {
    const current = this.live(record.key);
    if (current?.owner !== expectedOwner) return false;
    if (o.ifLapsed && !(current.status === 'ambiguous' || (current.status === 'in_progress' && current.leaseExpiresAt <= Date.now()))) return false;
    this.set(record, ttlMs, o.leaseMs);
    return true;
  }

  private set(record: IdempotencyRecord, ttlMs: number, leaseMs: number | undefined): void {
    const leased = leaseMs === undefined ? record : { ...record, leaseExpiresAt: Date.now() + leaseMs };
    this.records.set(record.key, { json: JSON.stringify(leased), expiresAt: Date.now() + ttlMs });
  }

  async deleteIfOwner(key: string, expectedOwner: string): Promise<boolean> {
    if (this.live(key)?.owner !== expectedOwner) return false;
    return this.records.delete(key);
  }

  async get(key: string): Promise<IdempotencyRecord | undefined> {
    return this.live(key);
  }

  clear(): void {
    this.records.clear();
  }

  async close(): Promise<void> {}
}

/** Times putIfAbsent (the claim) and compareAndSet (the complete) of the store it wraps. */
export class TimedStore implements IdempotencyStore {
  readonly claims: number[] = [];
  readonly completes: number[] = [];

  constructor(private readonly inner: IdempotencyStore) {}

  async putIfAbsent(record: IdempotencyRecord, ttlMs: number, o?: WriteOptions): Promise<PutResult> {
    const t0 = now();
    try {
      return await this.inner.putIfAbsent(record, ttlMs, o);
    } finally {
      this.claims.push(since(t0));
    }
  }

  async compareAndSet(expectedOwner: string, record: IdempotencyRecord, ttlMs: number, o?: WriteOptions): Promise<boolean> {
    const t0 = now();
    try {
      return await this.inner.compareAndSet(expectedOwner, record, ttlMs, o);
    } finally {
      this.completes.push(since(t0));
    }
  }

  deleteIfOwner(key: string, expectedOwner: string): Promise<boolean> {
    return this.inner.deleteIfOwner(key, expectedOwner);
  }

  get(key: string): Promise<IdempotencyRecord | undefined> {
    return this.inner.get(key);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Deletes every Redis key under `prefix`; returns how many were deleted. */
export async function deletePrefix(url: string, prefix: string): Promise<number> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

/** Runs `fn` with stdout silenced: the bundles log there, and the bench prints its own tables. */
export async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = original;
  }
}

/** `n` databases in the local cloud, a third per product, named `<prefix>-<tag><index>`; `methods` sets each's BackupMethod. */
export function seedFleet(cloud: LocalCloud, n: number, tag: string, o: { digits?: number; methods?: boolean } = {}): Target[] {
  const products = ['rds', 'polardb', 'mongodb'] as const;
  return Array.from({ length: n }, (_, i) => {
    const product = products[i % 3] as Target['product'];
    const id = `${product === 'rds' ? 'rm' : product === 'polardb' ? 'pc' : 'dds'}-${tag}${String(i).padStart(o.digits ?? 5, '0')}`;
    cloud.addInstance({ product, id });
    const method = o.methods && product !== 'polardb' ? { BackupMethod: product === 'rds' ? 'Physical' : 'Snapshot' } : {};
    return (product === 'polardb' ? { product, DBClusterId: id } : { product, DBInstanceId: id, ...method }) as Target;
  });
}
