import { createServer } from 'node:http';

/** A port nothing listens on: bound to port 0 by a throwaway server, then released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Polls `probe` until it returns something truthy, or fails after `ms`. */
export async function until<T>(what: string, ms: number, probe: () => T | undefined | false, everyMs = 50): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
