// A TCP proxy in front of the real Redis that a test can break in the ways a network does: cut() stops listening
// (the port refuses connections, as a closed port does) and severs every proxied connection; open() listens on the
// same port again; loseReplyTo(marker) lets the next command that names `marker` reach Redis, swallows its reply and
// drops the connection — the command took effect, the client cannot know.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { REDIS_URL } from '../../helpers/redis';

export interface RedisProxy {
  port: number;
  /** redis://127.0.0.1:<port>: what IDEMPOTENCY_STORE points at. */
  url: string;
  isOpen(): boolean;
  open(): Promise<void>;
  cut(): Promise<void>;
  /** Arms a lost reply; resolves when it has happened. */
  loseReplyTo(marker: string): Promise<void>;
  close(): Promise<void>;
}

const upstream = new URL(REDIS_URL);

/**
 * A port below the ephemeral range: a port left closed there cannot be taken meanwhile by the local end of some
 * outgoing connection, so it can be listened on again later.
 */
async function reservePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const probe = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (ok) {
      await new Promise<void>((r) => probe.close(() => r()));
      return port;
    }
  }
}

/** `closed: true` starts with nothing listening on the port. */
export async function startRedisProxy(o: { closed?: boolean } = {}): Promise<RedisProxy> {
  const port = await reservePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let lose: { marker: string; done: () => void } | undefined;

  const pair = (client: Socket) => {
    const up = connect(Number(upstream.port || 6379), upstream.hostname);
    for (const sock of [client, up]) {
      sockets.add(sock);
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => undefined);
    }
    let swallowNextReply = false;
    client.on('close', () => (swallowNextReply ? up.end() : up.destroy()));
    up.on('close', () => client.destroy());
    client.on('data', (chunk: Buffer) => {
      if (lose && chunk.includes(lose.marker)) swallowNextReply = true;
      up.write(chunk);
    });
    up.on('data', (chunk: Buffer) => {
      // NOSCRIPT means the command did not run (the client resends it as EVAL): let that one through.
      if (swallowNextReply && lose && !chunk.toString('latin1').startsWith('-NOSCRIPT')) {
        const done = lose.done;
        lose = undefined;
        client.destroy();
        done();
        return;
      }
      client.write(chunk);
    });
  };

  const open = async () => {
    if (server) return;
    const s = createServer(pair);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    server = s;
  };

  const cut = async () => {
    const s = server;
    server = undefined;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };

  if (!o.closed) await open();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    isOpen: () => server !== undefined,
    open,
    cut,
    loseReplyTo: (marker) => new Promise<void>((done) => (lose = { marker, done })),
    close: cut,
  };
}
