// One CommonJS bundle per function (dist/<function>/index.js) with every dependency inlined, so nothing is
// required from node_modules at run time; plus the local tools (local cloud, local stack, CLI).
import { build } from 'esbuild';
import { readdirSync, existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
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

// The dashboard's page (web/dashboard/): its TypeScript and CSS bundled and inlined into one HTML document, which
// the dashboard function's bundle carries as the module `fcdb:dashboard-page` (its CSP hashes the two inline parts).
async function dashboardPage() {
  const dir = join(root, 'web', 'dashboard');
  const out = async (entry, loader) =>
    (await build({ entryPoints: [join(dir, entry)], bundle: true, minify: true, write: false, platform: 'browser', target: 'es2020', format: 'iife', legalComments: 'none', logLevel: 'warning', ...loader })).outputFiles[0].text.trim();
  // Nothing inside may close the element it sits in.
  const script = (await out('main.ts')).replace(/<\/(script)/gi, '<\\/$1');
  const style = (await out('style.css')).replace(/<\/(style)/gi, '<\\/$1');
  const html = readFileSync(join(dir, 'index.html'), 'utf8').replace('<!--style-->', () => `<style>${style}</style>`).replace('<!--script-->', () => `<script>${script}</script>`);
  return { html, script, style };
}
const page = existsSync(join(root, 'web', 'dashboard', 'main.ts')) ? await dashboardPage() : undefined;
const dashboardPageModule = {
  name: 'dashboard-page',
  setup(b) {
    b.onResolve({ filter: /^fcdb:dashboard-page$/ }, (args) => ({ path: args.path, namespace: 'dashboard-page' }));
    b.onLoad({ filter: /.*/, namespace: 'dashboard-page' }, () => ({ contents: `module.exports = ${JSON.stringify(page)};`, loader: 'js' }));
  },
};

const common = {
  plugins: [optionalDependencies, dashboardPageModule],
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
if (page) console.log(`dashboard page (inlined in dist/dashboard)  ${(Buffer.byteLength(page.html) / 1024).toFixed(1)} KiB`);
