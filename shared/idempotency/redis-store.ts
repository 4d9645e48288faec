// Idempotency records in Redis, shared by every FC instance. Each method is one Lua script, so one round trip
// and atomic on the server. ioredis is imported on first use: the file-store path never loads it.
import { once } from 'node:events';
import type { Redis, RedisOptions } from 'ioredis';
import { storeUnavailable } from '../errors';
import type { IdempotencyRecord, IdempotencyStore, PutResult, WriteOptions } from './store';

export interface RedisStoreOptions {
  /** `redis://` or `rediss://` URL; a client is created on first use and closed by close(). */
  url?: string;
  /** An existing client instead of `url`: used with its own options (timeouts, retries), never closed here. */
  client?: Redis;
  keyPrefix?: string;
  /** Bound on connecting, including the handshake (a server that accepts but never answers). */
  connectTimeoutMs?: number;
  commandTimeoutMs?: number;
  /** Told once per connection when the server shows a setting the exactly-once guarantee cannot rely on. */
  onRisk?: (warning: string) => void;
}

const defaults = { keyPrefix: 'fcdb:idem:', connectTimeoutMs: 2000, commandTimeoutMs: 2000 };

// The store's clock: Redis TIME, read inside the script, so every instance's lease is judged by the same clock.
// (Redis ≥ 5 replicates scripts by their effects, so TIME is allowed before a write.) A lease is written by
// replacing the record's `"leaseExpiresAt":<n>` in place, so the record's JSON is never re-encoded by Lua's cjson.
const clockLua = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function leased(value, leaseMs)
  if leaseMs == '' then return value end
  return (string.gsub(value, '"leaseExpiresAt":%-?[%d.eE+]+', '"leaseExpiresAt":' .. string.format('%.0f', now + tonumber(leaseMs)), 1))
end`;

// SET NX PX, and on conflict the existing value in the same round trip. Answers {now, existing or ''}.
const putIfAbsentLua = `${clockLua}
if redis.call('SET', KEYS[1], leased(ARGV[1], ARGV[3]), 'NX', 'PX', ARGV[2]) then return {string.format('%.0f', now), ''} end
return {string.format('%.0f', now), redis.call('GET', KEYS[1])}`;

// ARGV: owner, value, ttl, leaseMs ('' = keep the value's), ifLapsed ('1' = only an ambiguous or lapsed record).
const compareAndSetLua = `${clockLua}
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local cur = cjson.decode(current)
if cur.owner ~= ARGV[1] then return 0 end
if ARGV[5] == '1' and not (cur.status == 'ambiguous' or (cur.status == 'in_progress' and cur.leaseExpiresAt <= now)) then return 0 end
redis.call('SET', KEYS[1], leased(ARGV[2], ARGV[4]), 'PX', ARGV[3])
return 1`;

const deleteIfOwnerLua = `
local current = redis.call('GET', KEYS[1])
if not current or cjson.decode(current).owner ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/** The scripts as client methods: ioredis sends EVALSHA and falls back to EVAL when the server lacks the script. */
interface Scripts {
  fcdbPutIfAbsent(key: string, value: string, ttlMs: number, leaseMs: string): Promise<[string, string]>;
  fcdbCompareAndSet(key: string, owner: string, value: string, ttlMs: number, leaseMs: string, ifLapsed: string): Promise<number>;
  fcdbDeleteIfOwner(key: string, owner: string): Promise<number>;
}
type ScriptedClient = Redis & Scripts;

export class RedisStore implements IdempotencyStore {
  private readonly options: RedisStoreOptions;
  readonly keyPrefix: string;
  private readonly connectTimeoutMs: number;
  /** host:port for messages; the URL itself may carry a password. */
  private readonly where: string;
  private client?: ScriptedClient;
  private connecting?: Promise<ScriptedClient>;
  /** ioredis reports why a connection failed as an 'error' event; kept as the cause of the failure. */
  private lastError?: unknown;

  constructor(options: RedisStoreOptions) {
    if (!options.url && !options.client) throw new TypeError('RedisStore needs a url or a client');
    this.options = options;
    this.keyPrefix = options.keyPrefix ?? defaults.keyPrefix;
    this.connectTimeoutMs = options.connectTimeoutMs ?? defaults.connectTimeoutMs;
    this.where = `Redis at ${addressOf(options)}`;
  }

  putIfAbsent(record: IdempotencyRecord, ttlMs: number, o: Pick<WriteOptions, 'leaseMs'> = {}): Promise<PutResult> {
    return this.run('putIfAbsent', async (c): Promise<PutResult> => {
      const [now, existing] = await c.fcdbPutIfAbsent(this.keyOf(record.key), JSON.stringify(record), ttl(ttlMs), lease(o.leaseMs));
      return existing === '' ? { ok: true } : { ok: false, existing: JSON.parse(existing) as IdempotencyRecord, now: Number(now) };
    });
  }

  compareAndSet(expectedOwner: string, record: IdempotencyRecord, ttlMs: number, o: WriteOptions = {}): Promise<boolean> {
    return this.run(
      'compareAndSet',
      async (c) =>
        (await c.fcdbCompareAndSet(this.keyOf(record.key), expectedOwner, JSON.stringify(record), ttl(ttlMs), lease(o.leaseMs), o.ifLapsed ? '1' : '')) === 1,
    );
  }

  deleteIfOwner(key: string, expectedOwner: string): Promise<boolean> {
    return this.run('deleteIfOwner', async (c) => (await c.fcdbDeleteIfOwner(this.keyOf(key), expectedOwner)) === 1);
  }

  get(key: string): Promise<IdempotencyRecord | undefined> {
    return this.run('get', async (c) => {
      const value = await c.get(this.keyOf(key));
      return value === null ? undefined : (JSON.parse(value) as IdempotencyRecord);
    });
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client || this.options.client) return;
    // quit() waits for pending replies; a client that is not connected has nothing to wait for.
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  }

  private keyOf(key: string): string {
    return `${this.keyPrefix}${key}`;
  }

  /** Runs `fn` on this store's connection, failures refused as storeUnavailable: the history's indexes share it. */
  command<T>(op: string, fn: (client: Redis) => Promise<T>): Promise<T> {
    return this.run(op, fn);
  }

  /** Every failure — connection, timeout, script or reply — refuses the operation as storeUnavailable. */
  private async run<T>(op: string, fn: (client: ScriptedClient) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.connection());
    } catch (e) {
      throw storeUnavailable(op, e, this.where);
    }
  }

  private connection(): Promise<ScriptedClient> {
    if (this.client?.status === 'ready') return Promise.resolve(this.client);
    // Concurrent first calls share one connection attempt.
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<ScriptedClient> {
    const client = (this.client ??= withScripts(this.options.client ?? (await this.newClient())));
    if (client.status === 'ready') return client;
    this.lastError = undefined;
    // A client ended by an outage is connected again on demand: a warm instance recovers once Redis is back.
    const ready = client.status === 'wait' || client.status === 'end' ? client.connect() : once(client, 'ready');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no Redis connection within ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
    });
    try {
      await Promise.race([ready, timeout]);
      if (this.options.onRisk) void riskySettings(client).then((w) => w.forEach((m) => this.options.onRisk?.(m)));
      return client;
    } catch (e) {
      if (!this.options.client) client.disconnect();
      throw this.lastError ?? e;
    } finally {
      clearTimeout(timer);
    }
  }

  private async newClient(): Promise<Redis> {
    const { default: RedisClient } = await import('ioredis');
    const options: RedisOptions = {
      lazyConnect: true,
      // Fail fast instead of queueing or retrying: the engine must refuse (storeUnavailable), never wait or guess.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      connectTimeout: this.connectTimeoutMs,
      commandTimeout: this.options.commandTimeoutMs ?? defaults.commandTimeoutMs,
      // One round trip fewer on a cold start.
      disableClientInfo: true,
    };
    const client = new RedisClient(this.options.url as string, options);
    client.on('error', (e: unknown) => {
      this.lastError = e;
    });
    return client;
  }
}

/**
 * What the guarantee needs of Redis (README "How exactly-once works"): records never evicted, and persisted. Read with
 * CONFIG GET, off the request path; a server that does not allow CONFIG (managed Redis often renames it) says nothing.
 */
export async function riskySettings(client: Redis): Promise<string[]> {
  const get = async (name: string): Promise<string | undefined> => {
    try {
      const reply = (await client.config('GET', name)) as unknown as string[];
      return reply[1];
    } catch {
      return undefined;
    }
  };
  const [policy, aof] = await Promise.all([get('maxmemory-policy'), get('appendonly')]);
  const out: string[] = [];
  if (policy !== undefined && policy !== 'noeviction') {
    out.push(`Redis maxmemory-policy is ${policy}: under memory pressure it may evict idempotency records, and a lost record can mean a second backup. Set noeviction.`);
  }
  if (aof === 'no') {
    out.push('Redis appendonly is no: a restart loses the records written since the last RDB snapshot, and a lost record can mean a second backup. Set appendonly yes (appendfsync everysec or always).');
  }
  return out;
}

function withScripts(client: Redis): ScriptedClient {
  client.defineCommand('fcdbPutIfAbsent', { numberOfKeys: 1, lua: putIfAbsentLua });
  client.defineCommand('fcdbCompareAndSet', { numberOfKeys: 1, lua: compareAndSetLua });
  client.defineCommand('fcdbDeleteIfOwner', { numberOfKeys: 1, lua: deleteIfOwnerLua });
  return client as ScriptedClient;
}

function addressOf(o: RedisStoreOptions): string {
  if (o.client) return `${o.client.options.host ?? 'localhost'}:${o.client.options.port ?? 6379}`;
  try {
    const u = new URL(o.url as string);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'an unparsable URL';
  }
}

/** PX takes a positive integer. */
const ttl = (ms: number): number => Math.max(1, Math.ceil(ms));
const lease = (ms: number | undefined): string => (ms === undefined ? '' : String(Math.max(1, Math.ceil(ms))));
