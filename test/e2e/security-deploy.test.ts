// Issue 10, point 4: a captured deploy-gate request, replayed as an attacker would, through the gateway and the built
// deploy-hook bundle against the local cloud. It cannot be replayed (not within the window, not after it), nothing
// outside the signature changes what it does, and `wait` cannot hold the function past its own deadline.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deployHeaders } from '../../shared/http/signatures/http-adapters';
import { asEvent, captureStdout, fcContext, loadBundle } from '../helpers/fc';
import { secrets, startStack, type Stack } from '../helpers/stack';

let stack: Stack;
let url: string;
beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 30_000 });
  url = `${stack.gateway}/deploy-hook`;
});
afterAll(() => stack.close());
beforeEach(() => stack.cloud.reset());

const creates = () => stack.cloud.requests.filter((r) => r.action === 'CreateBackup').length;
const send = async (path: string, body: string, headers: Record<string, string>) => {
  const started = Date.now();
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string; details?: { reason?: string } } }, ms: Date.now() - started };
};
const bodyFor = (deployId: string, extra: Record<string, unknown> = {}) => JSON.stringify({ targets: [{ product: 'polardb', DBClusterId: 'pc-sample1' }], deployId, ...extra });

describe('point 4: a captured deploy request is not a key', () => {
  it('replayed byte for byte within the window → 401 "already received", and no second CreateBackup', async () => {
    const body = bodyFor('replay-1');
    const captured = deployHeaders('POST', '/backups', body, secrets.deploy);
    expect((await send('/backups', body, captured)).status).toBe(202);
    const { result: replay, lines } = await captureStdout(() => send('/backups', body, captured));
    expect(replay?.status).toBe(401);
    expect(replay?.body.error?.details?.reason).toBe('replayed');
    expect(lines.some((l) => l.includes('deploy request refused: replayed'))).toBe(true);
    expect(creates()).toBe(1);
  });

  it('replayed with the hex signature upper-cased or padded with spaces (still a valid signature) → 401 replayed', async () => {
    const body = bodyFor('replay-recased');
    const captured = deployHeaders('POST', '/backups', body, secrets.deploy);
    expect((await send('/backups', body, captured)).status).toBe(202);
    const sig = captured['x-hub-signature-256'] as string;
    for (const variant of [`sha256=${sig.slice(7).toUpperCase()}`, ` ${sig} `]) {
      const r = await send('/backups', body, { ...captured, 'x-hub-signature-256': variant });
      expect(r.status).toBe(401);
      expect(r.body.error?.details?.reason).toBe('replayed');
    }
    expect(creates()).toBe(1);
  });

  it('replayed after 5 minutes → 401 stale, before anything is parsed or called', async () => {
    const body = bodyFor('replay-stale');
    const old = deployHeaders('POST', '/backups', body, secrets.deploy, Date.now() - 301_000);
    const r = await send('/backups', body, old);
    expect(r.status).toBe(401);
    expect(r.body.error?.details?.reason).toBe('stale');
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('?wait=8 added to a captured request changes nothing: the query is refused (400) and the function is not held', async () => {
    const body = bodyFor('replay-wait');
    const captured = deployHeaders('POST', '/backups', body, secrets.deploy);
    const r = await send('/backups?wait=8', body, captured);
    expect(r.status).toBe(400);
    expect(r.body.error?.message).toMatch(/query\.wait: "8" — is not an allowed field/);
    expect(r.ms).toBeLessThan(4_000);
    expect(creates()).toBe(0);
  });

  it('the body\'s own wait is signed: changing it breaks the signature (401)', async () => {
    const body = bodyFor('replay-body-wait', { wait: 0 });
    const captured = deployHeaders('POST', '/backups', body, secrets.deploy);
    expect((await send('/backups', body.replace('"wait":0', '"wait":8'), captured)).status).toBe(401);
    expect(stack.cloud.requests).toHaveLength(0);
  });

  it('a signature for one route is refused on another (the path is signed)', async () => {
    const body = bodyFor('replay-path');
    const forOther = deployHeaders('POST', '/backups/x', body, secrets.deploy);
    expect((await send('/backups', body, forOther)).status).toBe(401);
  });

  it('wait is capped by the function\'s deadline: "wait": 3600 on a 4 s function answers 202 before its timeout', async () => {
    const handler = loadBundle('deploy-hook');
    const body = bodyFor('wait-cap', { wait: 3600 });
    const event = asEvent({
      version: 'v1',
      rawPath: '/backups',
      headers: { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', body, secrets.deploy) },
      queryParameters: {},
      body,
      isBase64Encoded: false,
      requestContext: { requestId: 'wait-cap', http: { method: 'POST', path: '/backups', sourceIp: '203.0.113.5' } },
    });
    const started = Date.now();
    const r = (await handler(event, fcContext({ name: 'deploy-hook', timeout: 4 }))) as { statusCode: number; body: string };
    const took = Date.now() - started;
    expect(r.statusCode).toBe(202);
    expect((JSON.parse(r.body) as { done: boolean }).done).toBe(false);
    // The answer comes back inside the FC timeout, whatever wait asked for.
    expect(took).toBeLessThan(4_000);
  });
});

describe("the README's curl example", () => {
  it('signs a request the gate accepts once (run in a shell, as a reader pastes it)', async () => {
    const { readFileSync } = await import('node:fs');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /Or with curl[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const script = (block as string).replace('http://127.0.0.1:8788/deploy-hook', url);
    // Asynchronously: the gateway answering curl runs in this process.
    const run = async () => JSON.parse((await promisify(execFile)('bash', ['-c', script], { env: { ...process.env, DEPLOY_HOOK_SECRET: secrets.deploy }, timeout: 20_000 })).stdout) as { jobs?: unknown[] };
    expect((await run()).jobs).toHaveLength(1);
    // The same script again signs a new nonce: a new request, the same deployId, so the same job and no second backup.
    expect((await run()).jobs).toHaveLength(1);
    expect(creates()).toBe(1);
  });
});
