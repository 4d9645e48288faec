// The history beside whichever idempotency store is configured: Redis sorted sets on the same connection, or
// index files in the file store's directory.
import { join } from 'node:path';
import { FileStore } from '../idempotency/file-store';
import { RedisStore } from '../idempotency/redis-store';
import type { IdempotencyStore } from '../idempotency/store';
import { FileIndex } from './file-index';
import { History, type HistoryOptions } from './history';
import { RedisIndex } from './redis-index';
import type { SortedIndex } from './sorted-index';

export function indexFor(store: IdempotencyStore): SortedIndex {
  if (store instanceof RedisStore) return new RedisIndex(store);
  if (store instanceof FileStore) return new FileIndex(join(store.dir, 'history-index'));
  throw new TypeError('the history needs the Redis or the file idempotency store');
}

export const historyFor = (store: IdempotencyStore, o: Omit<HistoryOptions, 'store' | 'index'>): History =>
  new History({ ...o, store, index: indexFor(store) });
