// The idempotency store is down when the backup is claimed: IDEMPOTENCY_STORE points at a closed port. The engine
// must refuse before calling the cloud (no CreateBackup at all) and say so retryably; once Redis is back on that
// port, the redelivery takes exactly one backup. Each row's functions use their own store setting: the timer and the
// worker get it for their invocations here (a warm instance that must reconnect), the deploy webhook runs on its own
// warm instance (a process) with it.
import { it } from 'vitest';
import { planWorker, startChildGateway, workerShimDist, workerRuns, type ChildGateway } from './lib/instances';
import { startRedisProxy } from './lib/redis-proxy';
import { deliver, deployOnce, expectExactlyOnce, finish, instanceEnv, matrix, settleWorker, stsCredentials, timerOnce, useWorld } from './lib/world';

const w = useWorld({ file: 'redis-claim', cloud: { distDir: workerShimDist(), maxAsyncRetryAttempts: 3, retryDelayMs: 1_000 } });

it.concurrent.for(matrix)('Redis down at claim · $name', async ({ entry, product }, { expect }) => {
  const row = w.row('Redis down at claim', 'claimdown', entry, product);
  const proxy = await startRedisProxy({ closed: true });
  const env = { IDEMPOTENCY_STORE: proxy.url };
  let openedAt = Number.POSITIVE_INFINITY;
  const restore = async () => {
    if (proxy.isOpen()) return;
    await proxy.open();
    openedAt = Date.now();
  };
  let gw: ChildGateway | undefined;
  try {
    if (entry === 'timer') {
      await deliver(w, row, { once: () => timerOnce(row, { env }), beforeRetry: restore });
    } else if (entry === 'deploy') {
      gw = await startChildGateway({ bundle: 'deploy-hook', timeoutSec: 30, env: instanceEnv(env), credentials: stsCredentials });
      const url = gw.url;
      await deliver(w, row, { once: () => deployOnce(w, row, url), beforeRetry: restore });
    } else {
      // The worker's first invocation meets the closed port; Redis is back before FC's retry.
      planWorker(row.id, { mode: 'inline', env, onStart: (run) => void (run.attempt === 1 && run.done.then(restore)) });
      await deliver(w, row);
      await settleWorker(w, row);
    }
  } finally {
    await gw?.stop();
    await proxy.close();
  }
  const r = finish(w, row);

  const before = w.stack.cloud.requests.filter((q) => q.action === 'CreateBackup' && Object.values(q.query).includes(row.id) && q.at < openedAt);
  expect(before, 'no CreateBackup while the store was down').toEqual([]);
  const refusal =
    entry === 'timer' || entry === 'deploy'
      ? row.answers[0]
      : (() => {
          const first = workerRuns.get(row.id)?.[0]?.result;
          return first?.kind === 'threw' ? { kind: first.error.retryable ? 'retryable' : 'refused', code: first.error.code } : first;
        })();
  expect(refusal, 'the first invocation refused, retryably, naming the store').toMatchObject({ kind: 'retryable', code: expect.stringContaining('IdempotencyStoreUnavailable') });
  expect(Number.isFinite(openedAt), 'the store came back during the row').toBe(true);
  expectExactlyOnce(expect, r);
});
