import { randomBytes } from 'node:crypto';

/** The real Redis the tests use; `.ci/run` starts one on loopback when none answers. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix unique to this test run, so runs never see each other's records. */
export const runPrefix = (name: string): string => `fcdb-test:${name}:${Date.now().toString(36)}${randomBytes(3).toString('hex')}:`;
