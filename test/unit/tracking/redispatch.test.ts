// Issue 16: two visits of one lost task at once (overlapping sweeps, or the worker's failure destination racing a
// sweep) both counted a redispatch, so the task was declared lost ("dispatched 3 times") with `_r2` never sent.
// Real Redis under the history; FC is emulated at its edge: it keeps one task per task id and answers a second
// invoke of the same id as a duplicate (409), and each invoke takes a moment, so both visits read before either writes.
import { afterAll, describe, expect, it } from 'vitest';
import { workerTaskId, type WorkerEvent } from '../../../shared/fc/worker-dispatch';
import { historyFor } from '../../../shared/history/for-store';
import type { Subject } from '../../../shared/history/history';
import { RedisStore } from '../../../shared/idempotency/redis-store';
import { MAX_REDISPATCHES, recoverDispatch, type RedispatchDeps } from '../../../shared/tracking/redispatch';
import { cleanupPrefix, REDIS_URL, runPrefix } from '../../helpers/redis';

const prefix = runPrefix('redispatch');
const store = new RedisStore({ url: REDIS_URL, keyPrefix: prefix });
afterAll(async () => {
  await store.close();
  await cleanupPrefix(prefix);
});

const lostAfterMs = 300_000;

function setup() {
  let t = Date.parse('2026-12-04T02:00:00Z');
  const now = () => t;
  const history = historyFor(store, { retentionMs: 40 * 86_400_000, lostAfterMs, firstCheckMs: 20_000, now });
  const fcTasks: string[] = [];
  const invokes: string[] = [];
  const fc = async (event: WorkerEvent) => {
    const taskId = workerTaskId(event);
    invokes.push(taskId);
    await new Promise((r) => setTimeout(r, 20));
    const duplicate = fcTasks.includes(taskId);
    if (!duplicate) fcTasks.push(taskId);
    return { taskId, duplicate };
  };
  const deps: RedispatchDeps = { history, store, dispatch: fc, now };
  return { history, deps, fcTasks, invokes, advance: (ms: number) => void (t += ms) };
}

const subject = (): Subject => {
  const id = `fcdb_redispatch_${Math.random().toString(36).slice(2, 10)}`;
  return { id, target: { product: 'polardb', DBClusterId: 'pc-race1' }, product: 'polardb', instanceId: 'pc-race1', origin: { trigger: 'timer' } };
};

describe('a redispatch is counted once per `_r<n>` task, however many visits send it', () => {
  it('a sweep and the failure destination at once, each round: redispatches goes up by 1, `_r1` then `_r2` are sent, and only then is the task lost', async () => {
    const { history, deps, fcTasks, advance } = setup();
    const s = subject();
    await history.expect(s);
    // The sweep's visit (shared/tracking/sweep.ts) and the tracker's failure destination each read the record and recover it.
    const sweepVisit = async () => recoverDispatch((await history.get(s.id))!, deps);
    const failureDestination = async () => recoverDispatch((await history.get(s.id))!, deps, { now: true });

    advance(lostAfterMs);
    expect(await Promise.all([sweepVisit(), failureDestination()])).toEqual(['redispatched', 'redispatched']);
    expect((await history.get(s.id))!.redispatches).toBe(1);
    expect(fcTasks).toEqual([`${s.id}_r1`]);

    advance(lostAfterMs);
    expect(await Promise.all([sweepVisit(), failureDestination()])).toEqual(['redispatched', 'redispatched']);
    expect((await history.get(s.id))!.redispatches).toBe(2);
    expect(fcTasks).toEqual([`${s.id}_r1`, `${s.id}_r2`]);

    advance(lostAfterMs);
    expect(MAX_REDISPATCHES).toBe(2);
    const last = await Promise.all([sweepVisit(), failureDestination()]);
    expect(last).toContain('lost');
    const final = (await history.get(s.id))!;
    expect(final).toMatchObject({ state: 'lost', redispatches: 2, error: { code: 'DispatchLost', message: expect.stringContaining('dispatched 3 times') } });
    // Every task the message counts was really sent, and no `_r3`.
    expect(fcTasks).toEqual([`${s.id}_r1`, `${s.id}_r2`]);
  });

  it('two overlapping sweeps: the same, and a stale visit arriving after the next redispatch leaves the count alone', async () => {
    const { history, deps, fcTasks, advance } = setup();
    const s = subject();
    await history.expect(s);
    advance(lostAfterMs);
    const stale = (await history.get(s.id))!;
    await Promise.all([recoverDispatch((await history.get(s.id))!, deps), recoverDispatch((await history.get(s.id))!, deps)]);
    expect((await history.get(s.id))!.redispatches).toBe(1);
    advance(lostAfterMs);
    await recoverDispatch((await history.get(s.id))!, deps);
    expect((await history.get(s.id))!.redispatches).toBe(2);
    // A visit that read the record before `_r1` was counted finishes now: FC answers its `_r1` as a duplicate, and
    // the count (2, for `_r2`) and the next look stay as the `_r2` sender set them.
    const before = (await history.get(s.id))!;
    await recoverDispatch(stale, { ...deps, now: () => stale.nextCheckAt });
    expect((await history.get(s.id))!).toMatchObject({ redispatches: 2, nextCheckAt: before.nextCheckAt, state: 'dispatched' });
    expect(fcTasks).toEqual([`${s.id}_r1`, `${s.id}_r2`]);
  });
});
