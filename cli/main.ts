// fc-db-backup — the operator's command line: drive the engine with your ALIBABA_CLOUD_* credentials, run a built
// function locally, and gate a CI deploy on the deploy webhook. This file only dispatches: each command is one file
// under cli/commands/ with its usage beside its parsing; adding one is that file and one line in `commands`.
import { toBackupError } from '../shared/errors';
import { closeStores } from '../shared/fc/invocation';
import { inputError } from './args';
import type { Command } from './command';
import { backup } from './commands/backup';
import { chat } from './commands/chat';
import { dashboardLink } from './commands/dashboard-link';
import { deployGate } from './commands/deploy-gate';
import { drill } from './commands/drill';
import { invoke } from './commands/invoke';
import { posture } from './commands/posture';
import { report } from './commands/report';
import { sign } from './commands/sign';
import { status } from './commands/status';
import { exitCodeOf, exitCodes, EXIT } from './exit';

/** Every command, in the order `--help` lists them. */
export const commands: readonly Command[] = [backup, status, report, drill, posture, deployGate, sign, invoke, chat, dashboardLink];

const help = `fc-db-backup — exactly-once RDS / PolarDB / MongoDB backups

Usage:
${commands.map((c) => c.usage).join('\n')}

  --json       one JSON document on stdout instead of human output
  --help       a command's usage, e.g. fc-db-backup backup --help

Credentials: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET [, ALIBABA_CLOUD_SECURITY_TOKEN],
ALIBABA_CLOUD_REGION; RDS_ENDPOINT / POLARDB_ENDPOINT / MONGODB_ENDPOINT point at the local cloud.
deploy-gate and sign read the secret from DEPLOY_HOOK_SECRET; chat reads SLACK_SIGNING_SECRET or DINGTALK_APP_SECRET;
dashboard-link reads DASHBOARD_SECRET and DASHBOARD_URL; drill invokes the deployed restore-drill function (FC_ACCOUNT_ID).
Log lines go to stderr (readable on a terminal, JSON otherwise or with LOG_FORMAT=json); stdout carries only the result.

${exitCodes}`;

const commandHelp = (c: Command) => `Usage:\n${c.usage}\n\n${exitCodes}`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(help);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${help}`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(command));
    return EXIT.ok;
  }
  const json = rest.includes('--json');
  try {
    return await command.run(rest);
  } catch (raw) {
    const e = inputError(raw) ?? toBackupError(raw);
    if (json) process.stdout.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
    else process.stderr.write(`fc-db-backup: ${e.message}\n${e.code === 'Usage' ? `\n${commandHelp(command)}` : ''}`);
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
