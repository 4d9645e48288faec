// `npm start` as a user runs it, through npm itself: `kill <pid of npm start>` stops the whole stack (npm does not
// pass the signal on; scripts/start.mjs and the stack notice), and a busy port is one line naming its variable.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, until } from '../helpers/wait';

const root = join(__dirname, '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fcdb-npm-start-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ports() {
  return { LOCAL_CLOUD_PORT: String(await freePort()), LOCAL_GATEWAY_PORT: String(await freePort()), LOCAL_RECEIVER_PORT: String(await freePort()) };
}

function npmStart(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), IDEMPOTENCY_STORE: `file:${join(dir, 'idempotency')}`, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => output, exited };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const listening = (port: string) =>
  new Promise<boolean>((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port: Number(port) });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

/** `npm start` up and ready; the stack's pid (from its ready file) and its parent's, scripts/start.mjs. */
async function readyStack(readyName: string) {
  const env = { ...(await ports()), LOCAL_STACK_READY_FILE: join(dir, readyName) };
  const npm = npmStart(env);
  await until('the ready file', 60_000, () => existsSync(env.LOCAL_STACK_READY_FILE));
  const stackPid = (JSON.parse(readFileSync(env.LOCAL_STACK_READY_FILE, 'utf8')) as { pid: number }).pid;
  const startPid = Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(stackPid)]).toString().trim());
  return { env, npm, stackPid, startPid };
}

describe('npm start', () => {
  it('kill <pid of npm start> (SIGTERM) stops start.mjs and the stack, and frees the ports', async () => {
    const { env, npm, stackPid, startPid } = await readyStack('ready.json');
    expect(alive(startPid) && alive(stackPid)).toBe(true);
    for (const p of [env.LOCAL_CLOUD_PORT, env.LOCAL_GATEWAY_PORT, env.LOCAL_RECEIVER_PORT]) expect(await listening(p)).toBe(true);

    npm.child.kill('SIGTERM');
    await npm.exited;
    await until('start.mjs and the stack to exit', 15_000, () => !alive(startPid) && !alive(stackPid));
    for (const p of [env.LOCAL_CLOUD_PORT, env.LOCAL_GATEWAY_PORT, env.LOCAL_RECEIVER_PORT]) expect(await listening(p), `port ${p}`).toBe(false);
    expect(npm.output()).toMatch(/stopping \(.+\)…/);
  }, 90_000);

  it('start.mjs killed outright (SIGKILL, no handler runs): the stack notices its IPC channel close and stops', async () => {
    const { env, npm, stackPid, startPid } = await readyStack('ready-kill.json');
    process.kill(startPid, 'SIGKILL');
    await until('the stack to exit', 15_000, () => !alive(stackPid));
    for (const p of [env.LOCAL_CLOUD_PORT, env.LOCAL_GATEWAY_PORT, env.LOCAL_RECEIVER_PORT]) expect(await listening(p), `port ${p}`).toBe(false);
    await npm.exited;
  }, 90_000);

  it('a busy port: exit 1 and one line naming the port and the variable that moves it, no stack trace', async () => {
    const env = await ports();
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(Number(env.LOCAL_GATEWAY_PORT), '127.0.0.1', r));
    try {
      const npm = npmStart(env);
      expect(await npm.exited).toBe(1);
      const lines = npm.output().split('\n').filter((l) => /in use|EADDRINUSE/.test(l));
      expect(lines).toEqual([
        `local stack failed to start: port ${env.LOCAL_GATEWAY_PORT} is already in use (another npm start?); stop whatever holds it, or set LOCAL_GATEWAY_PORT to a free port.`,
      ]);
      expect(npm.output()).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  }, 60_000);
});
