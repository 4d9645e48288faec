// The idempotency store contract, run against both backends over real files and a real Redis; then what only
// one backend can get wrong: the file lock across processes and stale locks, Redis being down or hung.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError } from '../../../shared/errors';
import { FileStore } from '../../../shared/idempotency/file-store';
import { sha256Hex } from '../../../shared/idempotency/key';
import { RedisStore } from '../../../shared/idempotency/redis-store';
import type { IdempotencyRecord, IdempotencyStore } from '../../../shared/idempotency/store';
import { createStore, runsInFc } from '../../../shared/idempotency/store-factory';
import { cleanupPrefix, REDIS_URL, runPrefix } from '../../helpers/redis';
import { rejection } from '../../helpers/errors';

const redisPrefix = runPrefix('stores');
let dir: string;
/** Bundles for child processes: under node_modules so a bundle that leaves ioredis external still resolves it. */
let bundleDir: string;
/** The file store's clock runs this far ahead of the wall clock: ttl tests move it instead of sleeping. */
let clockOffsetMs = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fcdb-stores-'));
  mkdirSync(join('node_modules', '.cache'), { recursive: true });
  bundleDir = mkdtempSync(join(process.cwd(), 'node_modules', '.cache', 'fcdb-stores-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(bundleDir, { recursive: true, force: true });
  await cleanupPrefix(redisPrefix);
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const newKey = () => `k-${randomUUID()}`;
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 100 && !cond(); i++) await sleep(10);
};
const record = (key: string, owner: string, extra: Partial<IdempotencyRecord> = {}): IdempotencyRecord => ({
  key,
  payloadHash: 'hash-1',
  status: 'in_progress',
  owner,
  claimedAt: '2026-11-23T02:00:00.000Z',
  leaseExpiresAt: 1_800_000_000_000,
  attempts: 1,
  ...extra,
});
const HOUR = 3_600_000;

interface Backend {
  make: () => IdempotencyStore;
  /** Lets `ms` of record time pass. */
  elapse: (ms: number) => Promise<void>;
}

const backends: [string, Backend][] = [
  [
    'file store',
    {
      make: () => new FileStore({ dir, now: () => Date.now() + clockOffsetMs }),
      elapse: async (ms) => {
        clockOffsetMs += ms;
      },
    },
  ],
  ['redis store', { make: () => new RedisStore({ url: REDIS_URL, keyPrefix: redisPrefix }), elapse: sleep }],
];

describe.each(backends)('%s: the store contract', (_name, backend) => {
  let store: IdempotencyStore;
  beforeAll(() => {
    store = backend.make();
  });
  afterAll(() => store.close());

  it('putIfAbsent: the first write wins, a second gets the existing record, get returns it whole', async () => {
    const key = newKey();
    const first = record(key, 'owner-a', { status: 'completed', result: { jobId: 'job-1', nested: { n: 1 } } });
    expect(await store.putIfAbsent(first, HOUR)).toEqual({ ok: true });
    expect(await store.putIfAbsent(record(key, 'owner-b'), HOUR)).toEqual({ ok: false, existing: first, now: expect.any(Number) });
    expect(await store.get(key)).toEqual(first);
    expect(await store.get(newKey())).toBeUndefined();
  });

  it("leases are written on the store's clock: the expiry is the store's now + leaseMs, whatever the writer put", async () => {
    const key = newKey();
    // A writer whose clock is a day behind: its own leaseExpiresAt is ignored.
    expect(await store.putIfAbsent(record(key, 'owner-a', { leaseExpiresAt: 1 }), HOUR, { leaseMs: 30_000 })).toEqual({ ok: true });
    const seen = await store.putIfAbsent(record(key, 'owner-b'), HOUR);
    if (seen.ok) throw new Error('expected the existing record');
    const left = seen.existing.leaseExpiresAt - seen.now;
    expect(left).toBeGreaterThan(29_000);
    expect(left).toBeLessThanOrEqual(30_000);
    // A renewal moves it on the same clock; a write without leaseMs keeps the value it is given.
    await backend.elapse(200);
    expect(await store.compareAndSet('owner-a', record(key, 'owner-a', { leaseExpiresAt: 5 }), HOUR, { leaseMs: 30_000 })).toBe(true);
    const renewed = await store.putIfAbsent(record(key, 'owner-b'), HOUR);
    if (renewed.ok) throw new Error('expected the existing record');
    expect(renewed.existing.leaseExpiresAt).toBeGreaterThan(seen.existing.leaseExpiresAt);
    expect(await store.compareAndSet('owner-a', record(key, 'owner-a', { leaseExpiresAt: 7 }), HOUR)).toBe(true);
    expect((await store.get(key))?.leaseExpiresAt).toBe(7);
  });

  it('ifLapsed: a takeover wins only over an ambiguous record or an in-progress one whose lease ran out (store clock)', async () => {
    const key = newKey();
    await store.putIfAbsent(record(key, 'owner-a'), HOUR, { leaseMs: 300 });
    // Still held: the compare-and-set on the owner alone would win; the takeover must not.
    expect(await store.compareAndSet('owner-a', record(key, 'owner-b'), HOUR, { leaseMs: 300, ifLapsed: true })).toBe(false);
    await backend.elapse(450);
    expect(await store.compareAndSet('owner-a', record(key, 'owner-b'), HOUR, { leaseMs: 60_000, ifLapsed: true })).toBe(true);
    expect((await store.get(key))?.owner).toBe('owner-b');
    // Held again by b; ambiguous records are taken over at once, completed ones never.
    expect(await store.compareAndSet('owner-b', record(key, 'owner-c'), HOUR, { ifLapsed: true })).toBe(false);
    await store.compareAndSet('owner-b', record(key, 'owner-b', { status: 'ambiguous', leaseExpiresAt: 0 }), HOUR);
    expect(await store.compareAndSet('owner-b', record(key, 'owner-c'), HOUR, { leaseMs: 60_000, ifLapsed: true })).toBe(true);
    await store.compareAndSet('owner-c', record(key, 'owner-c', { status: 'completed', leaseExpiresAt: 0 }), HOUR);
    expect(await store.compareAndSet('owner-c', record(key, 'owner-d'), HOUR, { ifLapsed: true })).toBe(false);
  });

  it('20 concurrent putIfAbsent on one key: exactly one is ok, every other sees the winner', async () => {
    const key = newKey();
    const owners = Array.from({ length: 20 }, (_, i) => `owner-${i}`);
    const results = await Promise.all(owners.map((o) => store.putIfAbsent(record(key, o), HOUR)));
    const winners = owners.filter((_, i) => results[i]?.ok);
    expect(winners).toHaveLength(1);
    for (const r of results) if (!r.ok) expect(r.existing.owner).toBe(winners[0]);
    expect((await store.get(key))?.owner).toBe(winners[0]);
  });

  it('a record is present until its ttl runs out, then absent to get, compareAndSet and putIfAbsent', async () => {
    const key = newKey();
    await store.putIfAbsent(record(key, 'owner-a'), 300);
    expect((await store.putIfAbsent(record(key, 'owner-b'), HOUR)).ok).toBe(false);
    await backend.elapse(450);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.compareAndSet('owner-a', record(key, 'owner-a', { attempts: 2 }), HOUR)).toBe(false);
    expect(await store.putIfAbsent(record(key, 'owner-c'), HOUR)).toEqual({ ok: true });
    expect((await store.get(key))?.owner).toBe('owner-c');
  });

  it('compareAndSet replaces the record only for its current owner', async () => {
    const key = newKey();
    const claimed = record(key, 'owner-a');
    await store.putIfAbsent(claimed, HOUR);
    expect(await store.compareAndSet('owner-x', record(key, 'owner-x', { status: 'completed' }), HOUR)).toBe(false);
    expect(await store.get(key)).toEqual(claimed);

    const taken = record(key, 'owner-b', { attempts: 2 });
    expect(await store.compareAndSet('owner-a', taken, HOUR)).toBe(true);
    expect(await store.get(key)).toEqual(taken);
    // The old owner lost the record with the takeover.
    expect(await store.compareAndSet('owner-a', record(key, 'owner-a', { status: 'completed' }), HOUR)).toBe(false);
    expect(await store.get(key)).toEqual(taken);
  });

  it('compareAndSet sets the ttl it is given, and creates nothing for a missing key', async () => {
    const key = newKey();
    await store.putIfAbsent(record(key, 'owner-a'), HOUR);
    expect(await store.compareAndSet('owner-a', record(key, 'owner-a', { status: 'completed' }), 300)).toBe(true);
    await backend.elapse(450);
    expect(await store.get(key)).toBeUndefined();

    const missing = newKey();
    expect(await store.compareAndSet('owner-a', record(missing, 'owner-a'), HOUR)).toBe(false);
    expect(await store.get(missing)).toBeUndefined();
  });

  it('deleteIfOwner deletes only for the current owner', async () => {
    const key = newKey();
    await store.putIfAbsent(record(key, 'owner-a'), HOUR);
    expect(await store.deleteIfOwner(key, 'owner-x')).toBe(false);
    expect((await store.get(key))?.owner).toBe('owner-a');
    expect(await store.deleteIfOwner(key, 'owner-a')).toBe(true);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.deleteIfOwner(key, 'owner-a')).toBe(false);
    expect((await store.putIfAbsent(record(key, 'owner-b'), HOUR)).ok).toBe(true);
  });

  it('any key works: slashes, dots, 500 characters', async () => {
    const key = `../../escape/${'x'.repeat(500)}/ключ`;
    const r = record(key, 'owner-a');
    expect(await store.putIfAbsent(r, HOUR)).toEqual({ ok: true });
    expect(await store.get(key)).toEqual(r);
    expect(await store.deleteIfOwner(key, 'owner-a')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// File store: the lock protocol across processes.

const childScript = `
const { FileStore } = require(process.env.BUNDLE);
const store = new FileStore({ dir: process.env.DIR });
const { KEY: key, OWNER: owner } = process.env;
const rec = (o, attempts) => ({ key, payloadHash: 'h', status: 'in_progress', owner: o, claimedAt: '', leaseExpiresAt: 0, attempts });
async function race() {
  const r = await store.putIfAbsent(rec(owner, 1), 3600000);
  return r.ok ? { ok: true } : { ok: false, winner: r.existing.owner };
}
async function count() {
  let done = 0;
  for (let tries = 0; done < Number(process.env.ROUNDS); tries++) {
    const cur = await store.get(key);
    if (await store.compareAndSet(cur.owner, rec(owner + '-' + tries, cur.attempts + 1), 3600000)) done++;
  }
  return { done };
}
process.stdout.write('ready\\n');
process.stdin.once('data', async () => {
  process.stdout.write(JSON.stringify(await (process.env.MODE === 'race' ? race() : count())) + '\\n');
  process.exit(0);
});
`;

/** Starts `n` children, waits until each has loaded the store, then releases them at once; their JSON outputs. */
async function runChildren(n: number, env: (i: number) => Record<string, string>): Promise<unknown[]> {
  const children = Array.from({ length: n }, (_, i) => {
    const child = spawn(process.execPath, ['-e', childScript], { env: { ...process.env, ...env(i) }, stdio: ['pipe', 'pipe', 'pipe'] });
    // Through console, so vitest shows a child's complaint with this test (and only if it fails).
    child.stderr.on('data', (c: Buffer) => console.error(c.toString()));
    return child;
  });
  const lines = children.map((child) => {
    const queue: string[] = [];
    const waiters: ((line: string) => void)[] = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const waiter = waiters.shift();
        if (waiter) waiter(line);
        else queue.push(line);
      }
    });
    return () => new Promise<string>((resolve) => (queue.length > 0 ? resolve(queue.shift() as string) : waiters.push(resolve)));
  });
  await Promise.all(lines.map((next) => next().then((l) => expect(l).toBe('ready'))));
  for (const child of children) child.stdin.write('go\n');
  return Promise.all(lines.map(async (next) => JSON.parse(await next()) as unknown));
}

describe('file store across processes', () => {
  let bundle: string;
  let raceDir: string;
  beforeAll(() => {
    bundle = join(bundleDir, 'file-store.cjs');
    buildSync({ entryPoints: ['shared/idempotency/file-store.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'warning' });
    raceDir = mkdtempSync(join(tmpdir(), 'fcdb-stores-procs-'));
  });
  afterAll(() => rmSync(raceDir, { recursive: true, force: true }));

  it('8 processes race putIfAbsent on one key: exactly one wins, the others see it', async () => {
    const key = newKey();
    const results = (await runChildren(8, (i) => ({ BUNDLE: bundle, DIR: raceDir, KEY: key, OWNER: `proc-${i}`, MODE: 'race' }))) as {
      ok: boolean;
      winner?: string;
    }[];
    const winners = results.flatMap((r, i) => (r.ok ? [`proc-${i}`] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (!r.ok) expect(r.winner).toBe(winners[0]);
  });

  it('8 processes each apply 10 compareAndSet increments: no update is lost', async () => {
    const key = newKey();
    const store = new FileStore({ dir: raceDir });
    await store.putIfAbsent(record(key, 'seed', { attempts: 0 }), HOUR);
    const results = await runChildren(8, (i) => ({ BUNDLE: bundle, DIR: raceDir, KEY: key, OWNER: `proc-${i}`, MODE: 'count', ROUNDS: '10' }));
    expect(results).toEqual(Array.from({ length: 8 }, () => ({ done: 10 })));
    expect((await store.get(key))?.attempts).toBe(80);
  });
});

describe('file store locks', () => {
  const lockOf = (lockDir: string, key: string) => join(lockDir, `${sha256Hex(key)}.lock`);
  const setAge = (path: string, ageMs: number) => {
    const t = new Date(Date.now() - ageMs);
    utimesSync(path, t, t);
  };

  it('a lock left by a crashed process, older than lockStaleMs, is broken', async () => {
    const store = new FileStore({ dir, lockStaleMs: 10_000 });
    const key = newKey();
    writeFileSync(lockOf(dir, key), '');
    setAge(lockOf(dir, key), 11_000);
    const started = Date.now();
    expect(await store.putIfAbsent(record(key, 'owner-a'), HOUR)).toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(1000);
    // Released after use: the next operation does not wait either.
    expect(await store.deleteIfOwner(key, 'owner-a')).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a fresh lock is waited for, not broken', async () => {
    const store = new FileStore({ dir, lockStaleMs: 10_000 });
    const key = newKey();
    // Creating a record takes no lock (link is atomic on its own); every later write does.
    expect(await store.putIfAbsent(record(key, 'owner-a'), HOUR)).toEqual({ ok: true });
    writeFileSync(lockOf(dir, key), '');
    setAge(lockOf(dir, key), 9_000);
    let settled = false;
    const cas = store.compareAndSet('owner-a', record(key, 'owner-b'), HOUR).finally(() => {
      settled = true;
    });
    await sleep(300);
    expect(settled).toBe(false);
    rmSync(lockOf(dir, key));
    expect(await cas).toBe(true);
  });

  it('a lock that never goes stale (mtime in the future) fails as IdempotencyStoreUnavailable, not a hang', async () => {
    const store = new FileStore({ dir, lockStaleMs: 200 });
    const key = newKey();
    await store.putIfAbsent(record(key, 'owner-a'), HOUR);
    writeFileSync(lockOf(dir, key), '');
    setAge(lockOf(dir, key), -HOUR);
    const started = Date.now();
    const e = await rejection(store.compareAndSet('owner-a', record(key, 'owner-b'), HOUR));
    expect(e.code).toBe('IdempotencyStoreUnavailable');
    expect(e.retryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a file-system failure is IdempotencyStoreUnavailable naming the operation', async () => {
    const notADir = join(dir, 'plain-file');
    writeFileSync(notADir, '');
    const store = new FileStore({ dir: notADir });
    const e = await rejection(store.putIfAbsent(record(newKey(), 'owner-a'), HOUR));
    expect(e.code).toBe('IdempotencyStoreUnavailable');
    expect(e.message).toContain('putIfAbsent');
    expect(e.cause).toMatchObject({ code: 'ENOTDIR' });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Redis store: failing fast when Redis cannot answer, recovering when it can again.

/** A TCP server that accepts connections and never answers; counts them. */
async function silentServer(): Promise<{ server: Server; port: number; connections: () => number }> {
  let count = 0;
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    count += 1;
    sockets.push(s);
  });
  server.on('close', () => sockets.forEach((s) => s.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, connections: () => count };
}

/** A TCP proxy to the real Redis that can be cut (an outage) and restored on the same port. */
async function redisProxy() {
  const target = new URL(REDIS_URL);
  let sockets: Socket[] = [];
  let server: Server | undefined;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        sockets.push(client, upstream);
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server?.address() as AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      sockets.forEach((s) => s.destroy());
      sockets = [];
      server?.close(() => resolve());
    });
  await start();
  return { url: () => `redis://127.0.0.1:${port}`, start, stop };
}

describe('redis store: the server settings the guarantee relies on', () => {
  it('at connect, a risky eviction policy or no AOF is reported once, off the request path, naming the fix', async () => {
    const raw = new Redis(REDIS_URL);
    const [, policy] = (await raw.config('GET', 'maxmemory-policy')) as unknown as string[];
    const [, aof] = (await raw.config('GET', 'appendonly')) as unknown as string[];
    raw.disconnect();
    const warnings: string[] = [];
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: redisPrefix, onRisk: (m) => warnings.push(m) });
    await store.get(newKey());
    await store.get(newKey());
    await until(() => warnings.length >= (policy !== 'noeviction' ? 1 : 0) + (aof === 'no' ? 1 : 0));
    await sleep(50);
    expect(warnings.some((m) => /maxmemory-policy is .*Set noeviction/.test(m))).toBe(policy !== 'noeviction');
    expect(warnings.some((m) => /appendonly is no.*Set appendonly yes/.test(m))).toBe(aof === 'no');
    expect(warnings.length, 'once per connection').toBe((policy !== 'noeviction' ? 1 : 0) + (aof === 'no' ? 1 : 0));
    await store.close();
  });
});

describe('redis store when Redis cannot answer', () => {
  it('nothing listening: rejects at once with IdempotencyStoreUnavailable', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', keyPrefix: redisPrefix });
    const started = Date.now();
    const e = await rejection(store.putIfAbsent(record(newKey(), 'owner-a'), HOUR));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(e.code).toBe('IdempotencyStoreUnavailable');
    expect(e.retryable).toBe(true);
    expect(e.cause).toMatchObject({ code: 'ECONNREFUSED' });
    await store.close();
  });

  it('a server that accepts and never answers: no connection before first use, then rejects within the connect timeout', async () => {
    const silent = await silentServer();
    const store = new RedisStore({ url: `redis://127.0.0.1:${silent.port}`, connectTimeoutMs: 500, commandTimeoutMs: 500 });
    await sleep(100);
    expect(silent.connections()).toBe(0);
    const started = Date.now();
    const e = await rejection(store.get(newKey()));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(e.code).toBe('IdempotencyStoreUnavailable');
    expect(silent.connections()).toBe(1);
    await store.close();
    silent.server.close();
  });

  it('an outage after connecting: operations fail fast, and succeed again once Redis is back', async () => {
    const proxy = await redisProxy();
    const store = new RedisStore({ url: proxy.url(), keyPrefix: redisPrefix });
    const key = newKey();
    try {
      expect(await store.putIfAbsent(record(key, 'owner-a'), HOUR)).toEqual({ ok: true });
      await proxy.stop();
      const started = Date.now();
      const e = await rejection(store.compareAndSet('owner-a', record(key, 'owner-b'), HOUR));
      expect(e.code).toBe('IdempotencyStoreUnavailable');
      expect(Date.now() - started).toBeLessThan(5000);
      await proxy.start();
      expect(await store.compareAndSet('owner-a', record(key, 'owner-b'), HOUR)).toBe(true);
    } finally {
      await store.close();
      await proxy.stop();
    }
  });

  it('keeps records under its key prefix with the ttl as a Redis expiry', async () => {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: redisPrefix });
    const raw = new Redis(REDIS_URL);
    const key = newKey();
    try {
      await store.putIfAbsent(record(key, 'owner-a'), 60_000);
      const pttl = await raw.pttl(`${redisPrefix}${key}`);
      expect(pttl).toBeGreaterThan(50_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The factory.

describe('createStore', () => {
  it('chooses the backend from the setting', async () => {
    expect(createStore(REDIS_URL)).toBeInstanceOf(RedisStore);
    expect(createStore('rediss://cache.example:6380')).toBeInstanceOf(RedisStore);
    expect(createStore(undefined)).toBeInstanceOf(FileStore);
    expect(createStore('')).toBeInstanceOf(FileStore);

    // file:<dir> and file:///<dir> both store in that directory.
    const key = newKey();
    const viaPath = createStore(`file:${dir}`);
    await viaPath.putIfAbsent(record(key, 'owner-a'), HOUR);
    expect((await new FileStore({ dir }).get(key))?.owner).toBe('owner-a');
    expect((await createStore(`file://${dir}`).get(key))?.owner).toBe('owner-a');
    // With no directory in the setting, opts.dir is used.
    expect((await createStore('', { dir }).get(key))?.owner).toBe('owner-a');
  });

  it('inside FC (FC_FUNCTION_NAME / FC_INSTANCE_ID set) refuses to run on the unset default, saying why; an explicit file: is allowed', async () => {
    expect(runsInFc({ FC_FUNCTION_NAME: 'scheduled-backup', FC_INSTANCE_ID: 'c-1' })).toBe(true);
    expect(runsInFc({ FC_INSTANCE_ID: 'c-1' })).toBe(true);
    // The CLI and the local stack set FC_ACCOUNT_ID outside FC.
    expect(runsInFc({ FC_ACCOUNT_ID: '123' })).toBe(false);
    const e = await rejection(Promise.resolve().then(() => createStore(undefined, { inFc: true })));
    expect(e).toMatchObject({ code: 'ValidationError', category: 'validation' });
    expect(e.message).toMatch(/IDEMPOTENCY_STORE: \(missing\) — must be set inside Function Compute, to redis:\/\//);
    expect(e.message).toMatch(/two instances would each take a backup/);
    expect(createStore(`file:${dir}`, { inFc: true })).toBeInstanceOf(FileStore);
    expect(createStore(REDIS_URL, { inFc: true })).toBeInstanceOf(RedisStore);
  });

  it('refuses any other setting with a validation error naming IDEMPOTENCY_STORE, without echoing a password', () => {
    for (const bad of ['redis:/localhost', 'memcached://localhost:11211', 'reddis://:s3cret@host:6379']) {
      let thrown: unknown;
      try {
        createStore(bad);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(BackupError);
      const e = thrown as BackupError;
      expect(e.code).toBe('ValidationError');
      expect(e.message).toContain('IDEMPOTENCY_STORE');
      expect(e.message).toContain('redis://');
      expect(e.message).toContain('file:');
      expect(e.message).not.toContain('s3cret');
    }
  });

  it('the file-store path never loads ioredis; the Redis path loads it on first use', async () => {
    const bundle = join(bundleDir, 'store-factory.cjs');
    buildSync({
      entryPoints: ['shared/idempotency/store-factory.ts'],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      external: ['ioredis'],
      outfile: bundle,
      logLevel: 'warning',
    });
    const script = `
      const { createStore } = require(${JSON.stringify(bundle)});
      const loaded = () => Object.keys(require.cache).some((p) => p.includes('/node_modules/ioredis/'));
      (async () => {
        const rec = { key: 'k', payloadHash: 'h', status: 'in_progress', owner: 'o', claimedAt: '', leaseExpiresAt: 0, attempts: 1 };
        const file = createStore(${JSON.stringify(`file:${dir}`)});
        await file.putIfAbsent({ ...rec, key: ${JSON.stringify(newKey())} }, 60000);
        const afterFile = loaded();
        const redis = createStore(${JSON.stringify(REDIS_URL)}, { keyPrefix: ${JSON.stringify(redisPrefix)} });
        const beforeUse = loaded();
        await redis.get('k');
        const afterUse = loaded();
        await redis.close();
        process.stdout.write(JSON.stringify({ afterFile, beforeUse, afterUse }));
      })();
    `;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stderr.on('data', (c: Buffer) => console.error(c.toString()));
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited ${code}`))));
    });
    expect(JSON.parse(out)).toEqual({ afterFile: false, beforeUse: false, afterUse: true });
  });
});
