// The history contract, run against both stores it lives in (real files, real Redis): records from request to
// end, the retention window, look-ups by every id the tool prints, and one winner when two sweeps record at once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupError } from '../../../shared/errors';
import { FileStore } from '../../../shared/idempotency/file-store';
import { RedisStore } from '../../../shared/idempotency/redis-store';
import type { IdempotencyStore } from '../../../shared/idempotency/store';
import { historyFor } from '../../../shared/history/for-store';
import { History, SHARDS, shardOf, type Subject } from '../../../shared/history/history';
import { cleanupPrefix, REDIS_URL, runPrefix } from '../../helpers/redis';

const DAY = 86_400_000;
const prefix = runPrefix('history');
let dir: string;
const stores: IdempotencyStore[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fcdb-history-'));
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
  await cleanupPrefix(prefix);
});

/** A clock the test moves; the file store's record ttl reads it too. */
function clock(start = Date.parse('2026-11-01T02:00:00Z')) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const backends: [string, (now: () => number) => IdempotencyStore][] = [
  ['file store', (now) => new FileStore({ dir: mkdtempSync(join(dir, 'store-')), now })],
  ['redis store', () => new RedisStore({ url: REDIS_URL, keyPrefix: `${prefix}${Math.random().toString(36).slice(2)}:` })],
];

let n = 0;
const subject = (over: Partial<Subject> = {}): Subject => {
  n++;
  return {
    id: `fcdb_test${n}_${Math.random().toString(36).slice(2, 8)}`,
    target: { product: 'polardb', DBClusterId: `pc-hist${n}` },
    product: 'polardb',
    instanceId: `pc-hist${n}`,
    origin: { trigger: 'timer' },
    ...over,
  };
};

describe.each(backends)('history on the %s', (_name, makeStore) => {
  const setup = () => {
    const c = clock();
    const store = makeStore(c.now);
    stores.push(store);
    const history = historyFor(store, { retentionMs: 40 * DAY, lostAfterMs: 300_000, firstCheckMs: 20_000, now: c.now });
    const dueIds = async () => (await Promise.all(Array.from({ length: SHARDS }, (_, s) => history.due(s, 1000)))).flat();
    return { c, history, dueIds };
  };

  it('follows a job from dispatch to its end, outstanding until every duty is done', async () => {
    const { c, history, dueIds } = setup();
    const s = subject({ origin: { trigger: 'chat', replyTo: { platform: 'slack', url: 'http://127.0.0.1:1/r' } } });
    const dispatched = await history.expect(s);
    expect(dispatched.state).toBe('dispatched');
    // Not due before it could be called lost.
    expect(await dueIds()).not.toContain(s.id);
    c.advance(300_000);
    expect(await dueIds()).toContain(s.id);

    const running = await history.requested(s, { jobId: '9001', region: 'cn-hangzhou' });
    expect(running).toMatchObject({ state: 'running', jobId: '9001', region: 'cn-hangzhou', duties: [] });
    expect(await dueIds()).not.toContain(s.id);
    c.advance(20_000);
    expect(await dueIds()).toEqual(expect.arrayContaining([s.id]));

    const failed = await history.finish(running, { state: 'failed', error: { code: 'BackupJobFailed', message: 'PolarDB reported the backup set Failed' } });
    expect(failed).toMatchObject({ state: 'failed', duties: ['alert', 'reply'], error: { code: 'BackupJobFailed' } });
    expect(await dueIds()).toContain(s.id);
    await history.settle(s.id, 'alert');
    expect(await dueIds()).toContain(s.id);
    await history.settle(s.id, 'reply');
    expect(await dueIds()).not.toContain(s.id);
    expect((await history.get(s.id))?.duties).toEqual([]);
  });

  it('finds a record by idempotency key, job id, backup set id and deployId', async () => {
    const { history } = setup();
    const deployId = `build-${n}-${Math.random().toString(36).slice(2, 6)}`;
    const a = subject({ origin: { trigger: 'deploy', deployId } });
    const b = subject({ origin: { trigger: 'deploy', deployId } });
    const ra = await history.requested(a, { jobId: `j-${a.id}` });
    await history.requested(b, { jobId: `j-${b.id}` });
    await history.finish(ra, { state: 'succeeded', backupId: `set-${a.id}`, sizeBytes: 123, method: 'Snapshot' });

    expect((await history.find(a.id)).map((r) => r.id)).toEqual([a.id]);
    expect((await history.find(`j-${a.id}`)).map((r) => r.id)).toEqual([a.id]);
    expect((await history.find(`set-${a.id}`)).map((r) => r.id)).toEqual([a.id]);
    expect((await history.find(deployId)).map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
    expect(await history.find('no-such-id')).toEqual([]);
  });

  it("keeps a database's outcomes for the whole retention window (more than 35 days), newest first", async () => {
    const { c, history } = setup();
    const first = subject();
    const r1 = await history.requested(first, { jobId: '1' });
    await history.finish(r1, { state: 'succeeded', backupId: 'b1' });
    c.advance(DAY);
    const second = { ...subject(), product: first.product, instanceId: first.instanceId, target: first.target };
    const r2 = await history.requested(second, { jobId: '2' });
    await history.finish(r2, { state: 'failed', error: { code: 'BackupJobFailed', message: 'x' } });

    c.advance(35 * DAY);
    const listed = await history.forDatabase('polardb', first.instanceId);
    expect(listed.map((r) => [r.id, r.state])).toEqual([
      [second.id, 'failed'],
      [first.id, 'succeeded'],
    ]);
    const dbs = await history.databases();
    expect(dbs).toContainEqual({ product: 'polardb', instanceId: first.instanceId, lastRequestedAt: r2.requestedAt });
  });

  it('records a target that could not be requested as final, with an alert owed', async () => {
    const { history, dueIds } = setup();
    const s = subject();
    const r = await history.refused(s, new BackupError({ code: 'Forbidden.RAM', category: 'permission', message: 'not allowed' }));
    expect(r).toMatchObject({ state: 'not-requested', duties: ['alert'], error: { code: 'Forbidden.RAM', message: 'not allowed' } });
    expect(await dueIds()).toContain(s.id);
    // A later refusal of the same request changes nothing, and a record with a job is never turned into a refusal.
    const again = await history.refused(s, new BackupError({ code: 'Other', category: 'internal', message: 'y' }));
    expect(again.error?.code).toBe('Forbidden.RAM');
    const withJob = subject();
    await history.requested(withJob, { jobId: '77' });
    expect((await history.refused(withJob, new BackupError({ code: 'X', category: 'internal', message: 'x' }))).state).toBe('running');
  });

  it('withdraws a dispatch that certainly failed: final, nothing owed; a worker that ran after all still records its job', async () => {
    const { c, history, dueIds } = setup();
    const s = subject({ origin: { trigger: 'chat', replyTo: { platform: 'slack', url: 'http://127.0.0.1:1/r' } } });
    await history.expect(s);
    const r = await history.withdraw(s.id, new BackupError({ code: 'ResourceExhausted', category: 'throttled', message: 'busy' }));
    expect(r).toMatchObject({ state: 'not-requested', duties: [], error: { code: 'ResourceExhausted' } });
    c.advance(300_000);
    expect(await dueIds()).not.toContain(s.id);
    expect((await history.requested(s, { jobId: '88' })).state).toBe('running');
    // A record with a job is never withdrawn.
    expect((await history.withdraw(s.id, new BackupError({ code: 'X', category: 'throttled', message: 'x' }))).state).toBe('running');
  });

  it('lets exactly one of two concurrent sweeps record the end of a job', async () => {
    const { history } = setup();
    const s = subject();
    const r = await history.requested(s, { jobId: '5' });
    const results = await Promise.all([
      history.finish(r, { state: 'succeeded', backupId: 'x' }),
      history.finish(r, { state: 'succeeded', backupId: 'x' }),
      history.finish(r, { state: 'failed', error: { code: 'BackupJobFailed', message: 'm' } }),
    ]);
    expect(results.filter((x) => x !== undefined)).toHaveLength(1);
    expect(isFinal((await history.get(s.id))?.state)).toBe(true);
  });

  it('spreads outstanding records over the shards and counts them', async () => {
    const { c, history } = setup();
    const subjects = Array.from({ length: 40 }, () => subject());
    await Promise.all(subjects.map((s) => history.requested(s, { jobId: s.id })));
    c.advance(20_000);
    const shards = new Set(subjects.map((s) => shardOf(s.id)));
    expect(shards.size).toBeGreaterThan(5);
    let total = 0;
    for (let shard = 0; shard < SHARDS; shard++) total += await history.outstanding(shard);
    expect(total).toBe(40);
  });

  it('tags: each database as its latest firing found it (every selector of that hour), an older firing\'s forgotten', async () => {
    const { c, history } = setup();
    await history.noteTags([{ product: 'rds', instanceId: 'rm-t1', tags: { backup: 'nightly' } }, { product: 'rds', instanceId: 'rm-t2', tags: { old: 'tag' } }]);
    c.advance(DAY);
    await history.noteTags([
      { product: 'rds', instanceId: 'rm-t2', tags: { backup: 'nightly' } },
      { product: 'rds', instanceId: 'rm-t2', tags: { app: 'orders' } },
    ]);
    await history.noteTags([]);
    const tags = await history.tags();
    expect(Object.fromEntries(tags)).toEqual({ 'rds:rm-t1': { backup: 'nightly' }, 'rds:rm-t2': { backup: 'nightly', app: 'orders' } });
    // Past the retention window a database's tags are gone with its records.
    c.advance(41 * DAY);
    expect((await history.tags()).size).toBe(0);
  });
});

const isFinal = (s: string | undefined) => s === 'succeeded' || s === 'failed';

it('refuses to run on a store it does not know', () => {
  expect(() => historyFor({} as IdempotencyStore, { retentionMs: DAY })).toThrow(/Redis or the file/);
  expect(History).toBeDefined();
});
