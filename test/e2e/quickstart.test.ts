// The README's quick start from a fresh clone, as a newcomer runs it: `git clone`, `npm ci`, `npm start`, one of the
// example commands the stack prints in a second shell, then Ctrl-C. It clones the committed HEAD, so it proves what
// a clone gets — not the working tree. Slow (a real `npm ci`, from the npm cache when it can), hence one test.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseExamples } from '../../local/stack/examples';
import { freePort, until } from '../helpers/wait';

const source = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: __dirname, encoding: 'utf8' }).trim();



/** The user's environment, without what this test runner adds (NODE_ENV=test, VITEST_*, the outer npm script's npm_package_* / npm_lifecycle_*). */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === 'NODE_ENV' || k.startsWith('VITEST') || k.startsWith('npm_package_') || k.startsWith('npm_lifecycle_') || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

interface Done {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** stdout and stderr as they came. */
  output: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number, input?: string): Promise<Done> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, output });
    });
    child.stdin.end(input ?? '');
  });
}

let dir: string | undefined;
let npmStart: ChildProcess | undefined;
let closed = false;

afterAll(() => {
  // Only what this test started: npm start's own process group.
  if (npmStart?.pid && !closed) {
    try {
      process.kill(-npmStart.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('quick start', () => {
  it(
    'a test runs the quick-start commands from a fresh clone in a temporary folder',
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'fcdb-quickstart-'));
      const repo = join(dir, 'fc-db-backup');
      const clone = await run('git', ['clone', '--quiet', '--depth', '1', `file://${source}`, repo], dir, userEnv(), 60_000);
      expect(clone.code, clone.output).toBe(0);

      // `npm ci` — the real install, reusing the npm cache; its `prepare` script builds the bundles.
      const ci = await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], repo, userEnv(), 300_000);
      expect(ci.code, ci.output).toBe(0);
      // A fresh install prints no warning (esbuild's install script is approved in package.json's allowScripts).
      expect(ci.output).not.toMatch(/npm warn/i);
      for (const f of ['cli.js', 'local-stack.js', 'scheduled-backup/index.js']) expect(existsSync(join(repo, 'dist', f)), `dist/${f} after npm ci`).toBe(true);

      // `npm start`, in its own process group so that Ctrl-C can be sent to all of it, as a terminal does.
      const ports = { cloud: await freePort(), gateway: await freePort(), receiver: await freePort() };
      const readyFile = join(dir, 'ready.json');
      let output = '';
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      const child = spawn('npm', ['start'], {
        cwd: repo,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: userEnv({
          LOCAL_CLOUD_PORT: String(ports.cloud),
          LOCAL_GATEWAY_PORT: String(ports.gateway),
          LOCAL_RECEIVER_PORT: String(ports.receiver),
          LOCAL_STACK_READY_FILE: readyFile,
          LOCAL_JOB_DURATION_MS: '300',
        }),
      });
      npmStart = child;
      child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
      child.on('exit', (code, signal) => (exit = { code, signal }));
      child.on('close', () => (closed = true));
      await until('npm start to be ready', 120_000, () => {
        if (exit) throw new Error(`npm start exited (${JSON.stringify(exit)}):\n${output}`);
        return existsSync(readyFile);
      });
      const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as { gateway: string; pid: number };
      expect(ready.gateway).toBe(`http://127.0.0.1:${ports.gateway}`);

      // In "another terminal": the printed exports, then the printed timer example and the CLI backup.
      const examples = parseExamples(output);
      const shell = (pattern: RegExp) => {
        const command = examples.commands.find((c) => pattern.test(c.shell));
        expect(command, `a printed command matching ${pattern}:\n${output}`).toBeDefined();
        const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() };
        return run('bash', ['-c', ['set -euo pipefail', ...examples.exports, command!.shell].join('\n')], repo, env, 90_000);
      };
      const timer = await shell(/invoke scheduled-backup/);
      expect(timer.code, timer.output).toBe(0);
      expect(JSON.parse(timer.stdout)).toMatchObject({
        ok: true,
        results: [expect.objectContaining({ product: 'rds', instanceId: 'rm-sample1', jobId: expect.stringMatching(/^\d+$/) })],
      });
      const backup = await shell(/ backup rds rm-sample2 /);
      expect(backup.code, backup.output).toBe(0);
      expect(backup.stdout).toMatch(/^Backup of rds rm-sample2: succeeded, backup \d+ \(job \d+\)\n$/);

      // Ctrl-C: every process of `npm start` is gone within seconds, the stack having stopped cleanly.
      const stoppedAt = Date.now();
      process.kill(-(child.pid as number), 'SIGINT');
      await until('npm start and everything it started to exit', 10_000, () => closed);
      expect(Date.now() - stoppedAt).toBeLessThan(10_000);
      // npm re-raises the Ctrl-C it received (so a shell sees "interrupted"); the stack itself exited 0 after "stopped.".
      expect(exit?.code === 0 || exit?.signal === 'SIGINT', JSON.stringify(exit)).toBe(true);
      expect(output).toMatch(/stopping \(SIGINT\)…\n[\s\S]*^stopped\.$/m);
      expect(output).not.toMatch(/local stack failed|stopped \(some connections/);
      expect(() => process.kill(ready.pid, 0)).toThrow();
      // Nothing the quick start did left a tracked file changed or an untracked one behind.
      const status = await run('git', ['status', '--porcelain'], repo, userEnv(), 30_000);
      expect(status.stdout).toBe('');
    },
    600_000,
  );
});
