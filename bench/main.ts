// `npm run bench`: engine overhead per backup, cold start of the bundles, and a 1,000-target fan-out — each compared
// with the bare SDK (or the ideal) in the same run. Prints Markdown and writes bench/results.md.
// Bundled and started by scripts/bench.mjs, which passes BENCH_ROOT (the repo) and BENCH_PROBES (cold-start probes).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { join } from 'node:path';
import { runColdStart, type Probe } from './cold-start';
import { runDashboard } from './dashboard';
import { runFleet } from './fleet';
import { runOverhead } from './overhead';
import { runRetention } from './retention';
import { runTracking } from './tracking';
import { runDrillBench } from './drill';

const root = process.env.BENCH_ROOT ?? process.cwd();
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const quick = process.argv.includes('--quick');
// The dashboard's first paint of a 1,000-database fleet stays under this on the reference machine (2 cores).
const dashboardBudgetMs = 3000;
const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

const loadAtStart = loadavg();

function machine(): string {
  const cpu = cpus();
  const load = loadAtStart.map((l) => l.toFixed(2)).join(' ');
  return `Machine: ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${platform()} ${release()}, Node ${process.version}, ${new Date().toISOString()} (load average at start ${load})`;
}

/** The commit measured, and whether the sources that go into the bundles had uncommitted changes. */
function revision(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--', 'shared', 'functions', 'local', 'scripts/build.mjs', 'package-lock.json') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes to the bundled sources' : ''}`;
  } catch {
    return 'commit unknown';
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
  const tracking = () =>
    runTracking({
      distDir: join(root, 'dist'),
      databases: 1000,
      coverage: quick ? 2000 : 10_000,
      jobSeconds: quick ? 6 : 60,
      sample: 20,
      latencyMs: 20,
      redisUrl,
      keyPrefix: `fcdb-bench:${runId}:tracking:`,
    });
  const dashboard = () =>
    runDashboard({ root, distDir: join(root, 'dist'), databases: 1000, runs: quick ? 2 : 5, redisUrl, keyPrefix: `fcdb-bench:${runId}:dashboard:`, budgetMs: dashboardBudgetMs });
  const drill = () =>
    runDrillBench({ distDir: join(root, 'dist'), drills: quick ? 6 : 30, restoreSeconds: quick ? 10 : 60, sample: quick ? 3 : 6, latencyMs: 20, redisUrl, keyPrefix: `fcdb-bench:${runId}:drill:` });
  // BENCH_ONLY=tracking (or dashboard, drill): that section alone, printed (results.md untouched).
  if (process.env.BENCH_ONLY === 'drill') {
    process.stdout.write(`${(await drill()).markdown}\n`);
    return;
  }
  if (process.env.BENCH_ONLY === 'tracking') {
    process.stdout.write(`${(await tracking()).markdown}\n`);
    return;
  }
  if (process.env.BENCH_ONLY === 'dashboard') {
    process.stdout.write(`${(await dashboard()).markdown}\n`);
    return;
  }
  const probes: Probe[] = process.env.BENCH_PROBES ? (JSON.parse(readFileSync(process.env.BENCH_PROBES, 'utf8')) as Probe[]) : [];

  log('1/7 per-backup overhead…');
  const overhead = await runOverhead({
    iterations: quick ? 300 : 2000,
    warmup: quick ? 50 : 200,
    rounds: quick ? 3 : 10,
    profileIterations: quick ? 150 : 500,
    latencyIterations: quick ? 40 : 150,
    redisUrl,
    keyPrefix: `fcdb-bench:${runId}:overhead:`,
  });

  log('2/7 cold start…');
  const cold = await runColdStart({ root, runs: quick ? 5 : 15, probes });

  log('3/7 fleet…');
  const fleet = await runFleet({
    distDir: join(root, 'dist'),
    targets: 1000,
    latencyMs: 20,
    concurrency: 50,
    ratePerSec: 10_000,
    redisUrl,
    keyPrefix: `fcdb-bench:${runId}:fleet:`,
  });

  log('4/7 retention before a PolarDB backup…');
  const retention = await runRetention({ iterations: quick ? 20 : 100, latencyMs: 20 });

  log('5/7 tracking cost…');
  const track = await tracking();

  log('6/7 dashboard first paint…');
  const dash = await dashboard();

  log('7/7 restore drill cost…');
  const drills = await drill();

  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const doc = [
    '# Benchmarks',
    '',
    `Produced by \`npm run bench\`${quick ? ' --quick' : ''} (scripts/bench.mjs → bench/main.ts) in ${seconds} s. Every figure is compared with the bare SDK (or the ideal) measured in the same run; nothing here is a timed test assertion.`,
    '',
    `${machine()}; ${revision()}.`,
    '',
    '## 1. Per-backup overhead vs. a bare `callApi`',
    '',
    overhead.markdown,
    '',
    '## 2. Cold start: `require` of each bundle vs. bare `@alicloud/openapi-client`',
    '',
    cold.markdown,
    '',
    '## 3. Fleet: 1,000 targets through fan-out at 20 ms per API call',
    '',
    fleet.markdown,
    '',
    '## 4. Retention: the PolarDB slot check before CreateBackup',
    '',
    retention.markdown,
    '',
    `## 5. Tracking cost: function-seconds per backup followed to its end, vs. one waiting worker per job`,
    '',
    track.markdown,
    '',
    '## 6. Dashboard: first paint of a 1,000-database fleet in chromium, vs. the same page over an empty fleet',
    '',
    dash.markdown,
    '',
    '## 7. Restore drills: function-seconds per drill followed to its end, vs. one function waiting on it',
    '',
    drills.markdown,
    '',
    '## Findings',
    '',
    ...[...overhead.findings, ...cold.findings, ...fleet.findings, ...retention.findings, ...track.findings, ...dash.findings, ...drills.findings].map((f) => `- ${f}`),
    '',
  ].join('\n');
  process.stdout.write(`${doc}\n`);
  if (!quick) writeFileSync(join(root, 'bench', 'results.md'), doc);
  log(quick ? 'quick run: bench/results.md left as it was' : 'wrote bench/results.md');
  if (fleet.duplicates > 0 || fleet.missing > 0) {
    log(`FLEET INCORRECT: ${fleet.duplicates} duplicates, ${fleet.missing} missing`);
    process.exitCode = 1;
  }
}

main()
  .catch((e: unknown) => {
    process.stderr.write(`[bench] failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  })
  // The bundles' cached Redis clients (one per bundle, as on a warm FC instance) have no close hook: exit explicitly.
  .finally(() => setImmediate(() => process.exit()));
