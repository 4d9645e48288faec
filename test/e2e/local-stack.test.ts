// `node dist/local-stack.js` (what `npm start` runs) as a user meets it: started on free ports, then every example
// command it prints run in a shell that has nothing but the exports it prints, then stopped with Ctrl-C (SIGINT).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExamples, type ParsedExamples } from '../../local/stack/examples';
import { freePort, until } from '../helpers/wait';

const root = join(__dirname, '..', '..');



interface Shell {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `script` in bash from the repository root with only PATH and HOME: whatever else it needs, it exports. */
function bash(script: string, timeoutMs = 90_000): Promise<Shell> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -euo pipefail\n${script}`], { cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let stack: ChildProcess;
let output = '';
let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
let dir: string;
let ports: { cloud: number; gateway: number; receiver: number };
let ready: { cloud: string; gateway: string; receiver: string };
let examples: ParsedExamples;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fcdb-local-stack-'));
  ports = { cloud: await freePort(), gateway: await freePort(), receiver: await freePort() };
  const readyFile = join(dir, 'ready.json');
  stack = spawn(process.execPath, [join(root, 'dist', 'local-stack.js')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      LOCAL_CLOUD_PORT: String(ports.cloud),
      LOCAL_GATEWAY_PORT: String(ports.gateway),
      LOCAL_RECEIVER_PORT: String(ports.receiver),
      LOCAL_STACK_READY_FILE: readyFile,
      LOCAL_JOB_DURATION_MS: '300',
      IDEMPOTENCY_STORE: `file:${join(dir, 'idempotency')}`,
      STATUS_POLL_MS: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  stack.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  stack.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  stack.on('exit', (code, signal) => (exited = { code, signal }));
  await until('the ready file', 30_000, () => {
    if (exited) throw new Error(`the local stack exited (${JSON.stringify(exited)}):\n${output}`);
    return existsSync(readyFile);
  });
  ready = JSON.parse(readFileSync(readyFile, 'utf8'));
  examples = parseExamples(output);
}, 60_000);

afterAll(async () => {
  if (!exited) {
    stack.kill('SIGKILL');
    await until('the stack to die', 5_000, () => exited).catch(() => undefined);
  }
  rmSync(dir, { recursive: true, force: true });
});

const example = (pattern: RegExp) => {
  const found = examples.commands.filter((c) => pattern.test(c.shell));
  expect(found, `one printed command matching ${pattern}; printed:\n${examples.commands.map((c) => c.shell).join('\n')}`).toHaveLength(1);
  return found[0]!.shell;
};

/** A printed command, run with the printed exports and nothing else. */
const runExample = (pattern: RegExp) => bash([...examples.exports, example(pattern)].join('\n'));

describe('the local stack (node dist/local-stack.js)', () => {
  it('listens on the ports it was given and prints what a second terminal needs', () => {
    expect(ready).toEqual(expect.objectContaining({ cloud: `http://127.0.0.1:${ports.cloud}`, gateway: `http://127.0.0.1:${ports.gateway}`, receiver: `http://127.0.0.1:${ports.receiver}` }));
    const exported = examples.exports.join(' ');
    for (const name of [
      'ALIBABA_CLOUD_ACCESS_KEY_ID',
      'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
      'ALIBABA_CLOUD_REGION',
      'RDS_ENDPOINT',
      'POLARDB_ENDPOINT',
      'MONGODB_ENDPOINT',
      'IDEMPOTENCY_STORE',
      'DEPLOY_HOOK_SECRET',
      'SLACK_SIGNING_SECRET',
      'DINGTALK_APP_SECRET',
      'LOCAL_RECEIVER_URL',
      'DASHBOARD_SECRET',
      'DASHBOARD_URL',
    ]) {
      expect(exported).toMatch(new RegExp(`\\b${name}=\\S`));
    }
    expect(exported).toContain(`RDS_ENDPOINT=${ready.cloud}`);
    expect(exported).toContain(`LOCAL_RECEIVER_URL=${ready.receiver}`);
    expect(output).not.toContain('local-chat');
    expect(example(/ chat slack /)).toBe(`node dist/cli.js chat slack "backup mongodb dds-sample1 Snapshot" --url ${ready.gateway}/chatops`);
    // Every printed command is one this CLI has.
    for (const c of examples.commands) expect(c.shell).toMatch(/node dist\/cli\.js (invoke|deploy-gate|chat|backup|status|dashboard-link|report)( |$)/);
  });

  it('the dashboard: the link printed at start and the one dashboard-link prints both open the page and its API', async () => {
    const r = await runExample(/dashboard-link/);
    expect(r.code, r.stderr).toBe(0);
    const printed = /dashboard +(http:\S+)/.exec(output)?.[1];
    for (const link of [r.stdout.split('\n')[0] as string, printed as string]) {
      const url = new URL(link);
      expect(url.origin + url.pathname).toBe(`${ready.gateway}/dashboard/`);
      expect((await fetch(url.origin + url.pathname)).headers.get('content-security-policy')).toMatch(/default-src 'none'/);
      const token = new URLSearchParams(url.hash.slice(1)).get('token');
      expect((await fetch(`${ready.gateway}/dashboard/api/fleet`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    }
  });

  it('the timer example: the JSON result of one backup', async () => {
    const r = await runExample(/invoke scheduled-backup/);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { ok: boolean; results: { product: string; instanceId: string; outcome: string; jobId: string }[] };
    expect(result.ok).toBe(true);
    expect(result.results).toEqual([expect.objectContaining({ product: 'rds', instanceId: 'rm-sample1', jobId: expect.stringMatching(/^\d+$/) })]);
  });

  it('the deploy gate example: exit 0, every backup succeeded', async () => {
    const r = await runExample(/deploy-gate /);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Deploy gate: all backups succeeded\n {2}succeeded +polardb pc-sample1 job \d+/);
  });

  it('the chat examples: the reply printed, the result posted to the receiver and printed by the stack', async () => {
    const slack = await runExample(/ chat slack /);
    expect(slack.code, slack.stdout + slack.stderr).toBe(0);
    expect(slack.stdout).toBe(`Backup of mongodb dds-sample1 requested by "local-user" (U0LOCAL). I'll post the result here when it finishes.\n`);
    const line = await until('the receiver to print the result', 15_000, () =>
      output.split('\n').find((l) => /^\[chat \/slack\/response\/\S+\] /.test(l) && l.includes('dds-sample1')),
    );
    const posted = JSON.parse(line.replace(/^\[chat \S+\] /, '')) as { response_type: string; text: string };
    expect(posted).toMatchObject({ response_type: 'in_channel', text: expect.stringMatching(/^Backup of mongodb dds-sample1 succeeded: job \d+, backup \d+/) });

    const dingtalk = await runExample(/ chat dingtalk /);
    expect(dingtalk.code, dingtalk.stdout + dingtalk.stderr).toBe(0);
    expect(dingtalk.stdout).toMatch(/^mongodb dds-sample1: succeeded/);
  });

  it('the CLI examples: backup --wait, then status', async () => {
    const backup = await runExample(/ backup rds rm-sample2 /);
    expect(backup.code, backup.stdout + backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^Backup of rds rm-sample2: succeeded, backup \d+ \(job \d+\)\n$/);
    const status = await runExample(/ status rm-sample2$/);
    expect(status.code, status.stdout + status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^rds rm-sample2: succeeded 100%/);
  });

  it('the drill example (after the CLI backup): a drill of rm-sample2 followed to released, then the report shows it', async () => {
    const r = await runExample(/invoke restore-drill/);
    expect(r.code, r.stderr).toBe(0);
    const started = JSON.parse(r.stdout) as { ok: boolean; started: { drillId: string; instanceId: string }[] };
    expect(started).toMatchObject({ ok: true, started: [{ drillId: expect.stringMatching(/^drill_rds_rm-sample2_\d+$/), instanceId: expect.stringMatching(/^rm-/) }] });
    await until('the stack to log the drill ended', 45_000, () => output.includes('restore drill ended') && output.includes('"verdict":"passed"'), 200);
    const report = await runExample(/ report$/);
    expect(report.stdout).toMatch(/RECOVERY TIME/);
    expect(report.stdout.split('\n').find((l) => l.includes('rm-sample2'))).toMatch(/\d+(\.\d+)? ?s\b/);
  }, 60_000);

  it('Ctrl-C (SIGINT) stops it cleanly: exit code 0 within a few seconds, ports released', async () => {
    const started = Date.now();
    stack.kill('SIGINT');
    const done = await until('the stack to exit', 5_000, () => exited);
    expect(done).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(output).toMatch(/stopping \(SIGINT\)…\n[\s\S]*^stopped\.$/m);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(ports.gateway, '127.0.0.1', resolve));
    await new Promise<void>((r) => probe.close(() => r()));
  });
});
