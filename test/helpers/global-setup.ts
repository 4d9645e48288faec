// Around every test run: a Redis to test against (started here when none answers, see redis-server.ts), and the
// bundles the e2e tests drive, built once before any test file runs.
// (FCDB_SKIP_BUILD=1 skips the build for a quick run of unit tests while the bundles are already built or not needed.)
import { execFileSync } from 'node:child_process';
import { ensureRedis, installHint } from './redis-server';

export default async function setup(): Promise<() => Promise<void>> {
  let redis;
  try {
    redis = await ensureRedis({ url: process.env.TEST_REDIS_URL });
  } catch (e) {
    // One line, not a stack: what is missing and how to get it.
    process.stderr.write(`\n${(e as Error).message === installHint ? installHint : `test setup: ${(e as Error).message}`}\n\n`);
    process.exit(1);
  }
  if (redis.child) process.stderr.write(`test setup: no Redis on 127.0.0.1:6379, started redis-server on ${redis.url} for this run\n`);
  // Forked test workers, and the processes they spawn, inherit it (test/helpers/redis.ts reads it).
  process.env.TEST_REDIS_URL = redis.url;
  if (process.env.FCDB_SKIP_BUILD !== '1') {
    // The bundle sizes are the build's news, not the tests': shown only when the build fails.
    try {
      execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'pipe' });
    } catch (e) {
      const { stdout, stderr } = e as { stdout?: Buffer; stderr?: Buffer };
      process.stderr.write(`${stdout ?? ''}${stderr ?? ''}`);
      throw e;
    }
  }
  return () => redis.stop();
}
