// One FC instance in its own process, so a test can SIGKILL it mid-invocation or give it its own environment
// (IDEMPOTENCY_STORE behind a cuttable proxy). Bundled by instances.ts with esbuild and started with fork():
//   {mode: 'invoke', ...}   runs one invocation of a built bundle and reports what it returned or threw;
//   {mode: 'gateway', ...}  serves an HTTP-triggered bundle behind the local gateway until told to exit.
import type { FcContext } from '../../../shared/fc/events';
import { fcContext, loadHandler } from '../../../local/fc-runtime';
import { startGateway } from '../../../local/stack/http-gateway';

export type ChildRequest =
  | { mode: 'invoke'; distDir: string; bundle: string; event: string; context: FcContext }
  | { mode: 'gateway'; distDir: string; bundle: string; timeoutSec: number; credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string } };

export type ChildReply =
  | { kind: 'returned'; value: unknown }
  | { kind: 'threw'; error: { code?: string; retryable?: boolean; message: string; details?: unknown } }
  | { kind: 'listening'; url: string };

const send = (m: ChildReply) => new Promise<void>((r) => (process.send ? process.send(m, () => r()) : r()));

process.once('message', async (raw) => {
  const m = raw as ChildRequest;
  if (m.mode === 'invoke') {
    let reply: ChildReply;
    try {
      const value = await loadHandler(m.bundle, m.distDir)(Buffer.from(m.event, 'base64'), m.context);
      reply = { kind: 'returned', value };
    } catch (e) {
      const err = e as { code?: string; retryable?: boolean; message?: string; details?: unknown };
      reply = { kind: 'threw', error: { code: err.code, retryable: err.retryable, message: String(err.message ?? e), details: err.details } };
    }
    await send(reply);
    // Idle Redis connections would keep the process alive; an FC instance is frozen here anyway.
    process.exit(0);
  }
  const gateway = await startGateway({
    functions: { [m.bundle]: { handler: loadHandler(m.bundle, m.distDir), context: () => fcContext(m.bundle, { credentials: m.credentials, timeoutSec: m.timeoutSec }) } },
  });
  await send({ kind: 'listening', url: gateway.url });
  process.on('message', (x) => {
    if (x === 'exit') process.exit(0);
  });
});
