// Section 1: what the engine adds to one CreateBackup. The engine's whole path (parseTarget, idempotency key,
// claim, ACS3-signed CreateBackup, complete) against a bare @alicloud/openapi-client callApi of the same action to
// the same local cloud, interleaved call by call so drift (GC, JIT, disk, the emulator's state) hits every variant.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultCredentials, startLocalCloud } from '../local/cloud/index';
import { createDeadline } from '../shared/deadline';
import { requestBackup, type EngineDeps } from '../shared/backup/engine';
import { FileStore } from '../shared/idempotency/file-store';
import { defaultDir } from '../shared/idempotency/store-factory';
import { idempotencyKey } from '../shared/idempotency/key';
import { RedisStore } from '../shared/idempotency/redis-store';
import type { IdempotencyStore } from '../shared/idempotency/store';
import { createLogger } from '../shared/logger';
import { rds } from '../shared/cloud/products/rds';
import { parseTarget } from '../shared/backup/targets';
import { bareCreateBackup, deletePrefix, MemoryStore, TimedStore } from './support';
import { median, ms, now, percentile, ratio, signed, since, table } from './stats';

export interface OverheadOptions {
  iterations: number;
  warmup: number;
  rounds: number;
  profileIterations: number;
  /** Calls per variant of the pass at 20 ms emulated latency. */
  latencyIterations: number;
  redisUrl: string;
  keyPrefix: string;
}

export interface OverheadResult {
  markdown: string;
  p50Ratio: { file: number; redis: number };
  findings: string[];
}

/** Per-call parts, where the variant can tell them. */
interface Parts {
  validation?: number;
  claim?: number;
  complete?: number;
}

interface Variant {
  name: string;
  run(instanceId: string): Promise<Parts>;
}

interface Measured {
  total: number[];
  parts: (Parts & { total: number })[];
}

export async function runOverhead(o: OverheadOptions): Promise<OverheadResult> {
  const cloud = await startLocalCloud({ jobDurationMs: 1, instances: [] });
  const cred = defaultCredentials.find((c) => !c.securityToken) ?? defaultCredentials[0];
  if (!cred) throw new Error('the local cloud has no credentials');
  const credentials = { accessKeyId: cred.accessKeyId, accessKeySecret: cred.accessKeySecret };
  const env = { RDS_ENDPOINT: cloud.url };
  // Where the file store lives by default (memory-backed /dev/shm on Linux, else the temp dir).
  const fileDir = mkdtempSync(join(dirname(defaultDir), 'fcdb-bench-store-'));
  const fileStore = new FileStore({ dir: fileDir });
  const redisStore = new RedisStore({ url: o.redisUrl, keyPrefix: o.keyPrefix });
  const memory = new MemoryStore();
  const quiet = createLogger({ sink: () => undefined });
  const run = randomBytes(4).toString('hex');
  let seq = 0;
  const fresh = (): string => {
    const id = `rm-bench${run}${(seq++).toString(36)}`;
    cloud.addInstance({ product: 'rds', id });
    return id;
  };

  const bareCall = bareCreateBackup(cloud.url, credentials, rds.apiVersion);
  const bare: Variant = {
    name: 'bare callApi',
    async run(id) {
      const body = await bareCall({ RegionId: 'cn-hangzhou', DBInstanceId: id });
      if (typeof body.BackupJobId !== 'string') throw new Error(`bare CreateBackup answered ${JSON.stringify(body)}`);
      return {};
    },
  };

  /** What a worker invocation does for one target: validate the raw input, derive the key, requestBackup. */
  const engine = (name: string, store: IdempotencyStore): Variant => ({
    name,
    async run(id) {
      const t0 = now();
      const target = parseTarget({ product: 'rds', DBInstanceId: id }, 'target');
      const key = idempotencyKey('bench', [run], target);
      const validation = since(t0);
      const deps: EngineDeps = {
        store,
        deadline: createDeadline({ startedAt: Date.now(), timeoutSec: 60 }),
        logger: quiet,
        credentials: () => credentials,
        contextRegion: 'cn-hangzhou',
        env,
        timeouts: { connectMs: 5_000, readMs: 10_000 },
        recordTtlMs: 3_600_000,
      };
      const out = await requestBackup(target, key, deps);
      if (out.outcome !== 'created' || !out.jobId) throw new Error(`${name}: unexpected outcome ${JSON.stringify(out)}`);
      return store instanceof TimedStore ? { validation, claim: store.claims.at(-1), complete: store.completes.at(-1) } : { validation };
    },
  });

  /** Interleaved rounds; the order of variants rotates every iteration. Each round starts from an empty emulator. */
  async function measure(variants: Variant[], iterations: number, rounds: number, warmup: number): Promise<Measured[]> {
    const out: Measured[] = variants.map(() => ({ total: [], parts: [] }));
    const perRound = Math.ceil(iterations / rounds);
    for (let r = -1; r < rounds; r++) {
      // Round -1 is the warm-up: JIT, connection pools, the Redis scripts, the store directory.
      const n = r < 0 ? warmup : perRound;
      cloud.reset();
      memory.clear();
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < variants.length; k++) {
          const v = (i + k) % variants.length;
          const id = fresh();
          const t0 = now();
          const parts = await (variants[v] as Variant).run(id);
          const total = since(t0);
          if (r >= 0) {
            (out[v] as Measured).total.push(total);
            (out[v] as Measured).parts.push({ ...parts, total });
          }
        }
      }
      const jobs = cloud.jobs();
      if (jobs.length !== n * variants.length || new Set(jobs.map((j) => j.instanceId)).size !== jobs.length) {
        throw new Error(`round ${r}: ${jobs.length} jobs for ${n * variants.length} backups`);
      }
    }
    return out;
  }

  try {
    // --- main comparison ---
    const main = [bare, engine('engine + FileStore', fileStore), engine('engine + RedisStore', redisStore)];
    const m = await measure(main, o.iterations, o.rounds, o.warmup);
    const b50 = median((m[0] as Measured).total);
    const b99 = percentile((m[0] as Measured).total, 99);
    const rowsOf = (variants: Variant[], res: Measured[], base50: number, base99: number) =>
      variants.map((v, i) => {
        const s = (res[i] as Measured).total;
        const p50 = median(s);
        const p99 = percentile(s, 99);
        return [v.name, String(s.length), ms(p50), ms(p99), i === 0 ? '1.00×' : ratio(p50 / base50), i === 0 ? '1.00×' : ratio(p99 / base99)];
      });
    const rows = rowsOf(main, m, b50, b99);
    const fileRatio = median((m[1] as Measured).total) / b50;
    const redisRatio = median((m[2] as Measured).total) / b50;

    // --- profile: where the engine's extra time goes ---
    const timedFile = new TimedStore(fileStore);
    const timedRedis = new TimedStore(redisStore);
    const prof = [
      bare,
      engine('engine + in-memory store', memory),
      engine('engine + FileStore', timedFile),
      engine('engine + RedisStore', timedRedis),
    ];
    const p = await measure(prof, o.profileIterations, Math.max(1, Math.round(o.rounds / 2)), Math.min(o.warmup, 100));
    const pBare = median((p[0] as Measured).total);
    const pick = (i: number, f: (x: Parts & { total: number }) => number | undefined) =>
      median((p[i] as Measured).parts.map(f).filter((x): x is number => x !== undefined));
    const pMem = pick(1, (x) => x.total);
    const val = median([1, 2, 3].flatMap((i) => (p[i] as Measured).parts.map((x) => x.validation ?? 0)));

    const storeRows = (i: number, label: string, claimNote: string, completeNote: string): string[][] => {
      const total = pick(i, (x) => x.total);
      return [
        [label, ms(total), `${signed(total - pBare)} vs bare (${ratio(total / pBare)})`],
        ['  claim (putIfAbsent)', ms(pick(i, (x) => x.claim)), claimNote],
        ['  complete (compareAndSet)', ms(pick(i, (x) => x.complete)), completeNote],
        ['  the rest: validation + signing + CreateBackup + engine glue', ms(pick(i, (x) => x.total - (x.claim ?? 0) - (x.complete ?? 0))), `bare is ${ms(pBare)}`],
      ];
    };
    const fileClaim = pick(2, (x) => x.claim);
    const fileComplete = pick(2, (x) => x.complete);
    const fileTotal = pick(2, (x) => x.total);
    const redisClaim = pick(3, (x) => x.claim);
    const redisComplete = pick(3, (x) => x.complete);
    const profRows: string[][] = [
      ['bare callApi (sign + loopback HTTP + emulator)', ms(pBare), '—'],
      ['engine + in-memory store (everything but the store)', ms(pMem), `${signed(pMem - pBare)} vs bare (${ratio(pMem / pBare)})`],
      ['  parseTarget + idempotencyKey', ms(val), `${((100 * val) / pBare).toFixed(0)}% of bare`],
      ['  requestBackup (CreateBackup + in-memory claim/complete + glue)', ms(pick(1, (x) => x.total - (x.validation ?? 0))), `bare is ${ms(pBare)}`],
      ...storeRows(2, 'engine + FileStore', 'tmp write + link(2), no lock', 'lock cycle + read + tmp write + rename + unlock'),
      ...storeRows(3, 'engine + RedisStore', 'one EVALSHA (SET NX PX) over loopback', 'one EVALSHA (GET + cjson owner check + SET PX)'),
    ];
    // --- the same comparison at a realistic 20 ms per API call ---
    cloud.setLatency(20);
    const lat = await measure(main, o.latencyIterations, 1, 10);
    cloud.setLatency(0);
    const l50 = median((lat[0] as Measured).total);
    const l99 = percentile((lat[0] as Measured).total, 99);
    const latRows = rowsOf(main, lat, l50, l99);

    const findings: string[] = [];
    const storeShare = (fileClaim + fileComplete) / Math.max(1e-9, fileTotal - pBare);
    findings.push(
      `Per-backup p50 ratio with the embedded FileStore: ${ratio(fileRatio)} (goal ≤ 1.10×) — ${fileRatio <= 1.1 ? 'met' : '**missed**'}; ` +
        `RedisStore ${ratio(redisRatio)}. The baseline is a ${ms(b50)} ms loopback call, so every 0.1 ms the engine adds is ~${((100 * 0.1) / b50).toFixed(0)}% of it.`,
    );
    findings.push(
      `Everything except the store (engine + in-memory store) is ${ratio(pMem / pBare)} of bare (${signed(pMem - pBare)} ms; parseTarget + key alone ${ms(val)} ms): ` +
        `${pMem / pBare <= 1.1 ? 'the engine logic itself is within the 1.10× goal' : 'above the 1.10× goal even before any store'}. ` +
        `The FileStore's claim + complete take ${ms(fileClaim)} + ${ms(fileComplete)} ms at p50, ${(100 * storeShare).toFixed(0)}% of the engine's ${signed(fileTotal - pBare)} ms over bare.`,
    );
    const memRest = pick(1, (x) => x.total);
    const ioRest = median([2, 3].map((i) => pick(i, (x) => x.total - (x.claim ?? 0) - (x.complete ?? 0))));
    findings.push(
      `Unattributed: with a store that does I/O (file, Redis) the non-store part of the same path measures ~${ms(ioRest)} ms vs ${ms(memRest)} ms with the in-memory store. ` +
        `The same engine code runs in both; the difference appears with every store that does I/O, most likely the extra event-loop waits around the store calls on this (shared, virtualised) machine.`,
    );
    findings.push(`RedisStore: two loopback EVALSHA round trips (${ms(redisClaim)} + ${ms(redisComplete)} ms p50).`);
    const lf = median((lat[1] as Measured).total) / l50;
    const lr = median((lat[2] as Measured).total) / l50;
    findings.push(`At 20 ms emulated latency per call the same engine paths are ${ratio(lf)} (FileStore) and ${ratio(lr)} (RedisStore) of bare at p50.`);

    const markdown = [
      `Bare = one \`@alicloud/openapi-client\` \`callApi\` of RDS CreateBackup with shared/cloud/client.ts's Config/Params/RuntimeOptions, one reused client. ` +
        `Engine = \`parseTarget\` + \`idempotencyKey\` + \`requestBackup\` (claim, ACS3-signed CreateBackup via callCloud, complete), fresh deps per call as an invocation builds them. ` +
        `Same in-process local cloud on 127.0.0.1 (no added latency), a fresh RDS instance per call, ${o.iterations} calls per variant after ${o.warmup} warm-up calls each, ` +
        `interleaved in ${o.rounds} rounds with the order rotating every call. FileStore in \`${dirname(defaultDir)}\` (its default location); Redis at ${o.redisUrl}.`,
      '',
      table(['variant', 'n', 'p50 ms', 'p99 ms', 'p50 ratio', 'p99 ratio'], rows),
      '',
      `Where the time goes: a second interleaved pass, ${o.profileIterations} calls per variant, store calls timed by a wrapper; p50 of each part per call.`,
      '',
      table(['component', 'p50 ms', 'note'], profRows),
      '',
      `For scale, the main comparison again with the local cloud answering after 20 ms (\`setLatency(20)\`), ${o.latencyIterations} calls per variant, interleaved:`,
      '',
      table(['variant @ 20 ms', 'n', 'p50 ms', 'p99 ms', 'p50 ratio', 'p99 ratio'], latRows),
    ].join('\n');
    return { markdown, p50Ratio: { file: fileRatio, redis: redisRatio }, findings };
  } finally {
    cloud.setLatency(0);
    await redisStore.close();
    await cloud.close();
    for (const d of [fileDir]) rmSync(d, { recursive: true, force: true });
    await deletePrefix(o.redisUrl, o.keyPrefix);
  }
}
