// The answer to CreateBackup stalls past the client's read timeout (CLOUD_READ_TIMEOUT_MS=300, held 600 ms) after
// the job was created: the engine must find and adopt that job (RDS, MongoDB) or replay its ClientToken (PolarDB).
import { it } from 'vitest';
import { deliver, expectExactlyOnce, finish, matrix, settleWorker, useWorld } from './lib/world';

const w = useWorld({ file: 'read-timeout', env: { CLOUD_READ_TIMEOUT_MS: '300' } });

it.concurrent.for(matrix)('read timeout (300 ms < 600 ms) · $name', async ({ entry, product }, { expect }) => {
  const row = w.row('read timeout (300 ms < 600 ms)', 'readtimeout', entry, product);
  w.stack.cloud.inject({ action: 'CreateBackup', product, instanceId: row.id, kind: 'timeout', ms: 600 });
  await deliver(w, row);
  await settleWorker(w, row);
  const r = finish(w, row);
  // On a kept-alive connection the stall surfaces as the socket idle timeout ("ConnectTimeout", bounded by the read
  // timeout): docs/cloud-client-facts.md.
  expect(w.logs.some((l) => l.msg === 'CreateBackup attempt failed' && /^(Read|Connect)Timeout$/.test(String(l.code)) && l.key === row.key), 'the read timed out').toBe(true);
  expectExactlyOnce(expect, r);
});
