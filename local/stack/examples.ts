// The "Try (in another terminal…)" block the local stack prints: the exports a second terminal needs and the example
// commands. Built here so the stack prints it and the tests can read it back (parseExamples) and run it in a shell.

export interface ExampleInputs {
  cloud: string;
  gateway: string;
  receiver: string;
  accessKeyId: string;
  accessKeySecret: string;
  region: string;
  idempotencyStore: string;
  deploySecret: string;
  slackSecret: string;
  dingtalkSecret: string;
  workerFunction: string;
  dashboardSecret: string;
  /** The databases the local restore drills cover (DRILL_TARGETS). */
  drillTargets: string;
}

export const examplesHeading = 'Try (in another terminal, from this folder):';

/** Quotes a value for a POSIX shell when it needs it. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Every variable the CLI needs to reach the stack, grouped as printed (one `export` line per group). */
export function exampleEnv(i: ExampleInputs): Record<string, string>[] {
  return [
    { ALIBABA_CLOUD_ACCESS_KEY_ID: i.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: i.accessKeySecret, ALIBABA_CLOUD_REGION: i.region },
    { RDS_ENDPOINT: i.cloud, POLARDB_ENDPOINT: i.cloud, MONGODB_ENDPOINT: i.cloud, FC_ENDPOINT: i.cloud, WORKER_FUNCTION: i.workerFunction },
    { IDEMPOTENCY_STORE: i.idempotencyStore, DEPLOY_HOOK_SECRET: i.deploySecret },
    { SLACK_SIGNING_SECRET: i.slackSecret, DINGTALK_APP_SECRET: i.dingtalkSecret, LOCAL_RECEIVER_URL: i.receiver },
    { DASHBOARD_SECRET: i.dashboardSecret, DASHBOARD_URL: `${i.gateway}/dashboard` },
    { DRILL_TARGETS: i.drillTargets },
  ];
}

export function examplesText(i: ExampleInputs): string {
  const g = i.gateway;
  const exports = exampleEnv(i)
    .map((group) => `  export ${Object.entries(group).map(([k, v]) => `${k}=${shellQuote(v)}`).join(' ')}`)
    .join('\n');
  return `${examplesHeading}

${exports}

  # the timer, once, now
  echo '{"triggerTime":"2026-01-01T02:00:00Z","triggerName":"nightly","payload":"{\\"targets\\":[{\\"product\\":\\"rds\\",\\"DBInstanceId\\":\\"rm-sample1\\"}]}"}' \\
    | node dist/cli.js invoke scheduled-backup --event -

  # the deploy gate, as a CI step
  node dist/cli.js deploy-gate --url ${g}/deploy-hook --deploy-id demo-1 --wait 60 \\
    --targets '[{"product":"polardb","DBClusterId":"pc-sample1"}]'

  # chat: a Slack slash command and a DingTalk message, signed like the platforms; results appear here as [chat …]
  node dist/cli.js chat slack "backup mongodb dds-sample1 Snapshot" --url ${g}/chatops
  node dist/cli.js chat dingtalk "status dds-sample1" --url ${g}/chatops

  # the CLI against the local cloud
  node dist/cli.js backup rds rm-sample2 --method Physical --wait 60
  node dist/cli.js status rm-sample2

  # a restore drill of rm-sample2 (backed up just above): restored to a temporary instance, checked, released — the
  # tracker follows it; then the report's LAST RESTORE TESTED and RECOVERY TIME (about 20 s later)
  echo '{"triggerTime":"2026-01-01T03:00:00Z","triggerName":"weekly","payload":"{}"}' | node dist/cli.js invoke restore-drill --event -
  node dist/cli.js report

  # the dashboard: a signed link (valid 8 h) to open in a browser
  node dist/cli.js dashboard-link
`;
}

export interface ParsedExamples {
  /** The `export …` lines, as printed. */
  exports: string[];
  /** Each command (continuation lines joined) with the comment above it. */
  commands: { title: string; shell: string }[];
}

/** Reads the block printed by examplesText back out of the stack's output. */
export function parseExamples(output: string): ParsedExamples {
  const start = output.indexOf(examplesHeading);
  if (start < 0) throw new Error(`no "${examplesHeading}" in the output`);
  const lines = output.slice(start + examplesHeading.length).split('\n');
  const parsed: ParsedExamples = { exports: [], commands: [] };
  let title = '';
  let blanks = 0;
  for (let n = 0; n < lines.length; n++) {
    let line = (lines[n] as string).trim();
    if (line === '') {
      // The block ends at the first run of two blank lines or at an unindented line.
      if (++blanks >= 2 && parsed.commands.length > 0) break;
      continue;
    }
    if (!(lines[n] as string).startsWith('  ')) break;
    blanks = 0;
    if (line.startsWith('#')) {
      title = line.replace(/^#\s*/, '');
      continue;
    }
    while (line.endsWith('\\') && n + 1 < lines.length) line = `${line.slice(0, -1).trimEnd()} ${(lines[++n] as string).trim()}`;
    if (line.startsWith('export ')) parsed.exports.push(line);
    else parsed.commands.push({ title, shell: line });
  }
  return parsed;
}
