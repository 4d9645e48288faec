// The history's indexes as Redis sorted sets, on the idempotency store's own connection.
import type { Redis } from 'ioredis';
import type { IndexEntry, IndexOp, RangeOptions, SortedIndex } from './sorted-index';

/** What the index needs of the store: its connection, with failures mapped to storeUnavailable. */
export interface RedisConnection {
  keyPrefix: string;
  command<T>(op: string, fn: (client: Redis) => Promise<T>): Promise<T>;
}

export class RedisIndex implements SortedIndex {
  constructor(private readonly redis: RedisConnection) {}

  apply(ops: readonly IndexOp[], ttlMs: number): Promise<void> {
    if (ops.length === 0) return Promise.resolve();
    return this.redis.command('history index write', async (c) => {
      const multi = c.multi();
      const touched = new Set<string>();
      for (const o of ops) {
        const key = this.keyOf(o.index);
        if (o.op === 'add') {
          if (o.keepHigher) multi.zadd(key, 'GT', o.score, o.member);
          else multi.zadd(key, o.score, o.member);
        }
        else if (o.op === 'remove') multi.zrem(key, o.member);
        else multi.zremrangebyscore(key, '-inf', `(${o.below}`);
        touched.add(key);
      }
      for (const key of touched) multi.pexpire(key, Math.max(1, Math.ceil(ttlMs)));
      const replies = await multi.exec();
      const failed = replies?.find(([e]) => e);
      if (!replies || failed) throw failed?.[0] ?? new Error('MULTI aborted');
    });
  }

  range(index: string, o: RangeOptions = {}): Promise<IndexEntry[]> {
    return this.redis.command('history index read', async (c) => {
      const min = o.min === undefined ? '-inf' : String(o.min);
      const max = o.max === undefined ? '+inf' : String(o.max);
      const key = this.keyOf(index);
      const [from, to] = o.reverse ? [max, min] : [min, max];
      const read = o.reverse ? c.zrevrangebyscore.bind(c) : c.zrangebyscore.bind(c);
      const flat = o.limit === undefined ? await read(key, from, to, 'WITHSCORES') : await read(key, from, to, 'WITHSCORES', 'LIMIT', 0, o.limit);
      const out: IndexEntry[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ member: flat[i] as string, score: Number(flat[i + 1]) });
      return out;
    });
  }

  count(index: string): Promise<number> {
    return this.redis.command('history index read', (c) => c.zcard(this.keyOf(index)));
  }

  private keyOf(index: string): string {
    return `${this.redis.keyPrefix}hist:${index}`;
  }
}
