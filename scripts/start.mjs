// npm start: build when the bundles are missing or older than the sources, then run the local stack.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const newest = (dir) =>
  readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .reduce((t, e) => Math.max(t, statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs), 0);

const stack = join(root, 'dist', 'local-stack.js');
const sources = Math.max(...['functions', 'shared', 'local', 'cli'].map(newest), statSync(join(root, 's.yaml')).mtimeMs);
if (!existsSync(stack) || statSync(stack).mtimeMs < sources) {
  console.log('building…');
  execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
}
// The IPC channel closes when this process dies in any way (even SIGKILL): the stack then stops by itself.
const child = spawn(process.execPath, [stack], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
const stop = (sig) => {
  child.kill(sig);
  // A stack that does not stop within its own grace period is not left behind.
  setTimeout(() => child.kill('SIGKILL'), 8_000).unref();
};
// Ctrl-C reaches the whole process group; a signal sent to this process alone is passed on. The stack stops once.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => stop(sig));
// `kill <pid of npm start>` ends npm without passing the signal on, and this process is handed to init: stop then.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && stop('SIGTERM'), 500).unref();
// The stack's exit code, or 128 + the signal's number when something killed it.
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
