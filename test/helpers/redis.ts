import { randomBytes } from 'node:crypto';

/** The real Redis the tests use; `.ci/run` starts one on loopback when none answers. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix unique to this test run, so runs never see each other's records. */
export const runPrefix = (name: string): string => `fcdb-test:${name}:${Date.now().toString(36)}${randomBytes(3).toString('hex')}:`;

/** Deletes every key a test run wrote under its prefix. */
export async function cleanupPrefix(prefix: string): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
