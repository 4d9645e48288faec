// One CommonJS bundle per function (dist/<function>/index.js) with every dependency inlined, so nothing is
// required from node_modules at run time; plus the local tools (local cloud, local stack, CLI).
import { build } from 'esbuild';
import { readdirSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const functions = readdirSync(join(root, 'functions'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(root, 'functions', d.name, 'index.ts')))
  .map((d) => d.name);

// `debug` (pulled in by ioredis) tries `require('supports-color')` inside a try/catch; it is not installed, so
// resolve it to an empty module rather than leave a require of node_modules in the bundle.
const optionalDependencies = {
  name: 'optional-dependencies',
  setup(b) {
    b.onResolve({ filter: /^supports-color$/ }, (args) => ({ path: args.path, namespace: 'empty' }));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'module.exports = {};' }));
  },
};

const common = {
  plugins: [optionalDependencies],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
};

const sizes = {};
for (const name of functions) {
  const out = join(root, 'dist', name, 'index.js');
  const r = await build({ ...common, entryPoints: [join(root, 'functions', name, 'index.ts')], outfile: out });
  sizes[name] = Object.values(r.metafile.outputs).find((o) => o.entryPoint)?.bytes;
}

const tools = [
  ['local/cloud/main.ts', 'dist/local-cloud.js'],
  ['local/stack/main.ts', 'dist/local-stack.js'],
  ['cli/main.ts', 'dist/cli.js'],
].filter(([src]) => existsSync(join(root, src)));
for (const [src, out] of tools) {
  await build({ ...common, minify: false, entryPoints: [join(root, src)], outfile: join(root, out), banner: { js: '#!/usr/bin/env node' } });
}

mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
for (const [name, bytes] of Object.entries(sizes)) console.log(`dist/${name}/index.js  ${(bytes / 1024).toFixed(1)} KiB`);
