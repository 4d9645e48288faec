// CreateBackup answers 3 s late, past the invocation's deadline (every function here: timeout 30 s with a 28 s safety
// margin, i.e. 2 s to work; CLOUD_READ_TIMEOUT_MS stays above that). The invocation must stop at its deadline and
// fail retryably, leaving the record ambiguous; the redelivery (FC's async retry, a CI re-run) must adopt the job
// the slow request created (RDS, MongoDB) or replay its ClientToken (PolarDB).
import { it } from 'vitest';
import { planWorker, workerShimDist } from './lib/instances';
import { deliver, deliverOnce, expectExactlyOnce, finish, matrix, settleWorker, useWorld } from './lib/world';

/** The deploy webhook and Slack run behind the stack's gateway, which gives them 30 s; the timer and worker too, here. */
const TIMEOUT_SEC = 30;
const w = useWorld({
  file: 'deadline',
  cloud: { distDir: workerShimDist() },
  env: { DEADLINE_SAFETY_MS: '28000', CLOUD_READ_TIMEOUT_MS: '10000' },
});

it.concurrent.for(matrix)('latency past the deadline · $name', async ({ entry, product }, { expect }) => {
  const row = w.row('latency past the deadline', 'deadline', entry, product);
  planWorker(row.id, { mode: 'inline', timeoutSec: TIMEOUT_SEC });
  w.stack.cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'latency', ms: 3000 });
  const started = Date.now();
  await deliver(w, row, { once: () => deliverOnce(w, row, { timeoutSec: TIMEOUT_SEC }) });
  await settleWorker(w, row);
  const r = finish(w, row);
  if (entry === 'timer' || entry === 'deploy') {
    expect(row.answers[0]?.kind, 'the first invocation fails retryably').toBe('retryable');
  } else {
    const task = w.stack.cloud.fcTasks.find((t) => t.taskId === row.key);
    expect(task?.attempts, 'the first worker invocation failed and FC retried it').toBeGreaterThanOrEqual(2);
  }
  expect(Date.now() - started, 'bounded by the deadline, not by the 3 s answer or a read timeout').toBeLessThan(20_000);
  expectExactlyOnce(expect, r);
});
