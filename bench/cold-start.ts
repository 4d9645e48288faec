// Section 2: cold start. Time to `require` each built bundle in a new node process, against a bare
// require('@alicloud/openapi-client') from node_modules; then, because the bundles load the SDK on first use, the
// time from require to a first CreateBackup answered, against the bare client doing the same. Runs interleaved.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCredentials, startLocalCloud } from '../local/cloud/index';
import { rds } from '../shared/cloud/products/rds';
import { median, ms, ratio, table } from './stats';

export interface Probe {
  /** Shown in the table. */
  name: string;
  /** Absolute path of a bundle built like dist/<fn>/index.js, containing just this piece. */
  file: string;
  note: string;
}

export interface ColdStartOptions {
  root: string;
  runs: number;
  /** Bundles of single dependencies, built by scripts/bench.mjs with the same esbuild options as the functions. */
  probes: Probe[];
}

export interface ColdStartResult {
  markdown: string;
  allFaster: boolean;
  findings: string[];
}

interface Subject {
  name: string;
  /** What is passed to require(). */
  request: string;
  bytes?: number;
}

const BARE = '@alicloud/openapi-client';

function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ['NODE_PATH', 'NODE_OPTIONS', 'IDEMPOTENCY_STORE', 'IDEMPOTENCY_KEY_PREFIX']) if (!(k in extra)) delete env[k];
  return env;
}

function requireMs(root: string, request: string): number {
  const code = `const t=process.hrtime.bigint();require(${JSON.stringify(request)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const r = spawnSync(process.execPath, ['-e', code], { cwd: root, env: childEnv(), encoding: 'utf8', timeout: 30_000 });
  const v = Number(r.stdout.trim().split('\n').pop());
  if (r.status !== 0 || !Number.isFinite(v)) throw new Error(`require(${request}) failed: ${r.stderr || r.stdout}`);
  return v;
}

/** Runs `code` in a new node process (asynchronously: the local cloud answering it lives in this process). */
function child(root: string, code: string, env: NodeJS.ProcessEnv): Promise<{ require: number; total: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', code], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('close', (status) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('BENCH '));
      const r = line ? (JSON.parse(line.slice(6)) as { require?: number; total?: number; ok?: unknown; error?: string }) : undefined;
      if (status !== 0 || !r || r.ok !== true || r.require === undefined || r.total === undefined) {
        reject(new Error(`first-call child failed (${status}): ${r?.error ?? ''} ${err || out}`));
      } else resolve({ require: r.require, total: r.total });
    });
  });
}

const finish = `.then((out)=>{const total=Number(process.hrtime.bigint()-t)/1e6;process.stdout.write('\\nBENCH '+JSON.stringify({require:r,total,ok:OK})+'\\n');process.exit(0)},(e)=>{process.stdout.write('\\nBENCH '+JSON.stringify({error:String(e&&e.stack||e)})+'\\n');process.exit(1)})`;

export async function runColdStart(o: ColdStartOptions): Promise<ColdStartResult> {
  const dist = join(o.root, 'dist');
  const sizes: Record<string, number> = existsSync(join(dist, 'sizes.json')) ? (JSON.parse(readFileSync(join(dist, 'sizes.json'), 'utf8')) as Record<string, number>) : {};
  const bundles: Subject[] = readdirSync(dist, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dist, d.name, 'index.js')))
    .map((d) => {
      const file = join(dist, d.name, 'index.js');
      return { name: `dist/${d.name}/index.js`, request: file, bytes: sizes[d.name] ?? statSync(file).size };
    });
  const bare: Subject = { name: `bare require('${BARE}') (node_modules)`, request: BARE };
  const probes: Subject[] = o.probes.map((p) => ({ name: p.name, request: p.file, bytes: statSync(p.file).size }));
  const subjects = [bare, ...bundles, ...probes];

  const times = subjects.map(() => [] as number[]);
  // One discarded pass warms the OS page cache for every file.
  for (const s of subjects) requireMs(o.root, s.request);
  for (let run = 0; run < o.runs; run++) {
    for (let k = 0; k < subjects.length; k++) {
      const i = (run + k) % subjects.length;
      (times[i] as number[]).push(requireMs(o.root, (subjects[i] as Subject).request));
    }
  }
  const med = times.map(median);
  const bareMs = med[0] as number;
  const row = (i: number) => {
    const s = subjects[i] as Subject;
    const m = med[i] as number;
    return [s.name, s.bytes === undefined ? '—' : String(s.bytes), ms(m, 1), i === 0 ? '1.00×' : ratio(m / bareMs), i === 0 ? '—' : m < bareMs ? 'yes' : '**no**'];
  };
  const mainRows = [0, ...bundles.map((_, j) => 1 + j)].map(row);
  const probeRows = probes.map((_, j) => {
    const r = row(1 + bundles.length + j);
    return [r[0] as string, r[1] as string, r[2] as string, r[3] as string, o.probes[j]?.note ?? ''];
  });
  const bundleMs = bundles.map((_, j) => med[1 + j] as number);
  const allFaster = bundleMs.every((m) => m < bareMs);

  // --- first call: require + one CreateBackup answered by a local cloud in this process ---
  const first = await firstCall(o.root, o.runs);

  const findings: string[] = [];
  findings.push(
    `Cold start (require only): ${allFaster ? 'every bundle loads faster than' : `${bundleMs.filter((m) => m >= bareMs).length} of ${bundleMs.length} bundles load slower than`} the bare client ` +
      `(bare ${ms(bareMs, 1)} ms; bundles ${ms(Math.min(...bundleMs), 1)}–${ms(Math.max(...bundleMs), 1)} ms).`,
  );
  findings.push(
    `The bundles load the SDK on the first cloud call, so part of the require-time gain moves to that call: require + first CreateBackup is ` +
      first.rows.map((r) => `${ms(r.total, 1)} ms for ${r.name}`).join(', ') +
      ` (${first.rows.map((r) => ratio(r.total / first.bare.total)).join(', ')} of the bare client's ${ms(first.bare.total, 1)} ms).`,
  );
  const probeMs = (prefix: string) => {
    const j = o.probes.findIndex((p) => p.name.startsWith(prefix));
    return j < 0 ? undefined : (med[1 + bundles.length + j] as number);
  };
  const sdkLazy = probeMs('SDK, lazy');
  const sdkEval = probeMs('SDK, evaluated');
  const sdkNoXml = probeMs('SDK, evaluated, tea-xml');
  const redisLazy = probeMs('ioredis, lazy');
  if (sdkLazy !== undefined && sdkEval !== undefined) {
    findings.push(
      `Where it goes: bundled, the SDK costs ${ms(sdkLazy, 1)} ms at require time (parse only) and ${ms(sdkEval, 1)} ms once evaluated (vs ${ms(bareMs, 1)} ms from node_modules)` +
        (sdkNoXml !== undefined ? `; deferring @alicloud/tea-xml (XML error answers only) brings the evaluation to ${ms(sdkNoXml, 1)} ms` : '') +
        (redisLazy !== undefined ? `; ioredis, never evaluated unless IDEMPOTENCY_STORE is redis://, still costs ${ms(redisLazy, 1)} ms of parsing in every bundle.` : '.'),
    );
  }
  const markdown = [
    `Median of ${o.runs} new \`node\` processes per row (after one discarded pass), each timing only \`require(...)\` with process.hrtime; rows interleaved. ` +
      `Bytes: dist/sizes.json (esbuild metafile) for the bundles, file size otherwise.`,
    '',
    table(['module', 'bytes', 'require median ms', 'ratio vs bare', 'faster than bare'], mainRows),
    '',
    "Single dependencies bundled with the functions' esbuild options (minified CJS, node20), to show where load time goes:",
    '',
    table(['piece', 'bytes', 'require median ms', 'ratio vs bare', 'what'], probeRows),
    '',
    `Cold first call: a new process requires the module and makes one RDS CreateBackup to a local cloud (no added latency) served by the bench process; ` +
      `median of ${o.runs}, interleaved. Bundles: the handler with an FC context, IDEMPOTENCY_STORE=file: in a fresh directory (claim + complete included). ` +
      `Bare: require('${BARE}') + require('@alicloud/tea-util'), new client, one callApi.`,
    '',
    table(
      ['first call', 'require ms', 'require → CreateBackup answered, ms', 'ratio vs bare'],
      [
        [first.bare.name, ms(first.bare.require, 1), ms(first.bare.total, 1), '1.00×'],
        ...first.rows.map((r) => [r.name, ms(r.require, 1), ms(r.total, 1), ratio(r.total / first.bare.total)]),
      ],
    ),
  ].join('\n');
  return { markdown, allFaster, findings };
}

interface FirstRow {
  name: string;
  require: number;
  total: number;
}

async function firstCall(root: string, runs: number): Promise<{ bare: FirstRow; rows: FirstRow[] }> {
  const cloud = await startLocalCloud({ jobDurationMs: 1, instances: [] });
  const storeRoot = mkdtempSync(join(tmpdir(), 'fcdb-bench-cold-'));
  const ak = defaultCredentials.find((c) => !c.securityToken) ?? defaultCredentials[0];
  const sts = defaultCredentials.find((c) => c.securityToken) ?? defaultCredentials[0];
  if (!ak || !sts) throw new Error('the local cloud has no credentials');
  const host = new URL(cloud.url).host;
  let seq = 0;
  const fresh = () => {
    const id = `rm-cold${process.pid}x${seq++}`;
    cloud.addInstance({ product: 'rds', id });
    return id;
  };
  const context = (name: string) => ({
    requestId: `bench-${seq}`,
    region: 'cn-hangzhou',
    accountId: '1234567890',
    credentials: { accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret, securityToken: sts.securityToken },
    function: { name, handler: 'index.handler', memory: 256, timeout: 60 },
  });
  const bundleEnv = () => childEnv({ RDS_ENDPOINT: cloud.url, IDEMPOTENCY_STORE: `file:${mkdtempSync(join(storeRoot, 's-'))}`, LOG_LEVEL: 'error' });

  const subjects: { name: string; run: () => Promise<{ require: number; total: number }> }[] = [
    {
      name: `bare ${BARE}`,
      run: () => {
        const id = fresh();
        const code =
          `const t=process.hrtime.bigint();const O=require('${BARE}');const {RuntimeOptions}=require('@alicloud/tea-util');const r=Number(process.hrtime.bigint()-t)/1e6;` +
          `const C=typeof O.default==='function'?O.default:O.default.default;` +
          `const c=new C(new O.Config(${JSON.stringify({ accessKeyId: ak.accessKeyId, accessKeySecret: ak.accessKeySecret, endpoint: host, protocol: 'http' })}));` +
          `c.callApi(new O.Params(${JSON.stringify({ action: 'CreateBackup', version: rds.apiVersion, protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' })}),` +
          `new O.OpenApiRequest({query:${JSON.stringify({ RegionId: 'cn-hangzhou', DBInstanceId: id })}}),new RuntimeOptions({autoretry:false,connectTimeout:5000,readTimeout:10000}))` +
          finish.replace('OK', "typeof (out.body||{}).BackupJobId==='string'");
        return child(root, code, childEnv());
      },
    },
    {
      name: 'dist/backup-worker (worker event)',
      run: () => {
        const id = fresh();
        const event = { key: `fcdb_cold_${id.replace(/-/g, '_')}`, target: { product: 'rds', DBInstanceId: id } };
        const code =
          `const t=process.hrtime.bigint();const m=require(${JSON.stringify(join(root, 'dist', 'backup-worker', 'index.js'))});const r=Number(process.hrtime.bigint()-t)/1e6;` +
          `m.handler(Buffer.from(${JSON.stringify(JSON.stringify(event))}),${JSON.stringify(context('backup-worker'))})` +
          finish.replace('OK', "out.ok===true&&typeof out.jobId==='string'");
        return child(root, code, bundleEnv());
      },
    },
    {
      name: 'dist/scheduled-backup (timer, 1 target)',
      run: () => {
        const id = fresh();
        const event = { triggerTime: new Date().toISOString(), triggerName: `cold-${id}`, payload: JSON.stringify({ targets: [{ product: 'rds', DBInstanceId: id }] }) };
        const code =
          `const t=process.hrtime.bigint();const m=require(${JSON.stringify(join(root, 'dist', 'scheduled-backup', 'index.js'))});const r=Number(process.hrtime.bigint()-t)/1e6;` +
          `m.handler(Buffer.from(${JSON.stringify(JSON.stringify(event))}),${JSON.stringify(context('scheduled-backup'))})` +
          finish.replace('OK', "out.ok===true&&out.results.length===1&&out.results[0].outcome==='created'");
        return child(root, code, bundleEnv());
      },
    },
  ];
  try {
    const res = subjects.map(() => ({ require: [] as number[], total: [] as number[] }));
    for (const s of subjects) await s.run(); // discarded: page cache
    for (let run = 0; run < runs; run++) {
      for (let k = 0; k < subjects.length; k++) {
        const i = (run + k) % subjects.length;
        const r = await (subjects[i] as (typeof subjects)[number]).run();
        res[i]?.require.push(r.require);
        res[i]?.total.push(r.total);
      }
    }
    const rows = subjects.map((s, i) => ({ name: s.name, require: median(res[i]?.require ?? []), total: median(res[i]?.total ?? []) }));
    const [bare, ...rest] = rows as [FirstRow, ...FirstRow[]];
    return { bare, rows: rest };
  } finally {
    await cloud.close();
    rmSync(storeRoot, { recursive: true, force: true });
  }
}
