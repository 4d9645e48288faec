// Cloud-side faults on CreateBackup, and duplicate deliveries, through every entry point for every product: each row
// on its own database, all rows at once, in one local stack with the Redis idempotency store.
import { describe, it } from 'vitest';
import type { Fault } from '../../local/cloud/index';
import { deliver, expectExactlyOnce, finish, matrix, settleWorker, useWorld } from './lib/world';

const w = useWorld({ file: 'cloud-errors' });

const faults: { name: string; tag: string; fault: Omit<Fault, 'action' | 'product' | 'instanceId'> }[] = [
  { name: 'lost response (drop-after-create)', tag: 'drop', fault: { kind: 'drop-after-create' } },
  { name: 'HTTP 500 ×2', tag: 's500', fault: { kind: 'status', status: 500, code: 'InternalError', times: 2 } },
  { name: 'HTTP 503 ×2', tag: 's503', fault: { kind: 'status', status: 503, code: 'ServiceUnavailable', times: 2 } },
  { name: 'Throttling ×2', tag: 'throttle', fault: { kind: 'throttle', times: 2 } },
  { name: 'connection reset ×2', tag: 'reset', fault: { kind: 'reset', times: 2 } },
];

describe.each(faults)('$name on CreateBackup', ({ name, tag, fault }) => {
  it.concurrent.for(matrix)('$name', async ({ entry, product }, { expect }) => {
    const row = w.row(name, tag, entry, product);
    w.stack.cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, ...fault });
    await deliver(w, row);
    await settleWorker(w, row);
    const r = finish(w, row);
    // The fault was met (not skipped by some other path).
    expect(w.stack.cloud.requests.some((q) => q.action === 'CreateBackup' && q.fault === fault.kind && Object.values(q.query).includes(row.id))).toBe(true);
    expectExactlyOnce(expect, r);
  });
});

describe('delivered 3× serially', () => {
  it.concurrent.for(matrix)('$name', async ({ entry, product }, { expect }) => {
    const row = w.row('delivered 3× serially', 'serial', entry, product);
    for (let i = 0; i < 3; i++) {
      await deliver(w, row);
      await settleWorker(w, row);
    }
    const r = finish(w, row);
    expectExactlyOnce(expect, r);
  });
});

describe('delivered 3× concurrently (CreateBackup slowed by 300 ms so they overlap)', () => {
  it.concurrent.for(matrix)('$name', async ({ entry, product }, { expect }) => {
    const row = w.row('delivered 3× concurrently', 'concurrent', entry, product);
    w.stack.cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'latency', ms: 300 });
    await Promise.all([0, 1, 2].map(() => deliver(w, row)));
    await settleWorker(w, row);
    const r = finish(w, row);
    expectExactlyOnce(expect, r);
  });
});
