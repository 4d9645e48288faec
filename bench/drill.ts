// Section 7: what following a restore drill to its end costs. Drills of N databases (a third per product), each
// restore taking `restoreSeconds` (emulated: the local cloud's clock moves a minute between the tracker's 1-minute
// follows), are followed by the built restore-drill bundle, one follow invocation a minute; against it, one function
// per drill waiting on it (the same step, every 2 s on the real clock, until released), measured on a sample. FC bills
// wall time per invocation, so the cost is function-seconds.
import { randomBytes } from 'node:crypto';
import { defaultCredentials, startLocalCloud } from '../local/cloud/index';
import { fcContext, invokeBundle, loadHandler } from '../local/fc-runtime';
import { mapLimit } from '../shared/backup/batch';
import { requestBackup } from '../shared/backup/engine';
import type { Target } from '../shared/backup/targets';
import { followDrill } from '../shared/drill/follow';
import { startCovered } from '../shared/drill/start';
import { drillDepsFor } from '../shared/drill/wiring';
import { startInvocation } from '../shared/fc/invocation';
import { SHARDS } from '../shared/history/history';
import { ms, now, since, table } from './stats';
import { deletePrefix, quietly, seedFleet } from './support';

export interface DrillBenchOptions {
  distDir: string;
  drills: number;
  restoreSeconds: number;
  sample: number;
  latencyMs: number;
  redisUrl: string;
  keyPrefix: string;
}


export async function runDrillBench(o: DrillBenchOptions): Promise<{ markdown: string; findings: string[] }> {
  let offsetMs = 0;
  const restore = { restoreMs: o.restoreSeconds * 1000, releaseMs: 500 };
  const moved = await startLocalCloud({ latencyMs: o.latencyMs, jobDurationMs: 100, instances: [], distDir: o.distDir, restore, now: () => Date.now() + offsetMs });
  const real = await startLocalCloud({ latencyMs: o.latencyMs, jobDurationMs: 100, instances: [], restore });
  const sts = defaultCredentials.find((c) => c.securityToken);
  if (!sts) throw new Error('the local cloud has no STS credential');
  const saved = { ...process.env };
  const tag = `d${randomBytes(3).toString('hex')}`;
  const env = (url: string, targets: Target[], prefix: string) =>
    Object.assign(process.env, {
      RDS_ENDPOINT: url,
      POLARDB_ENDPOINT: url,
      MONGODB_ENDPOINT: url,
      FC_ENDPOINT: url,
      IDEMPOTENCY_STORE: o.redisUrl,
      IDEMPOTENCY_KEY_PREFIX: prefix,
      ALIBABA_CLOUD_ACCESS_KEY_ID: sts.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: sts.accessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: sts.securityToken,
      ALIBABA_CLOUD_REGION: 'cn-hangzhou',
      LOG_LEVEL: 'error',
      DRILL_TARGETS: JSON.stringify(targets),
      DRILL_CONCURRENCY: '20',
      DRILL_PERIOD: '90d',
    });
  /** Each source backed up once and its end recorded: a drill restores this tool's own good backup. */
  const backUp = async (targets: Target[], advance: () => void) => {
    const inv = startInvocation(fcContext('bench', { timeoutSec: 900 }));
    const deps = { ...inv.deps, onJob: inv.history.recorder({ trigger: 'timer' }) };
    await quietly(() => mapLimit(targets, 20, (t, i) => requestBackup(t, `fcdb_bench_${tag}_${targets.length}_${i}`, deps)));
    const sweep = () => Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'sweep', payload: '' }));
    for (let round = 0; round < 50; round++) {
      advance();
      await quietly(() => invokeBundle('backup-tracker', sweep(), { distDir: o.distDir, credentials: sts, timeoutSec: 60 }));
      const left = (await Promise.all(Array.from({ length: SHARDS }, (_, s) => inv.history.outstanding(s)))).reduce((a, b) => a + b, 0);
      if (left === 0) return;
    }
    throw new Error('bench: backups did not end');
  };
  try {
    // The followed side: the weekly timer starts the drills, then one follow a minute (the tracker's hand-off).
    const targets = seedFleet(moved, o.drills, tag, { digits: 4, methods: true });
    env(moved.url, targets, `${o.keyPrefix}followed:`);
    loadHandler('restore-drill', o.distDir);
    await backUp(targets, () => (offsetMs += 1_000));
    const timerEvent = Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'weekly', payload: '{}' }));
    const invocations: number[] = [];
    const t0 = now();
    await quietly(() => invokeBundle('restore-drill', timerEvent, { distDir: o.distDir, credentials: sts, timeoutSec: 120 }));
    invocations.push(since(t0));
    let open = o.drills;
    for (let minute = 0; open > 0 && minute < 60; minute++) {
      offsetMs += 60_000;
      const f0 = now();
      const r = (await quietly(() => invokeBundle('restore-drill', Buffer.from('{"follow":true}'), { distDir: o.distDir, credentials: sts, timeoutSec: 120 }))) as { steps: Record<string, string>; started: string[] };
      invocations.push(since(f0));
      open = Object.values(r.steps).filter((s) => s !== 'released' && s !== 'release-failed' && s !== 'ended').length + r.started.length;
    }
    const inv = startInvocation(fcContext('bench', { timeoutSec: 900 }));
    const drills = (await drillDepsFor(inv, fcContext('bench', {})).log.recent(86_400_000)).filter((r) => r.sourceId.includes(tag) && !r.sourceId.includes(`${tag}w`));
    const passed = drills.filter((r) => r.phase === 'released' && r.verdict === 'passed').length;
    const followedSeconds = invocations.reduce((a, b) => a + b, 0) / 1000;
    const perDrillFollowed = followedSeconds / o.drills;

    // The baseline: one function per drill waiting on it, real clock, a sample side by side.
    const sample = seedFleet(real, o.sample, `${tag}w`, { digits: 4, methods: true });
    env(real.url, sample, `${o.keyPrefix}waiting:`);
    await backUp(sample, () => undefined);
    const winv = startInvocation(fcContext('bench-wait', { timeoutSec: 900 }));
    const wdeps = drillDepsFor(winv, fcContext('bench-wait', {}));
    const waits = await quietly(() =>
      mapLimit(sample, o.sample, async (t) => {
        const w0 = now();
        const r = (await startCovered(t, { trigger: 'timer' }, wdeps)) as { drillId: string };
        for (let i = 0; i < 1_000; i++) {
          const step = await followDrill(r.drillId, wdeps);
          if (step === 'released' || step === 'release-failed' || step === 'ended') break;
          await new Promise((res) => setTimeout(res, 2_000));
        }
        return since(w0);
      }),
    );
    const perDrillWaiting = waits.reduce((a, b) => a + b, 0) / waits.length / 1000;
    const share = perDrillFollowed / perDrillWaiting;
    const markdown = [
      table(
        ['how a restore drill is followed to its end', 'function-seconds per drill', 'ratio'],
        [
          [`one function per drill waiting on it (${o.sample} measured, ${o.restoreSeconds} s restores, a look every 2 s)`, ms(perDrillWaiting, 2), '1'],
          [`restore-drill, the timer then 1-minute follows (${o.drills} drills, ${o.restoreSeconds} s restores, ${invocations.length} invocations: ${invocations.map((s) => `${ms(s / 1000, 2)} s`).join(', ')})`, ms(perDrillFollowed, 3), `**1/${Math.round(1 / share)}**`],
        ],
      ),
      '',
      `- ${o.latencyMs} ms per emulated API call; ${passed} of ${o.drills} followed drills passed and were released. A real restore takes tens of minutes: the waiting function's cost grows with it, the followed drill's does not (one short look a minute).`,
    ].join('\n');
    return {
      markdown,
      findings: [`following a drill costs 1/${Math.round(1 / share)} of a function waiting on it (${passed}/${o.drills} passed)${passed === o.drills ? '' : ' — SOME DRILLS DID NOT PASS'}`],
    };
  } finally {
    process.env = saved;
    await Promise.all([moved.close(), real.close()]);
    await deletePrefix(o.redisUrl, o.keyPrefix).catch(() => 0);
  }
}
