// shared/logger.ts: one JSON line per call, levels, child fields, and no secret in any line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BackupError } from '../../shared/errors';
import { createLogger, REDACTED, redact } from '../../shared/logger';
import { loadConfig, logFormatFor } from '../../shared/config';
import { signGithub } from '../../shared/http/signatures/github';
import { signSlack } from '../../shared/http/signatures/slack';

function capture(opts: Parameters<typeof createLogger>[0] = {}) {
  const lines: string[] = [];
  const logger = createLogger({ sink: (l) => lines.push(l), clock: () => new Date('2026-01-02T03:04:05.000Z'), ...opts });
  return { logger, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON line per call with time, level, msg, requestId, base and fields', () => {
    const { logger, lines, parsed } = capture({ requestId: 'req-1', base: { function: 'chatops' } });
    logger.info('backup requested', { jobId: 'j-1', count: 2 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(parsed()[0]).toEqual({
      time: '2026-01-02T03:04:05.000Z',
      level: 'info',
      msg: 'backup requested',
      requestId: 'req-1',
      function: 'chatops',
      jobId: 'j-1',
      count: 2,
    });
  });

  it('drops lines below the level (default info) and keeps the rest', () => {
    const def = capture();
    def.logger.debug('d');
    def.logger.info('i');
    expect(def.parsed().map((l) => l.level)).toEqual(['info']);
    const warn = capture({ level: 'warn' });
    for (const level of ['debug', 'info', 'warn', 'error'] as const) warn.logger[level](level);
    expect(warn.parsed().map((l) => l.msg)).toEqual(['warn', 'error']);
    const debug = capture({ level: 'debug' });
    debug.logger.debug('d');
    expect(debug.parsed()).toHaveLength(1);
  });

  it('child loggers add fields and keep the request id, level and sink', () => {
    const { logger, parsed } = capture({ requestId: 'req-2', level: 'warn' });
    const child = logger.child({ key: 'k1' }).child({ product: 'rds' });
    child.info('dropped');
    child.warn('kept', { attempt: 3 });
    expect(parsed()).toEqual([expect.objectContaining({ requestId: 'req-2', key: 'k1', product: 'rds', attempt: 3, msg: 'kept', level: 'warn' })]);
  });

  it('fields cannot forge the level or message of a line', () => {
    const { logger, parsed } = capture();
    logger.error('real', { level: 'debug', msg: 'fake' });
    expect(parsed()[0]).toMatchObject({ level: 'error', msg: 'real' });
  });

  it('defaults to stdout, one line with a newline', () => {
    const written: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      written.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      createLogger().info('to stdout', { a: 1 });
    } finally {
      process.stdout.write = original;
    }
    expect(written).toHaveLength(1);
    expect(written[0]!.endsWith('\n')).toBe(true);
    expect(JSON.parse(written[0]!)).toMatchObject({ msg: 'to stdout', a: 1 });
  });

  it('a failing sink does not throw into the caller', () => {
    const logger = createLogger({
      sink: () => {
        throw new Error('EPIPE');
      },
    });
    expect(() => logger.error('x')).not.toThrow();
  });
});

describe('redaction', () => {
  const secrets = {
    DEPLOY_HOOK_SECRET: 'hook-secret-1',
    securityToken: 'sts-token-2',
    'x-hub-signature-256': 'sig-3',
    password: 'pw-4',
    Authorization: 'Bearer auth-5',
    sign: 'ding-6',
    signature: 'sig-7',
    accessKeySecret: 'aks-8',
    AccessKeyId: 'akid-9',
    cookie: 'c-10',
    'set-cookie': 'c-11',
    appSign: 'ding-12',
    signingKey: 'sk-13',
  };

  it('replaces every secret-named field, at any depth and inside arrays and errors', () => {
    const { logger, lines, parsed } = capture();
    const err = new BackupError({ code: 'X', category: 'internal', message: 'boom', details: { token: 'tok-14' }, cause: { password: 'pw-15' } });
    logger.warn('headers', { headers: secrets, nested: [{ deep: { clientSecret: 'cs-16' } }], err });
    const text = lines.join('\n');
    for (const value of [...Object.values(secrets), 'tok-14', 'pw-15', 'cs-16']) expect(text).not.toContain(value);
    const line = parsed()[0] as { headers: Record<string, string>; err: { details: { token: string }; cause: { password: string }; message: string } };
    expect(line.headers.DEPLOY_HOOK_SECRET).toBe(REDACTED);
    expect(line.headers.AccessKeyId).toBe(REDACTED);
    expect(line.err.details.token).toBe(REDACTED);
    expect(line.err.cause.password).toBe(REDACTED);
    expect(line.err.message).toBe('boom');
  });

  it('keeps fields that only look similar', () => {
    expect(redact({ requestId: 'r', method: 'POST', path: '/hooks', status: 401, durationMs: 3, scheme: 'slack', reason: 'stale' })).toEqual({
      requestId: 'r',
      method: 'POST',
      path: '/hooks',
      status: 401,
      durationMs: 3,
      scheme: 'slack',
      reason: 'stale',
    });
  });

  it('masks signature-shaped values wherever they appear, even under innocent keys and in the message', () => {
    const gh = signGithub('body', 'k');
    const sl = signSlack('body', 1, 'k');
    const { logger, lines } = capture();
    logger.info(`got ${gh}`, { note: `header was ${sl}`, list: [gh.toUpperCase().replace('SHA256', 'sha256')] });
    const text = lines.join('\n');
    expect(text).not.toContain(gh.slice(7));
    expect(text).not.toContain(sl.slice(3));
    expect(text).not.toMatch(/[0-9a-f]{64}/i);
    expect(JSON.parse(lines[0]!).note).toBe(`header was ${REDACTED}`);
  });

  it('survives cycles, buffers, bigints and dates', () => {
    const a: Record<string, unknown> = { n: 1n, when: new Date('2026-01-01T00:00:00Z'), buf: Buffer.from('secret bytes') };
    a.self = a;
    expect(redact(a)).toEqual({ n: '1', when: '2026-01-01T00:00:00.000Z', buf: '[Buffer 12 bytes]', self: '[Circular]' });
  });

  it('property: no value stored under a secret-named key ever reaches the line (300 runs)', () => {
    const secretKeys = fc.constantFrom('secret', 'token', 'signature', 'password', 'authorization', 'sign', 'x-sign', 'signKey', 'accessKeyId', 'cookie', 'MY_TOKEN');
    const marker = fc.string({ minLength: 6, maxLength: 20, unit: fc.constantFrom(...'QWXZJK') }).map((s) => `@@${s}@@`);
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.string(),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 8 }).filter((k) => !/[@]/.test(k)), tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(tree, secretKeys, marker, fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }), (t, key, secret, path) => {
        // Hide the secret under a secret-named key somewhere inside a random tree.
        let holder: Record<string, unknown> = { [key]: secret };
        for (const p of path) holder = { [`k${p.replace(/[^a-z]/gi, '')}`]: holder };
        const lines: string[] = [];
        createLogger({ sink: (l) => lines.push(l) }).info('m', { t, holder });
        return lines.length === 1 && !lines[0]!.includes(secret);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the readable format (a terminal)', () => {
  it('is one line per call: time, level, message, then the fields as key=value; secrets still redacted', () => {
    const { logger, lines } = capture({ format: 'pretty', color: false, requestId: 'req-1' });
    logger.warn('signature refused', { reason: 'stale', path: '/x y', n: 2, authorization: 'Bearer abc', sig: `sha256=${'a'.repeat(64)}` });
    expect(lines).toEqual([`03:04:05.000 WARN  signature refused  requestId=req-1 reason=stale path="/x y" n=2 authorization=${REDACTED} sig=${REDACTED}`]);
  });

  it('colours the level only when asked, and shows an error as its message, with its stack at level error', () => {
    const { logger, lines } = capture({ format: 'pretty', color: true });
    logger.error('request failed', { err: new Error('boom') });
    expect(lines[0]).toMatch(/^\x1b\[2m03:04:05\.000\x1b\[22m \x1b\[31mERROR\x1b\[39m request failed {2}\x1b\[2merr="Error: boom"\x1b\[22m\n/);
    expect(lines[0]).toMatch(/ {4}at /);
    const plain = capture({ format: 'pretty', color: false });
    plain.logger.info('x', { err: new Error('boom') });
    expect(plain.lines).toEqual(['03:04:05.000 INFO  x  err="Error: boom"']);
  });
});

describe('logFormatFor', () => {
  it('pretty and coloured on a terminal, JSON elsewhere; LOG_FORMAT decides when set; NO_COLOR drops the colour', () => {
    expect(logFormatFor({ isTTY: true }, {})).toEqual({ format: 'pretty', color: true });
    expect(logFormatFor({ isTTY: false }, {})).toEqual({ format: 'json', color: false });
    expect(logFormatFor({}, {})).toEqual({ format: 'json', color: false });
    expect(logFormatFor({ isTTY: true }, { LOG_FORMAT: 'json' })).toEqual({ format: 'json', color: true });
    expect(logFormatFor({ isTTY: false }, { LOG_FORMAT: 'pretty' })).toEqual({ format: 'pretty', color: false });
    expect(logFormatFor({ isTTY: true }, { NO_COLOR: '1' })).toEqual({ format: 'pretty', color: false });
  });

  it('a LOG_FORMAT that is neither is refused at the edge, naming it', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT: "xml" — must be json or pretty/);
  });
});
