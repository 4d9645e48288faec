// One JSON line per call, to stdout (FC collects it). Secrets never reach a line: fields named like a secret are
// replaced, and values shaped like a signature header are masked wherever they appear.

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

  const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
    if (rank[level] < threshold) return;
    const line = redact({ time: clock().toISOString(), level, msg, ...base, ...fields }) as Record<string, unknown>;
    // Fields may not overwrite what makes a line a line.
    line.level = level;
    line.msg = redactString(String(msg));
    try {
      sink(JSON.stringify(line));
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
