// `npm start`: the whole system on loopback, no cloud account. The local cloud (RDS, PolarDB, MongoDB, FC invoke)
// seeded with sample instances; every function behind an HTTP gateway that makes FC 3.0 HTTP events for the real
// bundles; the timer fired from s.yaml's cron; a receiver printing what would be posted to Slack/DingTalk.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { startLocalCloud } from '../cloud/index';
import { fcContext, invokeBundle, loadHandler } from '../fc-runtime';
import { parseCron } from './cron';
import { examplesText } from './examples';
import { startGateway } from './http-gateway';
import { startReceiver } from './receiver';
import { PortInUse } from '../listen';
import { dashboardLink, mintToken } from '../../shared/dashboard/token';

const root = resolve(__dirname, '..');
const dist = join(root, 'dist');
const port = (name: string, def: number) => Number(process.env[name] ?? def);

/** Starts one server on the port `variable` sets; a port already taken is one line naming the port and the variable. */
async function onPort<T>(variable: string, def: number, start: (port: number) => Promise<T>): Promise<T> {
  const p = port(variable, def);
  try {
    return await start(p);
  } catch (e) {
    if (!(e instanceof PortInUse)) throw e;
    throw new Error(`port ${p} is already in use (another npm start?); stop whatever holds it, or set ${variable} to a free port.`);
  }
}

// Local-only secrets: printed below so the example commands work; never used against the real cloud.
const local = {
  accessKeyId: 'LTAI-local-test',
  accessKeySecret: 'local-secret',
  deploySecret: process.env.DEPLOY_HOOK_SECRET ?? 'local-deploy-secret',
  slackSecret: process.env.SLACK_SIGNING_SECRET ?? 'local-slack-secret',
  dingtalkSecret: process.env.DINGTALK_APP_SECRET ?? 'local-dingtalk-secret',
  dashboardSecret: process.env.DASHBOARD_SECRET ?? 'local-dashboard-secret',
  notifySecret: process.env.NOTIFY_DINGTALK_SECRET ?? 'local-dingtalk-robot-secret',
};

interface TimerTrigger {
  functionName: string;
  triggerName: string;
  cron: string;
  payload: string;
}

function timersFromSYaml(file: string): TimerTrigger[] {
  const doc = parse(readFileSync(file, 'utf8')) as { resources: Record<string, { component: string; props: Record<string, unknown> }> };
  return Object.entries(doc.resources).flatMap(([name, r]) =>
    r.component !== 'fc3'
      ? []
      : ((r.props.triggers as { triggerName: string; triggerType: string; triggerConfig: { cronExpression?: string; payload?: string } }[] | undefined) ?? [])
          .filter((t) => t.triggerType === 'timer' && t.triggerConfig.cronExpression)
          .map((t) => ({ functionName: name, triggerName: t.triggerName, cron: t.triggerConfig.cronExpression as string, payload: t.triggerConfig.payload ?? '' })),
  );
}

async function main(): Promise<void> {
  const cloud = await onPort('LOCAL_CLOUD_PORT', 8787, (p) => startLocalCloud({ port: p, jobDurationMs: Number(process.env.LOCAL_JOB_DURATION_MS ?? 20_000), distDir: dist }));
  const receiver = await onPort('LOCAL_RECEIVER_PORT', 8789, (p) =>
    startReceiver({
      port: p,
      print: (r) => console.log(`\n[chat ${r.path}] ${JSON.stringify(r.body)}`),
      dingtalkSecret: local.notifySecret,
      printAlert: (n) => console.log(`\n[alert ${n.channel}] ${n.channel === 'dingtalk' ? (n.body.markdown as { text: string }).text : (n.body.text as string)}`),
    }),
  );
  let store = process.env.IDEMPOTENCY_STORE;
  if (!store) {
    const storeDir = join(root, '.fc-db-backup', 'idempotency');
    mkdirSync(storeDir, { recursive: true });
    store = `file:${storeDir}`;
  }
  Object.assign(process.env, {
    RDS_ENDPOINT: cloud.url,
    POLARDB_ENDPOINT: cloud.url,
    MONGODB_ENDPOINT: cloud.url,
    FC_ENDPOINT: cloud.url,
    IDEMPOTENCY_STORE: store,
    WORKER_FUNCTION: 'backup-worker',
    DEPLOY_HOOK_SECRET: local.deploySecret,
    SLACK_SIGNING_SECRET: local.slackSecret,
    DINGTALK_APP_SECRET: local.dingtalkSecret,
    DASHBOARD_SECRET: local.dashboardSecret,
    // The ids `fc-db-backup chat` sends by default (workspace T0LOCAL / corp dinglocal, user U0LOCAL).
    CHATOPS_ACL: process.env.CHATOPS_ACL ?? JSON.stringify([{ users: ['slack:T0LOCAL/U0LOCAL', 'dingtalk:dinglocal/U0LOCAL'], commands: ['backup', 'status', 'report', 'dashboard'] }]),
    // Results go to the receiver on loopback: the one reply address allowed besides Slack's and DingTalk's hosts.
    CHAT_REPLY_LOCAL_RECEIVER: receiver.url,
    // Trying the examples backs the four sample databases up more often than a deployment would.
    ADHOC_BACKUPS_PER_DAY: process.env.ADHOC_BACKUPS_PER_DAY ?? '20',
    ALIBABA_CLOUD_REGION: 'cn-hangzhou',
    // Alerts go to the receiver, which checks the DingTalk signature and prints them.
    NOTIFY_DINGTALK_WEBHOOK_URL: `${receiver.url}/notify/dingtalk?access_token=local`,
    NOTIFY_DINGTALK_SECRET: local.notifySecret,
    NOTIFY_SLACK_WEBHOOK_URL: `${receiver.url}/notify/slack`,
    // Restore drills: the tracker hands each open drill's next step to restore-drill (run by the local FC).
    DRILL_FUNCTION: 'restore-drill',
    DRILL_TARGETS: process.env.DRILL_TARGETS ?? JSON.stringify([{ product: 'rds', DBInstanceId: 'rm-sample2' }]),
  });
  const credentials = { accessKeyId: local.accessKeyId, accessKeySecret: local.accessKeySecret };
  const runtime = { distDir: dist, credentials, region: 'cn-hangzhou' };
  const gateway = await onPort('LOCAL_GATEWAY_PORT', 8788, (p) =>
    startGateway({
      port: p,
      functions: Object.fromEntries(
        ['deploy-hook', 'chatops', 'dashboard'].map((name) => [name, { handler: loadHandler(name, dist), context: () => fcContext(name, { ...runtime, timeoutSec: 900 }) }]),
      ),
    }),
  );

  // The chat report's link and `dashboard-link` point here.
  process.env.DASHBOARD_URL = `${gateway.url}/dashboard`;
  const link = dashboardLink(process.env.DASHBOARD_URL, mintToken(local.dashboardSecret).token);

  const timers = timersFromSYaml(join(root, 's.yaml'));
  const handles: NodeJS.Timeout[] = [];
  for (const t of timers) {
    const schedule = parseCron(t.cron);
    const arm = (from: Date) => {
      const at = schedule.next(from);
      handles.push(
        setTimeout(async () => {
          const event = Buffer.from(JSON.stringify({ triggerTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), triggerName: t.triggerName, payload: t.payload }));
          console.log(`\n[timer ${t.functionName}/${t.triggerName}] fired at ${at.toISOString()}`);
          try {
            console.log(JSON.stringify(await invokeBundle(t.functionName, event, { ...runtime, timeoutSec: 600 })));
          } catch (e) {
            console.log(`[timer] ${t.functionName} threw (FC would redeliver): ${(e as Error).message}`);
          }
          arm(at);
        }, Math.max(0, at.getTime() - Date.now())),
      );
    };
    arm(new Date());
  }
  // The tracker's timer fires each minute; between its firings a sweep every LOCAL_TRACKER_INTERVAL_MS (default
  // 5 s) lets chat results and alerts arrive soon after a local job ends.
  const trackEveryMs = Number(process.env.LOCAL_TRACKER_INTERVAL_MS ?? 5_000);
  let sweeping = false;
  const sweepEvent = () => Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'local-sweep', payload: '' }));
  if (trackEveryMs > 0) {
    const sweeper = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      invokeBundle('backup-tracker', sweepEvent(), { ...runtime, timeoutSec: 60 })
        .catch((e: unknown) => console.log(`[tracker] sweep failed: ${(e as Error).message}`))
        .finally(() => {
          sweeping = false;
        });
    }, trackEveryMs);
    handles.push(sweeper);
  }

  const g = gateway.url;
  const examples = examplesText({
    cloud: cloud.url,
    gateway: g,
    receiver: receiver.url,
    accessKeyId: local.accessKeyId,
    accessKeySecret: local.accessKeySecret,
    region: 'cn-hangzhou',
    idempotencyStore: process.env.IDEMPOTENCY_STORE as string,
    deploySecret: local.deploySecret,
    slackSecret: local.slackSecret,
    dingtalkSecret: local.dingtalkSecret,
    workerFunction: 'backup-worker',
    dashboardSecret: local.dashboardSecret,
    drillTargets: process.env.DRILL_TARGETS as string,
  });
  console.log(`fc-db-backup local stack is up (Ctrl-C to stop)

  local cloud      ${cloud.url}   (RDS, PolarDB, MongoDB, FC invoke; AccessKey ${local.accessKeyId} / ${local.accessKeySecret})
  deploy-hook      ${g}/deploy-hook/backups
  chatops          ${g}/chatops/slack   ${g}/chatops/dingtalk   (CHATOPS_ACL allows slack:T0LOCAL/U0LOCAL, dingtalk:dinglocal/U0LOCAL)
  dashboard        ${link}   (valid 8 h; node dist/cli.js dashboard-link for a new one)
  chat receiver    ${receiver.url}   (prints what would be posted to Slack/DingTalk)
  timers           ${timers.map((t) => `${t.functionName}/${t.triggerName} "${t.cron}" next ${parseCron(t.cron).next(new Date()).toISOString()}`).join('; ') || 'none'}
  sample instances rm-sample1, rm-sample2 (rds, tagged backup=nightly), pc-sample1 (polardb), dds-sample1 (mongodb)
  idempotency      ${process.env.IDEMPOTENCY_STORE}

${examples}`);

  // Ctrl-C in a terminal reaches this process and `npm start`'s, which forwards it: stop once, and never hang.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\nstopping (${signal})…`);
    handles.forEach(clearTimeout);
    setTimeout(() => {
      console.log('stopped (some connections were still open)');
      process.exit(0);
    }, 3_000).unref();
    void Promise.allSettled([gateway.close(), receiver.close(), cloud.close()]).then(() => {
      console.log('stopped.');
      process.exit(0);
    });
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => stop(sig));
  // Started by `npm start` (scripts/start.mjs) with an IPC channel: when that process is gone, however it died, stop too.
  if (process.send) process.on('disconnect', () => stop('npm start exited'));
  (globalThis as { fcdbLocalStack?: unknown }).fcdbLocalStack = { cloud, gateway, receiver };
  const readyFile = process.env.LOCAL_STACK_READY_FILE;
  if (readyFile) {
    // Written whole, then renamed: a reader never sees half a file.
    writeFileSync(`${readyFile}.tmp`, JSON.stringify({ cloud: cloud.url, gateway: g, receiver: receiver.url, pid: process.pid }));
    renameSync(`${readyFile}.tmp`, readyFile);
  }
}

main().catch((e: unknown) => {
  console.error(`local stack failed to start: ${(e as Error).message}`);
  process.exit(1);
});
