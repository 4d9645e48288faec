// `npm start`: the whole system on loopback, no cloud account. The local cloud (RDS, PolarDB, MongoDB, FC invoke)
// seeded with sample instances; every function behind an HTTP gateway that makes FC 3.0 HTTP events for the real
// bundles; the timer fired from s.yaml's cron; a receiver printing what would be posted to Slack/DingTalk.
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { startLocalCloud } from '../cloud/index';
import { fcContext, invokeBundle, loadHandler } from '../fc-runtime';
import { parseCron } from './cron';
import { startGateway } from './http-gateway';
import { startReceiver } from './receiver';

const root = resolve(__dirname, '..');
const dist = join(root, 'dist');
const port = (name: string, def: number) => Number(process.env[name] ?? def);

// Local-only secrets: printed below so the example commands work; never used against the real cloud.
const local = {
  accessKeyId: 'LTAI-local-test',
  accessKeySecret: 'local-secret',
  deploySecret: process.env.DEPLOY_HOOK_SECRET ?? 'local-deploy-secret',
  slackSecret: process.env.SLACK_SIGNING_SECRET ?? 'local-slack-secret',
  dingtalkSecret: process.env.DINGTALK_APP_SECRET ?? 'local-dingtalk-secret',
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
  const cloud = await startLocalCloud({ port: port('LOCAL_CLOUD_PORT', 8787), jobDurationMs: Number(process.env.LOCAL_JOB_DURATION_MS ?? 20_000), distDir: dist });
  const receiver = await startReceiver({
    port: port('LOCAL_RECEIVER_PORT', 8789),
    print: (p) => console.log(`\n[chat ${p.path}] ${JSON.stringify(p.body)}`),
  });
  const storeDir = join(root, '.fc-db-backup', 'idempotency');
  mkdirSync(storeDir, { recursive: true });
  Object.assign(process.env, {
    RDS_ENDPOINT: cloud.url,
    POLARDB_ENDPOINT: cloud.url,
    MONGODB_ENDPOINT: cloud.url,
    FC_ENDPOINT: cloud.url,
    IDEMPOTENCY_STORE: process.env.IDEMPOTENCY_STORE ?? `file:${storeDir}`,
    WORKER_FUNCTION: 'backup-worker',
    DEPLOY_HOOK_SECRET: local.deploySecret,
    SLACK_SIGNING_SECRET: local.slackSecret,
    DINGTALK_APP_SECRET: local.dingtalkSecret,
    CHATOPS_ACL: process.env.CHATOPS_ACL ?? JSON.stringify([{ users: ['U0LOCAL', 'local-user'], commands: ['backup', 'status'] }]),
    ALIBABA_CLOUD_REGION: 'cn-hangzhou',
  });
  const credentials = { accessKeyId: local.accessKeyId, accessKeySecret: local.accessKeySecret };
  const runtime = { distDir: dist, credentials, region: 'cn-hangzhou' };
  const gateway = await startGateway({
    port: port('LOCAL_GATEWAY_PORT', 8788),
    functions: Object.fromEntries(
      ['deploy-hook', 'chatops'].map((name) => [name, { handler: loadHandler(name, dist), context: () => fcContext(name, { ...runtime, timeoutSec: 900 }) }]),
    ),
  });

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

  const g = gateway.url;
  console.log(`fc-db-backup local stack is up (Ctrl-C to stop)

  local cloud      ${cloud.url}   (RDS, PolarDB, MongoDB, FC invoke; AccessKey ${local.accessKeyId} / ${local.accessKeySecret})
  deploy-hook      ${g}/deploy-hook/backups
  chatops          ${g}/chatops/slack   ${g}/chatops/dingtalk
  chat receiver    ${receiver.url}   (prints what would be posted to Slack/DingTalk)
  timers           ${timers.map((t) => `${t.functionName}/${t.triggerName} "${t.cron}" next ${parseCron(t.cron).next(new Date()).toISOString()}`).join('; ') || 'none'}
  sample instances rm-sample1, rm-sample2 (rds, tagged backup=nightly), pc-sample1 (polardb), dds-sample1 (mongodb)
  idempotency      ${process.env.IDEMPOTENCY_STORE}

Try (in another terminal, from this folder):

  export ALIBABA_CLOUD_ACCESS_KEY_ID=${local.accessKeyId} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${local.accessKeySecret} ALIBABA_CLOUD_REGION=cn-hangzhou
  export RDS_ENDPOINT=${cloud.url} POLARDB_ENDPOINT=${cloud.url} MONGODB_ENDPOINT=${cloud.url} DEPLOY_HOOK_SECRET=${local.deploySecret}

  # the timer, once, now
  echo '{"triggerTime":"2026-01-01T02:00:00Z","triggerName":"nightly","payload":"{\\"targets\\":[{\\"product\\":\\"rds\\",\\"DBInstanceId\\":\\"rm-sample1\\"}]}"}' \\
    | node dist/cli.js invoke scheduled-backup --event -

  # the deploy gate, as a CI step
  node dist/cli.js deploy-gate --url ${g}/deploy-hook --deploy-id demo-1 --wait 60 \\
    --targets '[{"product":"polardb","DBClusterId":"pc-sample1"}]'

  # a Slack slash command (signed like Slack), result posted to the receiver
  node dist/cli.js local-chat slack "backup mongodb dds-sample1 Snapshot" --url ${g}/chatops

  # the CLI against the local cloud
  node dist/cli.js backup rds rm-sample2 --method Physical --wait 60
  node dist/cli.js status rm-sample2
`);

  const stop = async () => {
    console.log('\nstopping…');
    handles.forEach(clearTimeout);
    await Promise.allSettled([gateway.close(), receiver.close(), cloud.close()]);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  (globalThis as { fcdbLocalStack?: unknown }).fcdbLocalStack = { cloud, gateway, receiver };
  if (process.env.LOCAL_STACK_READY_FILE) {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(process.env.LOCAL_STACK_READY_FILE, JSON.stringify({ cloud: cloud.url, gateway: g, receiver: receiver.url }));
  }
}

main().catch((e: unknown) => {
  console.error(`local stack failed to start: ${(e as Error).message}`);
  process.exit(1);
});
