// The fault suite's harness: one local stack per test file (local cloud with FC, gateway, chat receiver, real Redis
// under a per-run prefix), rows (one scenario × entry point × product, each on its own database so rows can run
// concurrently), deliveries through each entry point, FC-like redelivery, and the count that ends every row.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { LocalCloudOptions } from '../../../local/cloud/index';
import type { FcContext } from '../../../shared/fc/events';
import { idempotencyKey } from '../../../shared/idempotency/key';
import { RedisStore } from '../../../shared/idempotency/redis-store';
import type { History } from '../../../shared/history/history';
import { historyFor } from '../../../shared/history/for-store';
import { isFinalState } from '../../../shared/history/record';
import { deployHeaders, slackHeaders } from '../../../shared/http/signatures/http-adapters';
import { targetFromWords, type Target } from '../../../shared/backup/targets';
import { formatTable, saveRows, type FaultRow } from '../../helpers/fault-table';
import { asEvent, fcContext, loadBundle, stsCredentials } from '../../helpers/fc';
import { cleanupPrefix, REDIS_URL, runPrefix } from '../../helpers/redis';
import { secrets, startStack, type Stack } from '../../helpers/stack';
import { withEnv, type Env } from './env';
import { invokeInChild, setLogSink, type ChildInstance, type ChildResult } from './instances';

export { withEnv };

export type Product = 'rds' | 'polardb' | 'mongodb';
export type Entry = 'timer' | 'deploy' | 'slack' | 'fanout';
export const products: Product[] = ['rds', 'polardb', 'mongodb'];
export const entries: Entry[] = ['timer', 'deploy', 'slack', 'fanout'];
export const entryLabel: Record<Entry, string> = { timer: 'timer', deploy: 'deploy webhook', slack: 'Slack', fanout: 'fan-out' };
const idPrefix: Record<Product, string> = { rds: 'rm', polardb: 'pc', mongodb: 'dds' };

/** Every (entry, product) pair, for it.concurrent.for. */
export const matrix = entries.flatMap((entry) => products.map((product) => ({ entry, product, name: `${entryLabel[entry]} · ${product}` })));

export type Answer =
  | { kind: 'ok'; body: unknown }
  | { kind: 'retryable'; code?: string; inProgress: boolean; status?: number; body: unknown }
  | { kind: 'refused'; code?: string; status?: number; body: unknown }
  | { kind: 'no-answer'; detail: string };

export interface Row {
  scenario: string;
  entry: Entry;
  product: Product;
  /** The row's own database: faults are injected for it alone. */
  id: string;
  target: Target;
  /** The engine's idempotency key for the target (also the worker's FC async task id). */
  key: string;
  event: Buffer;
  deployId: string;
  deployBody: string;
  slackBody: string;
  replyPath: string;
  deliveries: number;
  http5xx: number;
  answers: Answer[];
  notes: string[];
}

export interface WorldOptions {
  /** Names the rows fragment and the log dump. */
  file: string;
  cloud?: LocalCloudOptions;
  env?: Env;
  /** The results table its rows go to (default the main one). */
  table?: string;
}

export interface World {
  stack: Stack;
  prefix: string;
  logs: Record<string, unknown>[];
  rows: FaultRow[];
  table?: string;
  row(scenario: string, tag: string, entry: Entry, product: Product): Row;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

export async function until(what: string, cond: () => boolean, timeoutMs = 60_000, everyMs = 5): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

export const timer = loadBundle('scheduled-backup');

export function useWorld(o: WorldOptions): World {
  const prefix = runPrefix(`faults-${o.file}`);
  const world = { logs: [], rows: [], prefix, table: o.table } as unknown as World;
  let rowCount = 0;
  let original: typeof process.stdout.write | undefined;

  const take = (line: string) => {
    try {
      world.logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      world.logs.push({ raw: line });
    }
  };

  beforeAll(async () => {
    // The bundles log JSON lines to stdout: keep them (evidence of logged failures) instead of flooding the report.
    original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (s.startsWith('{"time"')) {
        for (const l of s.split('\n')) if (l.trim() !== '') take(l);
        return true;
      }
      return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;
    setLogSink(take);
    world.stack = await startStack(
      { jobDurationMs: 300, ...o.cloud },
      {
        IDEMPOTENCY_STORE: REDIS_URL,
        IDEMPOTENCY_KEY_PREFIX: prefix,
        CHATOPS_ACL: JSON.stringify([{ users: ['slack:T1/U-ops'], commands: ['backup', 'status'] }]),
        // Above the stack's 2 s: the machine may be loaded, and only the scenarios about it should meet a read timeout.
        CLOUD_READ_TIMEOUT_MS: '5000',
        ...(o.env as Record<string, string>),
      },
    );
  });

  afterAll(async () => {
    await world.stack?.close();
    await histories.get(prefix)?.store.close();
    histories.delete(prefix);
    if (original) process.stdout.write = original;
    await cleanupPrefix(prefix);
    const logFile = join(tmpdir(), `fcdb-faults-${o.file}.log`);
    writeFileSync(logFile, world.logs.map((l) => JSON.stringify(l)).join('\n'));
    const dir = process.env.FCDB_FAULT_ROWS_DIR;
    if (dir) saveRows(dir, o.file, world.rows);
    console.log(`\n${o.file}: ${world.rows.length} rows (function logs: ${logFile})\n${formatTable(world.rows)}\n`);
  });

  world.row = (scenario, tag, entry, product) => {
    const { cloud, receiver } = world.stack;
    const id = `${idPrefix[product]}-${tag}-${entry}`;
    cloud.addInstance({ product, id });
    const target = targetFromWords(product, id, undefined);
    rowCount += 1;
    const triggerTime = new Date(Date.UTC(2026, 10, 25, 2, 0, 0, 0) + rowCount * 60_000).toISOString();
    const deployId = `faults-${tag}-${entry}-${product}`;
    const triggerId = `trig.${tag}.${entry}.${randomUUID()}`;
    const replyPath = `/slack/response/${tag}-${entry}-${product}`;
    const key =
      entry === 'deploy'
        ? idempotencyKey('deploy', [deployId], target)
        : entry === 'slack'
          ? idempotencyKey('chat', ['slack', triggerId], target)
          : idempotencyKey('timer', ['scheduled-backup', 'faults', triggerTime], target);
    return {
      scenario,
      entry,
      product,
      id,
      target,
      key,
      event: asEvent({ triggerTime, triggerName: 'faults', payload: JSON.stringify({ targets: [target] }) }),
      deployId,
      deployBody: JSON.stringify({ targets: [target], deployId, reason: `fault suite: ${scenario}` }),
      slackBody: new URLSearchParams({
        token: 'legacy-verification-token',
        team_id: 'T1',
        channel_id: 'C-ops',
        user_id: 'U-ops',
        user_name: 'ops',
        command: '/backup',
        text: `backup ${product} ${id}`,
        response_url: `${receiver.url}${replyPath}`,
        trigger_id: triggerId,
      }).toString(),
      replyPath,
      deliveries: 0,
      http5xx: 0,
      answers: [],
      notes: [],
    };
  };
  return world;
}

// ---- one delivery through each entry point ----

const mentions = (x: unknown, row: Row) => {
  const s = JSON.stringify(x) ?? '';
  return s.includes(row.key) || s.includes(row.id);
};

function timerAnswer(r: { value?: unknown; error?: { code?: string; retryable?: boolean; details?: unknown; message?: string } }): Answer {
  if (r.error) {
    const failed = ((r.error.details as { failed?: { code?: string }[] } | undefined)?.failed ?? []).map((f) => f.code);
    const inProgress = r.error.code === 'IdempotencyInProgress' || failed.includes('IdempotencyInProgress');
    const code = failed.length > 0 ? `${r.error.code}(${[...new Set(failed)].join(',')})` : r.error.code;
    return r.error.retryable ? { kind: 'retryable', code, inProgress, body: r.error } : { kind: 'refused', code, body: r.error };
  }
  const v = r.value as { ok?: boolean; error?: { code?: string } } | undefined;
  if (v?.ok === false) return { kind: 'refused', code: v.error?.code ?? 'failed', body: v };
  return { kind: 'ok', body: v };
}

export interface TimerDelivery {
  /** The function timeout this delivery's invocation sees (default 60). */
  timeoutSec?: number;
  /** Run it on its own instance (a child process) with this environment on top of the test's. */
  child?: { env?: Env; onStart?(c: ChildInstance): void };
  /** Other settings for an in-process invocation (read at its start). */
  env?: Env;
}

/** The timer event once; fan-out rows get FANOUT_THRESHOLD=0 so each target goes through FC invoke → worker. */
export async function timerOnce(row: Row, o: TimerDelivery = {}): Promise<Answer> {
  const fanout = row.entry === 'fanout' ? { FANOUT_THRESHOLD: '0' } : { FANOUT_THRESHOLD: undefined };
  const context: FcContext = fcContext({ timeout: o.timeoutSec ?? 60 });
  if (o.child) {
    const c = invokeInChild({ bundle: 'scheduled-backup', event: row.event, context, env: { ...process.env, ...fanout, ...o.child.env } });
    o.child.onStart?.(c);
    const r: ChildResult = await c.done;
    if (r.kind === 'died') return { kind: 'no-answer', detail: `instance died (${r.signal ?? r.exitCode})` };
    return r.kind === 'threw' ? timerAnswer({ error: r.error }) : timerAnswer({ value: r.value });
  }
  try {
    const value = await withEnv({ ...fanout, ...o.env }, () => timer(row.event, context));
    return timerAnswer({ value });
  } catch (e) {
    return timerAnswer({ error: e as { code?: string; retryable?: boolean; details?: unknown } });
  }
}

function httpAnswer(status: number, body: Record<string, any>): Answer {
  if (status >= 200 && status < 300) return { kind: 'ok', body };
  const codes = [body?.error?.code, ...((body?.jobs as { error?: { code?: string; retryable?: boolean } }[] | undefined) ?? []).map((j) => j.error?.code)].filter(Boolean) as string[];
  const retryable = status >= 500 || status === 429 || (status === 409 && body?.error?.retryable === true);
  const code = [...new Set(codes)].join(',') || `HTTP${status}`;
  return retryable ? { kind: 'retryable', code, status, inProgress: codes.includes('IdempotencyInProgress'), body } : { kind: 'refused', code, status, body };
}

/** POST /backups to the deploy webhook: the stack's gateway unless another instance's base URL is given. */
export async function deployOnce(w: World, row: Row, base = w.stack.gateway): Promise<Answer> {
  try {
    const res = await fetch(`${base}/deploy-hook/backups`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', row.deployBody, secrets.deploy) },
      body: row.deployBody,
    });
    const text = await res.text();
    if (res.status >= 500) row.http5xx += 1;
    let body: Record<string, any> = {};
    try {
      body = JSON.parse(text) as Record<string, any>;
    } catch {
      body = { text };
    }
    return httpAnswer(res.status, body);
  } catch (e) {
    // No answer at all (the instance died): what FC's front end turns into a 5xx for the caller.
    row.http5xx += 1;
    return { kind: 'no-answer', detail: String((e as Error).cause ?? e) };
  }
}

/** The slash command, as Slack sends it (the same trigger_id on Slack's own retries). */
export async function slackOnce(w: World, row: Row): Promise<Answer> {
  try {
    const res = await fetch(`${w.stack.gateway}/chatops/slack`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(row.slackBody, secrets.slack) },
      body: row.slackBody,
    });
    const body = (await res.json()) as Record<string, any>;
    if (res.status >= 500) row.http5xx += 1;
    if (res.status === 200 && typeof body.text === 'string' && !body.text.startsWith('Backup of')) return { kind: 'refused', code: 'chat-error', status: 200, body };
    return httpAnswer(res.status, body);
  } catch (e) {
    row.http5xx += 1;
    return { kind: 'no-answer', detail: String(e) };
  }
}

/** One delivery through the row's own entry point (in this process, the stack's instances). */
export function deliverOnce(w: World, row: Row, o: TimerDelivery = {}): Promise<Answer> {
  if (row.entry === 'deploy') return deployOnce(w, row);
  if (row.entry === 'slack') return slackOnce(w, row);
  return timerOnce(row, o);
}

export interface Redelivery {
  /** Deliveries of this event at most (FC: the first attempt and its async retries). */
  max?: number;
  /** While the target is reported in progress, wait until then before the next delivery (a lease to run out). */
  leaseEnd?: () => number | undefined;
  /** Delivery n (0-based); default deliverOnce. */
  once?: (n: number) => Promise<Answer>;
  /** Wait after failed delivery n (default 150 ms · 2^n, at most 3 s). */
  backoffMs?: (n: number) => number;
  /** Runs before delivery n > 0 (a fault ends, a store comes back). */
  beforeRetry?: (n: number, last: Answer) => Promise<void> | void;
}

/** Delivers the row's event and redelivers it as FC (or a CI job, or Slack) would until it is answered for good. */
export async function deliver(w: World, row: Row, o: Redelivery = {}): Promise<Answer> {
  const max = o.max ?? 8;
  for (let n = 0; ; n++) {
    if (n > 0) await o.beforeRetry?.(n, row.answers.at(-1) as Answer);
    const a = await (o.once ? o.once(n) : deliverOnce(w, row));
    row.deliveries += 1;
    row.answers.push(a);
    if (a.kind === 'ok' || a.kind === 'refused' || n + 1 >= max) return a;
    const backoff = o.backoffMs ? o.backoffMs(n) : Math.min(3_000, 150 * 2 ** n);
    const leaseEnd = a.kind === 'retryable' && a.inProgress ? o.leaseEnd?.() : undefined;
    await sleep(leaseEnd !== undefined ? Math.max(backoff, leaseEnd - Date.now()) : backoff);
  }
}

/** For rows whose backup runs in backup-worker: waits until FC has no attempt or retry of it left. */
export async function settleWorker(w: World, row: Row, timeoutMs = 150_000): Promise<void> {
  if (row.entry !== 'slack' && row.entry !== 'fanout') return;
  const mine = () => w.stack.cloud.fcTasks.filter((t) => t.taskId.startsWith(row.key));
  // A dispatch answered with an error may still have queued the task (a lost answer): look for it a while anyway.
  const dispatched = row.answers.some((a) => a.kind === 'ok');
  try {
    await until(`the worker task ${row.key} to appear`, () => mine().length > 0, dispatched ? 10_000 : 1_000, 20);
  } catch (e) {
    if (dispatched) throw e;
    return;
  }
  let quiet = 0;
  const end = Date.now() + timeoutMs;
  while (quiet < 3) {
    if (Date.now() > end) throw new Error(`worker task of ${row.id} still running after ${timeoutMs} ms`);
    await sleep(50);
    quiet = mine().every((t) => t.status !== 'running') ? quiet + 1 : 0;
  }
  // The worker only requests the backup: the tracker records its end and posts the chat result. Quiet sweeps do not
  // mean this row is done: a job requested late (after FC retries) is looked at again only after a quarter of its
  // age (shared/tracking/sweep.ts), so sweep on until the row's own record is final with nothing left owed.
  await w.stack.tracked(Math.max(1_000, end - Date.now()));
  while ((await owed(w, row)) && Date.now() < end) {
    await sleep(200);
    await w.stack.sweep();
  }
}

const histories = new Map<string, { store: RedisStore; history: History }>();

/** The tracker still has to record the row's job's end or post its result (a lost dispatch is not waited for). */
async function owed(w: World, row: Row): Promise<boolean> {
  let h = histories.get(w.prefix);
  if (!h) {
    const store = new RedisStore({ url: REDIS_URL, keyPrefix: w.prefix });
    histories.set(w.prefix, (h = { store, history: historyFor(store, { retentionMs: 40 * 86_400_000 }) }));
  }
  const r = await h.history.get(row.key);
  return r !== undefined && r.state !== 'dispatched' && (!isFinalState(r.state) || r.duties.length > 0);
}

/** Counts the row, records it for the table and returns it. `othersJobs`: jobs someone else took (a console backup). */
export function finish(w: World, row: Row, o: { othersJobs?: readonly string[] } = {}): FaultRow {
  const { cloud, receiver } = w.stack;
  // The instance's automated backups, and backups someone else took, are not this request's.
  const jobs = cloud.jobs(row.product, row.id).filter((j) => j.mode === 'Manual' && !(o.othersJobs ?? []).includes(j.id));
  const tasks = cloud.fcTasks.filter((t) => t.taskId.startsWith(row.key));
  const own = tasks.filter((t) => t.taskId === row.key);
  const last = row.answers.at(-1);
  const failureSaid =
    (last !== undefined && (last.kind === 'retryable' || last.kind === 'refused') && mentions(last.body, row)) ||
    tasks.some((t) => t.status === 'failed') ||
    w.logs.some((l) => l.level === 'error' && l.retryable === true && mentions(l, row));
  const hops = tasks.length - own.length;
  const notes = [...row.notes];
  if (hops > 0) notes.push(`${hops} worker hand-over${hops > 1 ? 's' : ''}`);
  const outcomes = [...new Set(row.answers.map((a) => (a.kind === 'ok' ? 'ok' : a.kind === 'no-answer' ? 'no answer' : `${a.kind === 'retryable' ? 'retry' : 'refused'}:${a.code}`)))];
  notes.push(`answers: ${outcomes.join(' → ')}`);
  const engine = [...new Set(w.logs.filter((l) => l.msg === 'backup requested' && l.key === row.key).map((l) => String(l.outcome)))];
  if (engine.length > 0) notes.push(`engine: ${engine.join(', ')}`);
  const failedTasks = tasks.filter((t) => t.status === 'failed');
  if (failedTasks.length > 0) notes.push(`FC gave up on ${failedTasks.length} task(s): ${failedTasks[0]?.error}`);
  const r: FaultRow = {
    scenario: row.scenario,
    entry: entryLabel[row.entry],
    product: row.product,
    deliveries: row.deliveries,
    workerRuns: own.reduce((n, t) => n + t.attempts, 0),
    backups: jobs.length,
    duplicates: Math.max(0, jobs.length - 1),
    withoutOutcome: jobs.length === 0 && !failureSaid ? 1 : 0,
    http5xx: row.http5xx,
    ...(row.entry === 'slack' ? { replies: receiver.posted.filter((p) => p.path === row.replyPath).length } : {}),
    notes: notes.join('; '),
    ...(w.table ? { table: w.table } : {}),
  };
  w.rows.push(r);
  return r;
}

/** The same function's environment, for an instance in another process. */
export const instanceEnv = (extra: Env = {}): Env => ({ ...process.env, ...extra });

export { stsCredentials };

/**
 * The assertion every row ends with: no duplicate and no target left without an outcome; `oneBackup` (the default)
 * also requires that the backup was taken in the end. A chat request gets exactly one result posted per backup.
 */
export function expectExactlyOnce(expect: (v: unknown, message?: string) => any, r: FaultRow, o: { oneBackup?: boolean } = {}): void {
  const oneBackup = o.oneBackup ?? true;
  const seen = { duplicates: r.duplicates, withoutOutcome: r.withoutOutcome, ...(oneBackup ? { backups: r.backups } : {}), ...(r.replies !== undefined ? { replies: r.replies } : {}) };
  const want = { duplicates: 0, withoutOutcome: 0, ...(oneBackup ? { backups: 1 } : {}), ...(r.replies !== undefined ? { replies: Math.min(1, r.backups) } : {}) };
  const wrong = Object.entries(want).filter(([k, v]) => seen[k as keyof typeof seen] !== v);
  r.verdict = wrong.length === 0 ? 'ok' : `FAIL: ${wrong.map(([k]) => `${k} ${seen[k as keyof typeof seen]}`).join(', ')}`;
  expect(seen, `${r.scenario} / ${r.entry} / ${r.product}: ${r.notes}`).toEqual(want);
}

/** Resolves true once a CreateBackup for the row's database reaches the local cloud (false if `stop` settles first). */
export async function createBackupArrives(w: World, row: Row, stop?: Promise<unknown>): Promise<boolean> {
  let stopped = false;
  void stop?.then(
    () => (stopped = true),
    () => (stopped = true),
  );
  const seen = () => w.stack.cloud.requests.some((q) => q.action === 'CreateBackup' && Object.values(q.query).includes(row.id));
  while (!seen()) {
    if (stopped) return false;
    await sleep(2);
  }
  return true;
}
