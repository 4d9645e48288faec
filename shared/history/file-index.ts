// The history's indexes without a server: one directory per index, one small file per member. Each member is
// written by rename and removed by unlink, so no lock is needed and concurrent writers never lose each other's
// entries. Fine for the local stack and one instance; production runs on Redis.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../idempotency/key';
import type { IndexEntry, IndexOp, RangeOptions, SortedIndex } from './sorted-index';
import { storeUnavailable } from '../errors';

interface StoredEntry extends IndexEntry {
  expiresAt: number;
}

export class FileIndex implements SortedIndex {
  constructor(
    private readonly dir: string,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async apply(ops: readonly IndexOp[], ttlMs: number): Promise<void> {
    try {
      for (const o of ops) {
        const dir = this.dirOf(o.index);
        if (o.op === 'add') {
          const score = o.keepHigher ? Math.max(o.score, this.read(join(dir, sha256Hex(o.member)))?.score ?? o.score) : o.score;
          this.write(dir, { member: o.member, score, expiresAt: this.now() + ttlMs });
        }
        else if (o.op === 'remove') unlinkQuiet(join(dir, sha256Hex(o.member)));
        else for (const e of this.entries(dir)) if (e.score < o.below) unlinkQuiet(join(dir, sha256Hex(e.member)));
      }
    } catch (e) {
      throw storeUnavailable('history index write', e);
    }
  }

  async range(index: string, o: RangeOptions = {}): Promise<IndexEntry[]> {
    let all: StoredEntry[];
    try {
      all = this.entries(this.dirOf(index));
    } catch (e) {
      throw storeUnavailable('history index read', e);
    }
    const picked = all
      .filter((e) => (o.min === undefined || e.score >= o.min) && (o.max === undefined || e.score <= o.max))
      .sort((a, b) => (o.reverse ? b.score - a.score : a.score - b.score) || a.member.localeCompare(b.member))
      .slice(0, o.limit ?? Number.POSITIVE_INFINITY);
    return picked.map(({ member, score }) => ({ member, score }));
  }

  async count(index: string): Promise<number> {
    return (await this.range(index)).length;
  }

  private dirOf(index: string): string {
    return join(this.dir, sha256Hex(index));
  }

  private write(dir: string, entry: StoredEntry): void {
    const file = join(dir, sha256Hex(entry.member));
    const tmp = `${file}.${randomUUID()}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(entry));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dir, { recursive: true });
      writeFileSync(tmp, JSON.stringify(entry));
    }
    renameSync(tmp, file);
  }

  private read(file: string): StoredEntry | undefined {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as StoredEntry;
    } catch (e) {
      // Removed by a concurrent writer between readdir and read.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  /** Live entries; expired ones are removed on the way. */
  private entries(dir: string): StoredEntry[] {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: StoredEntry[] = [];
    for (const name of names) {
      if (name.endsWith('.tmp')) continue;
      const entry = this.read(join(dir, name));
      if (!entry) continue;
      if (entry.expiresAt > this.now()) out.push(entry);
      else unlinkQuiet(join(dir, name));
    }
    return out;
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
