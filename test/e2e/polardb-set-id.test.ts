// PolarDB documents a manual backup's BackupJobId as its backup set's id (docs/cloud-truth.md, issue 17 item 3). If a
// finished task's set is ever listed under another id, the tracker matches it by start time and method
// (shared/backup/status.ts, matchedByWindow) and records the backup succeeded with that set, through the real
// bundles: the scheduled timer, the worker it invokes, the tracker's sweeps, the local cloud's 'set-id-differs' fault.
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { fcContext, loadHandler } from '../../local/fc-runtime';
import type { Target } from '../../shared/backup/targets';
import { startInvocation } from '../../shared/fc/invocation';
import { startStack, type Stack } from '../helpers/stack';
import { stsCredentials } from '../helpers/fc';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ jobDurationMs: 300 }, { LOG_LEVEL: 'error' });
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.cloud.reset();
  stack.receiver.notified.length = 0;
});

const target: Target = { product: 'polardb', DBClusterId: 'pc-sample1' };
const history = () => startInvocation(fcContext('test', {})).history;

it('a PolarDB backup whose set is listed under another id is recorded succeeded with that set', async () => {
  stack.cloud.inject({ action: 'CreateBackup', product: 'polardb', kind: 'set-id-differs' });
  const event = Buffer.from(JSON.stringify({ triggerTime: '2026-12-02T02:00:00Z', triggerName: 'nightly', payload: JSON.stringify({ targets: [target] }) }));
  const run = (await loadHandler('scheduled-backup')(event, fcContext('scheduled-backup', { credentials: stsCredentials, timeoutSec: 60 }))) as { ok: boolean };
  expect(run.ok).toBe(true);
  await stack.tracked();

  const [job] = stack.cloud.jobs('polardb', 'pc-sample1');
  expect(job?.state).toBe('succeeded');
  // The fault took: the cloud lists the set under an id that is not the job's.
  expect(job?.backupId).toBeDefined();
  expect(job?.backupId).not.toBe(job?.id);

  const [r] = await history().forDatabase('polardb', 'pc-sample1');
  expect(r).toMatchObject({ state: 'succeeded', jobId: job?.id, backupId: job?.backupId, method: 'Snapshot', duties: [] });
  expect(r?.error).toBeUndefined();
  expect(stack.receiver.notified).toEqual([]);
});
