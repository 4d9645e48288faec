// Recovery by FC (or the CI job, or the user) alone, with the deployed settings (s.yaml): function timeouts 600 s
// (timer), 900 s (deploy-hook, backup-worker), maxAsyncRetryAttempts 3, and FC's documented back-off, 0.5 s doubling
// (the local FC here: 0.5 s, 1 s, 2 s). A claim nobody will complete — its holder was killed, or its own invocation
// never learnt that the claim had landed — keeps every redelivery out for its lease: the remaining time + 30 s, i.e.
// 10–15 minutes, while all of FC's retries come within seconds. These rows fail today (see the report); they pass
// once an orphaned claim no longer outlives FC's retries.
import { describe, it } from 'vitest';
import { planWorker, startChildGateway, workerShimDist, type ChildGateway, type ChildInstance } from './lib/instances';
import { startRedisProxy } from './lib/redis-proxy';
import {
  createBackupArrives,
  deliver,
  deployOnce,
  entryLabel,
  expectExactlyOnce,
  finish,
  instanceEnv,
  matrix,
  products,
  settleWorker,
  stsCredentials,
  timerOnce,
  useWorld,
  type Entry,
  type Row,
  type World,
} from './lib/world';

const w = useWorld({ file: 'fc-retry-window', cloud: { distDir: workerShimDist(), maxAsyncRetryAttempts: 3, retryDelayMs: 500 } });

/** FC's async retries of a failed timer invocation: 3, after 0.5 s, 1 s, 2 s. */
const fcRetries = { max: 4, backoffMs: (n: number) => 500 * 2 ** n };
/** A CI job re-running the deploy gate on a 503, honouring its Retry-After (5 s), 3 times. */
const ciRetries = { max: 4, backoffMs: () => 5_000 };

function killOnCreateBackup(world: World, row: Row, c: ChildInstance): void {
  void createBackupArrives(world, row, c.done).then((arrived) => {
    if (!arrived) return;
    c.kill();
    row.notes.push('instance SIGKILLed with CreateBackup in flight');
  });
}

const killRows = (['timer', 'slack', 'fanout'] as Entry[]).flatMap((entry) => products.map((product) => ({ entry, product, name: `${entryLabel[entry]} · ${product}` })));

describe('killed between claim and save', () => {
  it.concurrent.for(killRows)('$name', async ({ entry, product }, { expect }) => {
    const row = w.row("killed, FC's own retries (deployed timeouts)", 'fcwindow', entry, product);
    w.stack.cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'timeout', ms: 60_000 });
    let killed: ChildInstance | undefined;
    if (entry === 'timer') {
      await deliver(w, row, {
        ...fcRetries,
        once: (n) => (n === 0 ? timerOnce(row, { timeoutSec: 600, child: { onStart: (c) => ((killed = c), killOnCreateBackup(w, row, c)) } }) : timerOnce(row, { timeoutSec: 600 })),
      });
    } else {
      planWorker(row.id, {
        mode: (attempt) => (attempt === 1 ? 'child' : 'inline'),
        timeoutSec: 900,
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
    expectExactlyOnce(expect, r);
  });
});

describe("Redis's answer to the claim lost (the claim landed; the invocation refused)", () => {
  it.concurrent.for(matrix)('$name', async ({ entry, product }, { expect }) => {
    const row = w.row("claim's answer lost, deployed retries", 'claimlost', entry, product);
    const proxy = await startRedisProxy();
    const env = { IDEMPOTENCY_STORE: proxy.url };
    // The claim (SET NX under the row's key) reaches Redis; its answer does not reach the function.
    const lost = proxy.loseReplyTo(`${w.prefix}${row.key}`);
    let gw: ChildGateway | undefined;
    try {
      if (entry === 'timer') {
        await deliver(w, row, { ...fcRetries, once: () => timerOnce(row, { timeoutSec: 600, env }) });
      } else if (entry === 'deploy') {
        gw = await startChildGateway({ bundle: 'deploy-hook', timeoutSec: 900, env: instanceEnv(env), credentials: stsCredentials });
        const url = gw.url;
        await deliver(w, row, { ...ciRetries, once: () => deployOnce(w, row, url) });
      } else {
        planWorker(row.id, { mode: 'inline', env });
        await deliver(w, row);
        await settleWorker(w, row);
      }
    } finally {
      await gw?.stop();
      await proxy.close();
    }
    const r = finish(w, row);
    await lost;
    const first = entry === 'timer' || entry === 'deploy' ? row.answers[0] : undefined;
    if (first) expect(first, 'the first invocation refused retryably').toMatchObject({ kind: 'retryable', code: expect.stringContaining('IdempotencyStoreUnavailable') });
    expectExactlyOnce(expect, r);
  });
});
