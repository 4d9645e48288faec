// FC instances as separate processes (instance-child.ts), and a stand-in backup-worker "bundle" for the local FC that
// decides per database where and how each worker invocation runs: in this process with another function timeout,
// or in its own process (killable, with its own environment).
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { FcContext } from '../../../shared/fc/events';
import { withEnv, type Env } from './env';
import type { ChildReply, ChildRequest } from './instance-child';

export const distDir = join(__dirname, '..', '..', '..', 'dist');

/** Where every log line of every instance goes (set by the world). */
let sink: (line: string) => void = () => undefined;
export const setLogSink = (s: (line: string) => void) => {
  sink = s;
};

let runner: string | undefined;
function childRunner(): string {
  if (runner) return runner;
  const dir = mkdtempSync(join(tmpdir(), 'fcdb-fault-instance-'));
  const out = join(dir, 'instance.cjs');
  buildSync({ entryPoints: [join(__dirname, 'instance-child.ts')], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile: out, logLevel: 'error' });
  runner = out;
  return out;
}

export type ChildResult = Exclude<ChildReply, { kind: 'listening' }> | { kind: 'died'; signal: NodeJS.Signals | null; exitCode: number | null };

export interface ChildInstance {
  pid: number;
  startedAt: number;
  /** SIGKILL: no handler runs, no finally, nothing saved — as when FC's instance is killed. */
  kill(): void;
  killed(): boolean;
  done: Promise<ChildResult>;
}

function start(env: Env) {
  const child = fork(childRunner(), [], { env: env as NodeJS.ProcessEnv, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const l of lines) if (l.trim() !== '') sink(l);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let wasKilled = false;
  return {
    child,
    kill: () => {
      wasKilled = true;
      child.kill('SIGKILL');
    },
    killed: () => wasKilled,
  };
}

/** One invocation of a bundle on a fresh instance with `env` as its whole environment. */
export function invokeInChild(o: { bundle: string; event: Buffer; context: FcContext; env: Env }): ChildInstance {
  const { child, kill, killed } = start(o.env);
  const done = new Promise<ChildResult>((resolve) => {
    let reply: ChildResult | undefined;
    child.on('message', (m) => {
      reply = m as ChildResult;
    });
    child.on('exit', (exitCode, signal) => resolve(reply ?? { kind: 'died', signal, exitCode }));
  });
  const request: ChildRequest = { mode: 'invoke', distDir, bundle: o.bundle, event: o.event.toString('base64'), context: o.context };
  child.send(request);
  return { pid: child.pid ?? -1, startedAt: Date.now(), kill, killed, done };
}

export interface ChildGateway extends ChildInstance {
  url: string;
  stop(): Promise<void>;
}

/** An HTTP-triggered bundle on its own instance, behind the same local gateway the stack uses. */
export async function startChildGateway(o: { bundle: string; timeoutSec: number; env: Env; credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string } }): Promise<ChildGateway> {
  const { child, kill, killed } = start(o.env);
  const done = new Promise<ChildResult>((resolve) => child.on('exit', (exitCode, signal) => resolve({ kind: 'died', signal, exitCode })));
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', () => reject(new Error('the gateway instance exited before listening')));
    const request: ChildRequest = { mode: 'gateway', distDir, bundle: o.bundle, timeoutSec: o.timeoutSec, credentials: o.credentials };
    child.send(request);
  });
  return {
    pid: child.pid ?? -1,
    startedAt: Date.now(),
    kill,
    killed,
    done,
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.send('exit');
        await done;
      }
    },
  };
}

// ---- the backup-worker as the local FC runs it ----

export interface WorkerPlan {
  /**
   * inline: in this process, as the local FC runs it, with the timeout and environment below; child: on a fresh
   * instance (a process that can be killed). A function chooses per attempt.
   */
  mode: 'inline' | 'child' | ((attempt: number) => 'inline' | 'child');
  /** The function timeout the invocation sees (FC passes the configured one; the local FC passes 900). */
  timeoutSec?: number;
  /** The invocation's settings on top of this process's environment. */
  env?: Env;
  /** Called as each invocation for this database starts (attempt 1, 2, ... across FC retries and hand-overs). */
  onStart?(run: WorkerRun): void;
}

export interface WorkerRun {
  instanceId: string;
  attempt: number;
  child?: ChildInstance;
  result?: ChildResult;
  /** Settles with the result when the invocation has ended. */
  done: Promise<ChildResult>;
}

type RealHandler = (event: Buffer, context: FcContext) => Promise<unknown>;
const plans = new Map<string, WorkerPlan>();
export const workerRuns = new Map<string, WorkerRun[]>();

export const planWorker = (instanceId: string, plan: WorkerPlan) => plans.set(instanceId, plan);

function instanceIdOfEvent(event: Buffer): string | undefined {
  try {
    const t = (JSON.parse(event.toString('utf8')) as { target?: { DBInstanceId?: string; DBClusterId?: string } }).target;
    return t?.DBInstanceId ?? t?.DBClusterId;
  } catch {
    return undefined;
  }
}

async function runWorker(event: Buffer, context: FcContext, real: RealHandler): Promise<unknown> {
  const id = instanceIdOfEvent(event);
  const plan = id === undefined ? undefined : plans.get(id);
  if (!plan || id === undefined) return real(event, context);
  const runs = workerRuns.get(id) ?? [];
  workerRuns.set(id, runs);
  let ended: (r: ChildResult) => void = () => undefined;
  const run: WorkerRun = { instanceId: id, attempt: runs.length + 1, done: new Promise<ChildResult>((r) => (ended = r)) };
  runs.push(run);
  const end = (r: ChildResult) => {
    run.result = r;
    ended(r);
  };
  const ctx: FcContext = { ...context, function: { ...context.function, timeout: plan.timeoutSec ?? context.function?.timeout } };
  const mode = typeof plan.mode === 'function' ? plan.mode(run.attempt) : plan.mode;
  if (mode === 'inline') {
    plan.onStart?.(run);
    try {
      const value = await withEnv(plan.env ?? {}, () => real(event, ctx));
      end({ kind: 'returned', value });
      return value;
    } catch (e) {
      const err = e as { code?: string; retryable?: boolean; message?: string; details?: unknown };
      end({ kind: 'threw', error: { code: err.code, retryable: err.retryable, message: String(err.message ?? e), details: err.details } });
      throw e;
    }
  }
  run.child = invokeInChild({ bundle: 'backup-worker', event, context: ctx, env: { ...process.env, ...plan.env } });
  plan.onStart?.(run);
  const r = await run.child.done;
  end(r);
  if (r.kind === 'returned') return r.value;
  // What FC records for a failed async attempt before it retries.
  if (r.kind === 'threw') throw Object.assign(new Error(`${r.error.code ?? 'Error'}: ${r.error.message}`), r.error);
  throw new Error(`the instance died (${r.signal ?? `exit ${r.exitCode}`}) during the invocation`);
}

let shimDir: string | undefined;

/** A dist folder for startStack({distDir}) whose backup-worker goes through runWorker; other functions are unchanged. */
export function workerShimDist(): string {
  if (shimDir) return shimDir;
  const g = globalThis as { __fcdbFaultWorker?: typeof runWorker };
  g.__fcdbFaultWorker = runWorker;
  const dir = mkdtempSync(join(tmpdir(), 'fcdb-fault-dist-'));
  mkdirSync(join(dir, 'backup-worker'));
  writeFileSync(
    join(dir, 'backup-worker', 'index.js'),
    [
      `const real = require(${JSON.stringify(join(distDir, 'backup-worker', 'index.js'))});`,
      'exports.handler = (event, context) => globalThis.__fcdbFaultWorker(event, context, real.handler);',
      '',
    ].join('\n'),
  );
  shimDir = dir;
  return dir;
}
