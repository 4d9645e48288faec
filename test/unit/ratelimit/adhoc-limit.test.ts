import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupError } from '../../../shared/errors';
import { FileStore } from '../../../shared/idempotency/file-store';
import { returnAdhocSlots, takeAdhocSlot } from '../../../shared/ratelimit/adhoc-limit';

const dir = mkdtempSync(join(tmpdir(), 'fcdb-adhoc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const db = { product: 'rds', instanceId: 'rm-1' };
const at = Date.UTC(2026, 11, 1, 10, 30, 0);

describe('takeAdhocSlot', () => {
  it('gives N slots per database per clock hour, the same request its own slot again, then 429 until the next hour', async () => {
    const store = new FileStore({ dir });
    await takeAdhocSlot(store, db, 'req-a', 2, at);
    await takeAdhocSlot(store, db, 'req-b', 2, at);
    await takeAdhocSlot(store, db, 'req-a', 2, at + 1000);
    const refused = await takeAdhocSlot(store, db, 'req-c', 2, at).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BackupError);
    expect(refused).toMatchObject({ code: 'AdhocLimitExceeded', httpStatus: 429, retryable: true, details: { limit: 2, retryAfterSec: 1800 } });
    // Another database, and the next hour, are not affected.
    await takeAdhocSlot(store, { product: 'rds', instanceId: 'rm-2' }, 'req-c', 2, at);
    await takeAdhocSlot(store, db, 'req-c', 2, at + 1_800_000);
  });

  it('is counted across instances (two stores on one directory) and slots can be given back', async () => {
    const other = { product: 'polardb', instanceId: 'pc-1' };
    const a = new FileStore({ dir });
    const b = new FileStore({ dir });
    const k1 = await takeAdhocSlot(a, other, 'r1', 1, at);
    await expect(takeAdhocSlot(b, other, 'r2', 1, at)).rejects.toMatchObject({ code: 'AdhocLimitExceeded' });
    await returnAdhocSlots(a, [k1]);
    await takeAdhocSlot(b, other, 'r2', 1, at);
  });
});
