// The built CLI (node dist/cli.js …) as an operator runs it: a child process with only the environment the README
// names, against the local cloud and the deploy-hook / chatops bundles behind the gateway, judged by its exit code,
// stdout and stderr.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud/index';
import { verifyDeployRequest } from '../../shared/http/signatures/deploy-request';
import { secrets, startStack, type Stack } from '../helpers/stack';
import { freePort } from '../helpers/wait';
import { cli, type Run } from '../helpers/cli';

const json = (r: Run) => JSON.parse(r.stdout) as Record<string, any>;

describe('cli against the local cloud', () => {
  let cloud: LocalCloud;
  let storeDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    cloud = await startLocalCloud({ jobDurationMs: 200 });
    storeDir = mkdtempSync(join(tmpdir(), 'fcdb-cli-'));
    env = {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
      ALIBABA_CLOUD_REGION: 'cn-hangzhou',
      RDS_ENDPOINT: cloud.url,
      POLARDB_ENDPOINT: cloud.url,
      MONGODB_ENDPOINT: cloud.url,
      IDEMPOTENCY_STORE: `file:${storeDir}`,
      STATUS_POLL_MS: '50',
    };
  });
  afterAll(async () => {
    await cloud.close();
    rmSync(storeDir, { recursive: true, force: true });
  });
  beforeEach(() => cloud.reset());

  const creates = () => cloud.requests.filter((r) => r.action === 'CreateBackup');

  it('backup --wait: exit 0, one job, plain progress lines on stderr (not a terminal)', async () => {
    const r = await cli(['backup', 'rds', 'rm-sample1', '--method', 'Physical', '--wait', '30'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Backup of rds rm-sample1: succeeded, backup \d+ \(job \d+\)\n$/);
    expect(cloud.jobs('rds', 'rm-sample1')).toHaveLength(1);
    expect(cloud.jobs()).toHaveLength(1);
    expect(creates()[0]?.query).toMatchObject({ DBInstanceId: 'rm-sample1', BackupMethod: 'Physical' });
    // No bar, no carriage returns: one line per change, ending with the final state.
    expect(r.stderr).not.toContain('\r');
    expect(r.stderr).not.toContain('[#');
    const lines = r.stderr.trim().split('\n');
    expect(lines.every((l) => /^rds rm-sample1: (queued|running|succeeded)( \d+%)?$/.test(l))).toBe(true);
    expect(lines.at(-1)).toBe('rds rm-sample1: succeeded 100%');
  });

  it('backup without --wait reports the job and returns at once', async () => {
    const r = await cli(['backup', 'mongodb', 'dds-sample1', '--method', 'Snapshot'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Backup of mongodb dds-sample1 created: job \d+ \(key fcdb_[0-9a-f]+\)\n$/);
    expect(r.stderr).toBe('');
    expect(cloud.jobs('mongodb', 'dds-sample1')).toHaveLength(1);
  });

  it('the same --key twice takes one backup; --json is one JSON document on stdout', async () => {
    const first = await cli(['backup', 'rds', 'rm-sample2', '--key', 'ci-run-77', '--json'], env);
    const second = await cli(['backup', 'rds', 'rm-sample2', '--key', 'ci-run-77', '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    const a = json(first);
    const b = json(second);
    expect(a).toMatchObject({ product: 'rds', instanceId: 'rm-sample2', outcome: 'created', jobId: expect.stringMatching(/^\d+$/), key: expect.stringMatching(/^fcdb_/) });
    expect(b.jobId).toBe(a.jobId);
    expect(b.key).toBe(a.key);
    expect(b.outcome).not.toBe('created');
    expect(creates()).toHaveLength(1);
    expect(cloud.jobs()).toHaveLength(1);
    // A different key is a different request.
    const third = await cli(['backup', 'polardb', 'pc-sample1', '--key', 'ci-run-78', '--json', '--wait', '30'], env);
    expect(third.code, third.stderr).toBe(0);
    expect(json(third)).toMatchObject({ product: 'polardb', status: { state: 'succeeded', progress: 100 } });
    expect(third.stderr).toBe(''); // --json: no progress lines either
  });

  it('--dry-run calls nothing and says what it would call', async () => {
    const r = await cli(['backup', 'rds', 'rm-sample1', '--method', 'Logical', '--dry-run'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Would call ${cloud.url} CreateBackup`);
    expect(r.stdout).toContain('"DBInstanceId":"rm-sample1"');
    const j = await cli(['backup', 'rds', 'rm-sample1', '--dry-run', '--json'], env);
    expect(json(j)).toMatchObject({ dryRun: true, action: 'CreateBackup', endpoint: cloud.url, query: { DBInstanceId: 'rm-sample1' } });
    expect(cloud.requests).toHaveLength(0);
    expect(cloud.jobs()).toHaveLength(0);
  });

  it('--dry-run with a --key already used says which job it would replay', async () => {
    const key = `dry-${Date.now()}`;
    const first = await cli(['backup', 'rds', 'rm-sample1', '--key', key, '--json'], env);
    const jobId = json(first).jobId as string;
    const before = cloud.requests.length;
    const r = await cli(['backup', 'rds', 'rm-sample1', '--key', key, '--dry-run'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Would replay job ${jobId}: key \\S+ already took it; nothing would be called\\.\\n$`));
    expect(cloud.requests.length).toBe(before);
    expect(cloud.jobs()).toHaveLength(1);
  });

  it('a job that fails, waited for: exit 1', async () => {
    cloud.inject({ action: 'CreateBackup', kind: 'job-fails' });
    const r = await cli(['backup', 'rds', 'rm-sample2', '--wait', '30'], env);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/Backup of rds rm-sample2: failed/);
    expect(r.stderr.trim().split('\n').at(-1)).toMatch(/^rds rm-sample2: failed/);
    expect(cloud.jobs()).toHaveLength(1);
  });

  // An operator's credentials may not delete backups: retention after a success is the tracker's, not the CLI's.
  it('backup --wait records the end it saw and deletes nothing, even past the policy (PolarDB keeps 2)', async () => {
    for (let i = 0; i < 3; i++) expect((await cli(['backup', 'polardb', 'pc-sample1', '--wait', '30'], env)).code).toBe(0);
    expect(cloud.jobs('polardb', 'pc-sample1').filter((j) => j.state === 'succeeded')).toHaveLength(3);
    expect(cloud.requests.filter((r) => r.action === 'DeleteBackup')).toEqual([]);
  });

  it('an instance that does not exist: exit 2 with a clear message', async () => {
    const r = await cli(['backup', 'rds', 'rm-doesnotexist'], env);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/fc-db-backup: .*No such RDS instance in this region; check the id and RegionId/);
    const s = await cli(['status', 'xyz-123'], env);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/"xyz-123" is not a job id, backup set id, deployId or key in the history, nor an instance id this tool recognises/);
    const j = await cli(['backup', 'rds', 'rm-doesnotexist', '--json'], env);
    expect(j.code).toBe(2);
    expect(json(j).error).toMatchObject({ category: 'not-found' });
  });

  it('bad usage: exit 2 and the help, nothing called', async () => {
    const cases = [
      [],
      ['frobnicate'],
      ['backup'],
      ['backup', 'rds'],
      ['backup', 'rds', 'rm-sample1', '--wait', 'soon'],
      ['backup', 'rds', 'rm-sample1', '--bogus'],
      ['status'],
      ['deploy-gate', '--url', 'http://127.0.0.1:1'],
      ['chat', 'irc', 'backup rds rm-sample1', '--url', 'http://127.0.0.1:1'],
      ['chat', 'slack', 'backup', 'rds', 'rm-sample1', '--url', 'http://127.0.0.1:1'],
      ['chat', 'slack', 'help'],
    ];
    for (const args of cases) {
      const r = await cli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      // The command's own usage (the whole help when there is no command), and the exit codes.
      const command = ['backup', 'status', 'deploy-gate', 'chat'].includes(args[0] ?? '') ? args[0] : 'backup';
      expect(r.stdout + r.stderr, args.join(' ')).toMatch(new RegExp(`Usage:\\n {2}fc-db-backup ${command} `));
      expect(r.stdout + r.stderr).toMatch(/Exit codes:/);
      expect(r.stderr, args.join(' ')).not.toMatch(/place it at the end/);
    }
    const invalid = await cli(['backup', 'rds', 'rm-sample1', '--method', 'Fast'], env);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/Fast/);
    const help = await cli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/fc-db-backup chat <slack\|dingtalk> "<text>" --url URL/);
    expect(cloud.requests).toHaveLength(0);
  });

  it('every command takes --help: exit 0, that command\'s usage on stdout, nothing called', async () => {
    for (const command of ['backup', 'status', 'deploy-gate', 'sign', 'invoke', 'chat']) {
      for (const args of [[command, '--help'], [command, 'rds', '-h']]) {
        const r = await cli(args, env);
        expect(r.code, args.join(' ')).toBe(0);
        expect(r.stdout, args.join(' ')).toMatch(new RegExp(`^Usage:\\n {2}fc-db-backup ${command} `));
        expect(r.stdout).toMatch(/Exit codes:\n(.|\n)* 2 {2}bad usage/);
        expect(r.stderr).toBe('');
      }
    }
    expect(cloud.requests).toHaveLength(0);
  });

  it('Redis unreachable: exit 5, the message names host:port and promises no retry', async () => {
    const port = await freePort();
    const r = await cli(['backup', 'rds', 'rm-sample1'], { ...env, IDEMPOTENCY_STORE: `redis://:hunter2@127.0.0.1:${port}/0` });
    expect(r.code, r.stderr).toBe(5);
    expect(r.stderr).toMatch(new RegExp(`^fc-db-backup: The idempotency store \\(Redis at 127\\.0\\.0\\.1:${port}\\) is unavailable`, 'm'));
    expect(r.stderr).not.toMatch(/will be retried/);
    expect(r.stderr).not.toContain('hunter2');
    expect(cloud.requests).toHaveLength(0);
  });

  it('wrong credentials: exit 4', async () => {
    const secret = await cli(['backup', 'rds', 'rm-sample1'], { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' });
    expect(secret.code).toBe(4);
    expect(secret.stderr).toMatch(/The AccessKey secret does not match the AccessKey id/);
    const id = await cli(['status', 'rm-sample1'], { ...env, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-nobody' });
    expect(id.code).toBe(4);
    expect(id.stderr).toMatch(/AccessKey id does not exist/);
    expect(cloud.jobs()).toHaveLength(0);
  });

  it('status <instance> and status <job-id> after a backup', async () => {
    const b = json(await cli(['backup', 'rds', 'rm-sample1', '--wait', '30', '--json'], env));
    expect(b.status.state).toBe('succeeded');
    const byInstance = await cli(['status', 'rm-sample1'], env);
    expect(byInstance.code, byInstance.stderr).toBe(0);
    expect(byInstance.stdout).toMatch(new RegExp(`^rds rm-sample1: succeeded.* backup ${b.status.backupId}`));
    const byJob = await cli(['status', b.jobId], env);
    expect(byJob.code, byJob.stderr).toBe(0);
    // By job id: answered from the history record the backup wrote (and its --wait completed).
    expect(byJob.stdout).toMatch(new RegExp(`^rds rm-sample1: succeeded 100%, job ${b.jobId}, backup ${b.status.backupId}, finished `));
    const asJson = json(await cli(['status', b.jobId, '--json'], env));
    expect(asJson).toMatchObject({ product: 'rds', instanceId: 'rm-sample1', state: 'succeeded', jobId: b.jobId, key: expect.stringMatching(/^fcdb_/) });
    // And by the key it printed.
    expect((await cli(['status', asJson.key], env)).stdout).toMatch(/^rds rm-sample1: succeeded/);
    expect(cloud.jobs()).toHaveLength(1);
  });

  it('sign --body prints a header that verifies', async () => {
    const body = JSON.stringify({ targets: [{ product: 'rds', DBInstanceId: 'rm-sample1' }], deployId: 'd-1' });
    const secret = 'sign-test-secret';
    const r = await cli(['sign', '--body', '-'], { DEPLOY_HOOK_SECRET: secret }, body);
    expect(r.code, r.stderr).toBe(0);
    const header = /^x-hub-signature-256: (sha256=[0-9a-f]{64})$/m.exec(r.stdout)?.[1];
    const ts = /^x-fcdb-timestamp: (\d+)$/m.exec(r.stdout)?.[1];
    const nonce = /^x-fcdb-nonce: ([0-9a-f]{32})$/m.exec(r.stdout)?.[1];
    expect(header).toBeDefined();
    const signed = (raw: string, headers: Record<string, string>) => ({ method: 'POST', path: '/backups', headers, rawBody: Buffer.from(raw) });
    const headers = { 'x-hub-signature-256': header as string, 'x-fcdb-timestamp': ts as string, 'x-fcdb-nonce': nonce as string };
    expect(verifyDeployRequest(signed(body, headers), secret, Date.now())).toEqual({ ok: true });
    expect(verifyDeployRequest(signed(`${body} `, headers), secret, Date.now())).toEqual({ ok: false, reason: 'mismatch' });
    const file = join(storeDir, 'body.json');
    writeFileSync(file, body);
    const fromFile = json(await cli(['sign', '--body', file, '--json'], { DEPLOY_HOOK_SECRET: secret }));
    expect(verifyDeployRequest(signed(body, fromFile as Record<string, string>), secret, Date.now())).toEqual({ ok: true });
    const noSecret = await cli(['sign', '--body', '-'], {}, body);
    expect(noSecret.code).toBe(4);
    expect(noSecret.stderr).toMatch(/DEPLOY_HOOK_SECRET/);
    const missing = await cli(['sign', '--body', join(storeDir, 'nope.json')], { DEPLOY_HOOK_SECRET: secret });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot read .*nope\.json \(ENOENT\)/);
  });

  it('invoke scheduled-backup --event - with a timer event on stdin: the JSON result on stdout, logs on stderr', async () => {
    const event = JSON.stringify({
      triggerTime: '2026-01-01T02:00:00Z',
      triggerName: 'nightly',
      payload: JSON.stringify({ targets: [{ product: 'rds', DBInstanceId: 'rm-sample1' }, { product: 'polardb', DBClusterId: 'pc-sample1' }] }),
    });
    const r = await cli(['invoke', 'scheduled-backup', '--event', '-'], env, event);
    expect(r.code, r.stderr).toBe(0);
    const result = json(r);
    expect(result).toMatchObject({ ok: true, triggerTime: '2026-01-01T02:00:00Z' });
    expect(result.results).toEqual([
      expect.objectContaining({ product: 'rds', instanceId: 'rm-sample1', outcome: 'created', jobId: expect.any(String) }),
      expect.objectContaining({ product: 'polardb', instanceId: 'pc-sample1', outcome: 'created', jobId: expect.any(String) }),
    ]);
    expect(cloud.jobs()).toHaveLength(2);
    // FC's redelivery of the same firing: no new backup.
    const again = json(await cli(['invoke', 'scheduled-backup', '--event', '-'], env, event));
    expect(again.results.map((x: { jobId: string }) => x.jobId)).toEqual(result.results.map((x: { jobId: string }) => x.jobId));
    expect(cloud.jobs()).toHaveLength(2);
    // A bad payload is answered ok:false → exit 1.
    const bad = await cli(['invoke', 'scheduled-backup', '--event', '-'], env, JSON.stringify({ triggerTime: '2026-01-01T02:00:00Z', triggerName: 'nightly', payload: '[1]' }));
    expect(bad.code).toBe(1);
    expect(json(bad)).toMatchObject({ ok: false, error: { category: 'validation' } });
  });
});

describe('cli deploy-gate and chat against the bundles behind the gateway', () => {
  let stack: Stack;
  const acl = [{ users: ['slack:T0LOCAL/U0LOCAL', 'dingtalk:dinglocal/U0LOCAL'], commands: ['backup', 'status'] }];
  beforeAll(async () => {
    stack = await startStack({ jobDurationMs: 300 }, { CHATOPS_ACL: JSON.stringify(acl), LOG_LEVEL: 'error' });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.cloud.reset();
    stack.receiver.posted.length = 0;
  });

  const gate = (deployId: string, targets: unknown[], secret = secrets.deploy, wait = '30') =>
    cli(['deploy-gate', '--url', `${stack.gateway}/deploy-hook`, '--deploy-id', deployId, '--wait', wait, '--targets', JSON.stringify(targets)], { DEPLOY_HOOK_SECRET: secret });

  it('exit 0 when every backup succeeds', async () => {
    const r = await gate('deploy-ok', [
      { product: 'rds', DBInstanceId: 'rm-sample1' },
      { product: 'polardb', DBClusterId: 'pc-sample1' },
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Deploy gate: all backups succeeded\n {2}succeeded +rds rm-sample1 job \d+\n {2}succeeded +polardb pc-sample1 job \d+\n$/);
    expect(stack.cloud.jobs()).toHaveLength(2);
    // The CI job retried with the same deploy id: the same backups, none new.
    const retry = await gate('deploy-ok', [
      { product: 'rds', DBInstanceId: 'rm-sample1' },
      { product: 'polardb', DBClusterId: 'pc-sample1' },
    ]);
    expect(retry.code).toBe(0);
    expect(stack.cloud.jobs()).toHaveLength(2);
  });

  it('exit 1 when one backup fails', async () => {
    stack.cloud.inject({ action: 'CreateBackup', instanceId: 'rm-sample2', kind: 'job-fails' });
    const r = await gate('deploy-fail', [
      { product: 'rds', DBInstanceId: 'rm-sample1' },
      { product: 'rds', DBInstanceId: 'rm-sample2' },
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^Deploy gate: a backup FAILED/);
    expect(r.stdout).toMatch(/failed +rds rm-sample2/);
    expect(r.stdout).toMatch(/succeeded +rds rm-sample1/);
  });

  it('exit 4 with a wrong secret, and nothing is backed up; only the refusal is printed', async () => {
    const r = await gate('deploy-auth', [{ product: 'rds', DBInstanceId: 'rm-sample1' }], 'not-the-deploy-secret-at-all', '5');
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^Deploy gate refused \(HTTP 401\): [^\n]+\n$/);
    // No progress line claiming success for an empty job list.
    expect(r.stderr).not.toMatch(/succeeded/);
    expect(stack.cloud.jobs()).toHaveLength(0);
  });

  it('a 400 or a 422 is printed as the refusal alone, exit 2', async () => {
    const bad = await gate('deploy-400', [{ product: 'rds', DBInstanceId: 'rm-sample1', BackupMethod: 'Fast' }], secrets.deploy, '5');
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/^Deploy gate refused \(HTTP 400\): [^\n]*BackupMethod[^\n]*\n$/);
    await gate('deploy-422', [{ product: 'rds', DBInstanceId: 'rm-sample1' }], secrets.deploy, '0');
    const other = await gate('deploy-422', [{ product: 'rds', DBInstanceId: 'rm-sample2' }], secrets.deploy, '5');
    expect(other.code).toBe(2);
    expect(other.stdout).toMatch(/^Deploy gate refused \(HTTP 422\): [^\n]+\n$/);
    expect(other.stderr).not.toMatch(/succeeded/);
  });

  it('--url takes the base or the POST URL (…/backups), as pasted from the curl example', async () => {
    const targets = [{ product: 'rds', DBInstanceId: 'rm-sample1' }];
    const r = await cli(['deploy-gate', '--url', `${stack.gateway}/deploy-hook/backups/`, '--deploy-id', 'deploy-url', '--wait', '30', '--targets', JSON.stringify(targets)], { DEPLOY_HOOK_SECRET: secrets.deploy });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Deploy gate: all backups succeeded\n/);
    expect(stack.cloud.jobs()).toHaveLength(1);
  });

  it('a selector matching no database is not a success: exit 1, nothing backed up', async () => {
    const r = await gate('deploy-none', [{ product: 'rds', tags: { backup: 'no-such-tag' } }], secrets.deploy, '5');
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^Deploy gate: no database matched the targets; nothing was backed up\n$/);
    expect(stack.cloud.jobs()).toHaveLength(0);
  });

  it('chat slack: a signed slash command, the reply printed, the result posted to LOCAL_RECEIVER_URL', async () => {
    const chatEnv = { SLACK_SIGNING_SECRET: secrets.slack, LOCAL_RECEIVER_URL: stack.receiver.url };
    const r = await cli(['chat', 'slack', 'backup mongodb dds-sample1 Snapshot', '--url', `${stack.gateway}/chatops`], chatEnv);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toBe(`Backup of mongodb dds-sample1 requested by "local-user" (U0LOCAL). I'll post the result here when it finishes.\n`);
    await stack.cloud.fcIdle();
    // The worker only requests the backup; the tracker records its end and posts the result.
    await stack.tracked();
    expect(stack.cloud.jobs('mongodb', 'dds-sample1')).toHaveLength(1);
    expect(stack.receiver.posted).toHaveLength(1);
    expect(stack.receiver.posted[0]?.path).toMatch(/^\/slack\/response\/[0-9a-f-]{36}$/);
    expect((stack.receiver.posted[0]?.body as { text: string }).text).toMatch(/^Backup of mongodb dds-sample1 succeeded: job \d+/);
    // Each command is a new Slack request (a new trigger_id): a second one is a second backup.
    const again = await cli(['chat', 'slack', 'backup rds rm-sample1', '--url', `${stack.gateway}/chatops/`, '--json'], chatEnv);
    expect(json(again)).toMatchObject({ status: 200, reply: { response_type: 'in_channel', text: expect.stringMatching(/^Backup of rds rm-sample1 requested/) } });
    await stack.cloud.fcIdle();
    expect(stack.cloud.jobs()).toHaveLength(2);
  });

  it('chat dingtalk: --user / --channel, the ACL applies, status answered', async () => {
    const chatEnv = { DINGTALK_APP_SECRET: secrets.dingtalk, LOCAL_RECEIVER_URL: stack.receiver.url };
    const denied = await cli(['chat', 'dingtalk', 'backup rds rm-sample1', '--url', `${stack.gateway}/chatops`, '--user', 'mallory', '--channel', 'cid-x'], chatEnv);
    expect(denied.code).toBe(0);
    // DingTalk's staff id is unsigned: quoted like the nickname (issue 16).
    expect(denied.stdout).toMatch(/"mallory" \("mallory"\) is not allowed to run "backup"/);
    const ok = await cli(['chat', 'dingtalk', 'backup rds rm-sample1', '--url', `${stack.gateway}/chatops`], chatEnv);
    expect(ok.stdout).toMatch(/^Backup of rds rm-sample1 requested by "local-user" \("U0LOCAL"\)/);
    await stack.cloud.fcIdle();
    await stack.tracked();
    expect(stack.receiver.posted.map((p) => p.path)).toEqual([expect.stringMatching(/^\/dingtalk\/session\//)]);
    expect(stack.receiver.posted[0]?.body).toMatchObject({ msgtype: 'text', text: { content: expect.stringMatching(/^Backup of rds rm-sample1 succeeded/) } });
    const status = await cli(['chat', 'dingtalk', 'status rm-sample1', '--url', `${stack.gateway}/chatops`], chatEnv);
    expect(status.stdout).toMatch(/^rds rm-sample1: succeeded/);
  });

  it('chat with a wrong or missing signing secret: exit 4', async () => {
    const wrong = await cli(['chat', 'slack', 'help', '--url', `${stack.gateway}/chatops`], { SLACK_SIGNING_SECRET: 'not-the-slack-secret-at-all' });
    expect(wrong.code).toBe(4);
    expect(wrong.stdout).toMatch(/Chat command refused \(HTTP 401\)/);
    const missing = await cli(['chat', 'dingtalk', 'help', '--url', `${stack.gateway}/chatops`], {});
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(/Set DINGTALK_APP_SECRET/);
    expect(stack.cloud.requests).toHaveLength(0);
  });
});

describe('cli when --wait runs out', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ jobDurationMs: 120_000 }, { LOG_LEVEL: 'error' });
  });
  afterAll(() => stack.close());

  it('deploy-gate: exit 3 while the backups still run', async () => {
    const r = await cli(
      ['deploy-gate', '--url', `${stack.gateway}/deploy-hook`, '--deploy-id', 'deploy-slow', '--wait', '2', '--targets', '[{"product":"polardb","DBClusterId":"pc-sample1"}]'],
      { DEPLOY_HOOK_SECRET: secrets.deploy },
    );
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^Deploy gate: backups still running after 2s/);
    expect(stack.cloud.jobs()).toHaveLength(1);
  });

  it('backup --wait: exit 3 while the job still runs', async () => {
    const r = await cli(['backup', 'rds', 'rm-sample1', '--wait', '1'], {
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-local-test',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'local-secret',
      ALIBABA_CLOUD_REGION: 'cn-hangzhou',
      RDS_ENDPOINT: stack.cloud.url,
      IDEMPOTENCY_STORE: process.env.IDEMPOTENCY_STORE,
      STATUS_POLL_MS: '100',
    });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^Backup of rds rm-sample1: (queued|running)/);
  });
});

describe('cli deploy-gate when the gate cannot answer now', () => {
  let stack: Stack;
  beforeAll(async () => {
    // The deploy gate's Redis is down: it answers 503 + Retry-After before any backup.
    stack = await startStack({}, { IDEMPOTENCY_STORE: `redis://127.0.0.1:${await freePort()}/0`, LOG_LEVEL: 'error' });
  });
  afterAll(() => stack.close());

  it('a 503 says to try again with the same --deploy-id, and why: exit 5, nothing backed up', async () => {
    const r = await cli(
      ['deploy-gate', '--url', `${stack.gateway}/deploy-hook`, '--deploy-id', 'deploy-later', '--wait', '5', '--targets', '[{"product":"rds","DBInstanceId":"rm-sample1"}]'],
      { DEPLOY_HOOK_SECRET: secrets.deploy },
    );
    expect(r.code, r.stdout + r.stderr).toBe(5);
    expect(r.stdout).toMatch(/^Deploy gate: try again later \(HTTP 503\); the same --deploy-id takes no second backup: The idempotency store \(Redis at 127\.0\.0\.1:\d+\) is unavailable/);
    expect(r.stdout).not.toMatch(/refused|no message/);
    expect(stack.cloud.jobs()).toHaveLength(0);
  });
});
