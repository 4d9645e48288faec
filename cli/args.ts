// Argument values the commands share: seconds, JSON (or @file), input files, and the operator's input errors
// (parseArgs refusals, unreadable files) told apart from the engine's.
import { readFileSync } from 'node:fs';
import { BackupError } from '../shared/errors';
import { usage } from './command';

export function seconds(v: string | undefined, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 86_400) throw usage(`${flag} must be a whole number of seconds (0–86400), got ${JSON.stringify(v)}`);
  return n;
}

/** A JSON argument, or @file holding JSON. */
export function jsonArg(value: string, flag: string): unknown {
  const text = value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value;
  try {
    return JSON.parse(text);
  } catch {
    throw usage(`${flag} must be JSON (or @file holding JSON), e.g. [{"product":"rds","DBInstanceId":"rm-..."}]`);
  }
}

/** A file's bytes, or stdin's for `-`. */
export function readInput(spec: string): Buffer {
  return spec === '-' ? readFileSync(0) : readFileSync(spec);
}

/** Errors that are the operator's input, not the engine's: parseArgs refusals and unreadable files. */
export function inputError(raw: unknown): BackupError | undefined {
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
