// fc-db-backup — the operator's command line: drive the engine with your ALIBABA_CLOUD_* credentials, run a built
// function locally, and gate a CI deploy on the deploy webhook.
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { callerFor, requestBackup } from '../shared/backup/engine';
import { BackupError, toBackupError } from '../shared/errors';
import type { FcContext } from '../shared/fc/events';
import { idempotencyKey } from '../shared/idempotency/key';
import { closeStores, startInvocation } from '../shared/fc/invocation';
import { deployHeaders, dingtalkHeaders, slackHeaders } from '../shared/http/signatures/http-adapters';
import { checkSecret } from '../shared/http/signatures/secret';
import type { BackupStatus } from '../shared/backup/status';
import { planBackup } from '../shared/backup/dry-run';
import { findStatus, statusLine } from '../shared/history/lookup';
import { instanceIdOf, targetFromWords } from '../shared/backup/targets';
import { isFinal, nextPollMs, waitForJob } from '../shared/backup/wait';
import { visit } from '../shared/tracking/sweep';
import { followFor } from '../shared/tracking/wiring';
import { createDeadline } from '../shared/deadline';
import { logFormatFor, parseDuration } from '../shared/config';
import { invokeBundle } from '../local/fc-runtime';
import { progressReporter } from './progress';
import { runReport } from './report';

export const EXIT = { ok: 0, failed: 1, usage: 2, timeout: 3, auth: 4, retry: 5 } as const;

/** Each command's usage: printed by `<command> --help`, under a usage error, and together by `--help`. */
type CommandName = 'backup' | 'status' | 'report' | 'deploy-gate' | 'sign' | 'invoke' | 'chat';

// Typed by command name, like `commands` below: a command cannot be added without its usage.
const usages: Record<CommandName, string> = {
  backup: `  fc-db-backup backup <product> <instance-id> [--method M] [--region R] [--wait S] [--dry-run] [--key K] [--json]
      product  rds | polardb | mongodb           method  Physical | Logical | Snapshot (RDS, MongoDB)
      --wait S     wait up to S seconds for the backup to finish (progress bar on a terminal)
      --dry-run    print the call it would make, or the job it would replay for an already used --key
      --key K      idempotency key: the same K for the same target never takes a second backup (CI retries)`,
  status: `  fc-db-backup status <instance-id | job-id | backup-id | deploy-id | key> [--region R] [--json]`,
  report: `  fc-db-backup report [--max-age 26h] [--targets JSON|@file] [--json]
      every database with a history or covered by the targets (BACKUP_TARGETS, or --targets): last good backup,
      age, size, successes in a row, last failure; exit 1 when one has no good backup within --max-age`,
  'deploy-gate': `  fc-db-backup deploy-gate --url URL --targets JSON|@file --deploy-id ID [--reason TEXT] [--wait S] [--json]
      --url        the deploy-hook function's URL, with or without the trailing /backups
      --wait S     wait up to S seconds (default 600) until every backup is final`,
  sign: `  fc-db-backup sign (--body FILE|- | --status-path /backups/ID) [--json]
      prints the signature headers, one "Name: value" per line (curl -H each; send the body with --data-binary);
      they are valid for 5 minutes, and the gate accepts a signed POST once`,
  invoke: `  fc-db-backup invoke <function> [--event FILE|-] [--timeout S]`,
  chat: `  fc-db-backup chat <slack|dingtalk> "<text>" --url URL [--user U] [--channel C] [--reply-url URL] [--json]
      sends "<text>" as a signed Slack slash command or DingTalk robot message to the chatops function at --url
      (e.g. http://127.0.0.1:8788/chatops) and prints its reply; the result of a backup is posted later to
      --reply-url, by default the local stack's receiver ($LOCAL_RECEIVER_URL, else http://127.0.0.1:8789)`,
};

const exitCodes = `Exit codes:
  0  done (backup requested, or finished successfully when waiting; chat: the reply was printed)
  1  the backup failed (deploy-gate: one of them, or no database matched; invoke: the function answered "ok": false;
     report: a database has no good backup within --max-age)
  2  bad usage, invalid input, or an instance / job that does not exist
  3  still running when --wait ran out
  4  authentication, permission or configuration problem (wrong AccessKey, wrong or missing secret)
  5  temporary problem (throttling, network, service, idempotency store): safe to run again with the same --key / --deploy-id
`;

const help = `fc-db-backup — exactly-once RDS / PolarDB / MongoDB backups

Usage:
${Object.values(usages).join('\n')}

  --json       one JSON document on stdout instead of human output
  --help       a command's usage, e.g. fc-db-backup backup --help

Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET [, ALIBABA_CLOUD_SECURITY_TOKEN],
ALIBABA_CLOUD_REGION; RDS_ENDPOINT / POLARDB_ENDPOINT / MONGODB_ENDPOINT point at the local cloud.
deploy-gate and sign read the secret from DEPLOY_HOOK_SECRET; chat reads SLACK_SIGNING_SECRET or DINGTALK_APP_SECRET.
Log lines go to stderr (readable on a terminal, JSON otherwise or with LOG_FORMAT=json); stdout carries only the result.

${exitCodes}`;

const commandHelp = (name: CommandName) => `Usage:\n${usages[name]}\n\n${exitCodes}`;

interface Out {
  json: boolean;
  print(human: string, data: unknown): void;
}

const out = (json: boolean): Out => ({
  json,
  print: (human, data) => process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`),
});

export function exitCodeOf(e: BackupError): number {
  if (e.category === 'validation' || e.category === 'not-found') return EXIT.usage;
  if (e.category === 'auth' || e.category === 'permission' || e.category === 'internal') return EXIT.auth;
  if (e.retryable) return EXIT.retry;
  return EXIT.failed;
}

// The engine's log lines go to stderr so stdout stays the result (--json parses): readable on a terminal, JSON
// otherwise or with LOG_FORMAT=json.
const toStderr = { sink: (line: string) => void process.stderr.write(`${line}\n`), log: logFormatFor(process.stderr) };

const cliContext = (timeoutSec: number): FcContext => ({
  requestId: `cli-${randomUUID()}`,
  region: process.env.ALIBABA_CLOUD_REGION,
  credentials: null,
  function: { name: 'fc-db-backup-cli', timeout: timeoutSec },
});

const stateExit = (s: BackupStatus) => (s.state === 'succeeded' ? EXIT.ok : s.state === 'failed' ? EXIT.failed : EXIT.timeout);

async function backup(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { method: { type: 'string' }, region: { type: 'string' }, wait: { type: 'string', default: '0' }, 'dry-run': { type: 'boolean' }, key: { type: 'string' }, json: { type: 'boolean' } },
  });
  const o = out(values.json ?? false);
  if (positionals.length !== 2) throw usage('backup needs <product> and <instance-id>, e.g. backup rds rm-uf6wjk5xxxxxxx');
  const waitSec = seconds(values.wait, '--wait');
  const target = targetFromWords(positionals[0], positionals[1], values.method, values.region);
  const key = idempotencyKey('cli', [values.key ?? randomUUID()], target);
  // The engine's deadline: the wait plus room for the request itself.
  const inv = startInvocation(cliContext(waitSec + 120), toStderr);
  if (values['dry-run']) {
    const plan = await planBackup(target, key, inv.deps);
    o.print(plan.summary, { dryRun: true, ...plan });
    return EXIT.ok;
  }
  // Recorded in the history: `status <job-id>`, the report and the tracker find it.
  const outcome = await requestBackup(target, key, { ...inv.deps, onJob: inv.history.recorder({ trigger: 'cli' }) });
  const what = `${target.product} ${instanceIdOf(target)}`;
  if (waitSec === 0) {
    o.print(`Backup of ${what} ${outcome.outcome}: job ${outcome.jobId ?? outcome.backupId} (key ${key})`, outcome);
    return EXIT.ok;
  }
  const progress = progressReporter(what, o.json);
  const status = await waitForJob(callerFor(target, inv.deps), outcome.instanceId, { jobId: outcome.jobId, backupId: outcome.backupId }, {
    deadline: createDeadline({ startedAt: Date.now(), timeoutSec: waitSec, safetyMarginMs: 0 }),
    pollMs: inv.config.pollMs,
    onProgress: progress.update,
  });
  // The end this command saw is recorded through the tracker's own path; the tracker alerts and runs retention. Its
  // log lines stay out of the progress lines.
  if (isFinal(status)) {
    const quiet = startInvocation(cliContext(60), { ...toStderr, env: { ...process.env, LOG_LEVEL: 'warn' } });
    await visit(key, followFor(quiet, cliContext(60))).catch(() => undefined);
  }
  progress.done(status);
  o.print(`Backup of ${what}: ${status.state}${status.backupId ? `, backup ${status.backupId}` : ''} (job ${outcome.jobId})`, { ...outcome, status });
  return stateExit(status);
}

async function status(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { region: { type: 'string' }, json: { type: 'boolean' } } });
  const o = out(values.json ?? false);
  if (!positionals[0]) throw usage('status needs an instance id or a job id');
  const inv = startInvocation(cliContext(60), toStderr);
  const views = await findStatus(positionals[0], inv.history, inv.deps, values.region);
  o.print(views.map(statusLine).join('\n'), views.length === 1 ? views[0] : views);
  return EXIT.ok;
}

async function report(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'max-age': { type: 'string' }, targets: { type: 'string' }, json: { type: 'boolean' } } });
  const o = out(values.json ?? false);
  const maxAgeMs = values['max-age'] === undefined ? undefined : parseDuration(values['max-age']);
  if (values['max-age'] !== undefined && maxAgeMs === undefined) throw usage(`--max-age must be a duration like 26h, 90m or 2d (got "${values['max-age']}")`);
  const targets = values.targets === undefined ? undefined : jsonArg(values.targets, '--targets');
  const inv = startInvocation(cliContext(120), toStderr);
  const colour = !o.json && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const { report: r, text } = await runReport(inv, { maxAgeMs: maxAgeMs ?? inv.config.reportMaxAgeMs, targets, colour });
  o.print(text, r);
  return r.ok ? EXIT.ok : EXIT.failed;
}

/** A JSON argument, or @file holding JSON. */
function jsonArg(value: string, flag: string): unknown {
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch {
    throw usage(`${flag} must be JSON (or @file holding JSON), e.g. [{"product":"rds","DBInstanceId":"rm-..."}]`);
  }
}

const hookSecret = (): string => secretFromEnv('DEPLOY_HOOK_SECRET', 'the deploy webhook secret');

function readInput(spec: string): Buffer {
  return spec === '-' ? readFileSync(0) : readFileSync(spec);
}

async function sign(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { body: { type: 'string' }, 'status-path': { type: 'string' }, json: { type: 'boolean' } } });
  const o = out(values.json ?? false);
  let headers: Record<string, string>;
  if (values.body !== undefined) headers = { 'Content-Type': 'application/json', ...deployHeaders('POST', '/backups', readInput(values.body), hookSecret()) };
  else if (values['status-path'] !== undefined) headers = deployHeaders('GET', values['status-path'], '', hookSecret());
  else throw usage('sign needs --body FILE|- or --status-path /backups/ID');
  o.print(Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n'), headers);
  return EXIT.ok;
}

async function deployGate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { url: { type: 'string' }, targets: { type: 'string' }, 'deploy-id': { type: 'string' }, reason: { type: 'string' }, wait: { type: 'string', default: '600' }, json: { type: 'boolean' } },
  });
  const o = out(values.json ?? false);
  if (!values.url || !values.targets || !values['deploy-id']) throw usage('deploy-gate needs --url, --targets and --deploy-id');
  const waitSec = seconds(values.wait, '--wait');
  const targets = jsonArg(values.targets, '--targets');
  const secret = hookSecret();
  // The base URL or the POST's own (…/backups), as pasted from the curl example: the same gate either way.
  const base = values.url.replace(/\/+$/, '').replace(/\/backups$/, '');
  const started = Date.now();
  const deadline = started + waitSec * 1000;
  // The webhook blocks for at most its own timeout; ask it to wait, then poll the status for the rest.
  const body = JSON.stringify({ targets, deployId: values['deploy-id'], reason: values.reason, wait: Math.min(waitSec, 60) });
  let res = await http(`${base}/backups`, { method: 'POST', headers: { 'content-type': 'application/json', ...deployHeaders('POST', '/backups', body, secret) }, body });
  // A refusal (401, 400, 422…) is all there is to say: no progress, no job lines.
  if (res.status >= 400) return refused(o, res);
  const progress = progressReporter(`deploy ${values['deploy-id']}`, o.json);
  // 202 while any job runs, 200 once all are final.
  while (res.status === 202 && Date.now() < deadline) {
    progress.update(summaryStatus(res.json));
    await new Promise((r) => setTimeout(r, Math.min(nextPollMs(Date.now() - started, 1_000, 5_000), Math.max(0, deadline - Date.now()))));
    const path = String((res.json as { statusPath?: string }).statusPath);
    // The function sees its own path (/backups/ID), whatever prefix a gateway or custom domain adds.
    res = await http(`${base}${path}`, { method: 'GET', headers: deployHeaders('GET', path, '', secret) });
    if (res.status >= 400) return refused(o, res);
  }
  const report = res.json as GateReport;
  const jobs = report.jobs ?? [];
  progress.done(summaryStatus(report));
  const lines = jobs.map((j) => `  ${j.state.padEnd(10)} ${j.product} ${j.instanceId}${j.jobId ? ` job ${j.jobId}` : ''}${j.error?.message ? ` — ${j.error.message}` : ''}`);
  // No job is not success: the targets' selectors matched no database, so nothing was backed up.
  const verdict = jobs.length === 0 ? 'no database matched the targets; nothing was backed up' : report.ok ? 'all backups succeeded' : report.done ? 'a backup FAILED' : `backups still running after ${waitSec}s`;
  o.print([`Deploy gate: ${verdict}`, ...lines].join('\n'), report);
  return jobs.length === 0 ? EXIT.failed : report.ok ? EXIT.ok : report.done ? EXIT.failed : EXIT.timeout;
}

interface GateReport {
  ok?: boolean;
  done?: boolean;
  jobs?: { product: string; instanceId: string; state: string; jobId?: string; error?: { message?: string } }[];
  error?: { message?: string };
}

function refused(o: Out, res: { status: number; json: unknown }): number {
  const report = res.json as GateReport;
  // A 503 for a target that failed retryably carries the jobs, not one error: name each failed target.
  const failed = (report.jobs ?? []).flatMap((j) => (j.error?.message ? [`${j.product} ${j.instanceId}: ${j.error.message}`] : []));
  const why = report.error?.message ?? (failed.join('; ') || 'no message');
  const exit = httpExit(res.status);
  const head = exit === EXIT.retry ? `Deploy gate: try again later (HTTP ${res.status}); the same --deploy-id takes no second backup` : `Deploy gate refused (HTTP ${res.status})`;
  o.print(`${head}: ${why}`, { status: res.status, ...report });
  return exit;
}

/** A function's HTTP refusal as an exit code: 401/403 → auth, 429/5xx → try again, other 4xx → usage. */
const httpExit = (status: number): number => (status === 401 || status === 403 ? EXIT.auth : status === 429 || status >= 500 ? EXIT.retry : EXIT.usage);

function summaryStatus(report: unknown): BackupStatus {
  const jobs = ((report as { jobs?: { state: string; progress?: number | null }[] })?.jobs ?? []) as { state: string; progress?: number | null }[];
  if (jobs.length === 0) return { state: 'unknown', progress: null };
  const progress = jobs.reduce((a, j) => a + (j.state === 'succeeded' || j.state === 'failed' ? 100 : (j.progress ?? 0)), 0) / jobs.length;
  const state = jobs.some((j) => j.state === 'failed') ? 'failed' : jobs.every((j) => j.state === 'succeeded') ? 'succeeded' : 'running';
  return { state, progress: Math.round(progress) };
}

async function http(url: string, init: RequestInit): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });
  } catch (cause) {
    throw new BackupError({ code: 'NetworkError', category: 'transient', message: `Could not reach ${url}.`, cause });
  }
  const text = await res.text();
  let json: unknown = {};
  try {
    json = JSON.parse(text);
  } catch {
    json = { error: { message: text.slice(0, 200) } };
  }
  return { status: res.status, json };
}

async function invoke(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { event: { type: 'string' }, timeout: { type: 'string', default: '60' } } });
  const name = positionals[0];
  if (!name) throw usage('invoke needs a function name (scheduled-backup, deploy-hook, chatops, backup-worker)');
  const event = values.event ? readInput(values.event) : Buffer.from('{}');
  const id = process.env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  const timeoutSec = seconds(values.timeout, '--timeout');
  // The function logs to stdout, as FC collects it; here its log goes to stderr and stdout is the result alone.
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  let result: unknown;
  try {
    result = await invokeBundle(name, event, {
      distDir: __dirname,
      region: process.env.ALIBABA_CLOUD_REGION,
      timeoutSec,
      credentials: id && secret ? { accessKeyId: id, accessKeySecret: secret, securityToken: process.env.ALIBABA_CLOUD_SECURITY_TOKEN } : undefined,
    });
  } finally {
    process.stdout.write = write;
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return (result as { ok?: unknown } | null)?.ok === false ? EXIT.failed : EXIT.ok;
}

/** Who a local chat command comes from when --user / --channel are not given: allowed by the local stack's CHATOPS_ACL. */
const chatDefaults = { user: 'U0LOCAL', userName: 'local-user', slackChannel: 'C0LOCAL', dingtalkChannel: 'cid-local' };

async function chat(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { url: { type: 'string' }, user: { type: 'string' }, channel: { type: 'string' }, 'reply-url': { type: 'string' }, json: { type: 'boolean' } },
  });
  const o = out(values.json ?? false);
  const [platform, text, ...extra] = positionals;
  if (platform !== 'slack' && platform !== 'dingtalk') throw usage(`chat needs a platform, slack or dingtalk${platform ? `, got "${platform}"` : ''}`);
  if (text === undefined) throw usage('chat needs the command text, e.g. chat slack "backup rds rm-sample1 Physical" --url http://127.0.0.1:8788/chatops');
  if (extra.length > 0) throw usage(`chat takes the command text as one argument: quote it ("${[text, ...extra].join(' ')}")`);
  if (!values.url) throw usage('chat needs --url, the chatops function\'s base URL (e.g. http://127.0.0.1:8788/chatops)');
  const base = values.url.replace(/\/+$/, '');
  const user = values.user ?? chatDefaults.user;
  const userName = values.user ?? chatDefaults.userName;
  const receiver = (process.env.LOCAL_RECEIVER_URL || 'http://127.0.0.1:8789').replace(/\/+$/, '');

  let url: string;
  let body: string;
  let headers: Record<string, string>;
  if (platform === 'slack') {
    const secret = secretFromEnv('SLACK_SIGNING_SECRET', "the Slack app's signing secret");
    body = new URLSearchParams({
      token: 'local',
      team_id: 'T0LOCAL',
      team_domain: 'local',
      channel_id: values.channel ?? chatDefaults.slackChannel,
      channel_name: 'local',
      user_id: user,
      user_name: userName,
      command: '/backup',
      text,
      api_app_id: 'A0LOCAL',
      response_url: values['reply-url'] ?? `${receiver}/slack/response/${randomUUID()}`,
      // Slack's shape: <seconds>.<digits>.<hex>; unique per command, so every command is a new request.
      trigger_id: `${Math.floor(Date.now() / 1000)}.${randomInt(1e9)}.${randomBytes(16).toString('hex')}`,
    }).toString();
    url = `${base}/slack`;
    headers = { 'content-type': 'application/x-www-form-urlencoded', ...slackHeaders(body, secret) };
  } else {
    const secret = secretFromEnv('DINGTALK_APP_SECRET', "the DingTalk robot's AppSecret");
    body = JSON.stringify({
      msgtype: 'text',
      text: { content: text },
      msgId: `msg${randomBytes(16).toString('base64url')}`,
      createAt: Date.now(),
      conversationType: '2',
      conversationId: values.channel ?? chatDefaults.dingtalkChannel,
      conversationTitle: 'local',
      senderId: user,
      senderNick: userName,
      senderStaffId: user,
      senderCorpId: 'dinglocal',
      chatbotCorpId: 'dinglocal',
      chatbotUserId: 'local-robot',
      sessionWebhook: values['reply-url'] ?? `${receiver}/dingtalk/session/${randomUUID()}`,
      sessionWebhookExpiredTime: Date.now() + 90 * 60_000,
    });
    url = `${base}/dingtalk`;
    headers = { 'content-type': 'application/json', ...dingtalkHeaders(secret) };
  }

  const res = await http(url, { method: 'POST', headers, body });
  const reply = res.json as { text?: unknown; error?: { message?: string }; errorMessage?: string };
  if (res.status !== 200) {
    o.print(`Chat command refused (HTTP ${res.status}): ${reply.error?.message ?? reply.errorMessage ?? 'no message'}`, { status: res.status, ...reply });
    return httpExit(res.status);
  }
  const answer = typeof reply.text === 'string' ? reply.text : (reply.text as { content?: string } | undefined)?.content;
  o.print(answer ?? JSON.stringify(reply), { status: res.status, reply });
  return EXIT.ok;
}

/** The secret as the functions use it (trimmed, at least 16 bytes), so what the CLI signs is what they verify. */
function secretFromEnv(env: string, what: string): string {
  const check = checkSecret(process.env[env]);
  if (!check.ok) throw new BackupError({ code: 'MissingSecret', category: 'auth', message: `Set ${env} to ${what} (the local stack prints its value): it ${check.problem}.` });
  return check.secret;
}

function seconds(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 86_400) throw usage(`${flag} must be a whole number of seconds (0–86400), got ${JSON.stringify(v)}`);
  return n;
}

/** Bad usage: main prints the command's usage under the message. */
const usage = (message: string) => new BackupError({ code: 'Usage', category: 'validation', message });

const commands: Record<CommandName, (args: string[]) => Promise<number>> = { backup, status, report, sign, 'deploy-gate': deployGate, invoke, chat };

/** Errors that are the operator's input, not the engine's: parseArgs refusals and unreadable files. */
function inputError(raw: unknown): BackupError | undefined {
  const code = (raw as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (raw instanceof TypeError && code.startsWith('ERR_PARSE_ARGS')) {
    // Node's own text goes on about positionals after '--', which is no help here.
    const unknown = /^Unknown option '([^']+)'/.exec(raw.message);
    return usage(unknown ? `Unknown option ${unknown[1]}.` : raw.message);
  }
  const path = (raw as { path?: string }).path;
  if (path !== undefined && ['ENOENT', 'EISDIR', 'EACCES', 'ENOTDIR'].includes(code)) {
    return new BackupError({ code: 'Usage', category: 'validation', message: `Cannot read ${path} (${code}).` });
  }
  return undefined;
}

const isCommand = (name: string): name is CommandName => Object.hasOwn(commands, name);

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help);
    return name ? EXIT.ok : EXIT.usage;
  }
  if (!isCommand(name)) {
    process.stderr.write(`Unknown command "${name}".\n\n${help}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(name));
    return EXIT.ok;
  }
  const json = rest.includes('--json');
  try {
    return await commands[name](rest);
  } catch (raw) {
    const e = inputError(raw) ?? toBackupError(raw);
    if (json) process.stdout.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
    else process.stderr.write(`fc-db-backup: ${e.message}\n${e.code === 'Usage' ? `\n${commandHelp(name)}` : ''}`);
    return exitCodeOf(e);
  } finally {
    await closeStores();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
