// FC 3.0's InvokeFunction (POST /2023-03-30/functions/{name}/invocations) as the local cloud serves it: checks the
// signature, requires Async with a task id, drops a repeated task id (409), and runs the real built bundle in the
// background with FC's async retry policy (maxAsyncRetryAttempts). See docs/fc-invoke.md for what FC does.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { invokeBundle } from '../fc-runtime';
import { verifyAcs3, type Acs3Failure, type Credential } from './acs3';
import type { Fault, RequestLog } from './faults';
import { answerMessage } from './unconfirmed-codes';

export interface FcOptions {
  credentials: Credential[];
  now: () => number;
  /** Folder with <function>/index.js bundles; default ./dist. */
  distDir?: string;
  /** FC function name → bundle folder; default the name itself (`backup-worker`). */
  functions?: Record<string, string>;
  /** FC's async retries after a failed attempt (default 3, as FC). */
  maxAsyncRetryAttempts?: number;
  /** First delay between attempts, doubled each time (FC: seconds to minutes; locally short). */
  retryDelayMs?: number;
  /** What the functions receive as context.credentials: the function role. Default the STS credential. */
  functionRole?: Credential;
  accountId?: string;
  region?: string;
}

export interface FcTask {
  functionName: string;
  taskId: string;
  requestId: string;
  attempts: number;
  status: 'running' | 'succeeded' | 'failed';
  result?: unknown;
  error?: string;
}

interface Hooks {
  takeFault(action: string, functionName: string): Fault | undefined;
  log(r: RequestLog): void;
}

const INVOKE = /^\/2023-03-30\/functions\/([^/?]+)\/invocations(?:\?.*)?$/;
const TASK_ID = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

// FC spells the gateway errors its own way (docs/fc-invoke.md).
const authError: Record<Acs3Failure, [number, string]> = {
  incomplete: [400, 'MissingRequiredHeader'],
  'unknown-key': [403, 'InvalidAccessKeyID'],
  mismatch: [403, 'SignatureNotMatch'],
  token: [403, 'InvalidSecurityToken.Mismatch'],
  timestamp: [403, 'RequestTimeTooSkewed'],
};

export function startFc(o: FcOptions & Hooks) {
  const distDir = o.distDir ?? resolve('dist');
  const tasks: FcTask[] = [];
  const seen = new Set<string>();
  const pending = new Set<Promise<void>>();
  const role = o.functionRole ?? o.credentials.find((c) => c.securityToken) ?? o.credentials[0];
  const retries = o.maxAsyncRetryAttempts ?? 3;
  const delay = o.retryDelayMs ?? 100;

  const bundleOf = (name: string): string | undefined => {
    const folder = o.functions?.[name] ?? name;
    return existsSync(join(distDir, folder, 'index.js')) ? folder : undefined;
  };

  async function run(task: FcTask, folder: string, event: Buffer): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      task.attempts = attempt + 1;
      try {
        const fault = o.takeFault('InvokeFunction:run', task.functionName);
        if (fault?.kind === 'function-error') throw new Error('injected function error (the instance crashed)');
        task.result = await invokeBundle(folder, event, {
          distDir,
          credentials: role,
          region: o.region ?? 'cn-hangzhou',
          accountId: o.accountId ?? '1234567890',
          timeoutSec: 900,
        });
        task.status = 'succeeded';
        return;
      } catch (e) {
        task.error = (e as Error).message;
        if (attempt >= retries) {
          task.status = 'failed';
          return;
        }
        await new Promise((r) => setTimeout(r, delay * 2 ** attempt));
      }
    }
  }

  /** A synchronous invocation: one run, its answer in the body; a function that threw answers 200 with x-fc-error-type. */
  async function runSync(fn: string, folder: string, event: Buffer, requestId: string, res: ServerResponse): Promise<void> {
    let body: string;
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-fc-request-id': requestId };
    try {
      const result = await invokeBundle(folder, event, { distDir, credentials: role, region: o.region ?? 'cn-hangzhou', accountId: o.accountId ?? '1234567890', timeoutSec: 900 });
      body = JSON.stringify(result ?? null);
    } catch (e) {
      headers['x-fc-error-type'] = 'UnhandledInvocationError';
      body = JSON.stringify({ errorMessage: (e as Error).message, errorType: 'Error' });
    }
    if (res.destroyed) return;
    tasks.push({ functionName: fn, taskId: `sync-${requestId}`, requestId, attempts: 1, status: headers['x-fc-error-type'] ? 'failed' : 'succeeded' });
    res.writeHead(200, headers);
    res.end(body);
  }

  return {
    tasks,
    handles: (url: string) => INVOKE.test(url),
    async invoke(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
      const requestId = `1-${randomUUID()}`;
      const fn = decodeURIComponent(INVOKE.exec(req.url ?? '')?.[1] ?? '');
      const log: RequestLog = { product: 'fc', action: 'InvokeFunction', query: { functionName: fn }, status: 202, at: o.now() };
      o.log(log);
      const fail = (status: number, code: string, message: string) => {
        log.status = status;
        log.code = code;
        res.writeHead(status, { 'content-type': 'application/json', 'x-fc-request-id': requestId });
        res.end(JSON.stringify({ Code: code, Message: answerMessage(code, message), RequestId: requestId }));
      };
      const auth = verifyAcs3({ method: req.method ?? 'POST', url: req.url ?? '', headers: req.headers, body }, o.credentials, o.now());
      if (!auth.ok) {
        const [status, code] = authError[auth.reason];
        return fail(status, code, auth.message);
      }
      log.accessKeyId = auth.accessKeyId;
      log.securityToken = auth.securityToken;
      if (req.headers['x-acs-action'] !== 'InvokeFunction' || req.headers['x-acs-version'] !== '2023-03-30') {
        return fail(400, 'InvalidArgument', 'x-acs-action must be InvokeFunction and x-acs-version 2023-03-30');
      }
      const fault = o.takeFault('InvokeFunction', fn);
      log.fault = fault?.kind;
      if (fault?.kind === 'status') return fail(fault.status ?? 503, fault.code ?? 'ResourceThrottled', 'injected failure');
      if (fault?.kind === 'throttle') return fail(429, 'ResourceExhausted', 'Resources exhausted; the concurrency limit was reached.');
      if (fault?.kind === 'reset') return void req.socket.destroy();

      const folder = bundleOf(fn);
      if (!folder) return fail(404, 'FunctionNotFound', `function '${fn}' does not exist`);
      if (req.headers['x-fc-invocation-type'] === 'Sync') return runSync(fn, folder, body, requestId, res);
      if (req.headers['x-fc-invocation-type'] !== 'Async') return fail(400, 'InvalidArgument', 'x-fc-invocation-type must be Sync or Async');
      const taskId = String(req.headers['x-fc-async-task-id'] ?? '');
      if (!TASK_ID.test(taskId)) return fail(400, 'InvalidArgument', `invalid x-fc-async-task-id '${taskId}'`);
      if (seen.has(`${fn}|${taskId}`)) return fail(409, 'AsyncTaskAlreadyExists', `async task '${taskId}' of function '${fn}' already exists`);
      seen.add(`${fn}|${taskId}`);

      const task: FcTask = { functionName: fn, taskId, requestId, attempts: 0, status: 'running' };
      tasks.push(task);
      const p = run(task, folder, body).finally(() => pending.delete(p));
      pending.add(p);
      if (fault?.kind === 'drop-after-create') return void req.socket.destroy();
      res.writeHead(202, { 'x-fc-request-id': requestId, 'x-fc-async-task-id': taskId, 'content-length': '0' });
      res.end();
    },
    reset() {
      tasks.length = 0;
      seen.clear();
    },
    async idle(): Promise<void> {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
