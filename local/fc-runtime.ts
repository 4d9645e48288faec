// Runs a built bundle the way FC 3.0's Node.js runtime does: a Buffer event and an FC-shaped context. Used by the
// local stack's HTTP gateway and scheduler, the local cloud's FC invoke endpoint and the CLI's `invoke`.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FcContext } from '../shared/fc/events';

export type FcHandler = (event: Buffer, context: FcContext) => Promise<unknown>;

export interface RuntimeOptions {
  /** Folder holding <function>/index.js; default ./dist. */
  distDir?: string;
  region?: string;
  accountId?: string;
  credentials?: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
  timeoutSec?: number;
}

const cache = new Map<string, FcHandler>();

export function loadHandler(name: string, distDir = resolve('dist')): FcHandler {
  const file = join(distDir, name, 'index.js');
  const cached = cache.get(file);
  if (cached) return cached;
  if (!existsSync(file)) throw new Error(`No bundle at ${file}: run \`npm run build\` first (functions: ${name}).`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(file) as { handler?: FcHandler };
  if (typeof mod.handler !== 'function') throw new Error(`${file} exports no handler`);
  cache.set(file, mod.handler);
  return mod.handler;
}

export function fcContext(name: string, o: RuntimeOptions = {}): FcContext {
  return {
    requestId: `local-${randomUUID()}`,
    region: o.region ?? 'cn-hangzhou',
    accountId: o.accountId ?? '1234567890',
    credentials: o.credentials ?? null,
    function: { name, handler: 'index.handler', memory: 256, timeout: o.timeoutSec ?? 60 },
  };
}

export function invokeBundle(name: string, event: Buffer, o: RuntimeOptions = {}): Promise<unknown> {
  return loadHandler(name, o.distDir)(event, fcContext(name, o));
}
