// The function is killed (SIGKILL, as FC kills an instance) between its claim and the save of the outcome: its
// CreateBackup has reached the cloud and created the job, the answer is held back, and the process dies waiting.
// The claim's lease (remaining time + 30 s) must keep every redelivery out until it runs out; the first delivery
// after it must take the claim over and adopt the job (RDS, MongoDB) or replay its ClientToken (PolarDB).
import { it } from 'vitest';
import { planWorker, startChildGateway, workerShimDist, workerRuns, type ChildInstance } from './lib/instances';
import {
  createBackupArrives,
  deliver,
  deployOnce,
  expectExactlyOnce,
  finish,
  instanceEnv,
  matrix,
  settleWorker,
  sleep,
  stsCredentials,
  timerOnce,
  useWorld,
  type Row,
  type World,
} from './lib/world';

/** The killed invocation's function timeout (small, for a short lease; not so small that a loaded machine misses it). */
const KILLED_TIMEOUT_SEC = 6;
/** The claim was taken before the kill, by an invocation that started before it: its lease ends before this. */
const leaseEndAfterKill = (killedAt: number) => killedAt + KILLED_TIMEOUT_SEC * 1000 + 30_000 + 500;

// The lease runs out at most timeout + 30 s after the killed invocation started. FC retries a failed async invocation
// (here: 13 s, then 26 s later), so its second retry is the first to land after the lease.
const w = useWorld({ file: 'kill', cloud: { distDir: workerShimDist(), maxAsyncRetryAttempts: 3, retryDelayMs: 13_000 } });

const killedAt: Record<string, number> = {};

function killOnCreateBackup(world: World, row: Row, c: ChildInstance): void {
  void createBackupArrives(world, row, c.done).then((arrived) => {
    if (!arrived) return;
    c.kill();
    killedAt[row.id] = Date.now();
    row.notes.push('instance SIGKILLed with CreateBackup in flight');
  });
}
const leaseEnd = (row: Row) => () => (killedAt[row.id] === undefined ? undefined : leaseEndAfterKill(killedAt[row.id] as number));

it.concurrent.for(matrix)('killed between claim and save · $name', async ({ entry, product, name }, { expect }) => {
  // Spread the instance start-ups a little: they are CPU-heavy and the machine may have two cores.
  await sleep(250 * matrix.findIndex((m) => m.name === name));
  const row = w.row('killed between claim and save', 'kill', entry, product);
  // The job is created, and its answer held until the caller's connection goes away (here: with the process).
  w.stack.cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'timeout', ms: 60_000 });
  let killed: ChildInstance | undefined;

  if (entry === 'timer') {
    await deliver(w, row, {
      once: (n) =>
        n === 0
          ? timerOnce(row, { timeoutSec: KILLED_TIMEOUT_SEC, child: { onStart: (c) => ((killed = c), killOnCreateBackup(w, row, c)) } })
          : timerOnce(row),
      leaseEnd: leaseEnd(row),
    });
  } else if (entry === 'deploy') {
    await deliver(w, row, {
      once: async (n) => {
        if (n > 0) return deployOnce(w, row);
        const gw = await startChildGateway({ bundle: 'deploy-hook', timeoutSec: KILLED_TIMEOUT_SEC, env: instanceEnv(), credentials: stsCredentials });
        killed = gw;
        killOnCreateBackup(w, row, gw);
        return deployOnce(w, row, gw.url);
      },
      leaseEnd: leaseEnd(row),
    });
  } else {
    // Slack and fan-out: the worker's first invocation on its own instance, killed; FC's retries as usual.
    planWorker(row.id, {
      mode: (attempt) => (attempt === 1 ? 'child' : 'inline'),
      timeoutSec: KILLED_TIMEOUT_SEC,
      onStart: (run) => {
        if (run.attempt === 1 && run.child) {
          killed = run.child;
          killOnCreateBackup(w, row, run.child);
        }
      },
    });
    await deliver(w, row);
    await settleWorker(w, row);
  }
  const r = finish(w, row);
  expect(killed?.killed(), 'the first invocation was killed after its CreateBackup reached the cloud').toBe(true);
  expect((await killed?.done)?.kind).toBe('died');
  if (entry === 'timer' || entry === 'deploy') {
    // A redelivery either waits the dead holder's lease out and takes over, or (when its own deadline is shorter)
    // is told "in progress" and a later one does: either way the last answer is a success.
    expect(row.answers.at(-1)?.kind, 'the last redelivery completed the backup').toBe('ok');
    expect(row.answers.slice(1, -1).every((a) => a.kind === 'retryable' && a.inProgress), 'between the kill and the success, only "in progress"').toBe(true);
  } else {
    expect(workerRuns.get(row.id)?.length, 'FC retried the worker until the lease ran out').toBeGreaterThanOrEqual(3);
  }
  expectExactlyOnce(expect, r);
});
