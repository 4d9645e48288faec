// Redis answers the claim, then goes away before the outcome is saved: a proxy in front of the real Redis is cut the
// moment CreateBackup reaches the cloud (its answer slowed by 400 ms so the cut lands first). The job exists but the
// record still says in progress. Then Redis comes back and the request is delivered again (FC's retry, a CI re-run,
// Slack's retry): within the lease it is told "in progress"; after the lease it is taken over, reconciled and
// adopted — still exactly one backup.
import { it } from 'vitest';
import { planWorker, startChildGateway, workerShimDist, type ChildGateway } from './lib/instances';
import { startRedisProxy } from './lib/redis-proxy';
import {
  createBackupArrives,
  deliver,
  deployOnce,
  expectExactlyOnce,
  finish,
  instanceEnv,
  matrix,
  settleWorker,
  stsCredentials,
  timerOnce,
  until,
  useWorld,
} from './lib/world';

/** The function timeout of every invocation that uses the cut store: its lease ends at most this + 30 s after it starts. */
const TIMEOUT_SEC = 6;
/** The claim was taken before the cut, by an invocation that started before it: its lease ends before this. */
const leaseEndAfter = (cutAt: number) => cutAt + TIMEOUT_SEC * 1000 + 30_000 + 500;

// FC's retries of a failed worker: 13 s, then 26 s later — the second lands after a lease of at most TIMEOUT_SEC + 30 s.
const w = useWorld({ file: 'redis-save', cloud: { distDir: workerShimDist(), maxAsyncRetryAttempts: 3, retryDelayMs: 13_000 } });

it.concurrent.for(matrix)('Redis cut before save · $name', async ({ entry, product }, { expect }) => {
  const row = w.row('Redis cut before save', 'savecut', entry, product);
  const proxy = await startRedisProxy();
  const env = { IDEMPOTENCY_STORE: proxy.url };
  w.stack.cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'latency', ms: 400 });
  let cutAt: number | undefined;
  void createBackupArrives(w, row).then(async () => {
    await proxy.cut();
    cutAt = Date.now();
  });
  const leaseEnd = () => (cutAt === undefined ? undefined : leaseEndAfter(cutAt));
  // On a loaded machine the first invocation (TIMEOUT_SEC) may run out of time before it sends CreateBackup: it then
  // fails plainly and releases the claim, and the cut would land in a later delivery, with Redis never back. Deliver
  // again (as FC would) until the cut has landed in this first phase.
  const untilCut = async (first: () => Promise<unknown>) => {
    for (let i = 0; i < 5 && cutAt === undefined; i++) {
      await first();
      if (cutAt === undefined) await until('the cut, if CreateBackup was sent', () => cutAt !== undefined, 500).catch(() => undefined);
    }
  };
  let gw: ChildGateway | undefined;
  try {
    if (entry === 'timer') {
      const once = () => timerOnce(row, { timeoutSec: TIMEOUT_SEC, env });
      await untilCut(() => deliver(w, row, { once, max: 1 }));
      await proxy.open();
      await deliver(w, row, { once, leaseEnd });
    } else if (entry === 'deploy') {
      gw = await startChildGateway({ bundle: 'deploy-hook', timeoutSec: TIMEOUT_SEC, env: instanceEnv(env), credentials: stsCredentials });
      const url = gw.url;
      const once = () => deployOnce(w, row, url);
      await untilCut(() => deliver(w, row, { once, max: 1 }));
      await proxy.open();
      await deliver(w, row, { once, leaseEnd });
    } else {
      let firstDone: Promise<unknown> | undefined;
      planWorker(row.id, { mode: 'inline', timeoutSec: TIMEOUT_SEC, env, onStart: (run) => void (run.attempt === 1 && (firstDone = run.done)) });
      await deliver(w, row);
      await until('the first worker invocation', () => firstDone !== undefined, 30_000);
      await firstDone;
      await proxy.open();
      // The entry event again (Slack's retry, the timer's redelivery): FC drops the repeated task id; a worker still
      // owing its result (Slack) is retried by FC until it can take the claim over.
      await deliver(w, row);
      await settleWorker(w, row);
    }
  } finally {
    await gw?.stop();
    await proxy.close();
  }
  const r = finish(w, row);
  expect(cutAt, 'Redis was cut while CreateBackup was in flight').toBeDefined();
  // Usually the job's id could not be saved; on a slow machine the answer may come too late and then it is the
  // "ambiguous" mark that cannot be saved. Either way the record still says in progress.
  expect(
    w.logs.some((l) => /outcome could not be saved|could not update the idempotency record/.test(String(l.msg)) && l.key === row.key),
    'the engine logged that it could not save to the store',
  ).toBe(true);
  if (entry === 'timer' || entry === 'deploy') {
    expect(row.answers.some((a) => a.kind === 'retryable' && a.inProgress), 'within the lease: in progress').toBe(true);
    expect(row.answers.at(-1)?.kind, 'after the lease: answered').toBe('ok');
  }
  expectExactlyOnce(expect, r);
});
