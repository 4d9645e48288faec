// Idempotency records without a server (local stack, CLI, a single instance): one JSON file per key.
// A new record is created with link(2) — atomic "create if absent, with its full content" — so the common claim
// takes no lock; every other conditional write runs under a per-key lock file taken by exclusive create. Both are
// atomic across processes.
//
// The file calls are synchronous: each is a few microseconds on a local disk, far less than a trip through
// libuv's thread pool, and it is the store's whole cost per backup (bench/results.md). There is no fsync: a rename
// or link survives a process crash, and FC's /tmp does not outlive the instance whose crash fsync would cover.
import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { storeUnavailable } from '../errors';
import { sha256Hex } from './key';
import type { IdempotencyRecord, IdempotencyStore, PutResult, WriteOptions } from './store';

export interface FileStoreOptions {
  /** Directory of the record files, created on first write. The directory is the namespace: no key prefix. */
  dir: string;
  /** A lock file older than this was left by a crashed process and is broken. Wall clock (file mtimes). */
  lockStaleMs?: number;
  /** Clock of the records' ttl and of every lease: the one clock all processes on this machine share. */
  now?: () => number;
}

// The clock is read at call time, so a clock faked after this module loaded is still seen.
const defaults = { lockStaleMs: 10_000, now: (): number => Date.now() };

/** The content of a record file: the ttl travels with the record. */
interface StoredRecord {
  record: IdempotencyRecord;
  expiresAt: number;
}

export class FileStore implements IdempotencyStore {
  /** Also where the history keeps its indexes (shared/history/file-index.ts). */
  readonly dir: string;
  private readonly lockStaleMs: number;
  private readonly now: () => number;

  constructor(options: FileStoreOptions) {
    this.dir = options.dir;
    this.lockStaleMs = options.lockStaleMs ?? defaults.lockStaleMs;
    this.now = options.now ?? defaults.now;
  }

  async putIfAbsent(record: IdempotencyRecord, ttlMs: number, o: Pick<WriteOptions, 'leaseMs'> = {}): Promise<PutResult> {
    const leased = this.leased(record, o.leaseMs);
    // Fast path, no lock: only a lock holder ever replaces or deletes an existing file, and link never does.
    try {
      if (this.create(`${this.pathOf(record.key)}.json`, leased, ttlMs)) return { ok: true };
    } catch (e) {
      throw storeUnavailable('putIfAbsent', e);
    }
    return this.locked('putIfAbsent', record.key, async (file): Promise<PutResult> => {
      const existing = this.readLive(file);
      if (existing) return { ok: false, existing, now: this.now() };
      // Expired (replace it) or deleted meanwhile (create it; a racing fast path may win, then report it).
      if (this.exists(file)) this.replace(file, leased, ttlMs);
      else if (!this.create(file, leased, ttlMs)) return { ok: false, existing: this.readLive(file) as IdempotencyRecord, now: this.now() };
      return { ok: true };
    });
  }

  compareAndSet(expectedOwner: string, record: IdempotencyRecord, ttlMs: number, o: WriteOptions = {}): Promise<boolean> {
    return this.locked('compareAndSet', record.key, async (file) => {
      const current = this.readLive(file);
      if (current?.owner !== expectedOwner) return false;
      if (o.ifLapsed && !(current.status === 'ambiguous' || (current.status === 'in_progress' && current.leaseExpiresAt <= this.now()))) return false;
      this.replace(file, this.leased(record, o.leaseMs), ttlMs);
      return true;
    });
  }

  private leased(record: IdempotencyRecord, leaseMs: number | undefined): IdempotencyRecord {
    return leaseMs === undefined ? record : { ...record, leaseExpiresAt: this.now() + leaseMs };
  }

  deleteIfOwner(key: string, expectedOwner: string): Promise<boolean> {
    return this.locked('deleteIfOwner', key, async (file) => {
      if (this.readLive(file)?.owner !== expectedOwner) return false;
      unlinkSync(file);
      return true;
    });
  }

  /** No lock: writes are renames, so a reader sees either the whole old file or the whole new one. */
  async get(key: string): Promise<IdempotencyRecord | undefined> {
    try {
      return this.readLive(`${this.pathOf(key)}.json`);
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
  private readLive(file: string): IdempotencyRecord | undefined {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return undefined;
      throw e;
    }
    const stored = JSON.parse(text) as StoredRecord;
    return stored.expiresAt > this.now() ? stored.record : undefined;
  }

  private exists(file: string): boolean {
    return statIfExists(file) !== undefined;
  }

  /** The record's full content in a temporary file of its own; the caller links or renames it into place. */
  private stage(file: string, record: IdempotencyRecord, ttlMs: number): string {
    const stored: StoredRecord = { record, expiresAt: this.now() + ttlMs };
    const tmp = `${file}.${randomUUID()}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(stored), { flag: 'wx' });
    } catch (e) {
      if (errorCode(e) !== 'ENOENT') throw e;
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(tmp, JSON.stringify(stored), { flag: 'wx' });
    }
    return tmp;
  }

  /** Creates the record unless a file is there; false when one was. */
  private create(file: string, record: IdempotencyRecord, ttlMs: number): boolean {
    const tmp = this.stage(file, record, ttlMs);
    try {
      linkSync(tmp, file);
      return true;
    } catch (e) {
      if (errorCode(e) === 'EEXIST') return false;
      throw e;
    } finally {
      unlinkSync(tmp);
    }
  }

  /** Replaces the record: a crash leaves the old record or the new one, never half of one. */
  private replace(file: string, record: IdempotencyRecord, ttlMs: number): void {
    const tmp = this.stage(file, record, ttlMs);
    try {
      renameSync(tmp, file);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // nothing to clean
      }
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
        const fd = openSync(lockPath, 'wx');
        let mine;
        try {
          mine = fstatSync(fd);
        } finally {
          closeSync(fd);
        }
        const { ino, mtimeMs } = mine;
        return async () => unlockIfMine(lockPath, ino, mtimeMs);
      } catch (e) {
        if (errorCode(e) === 'ENOENT') {
          mkdirSync(this.dir, { recursive: true });
          continue;
        }
        if (errorCode(e) !== 'EEXIST') throw e;
      }
      if (breakIfStale(lockPath, this.lockStaleMs)) continue;
      await sleep(pauseMs * (1 + Math.random()));
    }
  }
}

/** Only remove the lock we took: if ours was broken as stale meanwhile, the file now belongs to another process. */
function unlockIfMine(lockPath: string, ino: number, mtimeMs: number): void {
  const now = statSync(lockPath);
  if (now.ino === ino && now.mtimeMs === mtimeMs) unlinkSync(lockPath);
}

/**
 * Breaks the lock if it is older than `staleMs`; true when the caller should try to take it again at once.
 * Rename, not unlink: of several processes breaking the same stale lock only one moves it away, and the one
 * that did checks that the file it moved is still stale — if a fresh lock was taken between its stat and its
 * rename, it links that lock back. Remaining race: a third process that takes the lock in the microseconds the
 * fresh lock is away makes the link-back fail, and then two processes hold the lock; that needs a crash, then
 * two breakers interleaving within that window. A holder paused longer than `staleMs` also loses its lock.
 */
function breakIfStale(lockPath: string, staleMs: number): boolean {
  const seen = statIfExists(lockPath);
  if (!seen) return true;
  if (Date.now() - seen.mtimeMs < staleMs) return false;
  const moved = `${lockPath}.${randomUUID()}.stale`;
  try {
    renameSync(lockPath, moved);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return true;
    throw e;
  }
  if (Date.now() - statSync(moved).mtimeMs < staleMs) {
    try {
      linkSync(moved, lockPath);
    } catch {
      // Someone took the lock meanwhile: theirs stands.
    }
  }
  unlinkSync(moved);
  return true;
}

function statIfExists(path: string) {
  try {
    return statSync(path);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

const errorCode = (e: unknown): unknown => (e as NodeJS.ErrnoException | undefined)?.code;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
