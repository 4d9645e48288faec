// npm run bench [-- --quick]: builds the function bundles (skip with BENCH_SKIP_BUILD=1), bundles the TypeScript
// bench runner (bench/main.ts) and the cold-start probes with esbuild into a temporary folder, and runs it.
// Needs Redis on 127.0.0.1:6379 (BENCH_REDIS_URL to change); writes bench/results.md (not with --quick).
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

// Experiment for the cold-start probes: @alicloud/tea-xml replaced by a shim whose parseXml requires the real module
// (still bundled, in a lazily evaluated wrapper) on first use.
const realTeaXml = createRequire(join(root, 'package.json')).resolve('@alicloud/tea-xml');
const deferTeaXml = {
  name: 'defer-tea-xml',
  setup(b) {
    b.onResolve({ filter: /^@alicloud\/tea-xml$/ }, () => ({ path: 'tea-xml-shim', namespace: 'bench-shim' }));
    b.onLoad({ filter: /.*/, namespace: 'bench-shim' }, () => ({
      resolveDir: root,
      loader: 'js',
      contents: `let real; const load = () => (real ??= require(${JSON.stringify(realTeaXml)}).default);
module.exports = { __esModule: true, default: { parseXml: (...a) => load().parseXml(...a), toXML: (...a) => load().toXML(...a) } };`,
    }));
  },
};
const work = mkdtempSync(join(tmpdir(), 'fcdb-bench-'));

try {
  if (process.env.BENCH_SKIP_BUILD !== '1') execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });

  // The runner: everything bundled (shared/, local/, the SDK), so the engine and the bare client use one copy of
  // @alicloud/openapi-client. Not minified, to keep stack traces readable.
  const runner = join(work, 'main.cjs');
  await build({
    entryPoints: [join(root, 'bench', 'main.ts')],
    outfile: runner,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'error',
    // Loaded from the repository's node_modules at run time (bench/dashboard.ts): it is not bundleable.
    external: ['playwright-core'],
  });

  // Cold-start probes: single dependencies built with scripts/build.mjs's options for the functions.
  const probeOptions = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, legalComments: 'none', logLevel: 'error' };
  const regex = '/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/';
  const probes = [
    {
      name: 'SDK, lazy import (as shared/cloud/client.ts)',
      note: "`() => import('@alicloud/openapi-client')` + tea-util, never called: what the SDK costs a bundle at require time",
      source: `export const load = () => Promise.all([import('@alicloud/openapi-client'), import('@alicloud/tea-util')]);`,
    },
    {
      name: 'SDK, evaluated',
      note: 'the same SDK bundled and imported eagerly: what the first cloud call pays to load it',
      source: `import * as OpenApi from '@alicloud/openapi-client'; import { RuntimeOptions } from '@alicloud/tea-util'; export { OpenApi, RuntimeOptions };`,
    },
    {
      name: 'SDK, evaluated, tea-xml deferred (experiment)',
      note: "the same, with `@alicloud/tea-xml` (xml2js, xmlbuilder, sax) swapped for a shim that loads it on the first parseXml — which callApi only reaches for an XML error answer",
      source: `import * as OpenApi from '@alicloud/openapi-client'; import { RuntimeOptions } from '@alicloud/tea-util'; export { OpenApi, RuntimeOptions };`,
      plugins: [deferTeaXml],
    },
    {
      name: 'ioredis, lazy import (as redis-store.ts)',
      note: "`() => import('ioredis')`, never called: parse cost only",
      source: `export const load = () => import('ioredis');`,
    },
    {
      name: 'zod/mini + one schema',
      note: "`import * as z from 'zod/mini'` (as shared/products/*): target validation",
      source: `import * as z from 'zod/mini'; export const schema = z.strictObject({ product: z.literal('rds'), DBInstanceId: z.string().check(z.regex(${regex})) });`,
    },
    {
      name: 'zod (classic) + one schema, for reference',
      note: "`import { z } from 'zod'`: the classic API, not tree-shakeable",
      source: `import { z } from 'zod'; export const schema = z.strictObject({ product: z.literal('rds'), DBInstanceId: z.string().regex(${regex}) });`,
    },
  ];
  const manifest = [];
  for (const [i, p] of probes.entries()) {
    const file = join(work, `probe-${i}.js`);
    await build({ ...probeOptions, plugins: p.plugins ?? [], stdin: { contents: p.source, resolveDir: root, loader: 'ts', sourcefile: `probe-${i}.ts` }, outfile: file });
    manifest.push({ name: p.name, file, note: p.note });
  }
  writeFileSync(join(work, 'probes.json'), JSON.stringify(manifest));

  const r = spawnSync(process.execPath, [runner, ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, BENCH_ROOT: root, BENCH_PROBES: join(work, 'probes.json') },
  });
  process.exitCode = r.status ?? 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
