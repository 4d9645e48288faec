// The tests need a real Redis. When none answers where they look (TEST_REDIS_URL, else 127.0.0.1:6379), the global
// setup starts a private redis-server from PATH on a free loopback port and points TEST_REDIS_URL at it; test files
// (forked workers, and the processes they spawn) inherit that variable. `.ci/run` still starts one itself.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './wait';

export const defaultRedisUrl = 'redis://127.0.0.1:6379';
export const installHint =
  'No Redis answers on 127.0.0.1:6379 and redis-server is not on PATH: install it (apt-get install redis-server, or brew install redis), or set TEST_REDIS_URL.';

/** True when a Redis server answers PING at `url` within `timeoutMs`. */
export function redisAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: u.hostname, port: Number(u.port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // +PONG, or -NOAUTH from a server that wants a password: either way a Redis is there.
    socket.once('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
  });
}

/** The executable's path when `name` is on `pathEnv`, else undefined. */
export function onPath(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  for (const dir of pathEnv.split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export interface TestRedis {
  url: string;
  /** Set when this process started the server; stop() ends it. */
  child?: ChildProcess;
  stop(): Promise<void>;
}

export interface EnsureRedisOptions {
  /** TEST_REDIS_URL: when set, this Redis or an error, never another. */
  url?: string;
  /** Where a Redis is looked for when `url` is not set; default 127.0.0.1:6379. */
  probe?: string;
  pathEnv?: string;
}

/**
 * A Redis for the tests: the one at `url` (TEST_REDIS_URL) if set, else the one at `probe` if it answers, else a
 * private redis-server started from PATH. Throws an Error whose message is the one-line install hint when there is
 * neither.
 */
export async function ensureRedis({ url, probe = defaultRedisUrl, pathEnv = process.env.PATH ?? '' }: EnsureRedisOptions = {}): Promise<TestRedis> {
  if (await redisAnswers(url ?? probe)) return { url: url ?? probe, stop: async () => undefined };
  // A Redis named on purpose is not silently replaced by another.
  if (url !== undefined) throw new Error(`No Redis answers at TEST_REDIS_URL (${url.replace(/\/\/[^/@]*@/, '//***@')}).`);
  const binary = onPath('redis-server', pathEnv);
  if (!binary) throw new Error(installHint);
  const port = await freePort();
  // No persistence, loopback only: a scratch server that leaves nothing behind.
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()], { stdio: 'ignore' });
  const own = `redis://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  for (let i = 0; i < 100; i++) {
    if (await redisAnswers(own, 200)) return { url: own, child, stop };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`redis-server (${binary}) did not answer on 127.0.0.1:${port} within 5 s.`);
}
