// The fault suite's result table: one row per scenario × entry point × product, collected by each test file,
// merged by test/faults/lib/global-setup.ts into test/faults/results.md and printed at the end of the run.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FaultRow {
  scenario: string;
  entry: string;
  product: string;
  /** Deliveries of the entry point's event or request (FC redeliveries, CI re-runs, Slack retries). */
  deliveries: number;
  /** Attempts of the row's backup-worker task (FC's async retries included); 0 where no worker runs. */
  workerRuns: number;
  /** CreateBackup jobs the local cloud holds for the row's instance. */
  backups: number;
  duplicates: number;
  /** 1 when the instance has no job and nothing said, retryably and about this target, that it failed. */
  withoutOutcome: number;
  /** HTTP answers ≥ 500 from the entry point (deploy webhook, Slack), plus requests left without any answer. */
  http5xx: number;
  /** Results posted back to chat (Slack rows). */
  replies?: number;
  /** 'ok', or what the row's assertion found wrong (set by the test after counting). */
  verdict?: string;
  notes: string;
  /** The table the row belongs to when not the main one (e.g. "faults in combination"). */
  table?: string;
}

export const scenarioOrder = [
  'lost response (drop-after-create)',
  'HTTP 500 ×2',
  'HTTP 503 ×2',
  'Throttling ×2',
  'connection reset ×2',
  'read timeout (300 ms < 600 ms)',
  'latency past the deadline',
  'delivered 3× serially',
  'delivered 3× concurrently',
  'killed between claim and save',
  'Redis down at claim',
  'Redis cut before save',
  'FC invoke: answer lost after FC took the task',
  'FC invoke: 503',
  'FC invoke: 429 throttled',
  'FC invoke: connection reset',
  'FC: worker instance crashed',
  'FC invoke: 503 throughout',
  "killed, FC's own retries (deployed timeouts)",
  "claim's answer lost, deployed retries",
];
export const entryOrder = ['timer', 'deploy webhook', 'Slack', 'fan-out'];
export const productOrder = ['rds', 'polardb', 'mongodb'];

const rank = (list: string[], v: string) => (list.includes(v) ? list.indexOf(v) : list.length);

export function sortRows(rows: FaultRow[]): FaultRow[] {
  return [...rows].sort(
    (a, b) =>
      rank(scenarioOrder, a.scenario) - rank(scenarioOrder, b.scenario) ||
      a.scenario.localeCompare(b.scenario) ||
      rank(entryOrder, a.entry) - rank(entryOrder, b.entry) ||
      rank(productOrder, a.product) - rank(productOrder, b.product),
  );
}

export function formatTable(rows: FaultRow[]): string {
  const head = ['scenario', 'entry point', 'product', 'deliveries', 'worker runs', 'backups', 'duplicates', 'without outcome', '5xx', 'replies', 'result', 'notes'];
  const lines = sortRows(rows).map((r) => [
    r.scenario,
    r.entry,
    r.product,
    String(r.deliveries),
    r.workerRuns ? String(r.workerRuns) : '–',
    String(r.backups),
    String(r.duplicates),
    String(r.withoutOutcome),
    String(r.http5xx),
    r.replies === undefined ? '–' : String(r.replies),
    // No verdict: an earlier assertion of the test failed before the row's own.
    r.verdict === 'ok' ? 'ok' : `**${r.verdict ?? 'FAIL: see the test'}**`,
    r.notes.replace(/\|/g, '\\|'),
  ]);
  const total = (f: (r: FaultRow) => number) => rows.reduce((n, r) => n + f(r), 0);
  const sum = ['**total**', `${rows.length} rows`, '', String(total((r) => r.deliveries)), String(total((r) => r.workerRuns)), String(total((r) => r.backups)), String(total((r) => r.duplicates)), String(total((r) => r.withoutOutcome)), String(total((r) => r.http5xx)), '', `${rows.filter((r) => r.verdict !== 'ok').length} not ok`, ''];
  return [head, head.map(() => '---'), ...lines, sum].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** The main table, then one titled table per `table` the rows name (e.g. "Faults in combination"). */
export function formatTables(rows: FaultRow[]): string {
  const names = [...new Set(rows.map((r) => r.table).filter((t): t is string => t !== undefined))].sort();
  const main = rows.filter((r) => r.table === undefined);
  return [
    ...(main.length > 0 ? [formatTable(main)] : []),
    ...names.map((n) => `## ${n[0]?.toUpperCase()}${n.slice(1)}\n\n${formatTable(rows.filter((r) => r.table === n))}`),
  ].join('\n\n');
}

/** Each test file runs in its own process: it leaves its rows here for the global teardown to merge. */
export function saveRows(dir: string, file: string, rows: FaultRow[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${file}.json`), JSON.stringify(rows));
}

export function loadRows(dir: string): FaultRow[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names.flatMap((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as FaultRow[]);
}
