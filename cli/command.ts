// What every command file under cli/commands/ exports, and the two things each needs to talk to the operator: a
// usage error (main prints the command's usage under it) and output that is human text or one JSON document.
import { BackupError } from '../shared/errors';

export interface Command {
  /** The word typed after fc-db-backup. */
  name: string;
  /** Printed by `<name> --help`, under a usage error, and with the others by `--help`: `  fc-db-backup <name> …`. */
  usage: string;
  /** Parses its own arguments; resolves to the exit code (cli/exit.ts), throws a BackupError otherwise. */
  run(args: string[]): Promise<number>;
}

/** Bad usage: main prints the command's usage under the message. */
export const usage = (message: string) => new BackupError({ code: 'Usage', category: 'validation', message });

export interface Out {
  json: boolean;
  print(human: string, data: unknown): void;
}

export const out = (json: boolean): Out => ({
  json,
  print: (human, data) => process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`),
});
