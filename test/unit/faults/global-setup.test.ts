// The fault suite's teardown merges the rows; it rewrites the tracked test/faults/results.md only when asked
// (npm run test:faults:results), so `npm test` leaves a fresh clone clean.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import setup from '../../faults/lib/global-setup';
import { saveRows, type FaultRow } from '../../helpers/fault-table';

const results = join(__dirname, '..', '..', 'faults', 'results.md');
const row: FaultRow = { scenario: 'HTTP 500 ×2', entry: 'timer', product: 'rds', deliveries: 1, workerRuns: 0, backups: 1, duplicates: 0, withoutOutcome: 0, http5xx: 0, verdict: 'ok', notes: '' };

describe('fault suite teardown', () => {
  const saved = { dir: process.env.FCDB_FAULT_ROWS_DIR, write: process.env.FCDB_WRITE_FAULT_RESULTS };
  afterEach(() => {
    process.env.FCDB_FAULT_ROWS_DIR = saved.dir;
    if (saved.write === undefined) delete process.env.FCDB_WRITE_FAULT_RESULTS;
    vi.restoreAllMocks();
  });

  it('without FCDB_WRITE_FAULT_RESULTS: one summary line, results.md untouched', () => {
    delete process.env.FCDB_WRITE_FAULT_RESULTS;
    const before = readFileSync(results, 'utf8');
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const teardown = setup();
    saveRows(process.env.FCDB_FAULT_ROWS_DIR as string, 'one', [row]);
    teardown();
    expect(readFileSync(results, 'utf8')).toBe(before);
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]?.[0]).trim()).toMatch(/^Exactly once under faults: 1 rows in [\d.]+ s, 0 with a duplicate or a target without an outcome, 0 not ok \(npm run test:faults:results writes the table\)$/);
  });
});
