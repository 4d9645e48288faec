// Runs once around the whole fault suite: gives the test files (separate processes) a folder for their rows, then
// merges the rows into one table and prints a one-line summary. The table is written to the tracked
// test/faults/results.md only on request (npm run test:faults:results), so a test run leaves the checkout clean.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatTable, formatTables, loadRows } from '../../helpers/fault-table';

export default function setup(): () => void {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'fcdb-fault-rows-'));
  // Forked test workers inherit this.
  process.env.FCDB_FAULT_ROWS_DIR = dir;
  return () => {
    const rows = loadRows(dir);
    rmSync(dir, { recursive: true, force: true });
    if (rows.length === 0) return;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const dupOrLost = rows.filter((r) => r.duplicates > 0 || r.withoutOutcome > 0);
    const bad = rows.filter((r) => r.verdict !== 'ok');
    const table = formatTables(rows);
    const md = [
      '# Exactly once under faults',
      '',
      `\`npm run test:faults\` on ${new Date().toISOString()}: ${rows.length} rows in ${seconds} s (bundles already built); ` +
        `${dupOrLost.length === 0 ? 'no duplicate and no target without an outcome' : `${dupOrLost.length} rows with a duplicate or a target without an outcome`}; ` +
        `${bad.length === 0 ? 'every row ok' : `${bad.length} rows not ok (see "result")`}.`,
      '',
      'Columns: deliveries of the entry event or request (FC redeliveries, CI re-runs, Slack retries); worker runs = attempts of the',
      "row's backup-worker task through the local FC (async retries included); backups = jobs the local cloud holds for the row's",
      'instance; duplicates = backups beyond one; without outcome = no job and no retryable failure naming the target; 5xx =',
      'HTTP answers ≥ 500 (and requests left without an answer) from the deploy webhook or Slack endpoint; replies = results posted to chat;',
      'result = the row\'s assertion: no duplicate, no target without an outcome, one backup in the end (where the fault ends), one chat',
      'reply per backup.',
      '',
      table,
      '',
    ].join('\n');
    const summary = `Exactly once under faults: ${rows.length} rows in ${seconds} s, ${dupOrLost.length} with a duplicate or a target without an outcome, ${bad.length} not ok`;
    if (process.env.FCDB_WRITE_FAULT_RESULTS === '1') {
      writeFileSync(join(__dirname, '..', 'results.md'), md);
      console.log(`\n${summary}; table written to test/faults/results.md\n`);
    } else {
      // A failing row is worth its line here; the whole table is for the explicit command.
      console.log(`\n${summary}${bad.length > 0 ? `\n${formatTable(bad)}` : ''} (npm run test:faults:results writes the table)\n`);
    }
  };
}
