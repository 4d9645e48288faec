// One JSON line per call, to stdout (FC collects it); on a terminal, one readable coloured line instead (see
// logFormatFor). Secrets never reach a line: fields named like a secret are replaced, and values shaped like a
// signature header are masked wherever they appear.
import { logFormatFor, type LogFormat } from './config';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = object;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` (later fields win). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  requestId?: string;
  /** Receives each line without its newline; default process.stdout. */
  sink?: (line: string) => void;
  /** Lines below this level are dropped; default 'info'. */
  level?: LogLevel;
  base?: LogFields;
  /** Default the current time, as an ISO string. */
  clock?: () => Date;
  /** Default: chosen for stdout by logFormatFor without a sink, JSON with one. */
  format?: LogFormat;
  /** ANSI colours in the pretty format; default: as logFormatFor says for stdout. */
  color?: boolean;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const REDACTED = '[REDACTED]';
export const secretKey = /secret|token|signature|password|authorization|sign$|^sign|accesskey|cookie/i;
const signatureValue = /\b(?:sha256|v0)=[0-9a-f]{64}\b/gi;
const maxDepth = 8;

const stdoutSink = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export function createLogger(opts: LoggerOptions = {}): Logger {
  const sink = opts.sink ?? stdoutSink;
  const threshold = rank[opts.level ?? 'info'];
  const clock = opts.clock ?? (() => new Date());
  const base = { ...(opts.requestId ? { requestId: opts.requestId } : {}), ...opts.base };
  const auto = opts.sink ? { format: 'json' as const, color: false } : logFormatFor(process.stdout);
  const format = opts.format ?? auto.format;
  const color = opts.color ?? auto.color;

  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (rank[level] < threshold) return;
    const line = redact({ time: clock().toISOString(), level, msg, ...base, ...fields }) as Record<string, unknown>;
    // Fields may not overwrite what makes a line a line.
    line.level = level;
    line.msg = redactString(String(msg));
    try {
      sink(format === 'pretty' ? prettyLine(line, color) : JSON.stringify(line));
    } catch {
      // A failing sink must not fail the request that is being logged.
    }
  };

  return {
    debug: (msg, fields) => write('debug', msg, fields),
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
    child: (fields) => createLogger({ ...opts, requestId: undefined, base: { ...base, ...fields } }),
  };
}

const colours: Record<LogLevel, string> = { debug: '\x1b[90m', info: '\x1b[36m', warn: '\x1b[33m', error: '\x1b[31m' };
const dim = (s: string, color: boolean) => (color ? `\x1b[2m${s}\x1b[22m` : s);

/** `12:34:56.789 INFO  msg  key=value …`: the redacted line for a person; an error shows as its message (its stack at level error). */
function prettyLine(line: Record<string, unknown>, color: boolean): string {
  const { time, level, msg, ...fields } = line as { time: string; level: LogLevel; msg: string };
  const tag = level.toUpperCase().padEnd(5);
  const parts = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${prettyValue(v)}`);
  const stacks = level === 'error' ? Object.values(fields).flatMap((v) => (isErrorLike(v) && typeof v.stack === 'string' ? [v.stack] : [])) : [];
  return [
    `${dim(String(time).slice(11, 23), color)} ${color ? `${colours[level]}${tag}\x1b[39m` : tag} ${msg}${parts.length > 0 ? `  ${dim(parts.join(' '), color)}` : ''}`,
    ...stacks.map((s) => dim(s.replace(/^/gm, '    '), color)),
  ].join('\n');
}

const isErrorLike = (v: unknown): v is { name?: unknown; message: unknown; stack?: unknown } =>
  v !== null && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string' && ('stack' in v || 'name' in v);

function prettyValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (isErrorLike(v)) return JSON.stringify(`${typeof v.name === 'string' ? `${v.name}: ` : ''}${v.message as string}`);
  return JSON.stringify(v);
}

/** A copy safe to log: secret-named keys replaced, signature-shaped strings masked, errors flattened, cycles cut. */
export function redact(value: unknown): unknown {
  return clean(value, 0, new WeakSet());
}

const credentialParam = /(SecurityToken|AccessKeyId|AccessKeySecret)(%3D|=)[^&%\s"]+/gi;
export const redactString = (s: string): string => s.replace(signatureValue, REDACTED).replace(credentialParam, `$1$2${REDACTED}`);

function clean(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  if (depth >= maxDepth) return '[Truncated]';
  if (Buffer.isBuffer(value)) return `[Buffer ${value.length} bytes]`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => clean(v, depth + 1, seen));
    const source = value instanceof Error ? errorFields(value) : value instanceof Map ? Object.fromEntries(value) : value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(source)) {
      out[k] = secretKey.test(k) ? REDACTED : clean(v, depth + 1, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function errorFields(e: Error): Record<string, unknown> {
  // Own enumerable fields first (code, category, details...), then the standard ones, which are not enumerable.
  const fields: Record<string, unknown> = { ...e, name: e.name, message: e.message };
  if (e.stack) fields.stack = e.stack;
  if (e.cause !== undefined) fields.cause = e.cause;
  return fields;
}
