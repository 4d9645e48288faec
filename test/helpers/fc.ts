// Invoke a built bundle the way FC 3.0 does: a Buffer event and an FC-shaped context.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FcContext } from '../../shared/fc/events';

const requireBundle = createRequire(import.meta.url);
const root = join(__dirname, '..', '..');

export type Handler = (event: Buffer, context: FcContext) => Promise<unknown>;

export function loadBundle(name: string): Handler {
  const mod = requireBundle(join(root, 'dist', name, 'index.js')) as { handler?: Handler };
  if (typeof mod.handler !== 'function') throw new Error(`dist/${name}/index.js exports no handler`);
  return mod.handler;
}

export const stsCredentials = { accessKeyId: 'STS.local', accessKeySecret: 'sts-secret', securityToken: 'sts-token' };

export function fcContext(over: Partial<FcContext> & { timeout?: number; name?: string } = {}): FcContext {
  const { timeout = 60, name = 'scheduled-backup', ...rest } = over;
  return {
    requestId: `req-${randomUUID()}`,
    region: 'cn-hangzhou',
    accountId: '1234567890',
    credentials: stsCredentials,
    function: { name, handler: 'index.handler', memory: 256, timeout },
    ...rest,
  };
}

export const asEvent = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

/** Captures what a bundle writes to stdout (its log lines) while `fn` runs. */
export async function captureStdout<T>(fn: () => Promise<T>): Promise<{ result: T | undefined; error: unknown; lines: string[] }> {
  const lines: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await fn(), error: undefined, lines };
  } catch (error) {
    return { result: undefined, error, lines };
  } finally {
    process.stdout.write = original;
  }
}
