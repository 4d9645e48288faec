// The tracker drains the alert outbox: an alert it delivered is gone from the outbox, so the next sweeps post it
// no more. Drives the real tracker handler, a file store and the local receiver over real HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { handler } from '../../../functions/backup-tracker/index';
import { startReceiver } from '../../../local/stack/receiver';
import { closeStores, startInvocation } from '../../../shared/fc/invocation';
import { outboxFor } from '../../../shared/tracking/wiring';
import { fcContext } from '../../helpers/fc';

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  receiver = await startReceiver({ dingtalkSecret: 'SECoutbox' });
  dir = mkdtempSync(join(tmpdir(), 'fcdb-outbox-'));
  Object.assign(process.env, {
    IDEMPOTENCY_STORE: `file:${join(dir, 'store')}`,
    NOTIFY_DINGTALK_WEBHOOK_URL: `${receiver.url}/notify/dingtalk`,
    NOTIFY_DINGTALK_SECRET: 'SECoutbox',
    NOTIFY_SLACK_WEBHOOK_URL: `${receiver.url}/notify/slack`,
    // No cloud behind this test: the restore-point watch and the digest fail fast and are skipped.
    RDS_ENDPOINT: 'http://127.0.0.1:9',
    POLARDB_ENDPOINT: 'http://127.0.0.1:9',
    MONGODB_ENDPOINT: 'http://127.0.0.1:9',
  });
});
afterAll(async () => {
  await closeStores();
  await receiver.close();
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

it('an outbox alert delivered by one sweep is not posted again by the next two: exactly one post per channel', async () => {
  const ctx = () => fcContext({ name: 'backup-tracker' });
  const title = 'outbox drain test: selector matched nothing';
  await outboxFor(startInvocation(ctx())).put({ id: 'zero-match:outbox-drain-test', kind: 'zero-match', title, message: 'no database matched', action: 'check the selector', at: new Date().toISOString() });
  const sent = [];
  for (let i = 0; i < 3; i++) sent.push((await handler({}, ctx())).alertsSent);
  expect(sent).toEqual([1, 0, 0]);
  const ours = receiver.notified.filter((n) => JSON.stringify(n.body).includes(title));
  expect(ours.filter((n) => n.channel === 'dingtalk')).toHaveLength(1);
  expect(ours.filter((n) => n.channel === 'slack')).toHaveLength(1);
  expect(receiver.refused).toEqual([]);
});
