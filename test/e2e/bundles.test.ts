// Each function is one CommonJS file that FC can load from its own folder: no node_modules at run time.
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dist = join(__dirname, '..', '..', 'dist');
const functions = readdirSync(join(__dirname, '..', '..', 'functions'));
const scratch = mkdtempSync(join(tmpdir(), 'fcdb-bundle-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(functions)('dist/%s/index.js', (name) => {
  it('requires only Node built-ins', () => {
    const code = readFileSync(join(dist, name, 'index.js'), 'utf8');
    const required = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => (m[1] as string).replace(/^node:/, ''));
    expect(required.filter((r) => !builtinModules.includes(r))).toEqual([]);
  });

  it('loads alone, far from node_modules, and exports handler(event, context)', () => {
    const dir = join(scratch, name);
    execFileSync('mkdir', ['-p', dir]);
    copyFileSync(join(dist, name, 'index.js'), join(dir, 'index.js'));
    const out = execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(join(dir, 'index.js'))}); console.log(typeof m.handler, m.handler.length)`], {
      cwd: dir,
      env: { PATH: process.env.PATH, NODE_PATH: '' },
    }).toString();
    expect(out.trim()).toBe('function 2');
  });
});
