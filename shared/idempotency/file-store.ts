// Idempotency records without a server (local stack, CLI, a single instance): one JSON file per key. Every
// conditional write runs under a per-key lock file taken by exclusive create, so it is atomic across processes.
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { storeUnavailable } from '../errors';
import { sha256Hex } from './key';
import type { IdempotencyRecord, IdempotencyStore, PutResult } from './store';

export interface FileStoreOptions {
  /** Directory of the record files, created on first write. The directory is the namespace: no key prefix. */
  dir: string;
  /** A lock file older than this was left by a crashed process and is broken. Wall clock (file mtimes). */
  lockStaleMs?: number;
  /** Clock of the records' ttl. */
  now?: () => number;
}

const defaults = { lockStaleMs: 10_000, now: Date.now };

/** The content of a record file: the ttl travels with the record. */
interface StoredRecord {
  record: IdempotencyRecord;
  expiresAt: number;
}

export class FileStore implements IdempotencyStore {
  private readonly dir: string;
  private readonly lockStaleMs: number;
  private readonly now: () => number;

  constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    this.lockStaleMs = options.lockStaleMs ?? defaults.lockStaleMs;
    this.now = options.now ?? defaults.now;
  }

  putIfAbsent(record: IdempotencyRecord, ttlMs: number): Promise<PutResult> {
    return this.locked('putIfAbsent', record.key, async (file): Promise<PutResult> => {
      const existing = await this.readLive(file);
      if (existing) return { ok: false, existing };
      await this.write(file, record, ttlMs);
      return { ok: true };
    });
  }

  compareAndSet(expectedOwner: string, record: IdempotencyRecord, ttlMs: number): Promise<boolean> {
    return this.locked('compareAndSet', record.key, async (file) => {
      if ((await this.readLive(file))?.owner !== expectedOwner) return false;
      await this.write(file, record, ttlMs);
      return true;
    });
  }

  deleteIfOwner(key: string, expectedOwner: string): Promise<boolean> {
    return this.locked('deleteIfOwner', key, async (file) => {
      if ((await this.readLive(file))?.owner !== expectedOwner) return false;
      await unlink(file);
      return true;
    });
  }

  /** No lock: writes are renames, so a reader sees either the whole old file or the whole new one. */
  async get(key: string): Promise<IdempotencyRecord | undefined> {
    try {
      return await this.readLive(`${this.pathOf(key)}.json`);
    } catch (e) {
      throw storeUnavailable('get', e);
    }
  }

  /** Nothing is held between calls. */
  async close(): Promise<void> {}

  /** The key hashed: any key (slashes, `..`, any length) is a safe file name. Add `.json` or `.lock`. */
  private pathOf(key: string): string {
    return join(this.dir, sha256Hex(key));
  }

  /** An expired record counts as absent; putIfAbsent overwrites it. */
  private async readLive(file: string): Promise<IdempotencyRecord | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return undefined;
      throw e;
    }
    const stored = JSON.parse(text) as StoredRecord;
    return stored.expiresAt > this.now() ? stored.record : undefined;
  }

  /** Write a temporary file, flush it, rename it over the record: a crash leaves the old record or the new one. */
  private async write(file: string, record: IdempotencyRecord, ttlMs: number): Promise<void> {
    const stored: StoredRecord = { record, expiresAt: this.now() + ttlMs };
    const tmp = `${file}.${randomUUID()}.tmp`;
    try {
      const handle = await open(tmp, 'wx');
      try {
        await handle.writeFile(JSON.stringify(stored));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
  }

  private async locked<T>(op: string, key: string, fn: (file: string) => Promise<T>): Promise<T> {
    const path = this.pathOf(key);
    let release: (() => Promise<void>) | undefined;
    try {
      release = await this.lock(`${path}.lock`);
      return await fn(`${path}.json`);
    } catch (e) {
      throw storeUnavailable(op, e);
    } finally {
      // The operation's outcome stands even if the unlock fails: the lock then goes stale and is broken.
      await release?.().catch(() => undefined);
    }
  }

  private async lock(lockPath: string): Promise<() => Promise<void>> {
    // Past this, even a crashed holder's lock would have been broken: something else is wrong (clock skew).
    const giveUpAt = Date.now() + 2 * this.lockStaleMs;
    for (let pauseMs = 1; ; pauseMs = Math.min(pauseMs * 2, 50)) {
      if (Date.now() > giveUpAt) throw new Error(`could not take the lock ${lockPath} within ${2 * this.lockStaleMs} ms`);
      try {
        const handle = await open(lockPath, 'wx');
        const mine = await handle.stat().finally(() => handle.close());
        return () => unlockIfMine(lockPath, mine.ino, mine.mtimeMs);
      } catch (e) {
        if (errorCode(e) === 'ENOENT') {
          await mkdir(this.dir, { recursive: true });
          continue;
        }
        if (errorCode(e) !== 'EEXIST') throw e;
      }
      if (await breakIfStale(lockPath, this.lockStaleMs)) continue;
      await sleep(pauseMs * (1 + Math.random()));
    }
  }
}

/** Only remove the lock we took: if ours was broken as stale meanwhile, the file now belongs to another process. */
async function unlockIfMine(lockPath: string, ino: number, mtimeMs: number): Promise<void> {
  const now = await stat(lockPath);
  if (now.ino === ino && now.mtimeMs === mtimeMs) await unlink(lockPath);
}

/**
 * Breaks the lock if it is older than `staleMs`; true when the caller should try to take it again at once.
 * Rename, not unlink: of several processes breaking the same stale lock only one moves it away, and the one
 * that did checks that the file it moved is still stale — if a fresh lock was taken between its stat and its
 * rename, it links that lock back. Remaining race: a third process that takes the lock in the microseconds the
 * fresh lock is away makes the link-back fail, and then two processes hold the lock; that needs a crash, then
 * two breakers interleaving within that window. A holder paused longer than `staleMs` also loses its lock.
 */
async function breakIfStale(lockPath: string, staleMs: number): Promise<boolean> {
  const seen = await statIfExists(lockPath);
  if (!seen) return true;
  if (Date.now() - seen.mtimeMs < staleMs) return false;
  const moved = `${lockPath}.${randomUUID()}.stale`;
  try {
    await rename(lockPath, moved);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return true;
    throw e;
  }
  if (Date.now() - (await stat(moved)).mtimeMs < staleMs) await link(moved, lockPath).catch(() => undefined);
  await unlink(moved);
  return true;
}

async function statIfExists(path: string) {
  try {
    return await stat(path);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

const errorCode = (e: unknown): unknown => (e as NodeJS.ErrnoException | undefined)?.code;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
