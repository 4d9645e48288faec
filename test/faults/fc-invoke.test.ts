// Faults on FC's InvokeFunction, the hop between the entry point and backup-worker (Slack and fan-out only): the
// invoke refused (503, 429), the connection reset before FC took the task, the answer lost after FC took it, the
// worker's instance crashing, and FC refusing for longer than any retry. FC's faults are not per database, so these
// rows run one after another.
import { describe, it } from 'vitest';
import type { Fault } from '../../local/cloud/index';
import { deliver, entryLabel, expectExactlyOnce, finish, products, settleWorker, useWorld, type Entry } from './lib/world';

const w = useWorld({ file: 'fc-invoke' });

const faults: { name: string; tag: string; fault: Omit<Fault, 'product' | 'instanceId'> }[] = [
  { name: 'FC invoke: answer lost after FC took the task', tag: 'fcdrop', fault: { action: 'InvokeFunction', kind: 'drop-after-create' } },
  { name: 'FC invoke: 503', tag: 'fc503', fault: { action: 'InvokeFunction', kind: 'status', status: 503, code: 'ResourceThrottled' } },
  { name: 'FC invoke: 429 throttled', tag: 'fc429', fault: { action: 'InvokeFunction', kind: 'throttle' } },
  { name: 'FC invoke: connection reset', tag: 'fcreset', fault: { action: 'InvokeFunction', kind: 'reset' } },
  { name: 'FC: worker instance crashed', tag: 'fccrash', fault: { action: 'InvokeFunction:run', kind: 'function-error' } },
  // FC keeps refusing past every retry budget: the request cannot be handed over, and must say so.
  { name: 'FC invoke: 503 throughout', tag: 'fc503all', fault: { action: 'InvokeFunction', kind: 'status', status: 503, code: 'ResourceThrottled', times: 1_000 } },
];
const rows = (['slack', 'fanout'] as Entry[]).flatMap((entry) => products.map((product) => ({ entry, product, name: `${entryLabel[entry]} · ${product}` })));

describe.each(faults)('$name', ({ name, tag, fault }) => {
  it.for(rows)('$name', async ({ entry, product }, { expect }) => {
    const row = w.row(name, tag, entry, product);
    w.stack.cloud.inject({ product: 'fc', ...fault });
    try {
      // Throughout: two deliveries of the timer event show what FC's further retries would meet.
      await deliver(w, row, { max: (fault.times ?? 1) > 1 ? 2 : 8 });
      await settleWorker(w, row);
    } finally {
      w.stack.cloud.clearFaults();
    }
    const r = finish(w, row);
    // A dispatch that fails may end without a backup, if it says so (retryably, naming the database).
    expectExactlyOnce(expect, r, { oneBackup: false });
  });
});
